// The hwmon meter: power and energy from the Linux hardware-monitoring sysfs interface (/sys/class/hwmon/hwmon*/):
// energy counters, power inputs and averages, rail current × voltage (docs/vendor-facts.md "Linux — hwmon").
import path from 'node:path';
import { InputError, MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { hardwareMeter } from './core/entry.js';
import { counterDeltaUj as counterDelta, errnoOf, listDirSync, readTextSync, tryList, tryRead, type ListDir, type ReadText } from './core/sysfs.js';
import { SampledMeter, Sampler, type Feed, type FeedSink } from './core/sampler.js';
import type { MeterContext, MeterFactory, MeterInfo, PowerMeter } from './types.js';

export type { ListDir, ReadText };

/** How a channel's reading becomes power: a counter (ΔE/Δt) or a power value read now. */
export type HwmonSource = 'energy' | 'power-input' | 'power-average' | 'rail';

/** One readable channel of a chip. */
export interface HwmonChannel {
  /** Chip folder name under the root (`hwmon3`). */
  chipId: string;
  /** The chip's `name` (`amdgpu`, `i915`, `ina3221`, `power_meter`). */
  chipName: string;
  /** Channel number in the file names (`energy1_input` → 1). */
  index: number;
  /** From `*_label` when the driver gives one, else the file stem (`power1`). */
  label: string;
  source: HwmonSource;
  /** The files read each tick: one counter or power file; a rail reads [currN_input, inN_input]. */
  files: string[];
  /** power-average: the averaging window in ms (`powerN_average_interval`); null when unknown or not averaged. */
  averageIntervalMs: number | null;
}

/** One hwmon chip folder and its power-related channels (only the best kind the chip offers). */
export interface HwmonChip {
  id: string;
  dir: string;
  name: string;
  channels: HwmonChannel[];
}

/** What the meter sums, what it leaves out and why. */
export interface HwmonPlan {
  root: string;
  /** Every chip found (also those without power channels), for `devices` and error messages. */
  chips: HwmonChip[];
  counted: HwmonChannel[];
  skipped: Array<{ channel: HwmonChannel; why: string }>;
}


/** Rails that carry the whole board's input on Jetson modules (tegrastats and jtop take the same two). */
export const boardInputRails: readonly string[] = ['VDD_IN', 'POM_5V_IN'];

/**
 * Chips whose channels joulebench knows how to add up. Without `--hwmon` only the board and system sensors among them
 * count (ina3221, ina2xx, power_meter: they contain the CPU, so the meter stands in for rapl); GPUs count when named.
 */
const knownChips = /^(amdgpu|i915|xe|ina3221|ina2\d\d|power_meter)$/;

const stemPattern = /^(energy|power|curr|in)(\d+)_(input|average|average_interval|label)$/;

// Attributes sit in hwmonN/ (the class device) or, for older drivers, in hwmonN/device/ (sysfs-interface.rst).
function attributeDir(dir: string, listDir: ListDir): { dir: string; files: string[] } {
  const own = tryList(listDir, dir);
  if (own.some((file) => stemPattern.test(file))) return { dir, files: own };
  const device = path.join(dir, 'device');
  const nested = tryList(listDir, device);
  return nested.some((file) => stemPattern.test(file)) ? { dir: device, files: nested } : { dir, files: own };
}

function intervalOf(readText: ReadText, file: string): number | null {
  const text = tryRead(readText, file);
  const value = text === null ? Number.NaN : Number(text);
  return Number.isFinite(value) && value > 0 ? value : null;
}

// The channels of one chip, of the best kind it has: energy, else power input, else power average, else rails.
function chipChannels(chipId: string, chipName: string, dir: string, files: string[], readText: ReadText): HwmonChannel[] {
  const has = new Set(files);
  const indices = (type: string, item: string) =>
    files
      .map((file) => stemPattern.exec(file))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === type && m[3] === item)
      .map((m) => Number(m[2]))
      .sort((a, b) => a - b);
  const label = (type: string, index: number) => tryRead(readText, path.join(dir, `${type}${index}_label`)) || `${type}${index}`;
  const make = (index: number, source: HwmonSource, type: string, fileNames: string[], averageIntervalMs: number | null = null): HwmonChannel => ({
    chipId,
    chipName,
    index,
    label: label(type, index),
    source,
    files: fileNames.map((file) => path.join(dir, file)),
    averageIntervalMs,
  });

  const energy = indices('energy', 'input');
  if (energy.length > 0) return energy.map((i) => make(i, 'energy', 'energy', [`energy${i}_input`]));
  const input = indices('power', 'input');
  if (input.length > 0) return input.map((i) => make(i, 'power-input', 'power', [`power${i}_input`]));
  const average = indices('power', 'average');
  if (average.length > 0) {
    return average.map((i) => make(i, 'power-average', 'power', [`power${i}_average`], intervalOf(readText, path.join(dir, `power${i}_average_interval`))));
  }
  // Rails: a current and the bus voltage of the same channel. On an ina3221 only channels 1–3 are rails (in4–in6
  // are shunt voltages in µV, curr4 is the sum of the three): pairing curr4 with in4 would be nonsense.
  const rails = indices('curr', 'input').filter((i) => has.has(`in${i}_input`) && (chipName !== 'ina3221' || i <= 3));
  return rails.map((i) => {
    const channel = make(i, 'rail', 'in', [`curr${i}_input`, `in${i}_input`]);
    if (channel.label === `in${i}`) channel.label = label('curr', i);
    return channel;
  });
}

