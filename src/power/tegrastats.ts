// The tegrastats meter: NVIDIA Jetson board power from `tegrastats --interval MS`, for JetPacks whose INA3221 rails
// are not readable through hwmon (the iio driver of JetPack 4 and older; the hwmon meter reads them directly where
// they are).
//
// Format (one line per interval; NVIDIA's "Reported Statistics" table, and lines captured from real boards in
// jetson_stats jtop/core/tegra_parse.py and DataDog's jetson check tests):
//   Nano, JetPack 4:  `... thermal@41C POM_5V_IN 900/943 POM_5V_GPU 0/0 POM_5V_CPU 123/123`
//   TX1/TX2:          `... VDD_IN 2532/2698 VDD_CPU 76/178 VDD_GPU 19/19`
//   AGX Xavier:       `... GPU 0/0 CPU 216/216 SOC 864/864 CV 0/0 VDDRQ 144/144 SYS5V 1889/1889`
//   Xavier NX, Orin:  `... VDD_IN 4541mW/4541mW VDD_CPU_GPU_CV 521mW/521mW VDD_SOC 1446mW/1473mW`
//   (JetPack 6 prefixes a `MM-DD-YYYY HH:MM:SS` timestamp.)
// Each rail is `NAME CUR/AVG` in milliwatts (older releases print no unit): CUR is the reading now, AVG the mean since
// tegrastats started. VDD_IN (POM_5V_IN on the Nano) is the board input and contains every other rail, so when it is
// there it alone is the board's power; the others are kept as context, never added to it. Without a board-input
// rail (AGX Xavier) the rails are summed, as jtop does (jtop/core/power.py total_power).
import { MeterError } from '../errors.js';
import { boardInputRails } from './hwmon.js';

/** One rail of a tegrastats line. */
export interface TegrastatsRail {
  name: string;
  currentMw: number;
  averageMw: number;
}

/** A parsed tegrastats line: every rail, in the order printed. */
export interface TegrastatsLine {
  rails: TegrastatsRail[];
}

// `NAME CUR[mW]/AVG[mW]` followed by a space or the end: `RAM 613/3964MB` and `SWAP 0/1982MB (cached 0MB)` are not
// rails (a unit other than mW follows), nor `CPU [2%@102,…]` or `GR3D_FREQ 0%@76` (no slash pair).
const railPattern = /(?:^|\s)([A-Z][A-Z0-9_]*) (\d+(?:\.\d+)?)(mW)?\/(\d+(?:\.\d+)?)(mW)?(?=\s|$)/g;

/**
 * Parse one line. Throws MeterError TEGRASTATS_NO_RAILS when the line is tegrastats' but carries no power rail (some
 * images read the INA3221 only as root), TEGRASTATS_FORMAT when it is not a tegrastats line at all.
 */
export function parseTegrastatsLine(line: string): TegrastatsLine {
  const rails: TegrastatsRail[] = [];
  for (const match of line.matchAll(railPattern)) {
    rails.push({ name: match[1]!, currentMw: Number(match[2]), averageMw: Number(match[4]) });
  }
  if (rails.length > 0) return { rails };
  if (/(^|\s)RAM \d+\/\d+[kMG]B/.test(line)) {
    throw new MeterError('TEGRASTATS_NO_RAILS', `tegrastats printed no power rails ("${line.trim().slice(0, 80)}…"): this image lets only root read the power monitors`, {
      hint: 'run joulebench as root (sudo), or use --meter hwmon where /sys/class/hwmon has the ina3221 rails',
    });
  }
  throw new MeterError('TEGRASTATS_FORMAT', `tegrastats printed a line joulebench does not know: "${line.trim().slice(0, 120)}"`, {
    hint: 'expected rails like `VDD_IN 4541mW/4541mW` or `POM_5V_IN 900/943`; report the line with your JetPack version',
  });
}

/** Which rails make up the board's power. */
export interface TegrastatsRailPlan {
  /** The rails summed: the board input alone, or every rail when there is none. */
  counted: string[];
  /** Sub-rails of the board input: context only. */
  context: string[];
  scope: 'board-input' | 'rails-sum';
}

/** Decide the counted rails from the first line's rails (VDD_IN / POM_5V_IN alone, else all of them). */
export function planTegrastatsRails(rails: readonly TegrastatsRail[]): TegrastatsRailPlan {
  const names = rails.map((rail) => rail.name);
  const input = names.find((name) => boardInputRails.includes(name));
  if (input) return { counted: [input], context: names.filter((name) => name !== input), scope: 'board-input' };
  return { counted: names, context: [], scope: 'rails-sum' };
}

/** Board power of one line under a plan, with every rail in W as context; throws when a counted rail is missing. */
export function tegrastatsPower(line: TegrastatsLine, plan: TegrastatsRailPlan): { powerW: number; context: Record<string, number> } {
  const context: Record<string, number> = {};
  for (const rail of line.rails) context[`${rail.name}W`] = rail.currentMw / 1000;
  let totalMw = 0;
  for (const name of plan.counted) {
    const rail = line.rails.find((r) => r.name === name);
    if (!rail) {
      throw new MeterError('TEGRASTATS_FORMAT', `tegrastats stopped printing rail ${name} (it now prints ${line.rails.map((r) => r.name).join(', ')})`);
    }
    totalMw += rail.currentMw;
  }
  return { powerW: totalMw / 1000, context };
}
