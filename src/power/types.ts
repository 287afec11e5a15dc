// The power-meter seam: every meter (estimate, replay, and the hardware meters) implements PowerMeter.

/** One power reading on the performance.now() clock (milliseconds). */
export interface PowerSample {
  tMs: number;
  powerW: number;
  /** What else the tool reported at that moment (clocks, utilisation, temperature, memory, power limit), for traces. */
  context?: Record<string, number | string>;
}

/**
 * How a meter's samples relate to time:
 * - `instant`: the power at tMs (integrated with trapezoids);
 * - `interval-average`: the mean power since the previous sample (integrated as steps).
 */
export type SampleKind = 'instant' | 'interval-average';

/** What result.json records about a meter (`meters[]`). */
export interface MeterInfo {
  /** Unique within a run, e.g. `estimate`, `replay`, `nvidia-smi:0`. */
  id: string;
  /** The registry name of the meter that produced it. */
  kind: string;
  /** What it measures: `cpu-package`, `gpu`, `system`, `replay`. */
  scope: string;
  /**
   * The device it measures, for attribution: `cpu` (counted for every configuration), `cuda:N` / `rocm:N`
   * (counted for configurations on that GPU; with `devices` / `--gpus` also for CPU and webgpu ones), or null (whole system: always counted).
   */
  device: string | null;
  /** Nominal sampling period. */
  periodMs: number;
  /** True when the numbers come from a model, not a hardware sensor. */
  estimated: boolean;
  sampleKind: SampleKind;
  /** One line on how the numbers are made (model, file, device). */
  detail: string;
  /**
   * True for sensors that average only part of each period (nvidia-smi / NVML on A100/H100): the sweep then starts
   * each window at a random phase of the period.
   */
  phaseShift?: boolean;
  /**
   * NVIDIA GPU meters: the GPU's CUDA device number under this process's CUDA_VISIBLE_DEVICES (null: CUDA does not see
   * it), which is what a configuration's `cuda:N` means; `device` keeps nvidia-smi's index. Absent: the index is it.
   */
  cudaOrdinal?: number | null;
}

/** A running power meter. Samples accumulate from start() until stop(). */
export interface PowerMeter {
  readonly info: MeterInfo;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Samples so far, in time order. */
  samples(): readonly PowerSample[];
  /** Resolves once a sample at or after tMs exists, so a window ending at tMs can be integrated. */
  sampleAfter(tMs: number): Promise<void>;
  /** Set when the meter died mid-run (process exited, file vanished); null while healthy. */
  failure(): Error | null;
  /** Start again after a failure (the sweep tries once); resolves false when the meter cannot be revived. */
  restart(): Promise<boolean>;
  /** Warnings about the meter's own consistency, read once after the sweep (e.g. NVML counter vs sampled power). */
  diagnostics?(): string[];
}

/** Settings a meter may need; each meter reads only its own. */
export interface MeterContext {
  cpuTdpWatts: number | null;
  /** Base folder for relative meter arguments (e.g. replay files). */
  baseDir: string;
  /** GPU indices to meter (the scenario's `devices`, `--gpus`); null = every GPU found (attribution follows each configuration's device). */
  gpus: number[] | null;
  /** The values of the meters' own flags (MeterFactory.flags), by flag name: `{ 'hwmon-root': '/srv/hwmon' }`. */
  settings?: MeterSettings;
}

/** Values of meter flags by name (without dashes); folders already resolved against the working directory. */
export type MeterSettings = Readonly<Record<string, string>>;

/**
 * A command-line flag a meter declares (`--hwmon-root DIR`): `run` and `bench` take it, their help lists it, and its
 * value reaches the meter as `context.settings[name]`. Adding a meter with a flag touches no CLI file.
 */
export interface MeterFlag {
  /** Without the dashes: `hwmon-root`. */
  name: string;
  /** The value's placeholder in help: `DIR`, `SENSOR[,…]`. */
  value: string;
  /** The help line (with its default). */
  help: string;
  /** A folder or file: resolved against the working directory when the flag is read. */
  path?: boolean;
  /** Throws InputError FLAG_INVALID for a value the meter cannot use (checked when the flags are read). */
  check?(flag: string, text: string): void;
}

/** Result of asking whether a meter can run here. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; reason: string };

/** One entry of the meter registry. */
export interface MeterFactory {
  /** Registry name (what `--meter` takes). */
  name: string;
  description: string;
  /** Hardware meters are preferred by `--meter auto`; the estimate is the fallback. */
  hardware: boolean;
  /**
   * Devices `auto` treats as interchangeable, an open name (`nvidia`, `amd`, `cpu`, `soc`, …): per group, in registry
   * order, the first hardware meter that probes ok is taken (nvml before nvidia-smi); `other` is never taken by auto.
   */
  group: string;
  /** A non-hardware meter that `auto` takes for its group when no hardware meter of it works; the reason it records starts with this. */
  fallback?: string;
  /** Flags of this meter (`--powercap-root`, `--hwmon`), in the order help lists them. */
  flags?: readonly MeterFlag[];
  /** Whether `--meter NAME[:argument]` takes an argument (replay takes a file). */
  argument: 'none' | 'required';
  probe(context: MeterContext, argument: string | null): Promise<ProbeResult>;
  /** One meter per device it can see (one per GPU; one for the CPU packages). */
  create(context: MeterContext, argument: string | null): Promise<PowerMeter[]>;
}