/** Find every hwmon chip under `root` and the power channels each offers. Reads only names and labels. */
export function discoverHwmon(root: string, readText: ReadText = readTextSync, listDir: ListDir = listDirSync): HwmonChip[] {
  const chips: HwmonChip[] = [];
  const ids = tryList(listDir, root)
    .filter((entry) => /^hwmon\d+$/.test(entry))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const id of ids) {
    const chipDir = path.join(root, id);
    const { dir, files } = attributeDir(chipDir, listDir);
    const name = tryRead(readText, path.join(dir, 'name')) ?? tryRead(readText, path.join(chipDir, 'name')) ?? id;
    chips.push({ id, dir, name, channels: chipChannels(id, name, dir, files, readText) });
  }
  return chips;
}

/** `chip/label` as shown in details, sample context and `--hwmon` (the chip folder is added when names repeat). */
export function channelKey(channel: HwmonChannel, chips: HwmonChip[]): string {
  const twins = chips.filter((chip) => chip.name === channel.chipName).length > 1;
  return `${channel.chipName}${twins ? `@${channel.chipId}` : ''}/${channel.label}`;
}

// Default plan: known chips only; nothing counted twice (a total and what it contains).
// `named`: the user named these chips with --hwmon, so an unknown chip or a GT counts in full.
function defaultPlan(chips: HwmonChip[], named = false): { counted: HwmonChannel[]; skipped: HwmonPlan['skipped'] } {
  const counted: HwmonChannel[] = [];
  const skipped: HwmonPlan['skipped'] = [];
  const all = chips.flatMap((chip) => chip.channels);
  const systemMeter = all.some((c) => c.chipName === 'power_meter');
  const boardInput = all.find((c) => c.chipName === 'ina3221' && boardInputRails.includes(c.label.toUpperCase()));
  const i915Device = all.some((c) => c.chipName === 'i915');
  for (const channel of all) {
    const name = channel.chipName;
    let why: string | null = null;
    if (!knownChips.test(name) && !/^i915_gt\d+$/.test(name)) why = named ? null : `unknown sensor (count it with --hwmon ${name})`;
    else if (/^i915_gt\d+$/.test(name) && !named) why = i915Device ? 'a GT inside the i915 device total' : `a GT-level counter (count it with --hwmon ${name})`;
    else if (/^(amdgpu|i915|xe)$/.test(name) && !named) why = `a GPU, not the board or system (count it with --hwmon ${name})`;
    else if (systemMeter && name !== 'power_meter') why = 'inside the ACPI system power meter (power_meter)';
    else if (name === 'xe' && channel.index !== 1 && all.some((c) => c.chipId === channel.chipId && c.index === 1)) why = 'the package, inside the card (energy1)';
    else if (name === 'ina3221' && channel.label.toUpperCase() === 'NC') why = 'not connected (labelled NC)';
    else if (name === 'ina3221' && boardInput && channel !== boardInput) why = `a sub-rail of ${boardInput.label}, the board input`;
    if (why) skipped.push({ channel, why });
    else counted.push(channel);
  }
  return { counted, skipped };
}

