// Inputs for calibration and fidelity: the user's data (`--calibration DIR` of .npy files, or a JSON list) or,
// failing that, seeded synthetic inputs. Also the expected labels (`--labels FILE`).
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors.js';
import { dimsAt, type BatchLayout, type InputLayout } from '../onnx/batch-axis.js';
import { synthesiseFeeds } from '../onnx/feeds.js';
import type { FeedBatch } from './fidelity.js';
import { parseNpy } from './npy.js';

/** Inputs to calibrate or compare on. */
export interface CalibrationSet {
  batches: FeedBatch[];
  samples: number;
  /** `synthetic`, or the path of the user's data. */
  source: string;
  /** sha256 over the data (changes the cache key of static INT8 variants). */
  sha256: string;
}

/** Synthetic batches: `batches` × `batchSize` samples, seeded so every run sees the same inputs. */
export function syntheticCalibration(layout: BatchLayout, batches = 4, batchSize = 8, seedBase = 1000): CalibrationSet {
  const size = layout.fixedBatch ?? batchSize;
  const list = Array.from({ length: batches }, (_, i) => synthesiseFeeds(layout.inputs, size, seedBase + i));
  return { batches: list, samples: batches * size, source: 'synthetic', sha256: `synthetic-${batches}x${size}-${seedBase}` };
}

const typedArrays: Record<string, (values: Float64Array) => ort.Tensor['data']> = {
  float32: (v) => Float32Array.from(v),
  float64: (v) => Float64Array.from(v),
  int64: (v) => BigInt64Array.from(v, (x) => BigInt(Math.trunc(x))),
  int32: (v) => Int32Array.from(v),
  int8: (v) => Int8Array.from(v),
  uint8: (v) => Uint8Array.from(v),
  bool: (v) => Uint8Array.from(v, (x) => (x ? 1 : 0)),
};

// Turn one array of values for one input into a tensor, adding the batch axis when the data holds one sample.
function toTensor(layout: InputLayout, values: Float64Array, shape: number[] | null, where: string): { tensor: ort.Tensor; samples: number } {
  const make = typedArrays[layout.elemType];
  if (!make) throw new InputError('CALIBRATION_INPUT_TYPE', `${where}: input "${layout.name}" has element type ${layout.elemType}, which calibration data cannot fill`);
  const oneSample = dimsAt(layout, 1);
  const perSample = layout.batchAxis === null ? oneSample.reduce((p, d) => p * d, 1) : oneSample.reduce((p, d) => p * d, 1);
  if (perSample === 0 || values.length % perSample !== 0) {
    throw new InputError('CALIBRATION_SHAPE', `${where}: ${values.length} values${shape ? ` (shape [${shape.join(', ')}])` : ''} do not fill whole samples of input "${layout.name}", which takes [${layout.dims.join(', ')}] (N = batch)`, {
      hint: 'give each input one sample (no batch axis) or a batch stacked along the batch axis',
    });
  }
  const samples = layout.batchAxis === null ? 1 : values.length / perSample;
  if (shape) {
    const expected = dimsAt(layout, samples);
    const withoutBatch = layout.batchAxis === null ? expected : expected.filter((_, i) => i !== layout.batchAxis);
    const matches = shape.join(',') === expected.join(',') || shape.join(',') === withoutBatch.join(',');
    if (!matches) {
      throw new InputError('CALIBRATION_SHAPE', `${where}: shape [${shape.join(', ')}] does not fit input "${layout.name}", which takes [${layout.dims.join(', ')}] (N = batch)`, {
        hint: `save arrays shaped [${expected.join(', ')}] or one sample [${withoutBatch.join(', ')}]`,
      });
    }
  }
  return { tensor: new ort.Tensor(layout.elemType as ort.Tensor.Type, make(values) as never, dimsAt(layout, samples)), samples };
}

function batchFromArrays(layout: BatchLayout, arrays: Map<string, { values: Float64Array; shape: number[] | null }>, where: string): { batch: FeedBatch; samples: number } {
  const batch: FeedBatch = {};
  let samples: number | null = null;
  for (const input of layout.inputs) {
    const array = arrays.get(input.name) ?? (layout.inputs.length === 1 ? [...arrays.values()][0] : undefined);
    if (!array) {
      throw new InputError('CALIBRATION_INPUT_MISSING', `${where}: no data for input "${input.name}"`, {
        hint: `name the files after the model's inputs (${layout.inputs.map((i) => `${i.name}.npy`).join(', ')})`,
      });
    }
    const { tensor, samples: count } = toTensor(input, array.values, array.shape, where);
    if (input.batchAxis !== null) {
      if (samples !== null && samples !== count) throw new InputError('CALIBRATION_SHAPE', `${where}: the inputs hold different numbers of samples (${samples} and ${count})`);
      samples = count;
    }
    batch[input.name] = tensor;
  }
  return { batch, samples: samples ?? 1 };
}

