// The amd-smi meter: polls `amd-smi metric --power --usage --json` for each AMD GPU (ROCm 6.x and 7 output shapes).
import { createAmdFactory, parseJsonOutput, PollParseError, readQuantity, toWatts, type AmdTool, type AmdToolOptions, type GpuReading } from './amd-common.js';
import type { MeterFactory } from './types.js';

/** Fields of the `power` block that carry the socket power, in order of preference (older amd-smi split it in two). */
export const amdSmiPowerFields = ['socket_power', 'current_socket_power', 'average_socket_power'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// Scalars and {value, unit} pairs of a block, as trace context: `gfx_activity (%)` → 45; "N/A" is left out.
function flatten(block: unknown, skip: string | null, into: Record<string, number | string>): void {
  if (!isRecord(block)) return;
  for (const [name, raw] of Object.entries(block)) {
    if (name === skip || raw === 'N/A') continue;
    const quantity = readQuantity(raw);
    if ('value' in quantity) into[quantity.unit ? `${name} (${quantity.unit})` : name] = quantity.value;
    else if (typeof raw === 'string') into[name] = raw;
  }
}

/**
 * Readings from `amd-smi metric --power --usage --json`: a list `[{"gpu": 0, "power": {...}, "usage": {...}}]`
 * (ROCm 6.x) or the same list as `{"gpu_data": [...]}` (ROCm 7). Power is `power.socket_power`, as
 * `{"value": 350, "unit": "W"}`, a bare number or a numeric string (mW and µW are converted); `"N/A"` gives a reading
 * without power, never 0 W.
 */
export function parseAmdSmiJson(stdout: string): GpuReading[] {
  const data = parseJsonOutput(stdout, 'amd-smi');
  const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.gpu_data) ? data.gpu_data : null;
  if (list === null) {
    throw new PollParseError(`amd-smi printed JSON that is neither a list of GPUs nor {"gpu_data": [...]}: ${JSON.stringify(data).slice(0, 80)}`);
  }
  const readings: GpuReading[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const index = typeof entry.gpu === 'number' ? entry.gpu : typeof entry.gpu === 'string' && /^\d+$/.test(entry.gpu) ? Number(entry.gpu) : null;
    if (index === null) continue;
    const powerBlock = isRecord(entry.power) ? entry.power : {};
    const field = amdSmiPowerFields.find((name) => name in powerBlock) ?? null;
    const power = field === null ? { missing: 'no power.socket_power field' } : toWatts(readQuantity(powerBlock[field]));
    const context: Record<string, number | string> = {};
    flatten(entry.usage, null, context);
    flatten(powerBlock, field, context);
    readings.push({
      index,
      label: `gpu ${index}`,
      powerW: 'watts' in power ? power.watts : null,
      powerField: field === null ? null : `power.${field}`,
      missing: 'missing' in power ? power.missing : null,
      context,
    });
  }
  if (readings.length === 0) throw new PollParseError(`amd-smi listed no GPUs: ${JSON.stringify(data).slice(0, 80)}`);
  return readings.sort((a, b) => a.index - b.index);
}

const amdSmiTool: AmdTool = {
  name: 'amd-smi',
  args: ['metric', '--power', '--usage', '--json'],
  parse: parseAmdSmiJson,
  describePower: (reading) => reading.powerField ?? 'power.socket_power',
};

/** An amd-smi meter factory with an injectable binary, environment and timing (tests point it at a fake). */
export function createAmdSmiMeterFactory(options: AmdToolOptions = {}): MeterFactory {
  return createAmdFactory(amdSmiTool, 'AMD GPU socket power by polling amd-smi metric (one spawn per poll; the period achieved is recorded)', options);
}

/** Registry entry for the amd-smi meter. */
export const amdSmiMeterFactory: MeterFactory = createAmdSmiMeterFactory();