function found(chips: HwmonChip[]): string {
  const withPower = chips.filter((chip) => chip.channels.length > 0);
  return withPower.length === 0 ? 'none' : withPower.map((chip) => `${chip.name} (${chip.id}: ${chip.channels.map((c) => c.label).join(', ')})`).join('; ');
}

// `--hwmon` tokens: a chip name (`amdgpu`), a chip folder (`hwmon3`), `chip/label` or a bare label (`VDD_IN`).
function matches(token: string, channel: HwmonChannel): 'chip' | 'channel' | null {
  const t = token.toLowerCase();
  if (t === channel.chipName.toLowerCase() || t === channel.chipId) return 'chip';
  const label = channel.label.toLowerCase();
  if (t === label || t === `${channel.chipName.toLowerCase()}/${label}` || t === `${channel.chipId}/${label}`) return 'channel';
  return null;
}

/**
 * Decide which channels to sum. Without a selection: the known chips, a board input without its sub-rails, an ACPI
 * system meter alone, xe's card without its package. With `--hwmon` tokens: a chip token takes that chip's default
 * channels (all of them for an unknown chip), a channel token takes that channel; a total together with a rail it
 * contains is refused. Throws MeterError naming what was found.
 */
export function planHwmon(root: string, chips: HwmonChip[], selection: string[] | null): HwmonPlan {
  const all = chips.flatMap((chip) => chip.channels);
  if (selection === null || selection.length === 0) return { root, chips, ...defaultPlan(chips) };
  const chosen = new Set<HwmonChannel>();
  for (const token of selection) {
    const hits = all.filter((channel) => matches(token, channel) !== null);
    if (hits.length === 0) {
      throw new MeterError('HWMON_SELECTION', `--hwmon ${token}: no hwmon sensor under ${root} matches; found: ${found(chips)}`, {
        hint: 'give a chip name (amdgpu, ina3221, …), a chip folder (hwmon3) or CHIP/LABEL as `joulebench devices` lists them',
      });
    }
    const chipHits = hits.filter((channel) => matches(token, channel) === 'chip');
    if (chipHits.length > 0) {
      const named = chips.filter((chip) => chipHits.some((c) => c.chipId === chip.id));
      for (const channel of defaultPlan(named, true).counted) chosen.add(channel);
    } else {
      for (const channel of hits) chosen.add(channel);
    }
  }
  const counted = all.filter((channel) => chosen.has(channel));
  const input = counted.find((c) => c.chipName === 'ina3221' && boardInputRails.includes(c.label.toUpperCase()));
  const inside = counted.filter((c) => c.chipName === 'ina3221' && c !== input);
  if (input && inside.length > 0) {
    throw new MeterError('HWMON_SELECTION', `--hwmon ${selection.join(',')}: ${input.label} is the board input and already contains ${inside.map((c) => c.label).join(', ')}; adding them would count that power twice`, {
      hint: `choose ${input.label} alone (the board) or the sub-rails without it`,
    });
  }
  const skipped = all.filter((channel) => !chosen.has(channel)).map((channel) => ({ channel, why: 'not selected by --hwmon' }));
  return { root, chips, counted, skipped };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** One read of every counted channel: energies in µJ for counter channels, watts for the others. */
export interface HwmonReading {
  energyUj: Array<number | null>;
  powerW: Array<number | null>;
}

/** The error for an unreadable file: a vanished file, a root-only file (with the fix), a disabled channel. */
export function readFailure(file: string, error: unknown): MeterError {
  const code = errnoOf(error);
  if (code === 'ENOENT' || code === 'ENODEV') {
    return new MeterError('HWMON_VANISHED', `${file} disappeared (${code}): the sensor was removed or its driver unloaded`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new MeterError('HWMON_PERMISSION', `cannot read ${file}: permission denied (${code}); hwmon attributes are meant to be world-readable, but some drivers keep energy counters root-only: run as root, or grant read access with a udev rule`, {
      cause: error,
      hint: `run as root, or grant read access with a udev rule (e.g. RUN+="/bin/chmod o+r ${path.basename(file)}" for that device)`,
    });
  }
  if (code === 'ENODATA') {
    const enable = file.replace(/_(input|average)$/, '_enable');
    return new MeterError('HWMON_DISABLED', `${file} has no data (ENODATA): the channel is disabled`, { cause: error, hint: `enable it: echo 1 | sudo tee ${enable}` });
  }
  const why = code ?? (error instanceof Error ? error.message : String(error));
  return new MeterError('HWMON_UNREADABLE', `cannot read ${file}: ${why}`, { cause: error });
}

/** Reads one integer attribute; throws a named MeterError when it is missing, forbidden or not a number. */
export function readInteger(readText: ReadText, file: string): number {
  let text: string;
  try {
    text = readText(file).trim();
  } catch (error) {
    throw readFailure(file, error);
  }
  // sysfs-interface.rst: "All sysfs values are fixed point numbers" — one integer per file.
  if (!/^-?\d+$/.test(text)) {
    throw new MeterError('HWMON_NOT_A_NUMBER', `${file}: expected an integer, got "${text.slice(0, 40)}"`);
  }
  return Number(text);
}

/** A 32-bit `long` counter prints negative past 2^31; its unsigned value is what wraps at 2^32. */
export const wrap32Uj = 2 ** 32;

/** Read every counted channel once (throws on the first failure). */
export function readChannels(readText: ReadText, channels: readonly HwmonChannel[]): HwmonReading {
  const energyUj: Array<number | null> = [];
  const powerW: Array<number | null> = [];
  for (const channel of channels) {
    if (channel.source === 'energy') {
      const value = readInteger(readText, channel.files[0]!);
      energyUj.push(value < 0 ? value + wrap32Uj : value);
      powerW.push(null);
    } else if (channel.source === 'rail') {
      const currentMa = readInteger(readText, channel.files[0]!);
      const voltageMv = readInteger(readText, channel.files[1]!);
      energyUj.push(null);
      powerW.push((currentMa * voltageMv) / 1e6);
    } else {
      energyUj.push(null);
      powerW.push(readInteger(readText, channel.files[0]!) / 1e6);
    }
  }
  return { energyUj, powerW };
}

/** Energy between two reads of an hwmon counter, unwrapping one 32-bit wrap (core/sysfs counterDeltaUj). */
export function counterDeltaUj(previousUj: number, currentUj: number, dtMs: number, maxPowerW: number): number | null {
  return counterDelta(previousUj, currentUj, dtMs, maxPowerW, wrap32Uj);
}

// ---------------------------------------------------------------------------------------------------------------
// The meter: one polled feed reads every counted chip; one PowerMeter per chip (a chip's channels share one kind).

/** Knobs of the hwmon meter; the defaults are what the CLI uses. */
export interface HwmonOptions {
  readText?: ReadText;
  listDir?: ListDir;
  /** Default: the real clock. */
  clock?: Clock;
  /** Polling period (default 100 ms). */
  periodMs?: number;
  /** Upper bound on one channel's power, to tell a counter reset from a wrap (default 2000 W). */
  maxChannelPowerW?: number;
}

/** The hwmon root: `--hwmon-root`, else JOULEBENCH_HWMON_ROOT, else /sys/class/hwmon. */
export function defaultHwmonRoot(): string {
  return process.env.JOULEBENCH_HWMON_ROOT ?? '/sys/class/hwmon';
}

/** One chip's meter before it starts: its channels and what result.json records. */
interface ChipMeter {
  channels: HwmonChannel[];
  keys: string[];
  info: MeterInfo;
}

/** Everything the meters need, checked: the plan and one good read of every counted channel. */
export interface HwmonSetup {
  plan: HwmonPlan;
  chips: ChipMeter[];
  /** One line for `devices` and the auto choice. */
  detail: string;
}

const defaultPeriodMs = 100;
const sourceText: Record<HwmonSource, string> = {
  energy: 'energy counter (µJ)',
  'power-input': 'power input (µW)',
  'power-average': 'power average (µW)',
  rail: 'current × voltage (mA × mV)',
};

function scopeOf(chipName: string, channels: HwmonChannel[]): string {
  if (chipName === 'power_meter') return 'system';
  if (chipName === 'ina3221') return channels.some((c) => boardInputRails.includes(c.label.toUpperCase())) ? 'board' : 'board-rails';
  if (/^(amdgpu|i915|xe|i915_gt\d+)$/.test(chipName)) return 'gpu';
  return /^ina2\d\d$/.test(chipName) ? 'rail' : 'sensor';
}

function noSensorsMessage(root: string, plan: HwmonPlan | null): string {
  if (!plan || plan.chips.length === 0) {
    return `no hwmon chips under ${root} (no Linux hwmon sysfs here, or a container without /sys/class/hwmon: mount it and pass --hwmon-root)`;
  }
  const skipped = plan.skipped.map((s) => `${channelKey(s.channel, plan.chips)} (${s.why})`);
  const bare = plan.chips.filter((chip) => chip.channels.length === 0).map((chip) => chip.name);
  return `no hwmon power sensor to count under ${root}${skipped.length > 0 ? `; found ${skipped.join(', ')}` : ''}${bare.length > 0 ? `; chips without power readings: ${[...new Set(bare)].join(', ')}` : ''}`;
}

// Discover, plan and read every counted channel once. Throws MeterError with a reason fit for a probe.
function openHwmon(root: string, selection: string[] | null, options: HwmonOptions): HwmonSetup {
  const readText = options.readText ?? readTextSync;
  const periodMs = options.periodMs ?? defaultPeriodMs;
  const chips = discoverHwmon(root, readText, options.listDir ?? listDirSync);
  const plan = planHwmon(root, chips, selection);
  if (plan.counted.length === 0) throw new MeterError('HWMON_NO_SENSORS', noSensorsMessage(root, plan));
  readChannels(readText, plan.counted);
  const byChip = chips.map((chip) => plan.counted.filter((c) => c.chipId === chip.id)).filter((channels) => channels.length > 0);
  const meters = byChip.map((channels): ChipMeter => {
    const first = channels[0]!;
    const keys = channels.map((channel) => channelKey(channel, chips));
    const chipKey = keys[0]!.slice(0, keys[0]!.lastIndexOf('/'));
    const averageMs = Math.max(0, ...channels.map((c) => c.averageIntervalMs ?? 0));
    const averaged = averageMs > 0 ? `; averaged by the sensor over ${averageMs} ms, so windows must be at least ten times that` : '';
    return {
      channels,
      keys,
      info: {
        id: `hwmon:${chipKey}`,
        kind: 'hwmon',
        scope: scopeOf(first.chipName, channels),
        device: null,
        periodMs: Math.max(periodMs, averageMs),
        estimated: false,
        sampleKind: first.source === 'energy' ? 'interval-average' : 'instant',
        detail: `hwmon ${chipKey} (${path.dirname(first.files[0]!)}): ${channels.map((c) => c.label).join(' + ')} from its ${sourceText[first.source]}, read every ${periodMs} ms${averaged}`,
      },
    };
  });
  const notCounted = plan.skipped.length > 0 ? `; not counted: ${plan.skipped.map((s) => `${channelKey(s.channel, chips)} (${s.why})`).join(', ')}` : '';
  const bare = [...new Set(chips.filter((chip) => chip.channels.length === 0).map((chip) => chip.name))];
  const others = bare.length > 0 ? `; chips without power readings: ${bare.join(', ')}` : '';
  const detail = `hwmon sensors under ${root}: ${meters.map((m) => `${m.info.id.slice('hwmon:'.length)} = ${m.keys.map((k) => k.slice(k.lastIndexOf('/') + 1)).join(' + ')}`).join('; ')}${notCounted}${others}`;
  return { plan, chips: meters, detail };
}

/** Reads every counted chip each poll; energy chips become ΔE/Δt since the previous read. */
class HwmonFeed implements Feed {
  private previous: Array<{ tMs: number; energyUj: number[] } | null> = [];
  private readonly stallMs: number;
  /** Counter chips that went quiet for stallMs (a sleeping device, or a frozen counter): for diagnostics. */
  readonly quiet = new Set<string>();

  constructor(private readonly setup: HwmonSetup, private readonly readText: ReadText, private readonly clock: Clock, private readonly maxChannelPowerW: number) {
    this.stallMs = Math.max(1000, 10 * (setup.chips[0]?.info.periodMs ?? defaultPeriodMs));
  }

  open(sink: FeedSink): void {
    this.previous = this.setup.chips.map(() => null);
    this.poll(sink);
  }

  poll(sink: FeedSink): void {
    this.setup.chips.forEach((chip, key) => {
      const beforeMs = this.clock.now();
      let reading: HwmonReading;
      try {
        reading = readChannels(this.readText, chip.channels);
      } catch (error) {
        sink.fail(error instanceof MeterError ? error : new MeterError('HWMON_UNREADABLE', String(error), { cause: error }));
        return;
      }
      const tMs = (beforeMs + this.clock.now()) / 2;
      if (chip.channels[0]!.source === 'energy') this.pushEnergy(sink, key, chip, tMs, reading.energyUj as number[]);
      else this.pushPower(sink, key, chip, tMs, reading.powerW as number[]);
    });
  }

  close(sink: FeedSink): void {
    // A last read, so the window that ends now has a sample past its end (reads are cheap).
    if (this.previous.some((p) => p !== null)) this.poll(sink);
  }

  private pushPower(sink: FeedSink, key: number, chip: ChipMeter, tMs: number, powerW: number[]): void {
    const context: Record<string, number> = {};
    chip.keys.forEach((k, i) => (context[k.slice(k.lastIndexOf('/') + 1)] = powerW[i]!));
    sink.push({ key, tMs, powerW: powerW.reduce((a, b) => a + b, 0), context });
    this.previous[key] = { tMs, energyUj: [] };
  }

  // Never 0 W for "the counter has not ticked yet": the baseline stays until it moves (or stallMs passes).
  private pushEnergy(sink: FeedSink, key: number, chip: ChipMeter, tMs: number, energyUj: number[]): void {
    const previous = this.previous[key];
    if (!previous) {
      this.previous[key] = { tMs, energyUj };
      return;
    }
    const dtMs = tMs - previous.tMs;
    if (!(dtMs > 0)) return;
    const context: Record<string, number> = {};
    let totalUj = 0;
    for (const [i, channel] of chip.channels.entries()) {
      const deltaUj = counterDeltaUj(previous.energyUj[i]!, energyUj[i]!, dtMs, this.maxChannelPowerW);
      if (deltaUj === null) {
        sink.fail(new MeterError('HWMON_COUNTER_JUMP', `${channel.files[0]} went from ${previous.energyUj[i]} to ${energyUj[i]} µJ in ${dtMs.toFixed(1)} ms: the counter was reset (driver reload, hotplug), so that span has no energy`));
        return;
      }
      context[chip.keys[i]!.slice(chip.keys[i]!.lastIndexOf('/') + 1)] = deltaUj / dtMs / 1000;
      totalUj += deltaUj;
    }
    if (totalUj === 0 && dtMs < this.stallMs) return;
    if (totalUj === 0) this.quiet.add(chip.info.id);
    sink.push({ key, tMs, powerW: totalUj / dtMs / 1000, context });
    this.previous[key] = { tMs, energyUj };
  }
}

/** A chip's meter; diagnostics name a counter that stood still for a second or more. */
class HwmonMeter extends SampledMeter {
  constructor(sampler: Sampler, key: number, info: MeterInfo, private readonly feed: HwmonFeed) {
    super(sampler, key, info);
  }

  diagnostics(): string[] {
    return this.feed.quiet.has(this.info.id)
      ? [`${this.info.id}: the energy counter stood still for a second or more (0 W recorded): the device was asleep, or its counter is frozen`]
      : [];
  }
}

/** Open the hwmon meters of `root` directly (tests and library users); one meter per counted chip. */
export function openHwmonMeters(root: string, selection: string[] | null, options: HwmonOptions = {}): PowerMeter[] {
  const setup = openHwmon(root, selection, options);
  const clock = options.clock ?? realClock;
  const feed = new HwmonFeed(setup, options.readText ?? readTextSync, clock, options.maxChannelPowerW ?? 2000);
  const sampler = new Sampler(feed, {
    clock,
    periodMs: options.periodMs ?? defaultPeriodMs,
    // Reads are cheap: a window's end is read at that moment, and a counter that has not ticked is read again soon.
    retryMs: 2,
    startWaitsForSample: true,
    waitMs: (tMs, now) => Math.max(0, tMs - now) + 2000,
  });
  return setup.chips.map((chip, key) => new HwmonMeter(sampler, key, chip.info, feed));
}

/** An hwmon meter factory with injected reader/clock/period (tests); the registry uses the defaults. */
export function createHwmonMeterFactory(options: HwmonOptions = {}): MeterFactory {
  const rootOf = (context: MeterContext) => context.settings?.['hwmon-root'] ?? defaultHwmonRoot();
  const selection = (context: MeterContext) => (context.settings?.hwmon === undefined ? null : parseHwmonSelection('--hwmon', context.settings.hwmon));
  return hardwareMeter({
    name: 'hwmon',
    description: 'Linux hwmon power sensors: Jetson INA3221 rails (board input VDD_IN), INA2xx, ACPI power_meter; GPUs (amdgpu, i915, xe) with --hwmon',
    // The board and system sensors it counts by default contain the CPU: it stands in for rapl where rapl is absent.
    group: 'cpu',
    flags: [
      { name: 'hwmon', value: 'SENSOR[,…]', help: 'hwmon sensors the hwmon meter counts: ina3221, amdgpu, hwmon3, ina3221/VDD_IN (default: board and system sensors)', check: parseHwmonSelection },
      { name: 'hwmon-root', value: 'DIR', help: 'hwmon folder (default $JOULEBENCH_HWMON_ROOT or /sys/class/hwmon)', path: true },
    ],
    detail: (context) => openHwmon(rootOf(context), selection(context), options).detail,
    create: (context) => openHwmonMeters(rootOf(context), selection(context), options),
  });
}

/** Registry entry for the hwmon meter. */
export const hwmonMeterFactory: MeterFactory = createHwmonMeterFactory();

/** `--hwmon amdgpu,ina3221/VDD_IN`: the selection tokens; throws InputError FLAG_INVALID on an empty name. */
export function parseHwmonSelection(flag: string, text: string): string[] {
  const tokens = text.split(',').map((token) => token.trim());
  if (tokens.some((token) => token === '')) {
    throw new InputError('FLAG_INVALID', `${flag}: expected hwmon sensors separated by commas (a chip name like ina3221 or amdgpu, a folder like hwmon3, or CHIP/LABEL like ina3221/VDD_IN), got "${text}"`);
  }
  return tokens;
}