function flatten(value: unknown, where: string): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values = (Array.isArray(value) ? (value as unknown[]).flat(Infinity) : [value]) as unknown[];
  if (!values.every((v) => typeof v === 'number' || typeof v === 'boolean')) throw new InputError('CALIBRATION_JSON_INVALID', `${where}: values must be numbers`);
  if (values.length !== shape.reduce((p, d) => p * d, 1)) throw new InputError('CALIBRATION_JSON_INVALID', `${where}: a ragged array (rows of different lengths)`);
  return { values: values.map(Number), shape };
}

/** Read the user's calibration data for a model laid out as `layout`. */
export async function loadCalibration(source: string, layout: BatchLayout): Promise<CalibrationSet> {
  let stats;
  try {
    stats = await stat(source);
  } catch {
    throw new InputError('CALIBRATION_NOT_FOUND', `--calibration ${source}: no such file or folder`, { hint: 'give a folder of .npy files or a .json list of samples' });
  }
  const hash = createHash('sha256');
  const batches: FeedBatch[] = [];
  let samples = 0;
  const add = (result: { batch: FeedBatch; samples: number }) => {
    batches.push(result.batch);
    samples += result.samples;
  };
  if (stats.isFile()) {
    const text = await readFile(source, 'utf8');
    hash.update(text);
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (error) {
      throw new InputError('CALIBRATION_JSON_INVALID', `${source}: not valid JSON (${(error as Error).message})`, { hint: 'a JSON list of samples: [{"input": [...]}, …], or for one input a list of arrays' });
    }
    if (!Array.isArray(list) || list.length === 0) throw new InputError('CALIBRATION_JSON_INVALID', `${source}: expected a non-empty JSON list of samples`);
    list.forEach((sample, index) => {
      const where = `${source}[${index}]`;
      const entries: Array<[string, unknown]> = sample !== null && typeof sample === 'object' && !Array.isArray(sample) ? Object.entries(sample) : [[layout.inputs[0]?.name ?? '', sample]];
      const arrays = new Map(entries.map(([name, value]) => {
        const { values, shape } = flatten(value, `${where}.${name}`);
        return [name, { values: Float64Array.from(values), shape }];
      }));
      add(batchFromArrays(layout, arrays, where));
    });
  } else {
    const entries = (await readdir(source, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    const readNpy = async (file: string) => {
      const bytes = await readFile(file);
      hash.update(path.basename(file)).update(bytes);
      const array = parseNpy(bytes, file);
      return { values: array.values, shape: array.shape };
    };
    const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.npy'));
    const folders = entries.filter((entry) => entry.isDirectory());
    if (files.length > 0 && layout.inputs.length === 1) {
      // One input: every file is one sample or a batch of samples.
      for (const file of files) add(batchFromArrays(layout, new Map([[layout.inputs[0]!.name, await readNpy(path.join(source, file.name))]]), path.join(source, file.name)));
    } else if (files.length > 0) {
      // Several inputs: one file per input, named after it, each holding every sample.
      const arrays = new Map<string, { values: Float64Array; shape: number[] | null }>();
      for (const file of files) arrays.set(file.name.slice(0, -4), await readNpy(path.join(source, file.name)));
      add(batchFromArrays(layout, arrays, source));
    } else {
      // One subfolder per sample with one <input>.npy each.
      for (const folder of folders) {
        const dir = path.join(source, folder.name);
        const arrays = new Map<string, { values: Float64Array; shape: number[] | null }>();
        for (const file of (await readdir(dir)).filter((name) => name.endsWith('.npy')).sort()) arrays.set(file.slice(0, -4), await readNpy(path.join(dir, file)));
        add(batchFromArrays(layout, arrays, dir));
      }
    }
    if (batches.length === 0) {
      throw new InputError('CALIBRATION_EMPTY', `--calibration ${source}: no .npy files found`, {
        hint: `put one .npy per sample (one input), one <input>.npy per input holding all samples, or one folder per sample with ${layout.inputs.map((i) => `${i.name}.npy`).join(', ')}`,
      });
    }
  }
  return { batches, samples, source, sha256: hash.digest('hex') };
}

/** Expected class per sample: a JSON list of integers, or one integer per line. */
export async function loadLabels(file: string, expectedSamples: number): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError('LABELS_NOT_FOUND', `--labels ${file}: no such file`, { hint: 'a JSON list of class indices, or one index per line' });
  }
  let labels: unknown;
  try {
    labels = text.trim().startsWith('[') ? JSON.parse(text) : text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map(Number);
  } catch (error) {
    throw new InputError('LABELS_INVALID', `--labels ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(labels) || !labels.every((label) => Number.isInteger(label) && label >= 0)) {
    throw new InputError('LABELS_INVALID', `--labels ${file}: expected class indices (non-negative integers)`, { hint: 'a JSON list like [3, 0, 7], or one index per line' });
  }
  if (labels.length !== expectedSamples) {
    throw new InputError('LABELS_COUNT', `--labels ${file}: ${labels.length} labels for ${expectedSamples} calibration samples`, { hint: 'give exactly one label per calibration sample, in the same order' });
  }
  return labels as number[];
}
