// The rocm-smi meter: polls `rocm-smi --showpower --showuse --json` (no streaming mode; slow to start) for each AMD GPU.
import { createAmdFactory, parseJsonOutput, PollParseError, readQuantity, toWatts, type AmdTool, type AmdToolOptions, type GpuReading } from './amd-common.js';
import type { MeterFactory } from './types.js';

/** The package-power keys rocm-smi prints: MI300 and newer, then older discrete GPUs (docs/vendor-facts.md "AMD — rocm-smi and amd-smi"). */
export const rocmPowerKeys = ['Current Socket Graphics Package Power (W)', 'Average Graphics Package Power (W)'] as const;

/**
 * Readings from `rocm-smi --showpower --showuse --json`: `{"card0": {"<power key>": "300.0", "GPU use (%)": "45"}, …}`
 * with string values. The GPU index is N of `cardN`; other keys (a `system` block) are ignored. A value that is not a
 * number (`N/A (Secondary die)` on an MI250's second die) gives a reading without power.
 */
export function parseRocmSmiJson(stdout: string): GpuReading[] {
  const data = parseJsonOutput(stdout, 'rocm-smi');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PollParseError(`rocm-smi printed JSON that is not an object of cards: ${JSON.stringify(data).slice(0, 80)}`);
  }
  const readings: GpuReading[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const card = /^card(\d+)$/.exec(key);
    if (!card || typeof value !== 'object' || value === null) continue;
    const fields = value as Record<string, unknown>;
    const powerField = rocmPowerKeys.find((name) => name in fields)
      ?? Object.keys(fields).find((name) => /graphics package power.*\(W\)/i.test(name))
      ?? null;
    const power = powerField === null ? { missing: 'no package power field' } : toWatts(readQuantity(fields[powerField]));
    const context: Record<string, number | string> = {};
    for (const [name, raw] of Object.entries(fields)) {
      if (name === powerField || (typeof raw !== 'string' && typeof raw !== 'number')) continue;
      const quantity = readQuantity(raw);
      context[name] = 'value' in quantity && quantity.unit === null ? quantity.value : String(raw);
    }
    readings.push({
      index: Number(card[1]),
      label: key,
      powerW: 'watts' in power ? power.watts : null,
      powerField,
      missing: 'missing' in power ? power.missing : null,
      context,
    });
  }
  if (readings.length === 0) throw new PollParseError(`rocm-smi listed no cards: ${JSON.stringify(data).slice(0, 80)}`);
  return readings.sort((a, b) => a.index - b.index);
}

const rocmSmiTool: AmdTool = {
  name: 'rocm-smi',
  args: ['--showpower', '--showuse', '--json'],
  parse: parseRocmSmiJson,
  describePower: (reading) => `"${reading.powerField}"`,
};

/** A rocm-smi meter factory with an injectable binary, environment and timing (tests point it at a fake). */
export function createRocmSmiMeterFactory(options: AmdToolOptions = {}): MeterFactory {
  return createAmdFactory(rocmSmiTool, 'AMD GPU package power by polling rocm-smi (one spawn per poll; the period achieved is recorded)', options);
}

/** Registry entry for the rocm-smi meter. */
export const rocmSmiMeterFactory: MeterFactory = createRocmSmiMeterFactory();
