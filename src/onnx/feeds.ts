// Input tensors for a batch size: seeded synthetic data per element type, or the user's fill value.
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors.js';
import { dimsAt, type InputLayout } from './batch-axis.js';
import { SeededRandom, seedFromString } from '../stats/random.js';
import { toFloat16Bits } from './float16.js';

// Integer inputs without a known bound get ids in [0, 2): safe for token types, flags and small embeddings.
const defaultIntegerRange: [number, number] = [0, 2];

/** The range synthesised integers are drawn from, and why (masks are all ones). */
export function integerRange(layout: InputLayout): [number, number] {
  if (layout.range) return layout.range;
  if (/mask/i.test(layout.name)) return [1, 2];
  return defaultIntegerRange;
}

function fillData(layout: InputLayout, size: number, random: SeededRandom): ort.Tensor['data'] {
  const feed = layout.feed;
  const [lo, hi] = integerRange(layout);
  const draw = () => (feed !== null ? feed : random.int(lo, hi));
  switch (layout.elemType) {
    case 'float32': return Float32Array.from({ length: size }, () => (feed !== null ? feed : random.normal()));
    case 'float64': return Float64Array.from({ length: size }, () => (feed !== null ? feed : random.normal()));
    case 'float16': return Uint16Array.from({ length: size }, () => toFloat16Bits(feed !== null ? feed : random.normal()));
    case 'int64': return BigInt64Array.from({ length: size }, () => BigInt(Math.trunc(draw())));
    case 'uint64': return BigUint64Array.from({ length: size }, () => BigInt(Math.trunc(draw())));
    case 'int32': return Int32Array.from({ length: size }, draw);
    case 'uint32': return Uint32Array.from({ length: size }, draw);
    case 'int16': return Int16Array.from({ length: size }, draw);
    case 'uint16': return Uint16Array.from({ length: size }, draw);
    case 'int8': return Int8Array.from({ length: size }, draw);
    case 'uint8': return Uint8Array.from({ length: size }, draw);
    case 'bool': return Uint8Array.from({ length: size }, () => (feed !== null ? (feed !== 0 ? 1 : 0) : /mask/i.test(layout.name) ? 1 : random.int(0, 2)));
    default:
      throw new InputError('INPUT_TYPE', `input "${layout.name}" has element type ${layout.elemType}, which joulebench cannot synthesise`);
  }
}

const ortTypes: Record<string, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', float16: 'float16', int64: 'int64', uint64: 'uint64', int32: 'int32', uint32: 'uint32', int16: 'int16', uint16: 'uint16', int8: 'int8', uint8: 'uint8', bool: 'bool' };

/** Build every input at a batch size; the same seed gives the same tensors on every run. */
export function synthesiseFeeds(inputs: InputLayout[], batchSize: number, seed = 1): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const layout of inputs) {
    const dims = dimsAt(layout, batchSize);
    const size = dims.reduce((product, dim) => product * dim, 1);
    const random = new SeededRandom(seed ^ seedFromString(layout.name));
    feeds[layout.name] = new ort.Tensor(ortTypes[layout.elemType] ?? 'float32', fillData(layout, size, random) as never, dims);
  }
  return feeds;
}
