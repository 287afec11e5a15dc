// The hwmon meter: power and energy from the Linux hardware-monitoring sysfs interface (/sys/class/hwmon/hwmon*/).
//
// Formats (kernel Documentation/hwmon/sysfs-interface.rst): `energyN_input` cumulative µJ, `powerN_input`
// instantaneous µW, `powerN_average` µW averaged over `powerN_average_interval` ms, `currN_input` mA, `inN_input` mV,
// `*_label` a channel's name, `name` the chip's. Chips and what they expose:
// - amdgpu (Documentation/gpu/amdgpu/thermal.rst): power1_average / power1_input, µW of the SoC ("on APUs this
//   includes the CPU");
// - i915 / xe (Documentation/ABI/testing/sysfs-driver-intel-{i915,xe}-hwmon): energy1_input µJ of the device (i915)
//   or card (xe; energy2_input is the package, inside the card); `i915_gtN` chips are GTs inside the i915 device.
//   The driver unwraps its 32-bit energy register into a `long` on every read (i915_hwmon.c hwm_energy), so a 64-bit
//   kernel never shows a wrap; a 32-bit `long` does (and prints negative past 2^31): the meter unwraps 2^32 µJ.
// - ina3221 (Documentation/hwmon/ina3221.rst; the Jetson rails): in[123]_input bus mV, curr[123]_input mA,
//   in[123]_label rail names; in[4-6] are shunt voltages in µV and curr4/in7 sums: never paired, never counted.
//   VDD_IN (POM_5V_IN on older modules) is the board input and contains every other rail (jetson_stats
//   jtop/core/power.py total_power); NVIDIA labels unconnected channels "NC".
// - ina2xx (Documentation/hwmon/ina2xx.rst): power1_input µW of one rail.
// - power_meter (Documentation/hwmon/acpi_power_meter.rst): ACPI 4.0 system meter, power1_average over
//   power1_average_interval ms.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MeterError } from '../errors.js';

/** Reads a small sysfs file as text (injectable: tests simulate EACCES, which root cannot provoke with chmod). */
export type ReadText = (file: string) => string;

/** Lists a folder (injectable with ReadText for tests that fake a whole tree in memory). */
export type ListDir = (dir: string) => string[];

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

const defaultReadText: ReadText = (file) => readFileSync(file, 'utf8');
const defaultListDir: ListDir = (dir) => readdirSync(dir);

/** Rails that carry the whole board's input on Jetson modules (tegrastats and jtop take the same two). */
export const boardInputRails: readonly string[] = ['VDD_IN', 'POM_5V_IN'];

/** Chips counted when no `--hwmon` selection is given (others are listed as found and can be selected). */
const knownChips = /^(amdgpu|i915|xe|ina3221|ina2\d\d|power_meter)$/;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function tryRead(readText: ReadText, file: string): string | null {
  try {
    return readText(file).trim();
  } catch {
    return null;
  }
}

function tryList(listDir: ListDir, dir: string): string[] {
  try {
    return listDir(dir);
  } catch {
    return [];
  }
}

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
export function discoverHwmon(root: string, readText: ReadText = defaultReadText, listDir: ListDir = defaultListDir): HwmonChip[] {
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
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENODEV') {
    return new MeterError('HWMON_VANISHED', `${file} disappeared (${code}): the sensor was removed or its driver unloaded`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new MeterError('HWMON_PERMISSION', `cannot read ${file}: permission denied (${code}); hwmon attributes are meant to be world-readable, but some drivers keep energy counters root-only`, {
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

/**
 * Energy between two counter reads, unwrapping one 32-bit wrap. Null when the counter went back by more than a wrap
 * explains (a reset: driver reload, hotplug) or implies more than `maxPowerW` over `dtMs`: no guessed energy.
 */
export function counterDeltaUj(previousUj: number, currentUj: number, dtMs: number, maxPowerW: number): number | null {
  const plausible = (deltaUj: number) => dtMs > 0 && deltaUj / dtMs / 1000 <= maxPowerW;
  if (currentUj >= previousUj) return plausible(currentUj - previousUj) ? currentUj - previousUj : null;
  if (previousUj < wrap32Uj) {
    const wrapped = currentUj + wrap32Uj - previousUj;
    if (plausible(wrapped)) return wrapped;
  }
  return null;
}
