// The rapl meter: CPU package (and DRAM) energy from the Linux powercap counters (`energy_uj`), as interval averages.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeterError } from '../errors.js';
import { realClock, sleep, type Clock } from './core/clock.js';
import { hardwareMeter } from './core/entry.js';
import { counterDeltaUj, errnoOf, listDirSync, readTextSync, tryList, tryRead, type ReadText } from './core/sysfs.js';
import { SampledMeter, Sampler, type Feed, type FeedSink } from './core/sampler.js';
import type { MeterContext, MeterFactory } from './types.js';

export type { ReadText };

/** Knobs of the rapl meter; the defaults are what the CLI uses. */
export interface RaplOptions {
  /** File reader (default: fs.readFileSync). */
  readText?: ReadText;
  /** Clock (default: the real one); tests inject a simulated one. */
  clock?: Clock;
  /** Only now() replaced (a fake powercap tree on a virtual clock, real timers). */
  now?: () => number;
  /** Requested polling period (default 100 ms); lowered when a counter could wrap faster. */
  periodMs?: number;
  /**
   * A generous upper bound on one zone's power, used to bound the wrap period (max_energy_range_uj ÷ this) and to
   * reject impossible jumps (a counter reset reads like a wrap). Default 500 W.
   */
  maxZonePowerW?: number;
}

/** One powercap zone found under the root. */
export interface RaplZone {
  /** Folder name, e.g. `intel-rapl:0`, `intel-rapl:0:2`, `intel-rapl-mmio:0`. */
  id: string;
  /** Absolute folder path. */
  dir: string;
  /** Contents of its `name` file (`package-0`, `package-0-die-1`, `core`, `uncore`, `dram`, `psys`). */
  name: string;
  /** What it measures. */
  role: 'package' | 'dram' | 'psys' | 'core' | 'uncore' | 'other';
  /** The label used in sample context and detail: `package-0`, `dram-0`, `psys`. */
  label: string;
}

/** Which zones a meter sums, which it leaves out and why. */
export interface RaplZonePlan {
  root: string;
  counted: RaplZone[];
  skipped: Array<{ zone: RaplZone; why: string }>;
  /** `cpu-package`, `cpu-package+dram`, or `psys` (platform total, only when no package zone exists). */
  scope: string;
}

const defaultPeriodMs = 100;
const defaultMaxZonePowerW = 500;
const zoneDirPattern = /^intel-rapl(-mmio)?:(\d+)(?::(\d+))?$/;

// The helper script shipped with the package: src/power and dist/power both sit two levels below the package root.
const grantScript = (() => {
  const candidate = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'grant-rapl-access.sh');
  return existsSync(candidate) ? candidate : 'scripts/grant-rapl-access.sh (in the joulebench package)';
})();

function noZonesMessage(root: string): string {
  return `no RAPL zones under ${root} (not an Intel/AMD CPU with powercap, or a container without /sys/class/powercap: mount it and pass --powercap-root)`;
}

/** The message for an unreadable counter file; EACCES explains CVE-2020-8694 and how to grant access. */
export function unreadableMessage(file: string, error: unknown): string {
  const code = errnoOf(error);
  if (code === 'EACCES' || code === 'EPERM') {
    return (
      `cannot read ${file}: permission denied (${code}); since Linux 5.10 energy_uj is readable by root only (CVE-2020-8694). ` +
      `Grant read access with \`sudo ${grantScript} --user $USER\` (a udev rule giving the powercap group read access), or run as root`
    );
  }
  const why = code ?? (error instanceof Error ? error.message : String(error));
  return `cannot read ${file}: ${why}`;
}

// Read one integer counter file; throws MeterError naming the file.
function readMicrojoules(readText: ReadText, file: string): number {
  let text: string;
  try {
    text = readText(file);
  } catch (error) {
    const code = errnoOf(error);
    throw new MeterError(code === 'EACCES' || code === 'EPERM' ? 'RAPL_PERMISSION' : 'RAPL_UNREADABLE', unreadableMessage(file, error), {
      cause: error,
      ...(code === 'EACCES' || code === 'EPERM' ? { hint: `sudo ${grantScript} --user $USER` } : {}),
    });
  }
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MeterError('RAPL_UNREADABLE', `cannot read ${file}: expected a non-negative integer, got "${text.trim().slice(0, 40)}"`);
  }
  return value;
}

/**
 * Find the powercap zones under `root` and decide which to sum: every package zone (`intel-rapl:N`) plus every
 * `dram` subzone. `core`/`uncore` lie inside their package, `intel-rapl-mmio:N` repeats a package through MMIO, and
 * `psys` is a platform total that contains the packages: none of them is added on top. psys is used alone only when
 * no package zone exists (and MMIO packages only when the MSR ones are missing). Reads only `name` files.
 */
export function planRaplZones(root: string, readText: ReadText = readTextSync): RaplZonePlan {
  // sysfs lists every zone flat under /sys/class/powercap (subzones as symlinks) and also nests subzones inside
  // their package folder; fake or copied trees may have only one of the two. Collect both, one entry per zone id.
  const found = new Map<string, { dir: string; parentId: string | null }>();
  for (const entry of tryList(listDirSync, root)) {
    const match = zoneDirPattern.exec(entry);
    if (!match) continue;
    if (!found.has(entry)) found.set(entry, { dir: path.join(root, entry), parentId: match[3] === undefined ? null : entry.replace(/:\d+$/, '') });
    if (match[3] !== undefined) continue;
    for (const child of tryList(listDirSync, path.join(root, entry))) {
      if (zoneDirPattern.exec(child)?.[3] !== undefined && !found.has(child)) found.set(child, { dir: path.join(root, entry, child), parentId: entry });
    }
  }
  const zones: RaplZone[] = [];
  const byId = new Map<string, RaplZone>();
  const ids = [...found.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  // Parents first, so a subzone can take its label from its package.
  for (const id of ids.filter((candidate) => found.get(candidate)!.parentId === null).concat(ids.filter((c) => found.get(c)!.parentId !== null))) {
    const { dir, parentId } = found.get(id)!;
    const name = tryRead(readText, path.join(dir, 'name')) ?? id;
    const parent = parentId === null ? undefined : byId.get(parentId);
    let role: RaplZone['role'] = 'other';
    if (/^package-\d+/.test(name)) role = 'package';
    else if (name === 'dram' || /^dram-\d+/.test(name)) role = 'dram';
    else if (name === 'psys') role = 'psys';
    else if (name === 'core' || name === 'uncore') role = name;
    // `dram` under `package-0-die-1` becomes `dram-0-die-1`; a dram zone without a package parent keeps its id.
    const suffix = parent?.role === 'package' ? parent.name.replace(/^package-/, '') : null;
    const label = role === 'dram' && name === 'dram' ? (suffix !== null ? `dram-${suffix}` : `dram@${id}`) : name;
    const zone: RaplZone = { id, dir, name, role, label };
    zones.push(zone);
    byId.set(id, zone);
  }

  const counted: RaplZone[] = [];
  const skipped: RaplZonePlan['skipped'] = [];
  const isMmio = (zone: RaplZone) => zone.id.startsWith('intel-rapl-mmio');
  const msrPackages = zones.filter((zone) => zone.role === 'package' && !isMmio(zone));
  const usePackagesOf = msrPackages.length > 0 ? 'msr' : zones.some((zone) => zone.role === 'package') ? 'mmio' : 'none';
  for (const zone of zones) {
    const parentLabel = byId.get(found.get(zone.id)!.parentId ?? '')?.label;
    if (isMmio(zone) && usePackagesOf === 'msr') {
      skipped.push({ zone, why: `duplicates ${zone.name} through MMIO` });
    } else if (zone.role === 'package' || zone.role === 'dram') {
      counted.push(zone);
    } else if (zone.role === 'core' || zone.role === 'uncore') {
      skipped.push({ zone, why: `inside ${parentLabel ?? 'its package'}` });
    } else if (zone.role === 'psys') {
      if (usePackagesOf === 'none') counted.push(zone);
      else skipped.push({ zone, why: 'platform total that already contains the packages' });
    } else {
      skipped.push({ zone, why: 'unknown zone' });
    }
  }
  // Labels are context keys: keep them unique even on odd kernels that name two zones alike.
  const seen = new Set<string>();
  for (const zone of counted) {
    if (seen.has(zone.label)) zone.label = `${zone.label}@${zone.id}`;
    seen.add(zone.label);
  }
  const scope = counted.some((zone) => zone.role === 'package')
    ? counted.some((zone) => zone.role === 'dram') ? 'cpu-package+dram' : 'cpu-package'
    : counted.some((zone) => zone.role === 'psys') ? 'psys' : 'dram';
  return { root, counted, skipped, scope };
}

/** A counted zone with its counter range, ready to poll. */
export interface OpenZone extends RaplZone {
  energyFile: string;
  maxEnergyRangeUj: number;
}

/** Everything the meter needs, checked: zones, counter ranges, one successful read of every counter, the period. */
export interface RaplSetup {
  plan: RaplZonePlan;
  zones: OpenZone[];
  periodMs: number;
  /** Shortest time in which a counted counter could wrap at the power bound. */
  wrapMs: number;
  detail: string;
}

type Settings = Required<Pick<RaplOptions, 'readText' | 'periodMs' | 'maxZonePowerW'>>;

function settingsOf(options: RaplOptions): Settings {
  return {
    readText: options.readText ?? readTextSync,
    periodMs: options.periodMs ?? defaultPeriodMs,
    maxZonePowerW: options.maxZonePowerW ?? defaultMaxZonePowerW,
  };
}

// Discover zones and read each counted counter once. Throws MeterError with a reason fit for a probe.
function openRapl(root: string, options: Settings): RaplSetup {
  const { readText, maxZonePowerW } = options;
  if (!existsSync(root)) throw new MeterError('RAPL_NO_ZONES', noZonesMessage(root));
  const plan = planRaplZones(root, readText);
  if (plan.counted.length === 0) {
    const extra = plan.skipped.length > 0 ? `; found only ${plan.skipped.map((s) => `${s.zone.id} (${s.zone.name})`).join(', ')}` : '';
    throw new MeterError('RAPL_NO_ZONES', `${noZonesMessage(root)}${extra}`);
  }
  const zones: OpenZone[] = plan.counted.map((zone) => {
    const energyFile = path.join(zone.dir, 'energy_uj');
    const maxEnergyRangeUj = readMicrojoules(readText, path.join(zone.dir, 'max_energy_range_uj'));
    if (maxEnergyRangeUj <= 0) throw new MeterError('RAPL_UNREADABLE', `${path.join(zone.dir, 'max_energy_range_uj')} is 0: cannot unwrap ${energyFile}`);
    readMicrojoules(readText, energyFile);
    return { ...zone, energyFile, maxEnergyRangeUj };
  });
  // Poll at least twice per wrap at the generous power bound, so one missed tick never hides a whole wrap.
  const narrowest = zones.reduce((a, b) => (b.maxEnergyRangeUj < a.maxEnergyRangeUj ? b : a));
  const wrapMs = narrowest.maxEnergyRangeUj / maxZonePowerW / 1000;
  const periodMs = Math.max(1, Math.min(options.periodMs, wrapMs / 2));
  const lowered = periodMs < options.periodMs
    ? ` (lowered from ${options.periodMs} ms: ${narrowest.id} wraps at ${narrowest.maxEnergyRangeUj} µJ, every ${Math.round(wrapMs)} ms at ${maxZonePowerW} W)`
    : '';
  const what = plan.scope === 'psys' ? 'psys (platform total; no package zone exists)' : plan.counted.map((z) => `${z.label} (${z.id})`).join(' + ');
  const notCounted = plan.skipped.length > 0 ? `; not counted: ${plan.skipped.map((s) => `${s.zone.label} (${s.zone.id}, ${s.why})`).join(', ')}` : '';
  const detail = `RAPL energy counters under ${root}: ${what}${notCounted}; polled every ${Math.round(periodMs * 10) / 10} ms${lowered}`;
  return { plan, zones, periodMs, wrapMs, detail };
}

// The clock of a meter: `clock`, else the real one with `now` replaced.
const clockOf = (options: RaplOptions): Clock => options.clock ?? (options.now ? { ...realClock, now: options.now } : realClock);

const asMeterError = (error: unknown) => (error instanceof MeterError ? error : new MeterError('RAPL_READ_FAILED', String(error), { cause: error }));

/** Reads the counted zones; every sample is ΔE/Δt since the previous one, summed over the zones. */
class RaplFeed implements Feed {
  private baseline: { tMs: number; energyUj: number[] } | null = null;
  private failed = false;
  /** No counter moved for this long: the counters are frozen (seen in some VMs), not a 0 W CPU. */
  private readonly stallMs: number;
  /** Longest span between two counter reads that made samples (a span longer than wrapMs could hide a wrap). */
  longestSpanMs = 0;

  constructor(private readonly setup: RaplSetup, private readonly readText: ReadText, readonly maxZonePowerW: number, private readonly clock: Clock) {
    this.stallMs = Math.max(1000, 10 * setup.periodMs);
  }

  /** Reads the baseline (energy between a failure and now is unknown, so no sample covers it). */
  open(): void {
    this.failed = false;
    this.baseline = { tMs: this.clock.now(), energyUj: this.readCounters() };
  }

  poll(sink: FeedSink): void {
    try {
      this.tick(sink);
    } catch (error) {
      this.failed = true;
      throw asMeterError(error);
    }
  }

  /** A last read at stop: a window may end there. */
  close(sink: FeedSink): void {
    if (!this.failed) this.tick(sink);
  }

  private readCounters(): number[] {
    return this.setup.zones.map((zone) => readMicrojoules(this.readText, zone.energyFile));
  }

  // Read every counter; push a sample when energy moved. Never 0 W for "could not read" or "did not tick".
  private tick(sink: FeedSink): void {
    if (!this.baseline) return;
    const before = this.clock.now();
    const energyUj = this.readCounters();
    const tMs = (before + this.clock.now()) / 2;
    const dtMs = tMs - this.baseline.tMs;
    if (!(dtMs > 0)) return;
    const context: Record<string, number> = {};
    let totalUj = 0;
    for (const [i, zone] of this.setup.zones.entries()) {
      const [beforeUj, afterUj] = [this.baseline.energyUj[i]!, energyUj[i]!];
      const deltaUj = counterDeltaUj(beforeUj, afterUj, dtMs, 2 * this.maxZonePowerW, zone.maxEnergyRangeUj);
      // A counter reset (hotplug, driver reload) reads like a wrap and yields an impossible power: stop, don't guess.
      if (deltaUj === null) {
        const jumpW = (afterUj - beforeUj + (afterUj < beforeUj ? zone.maxEnergyRangeUj : 0)) / dtMs / 1000;
        throw new MeterError('RAPL_COUNTER_JUMP', `${zone.energyFile} jumped from ${beforeUj} to ${afterUj} µJ in ${dtMs.toFixed(1)} ms (${Math.round(jumpW)} W): the counter was reset`);
      }
      context[zone.label] = Math.round((deltaUj / dtMs / 1000) * 1000) / 1000;
      totalUj += deltaUj;
    }
    if (totalUj === 0) {
      // No counter has ticked since the baseline: keep the baseline, so the next sample averages over the whole span.
      if (dtMs > this.stallMs) {
        throw new MeterError('RAPL_STALLED', `no RAPL counter under ${this.setup.plan.root} moved for ${Math.round(dtMs)} ms (${this.setup.zones.map((z) => z.energyFile).join(', ')}): the counters are frozen (a VM that exposes powercap without energy data?)`);
      }
      return;
    }
    sink.push({ key: 0, tMs, powerW: totalUj / dtMs / 1000, context });
    this.longestSpanMs = Math.max(this.longestSpanMs, dtMs);
    this.baseline = { tMs, energyUj };
  }
}

/**
 * Sums the counted powercap zones into one CPU meter. start() reads the baseline and waits for the counters to move
 * once; sampleAfter(t) reads the counters at t, so a window's edge is exact to the counter's ~1 ms update.
 */
export class RaplMeter extends SampledMeter {
  constructor(setup: RaplSetup, options: RaplOptions = {}) {
    const clock = clockOf(options);
    const feed = new RaplFeed(setup, options.readText ?? readTextSync, options.maxZonePowerW ?? defaultMaxZonePowerW, clock);
    // A counter that has not ticked yet (RAPL updates about every ms) is re-read every 2 ms, for up to ~50 ms.
    const sampler = new Sampler(feed, { clock, periodMs: setup.periodMs, retryMs: 2, failAfterPolls: 1, startWaitsForSample: true, waitMs: (tMs, now) => Math.max(0, tMs - now) + 50 });
    super(sampler, 0, { id: 'rapl', kind: 'rapl', scope: setup.plan.scope, device: 'cpu', periodMs: setup.periodMs, estimated: false, sampleKind: 'interval-average', detail: setup.detail });
    this.feed = feed;
    this.wrapMs = setup.wrapMs;
  }

  private readonly feed: RaplFeed;
  private readonly wrapMs: number;

  /** Warns when two reads were so far apart (event loop blocked) that a counter could have wrapped unseen. */
  diagnostics(): string[] {
    if (this.feed.longestSpanMs <= this.wrapMs) return [];
    return [
      `rapl: two counter reads were ${Math.round(this.feed.longestSpanMs)} ms apart, longer than the ${Math.round(this.wrapMs)} ms in which a counter can wrap at ${this.feed.maxZonePowerW} W: if the CPU drew that much, a wrap may have gone unseen and energy be undercounted`,
    ];
  }
}

// Probe: everything openRapl checks, plus "do the counters move?" (a frozen counter must not read as 0 W).
async function probeRapl(root: string, options: Settings): Promise<string> {
  const setup = openRapl(root, options);
  const read = () => setup.zones.map((zone) => readMicrojoules(options.readText, zone.energyFile).toString()).join(',');
  const first = read();
  for (let waitedMs = 0; waitedMs < 250; waitedMs += 5) {
    await sleep(realClock, 5);
    if (read() !== first) return setup.detail;
  }
  throw new MeterError('RAPL_STALLED', `the RAPL counters under ${root} did not move in 250 ms (${setup.zones.map((z) => z.energyFile).join(', ')}): frozen counters (a VM?) cannot measure power`);
}

/** A rapl meter factory with injected reader/clock/period (tests); the registry uses the defaults. */
export function createRaplMeterFactory(options: RaplOptions = {}): MeterFactory {
  const settings = settingsOf(options);
  const rootOf = (context: MeterContext) => context.settings?.['powercap-root'] ?? process.env.JOULEBENCH_POWERCAP_ROOT ?? '/sys/class/powercap';
  return hardwareMeter({
    name: 'rapl',
    description: 'CPU package + DRAM energy counters (Linux powercap / RAPL, Intel and AMD); needs read access to energy_uj',
    group: 'cpu',
    flags: [{ name: 'powercap-root', value: 'DIR', help: 'RAPL powercap folder (default $JOULEBENCH_POWERCAP_ROOT or /sys/class/powercap)', path: true }],
    detail: (context) => probeRapl(rootOf(context), settings),
    create: (context) => [new RaplMeter(openRapl(rootOf(context), settings), options)],
  });
}

/** Opens a rapl meter directly (for tests and library users who know their powercap root). */
export function openRaplMeter(root: string, options: RaplOptions = {}): RaplMeter {
  return new RaplMeter(openRapl(root, settingsOf(options)), options);
}

/** Registry entry for the rapl meter. */
export const raplMeterFactory: MeterFactory = createRaplMeterFactory();
