// Decide where the batch goes in every input, and fix every other dimension, before anything runs.
import { InputError } from '../errors.js';
import type { DimSpec, GraphSignature, InputSpec, ModelDim } from './shapes.js';

/** A resolved dimension: a size, or the batch size. */
export type ResolvedDim = number | 'N';

/** How one input will be built for every batch size. */
export interface InputLayout {
  name: string;
  elemType: string;
  dims: ResolvedDim[];
  /** Index of the batch dimension, or null when the input does not scale with the batch. */
  batchAxis: number | null;
  /** Fill value (`--feed`), or null to synthesise. */
  feed: number | null;
  /** Integer range [lo, hi) for synthesised integers. */
  range: [number, number] | null;
  /** Why the batch axis is where it is (shown by `inspect` and kept in result.json). */
  reason: string;
}

/** The model's inputs resolved for a sweep. */
export interface BatchLayout {
  inputs: InputLayout[];
  /** The symbolic name that stands for the batch (`N`, `batch_size`, …), if any. */
  batchSymbol: string | null;
  /** Set when the model cannot change its batch: only this batch size can run. */
  fixedBatch: number | null;
}

/** Where a user's override lives, to name it in messages: a CLI flag or a scenario field. */
export interface OverrideNames {
  /** e.g. `--shape x=` or `models[0].inputs.x.shape` */
  shape(input: string): string;
}

// Names exporters use for the batch dimension (PyTorch, TF2ONNX, Keras, HF Optimum).
const batchNamePattern = /^(n|b|bs|batch|batch_?size|batches|.*batch.*|unk__\d+|None|\?)$/i;

function formatDims(dims: ModelDim[]): string {
  return `[${dims.map((dim) => (dim.kind === 'fixed' ? dim.size : dim.kind === 'symbolic' ? dim.name : '?')).join(', ')}]`;
}

function formatSpec(dims: DimSpec[]): string {
  return dims.join(',');
}

// The symbolic name most likely to be the batch: a batch-like name first, then the commonest axis-0 symbol.
function chooseBatchSymbol(info: GraphSignature): string | null {
  const symbols: Array<{ name: string; axis: number }> = [];
  for (const input of info.inputs) {
    (input.dims ?? []).forEach((dim, axis) => {
      if (dim.kind === 'symbolic') symbols.push({ name: dim.name, axis });
    });
  }
  const named = symbols.find((symbol) => batchNamePattern.test(symbol.name));
  if (named) return named.name;
  const axisZero = new Map<string, number>();
  for (const symbol of symbols) if (symbol.axis === 0) axisZero.set(symbol.name, (axisZero.get(symbol.name) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [name, count] of axisZero) if (count > bestCount) [best, bestCount] = [name, count];
  return best;
}

/**
 * Resolve every input's shape for the sweep. Rules, in order:
 * 1. a user shape (`--shape x=N,3,224,224`) wins, and its N names the batch symbol for the other inputs;
 * 2. otherwise the batch is the symbol with a batch-like name, else the commonest symbolic axis-0 dim, else an
 *    unnamed axis-0 dim; every input dim with that symbol is a batch axis (so `[layers, batch, hidden]` works);
 * 3. any other symbolic dim must be given by the user (once: a size given for a symbol in one input's shape holds for
 *    every input with that symbol); with no batch dim at all the batch is fixed.
 */
export function resolveBatchLayout(info: GraphSignature, specs: Record<string, InputSpec>, names: OverrideNames): BatchLayout {
  const inputNames = info.inputs.map((input) => input.name);
  for (const name of Object.keys(specs)) {
    if (!inputNames.includes(name)) {
      throw new InputError('INPUT_UNKNOWN', `${names.shape(name)}: the model has no input "${name}"; its inputs are ${inputNames.map((n) => `"${n}"`).join(', ')}`);
    }
  }

  // Validate user shapes against the declared ones and learn the batch symbol from them.
  let batchSymbol: string | null = null;
  let userNamedBatch = false;
  // A size the user gives for a symbolic dim applies to every input sharing that symbol (e.g. "seq").
  const symbolSizes = new Map<string, number>();
  for (const input of info.inputs) {
    const shape = specs[input.name]?.shape;
    if (!shape) continue;
    const where = `${names.shape(input.name)}${formatSpec(shape)}`;
    if (input.dims && shape.length !== input.dims.length) {
      throw new InputError('SHAPE_RANK', `${where}: input "${input.name}" has rank ${input.dims.length} ${formatDims(input.dims)}, the shape given has rank ${shape.length}`, {
        hint: `give ${input.dims.length} dimensions, with N where the batch goes`,
      });
    }
    shape.forEach((dim, axis) => {
      const declared = input.dims?.[axis];
      if (!declared) return;
      if (declared.kind === 'fixed' && dim !== declared.size) {
        const what = dim === 'N' ? 'the batch (N)' : String(dim);
        throw new InputError('SHAPE_CONFLICT', `${where}: axis ${axis} of "${input.name}" is fixed at ${declared.size} in the model ${formatDims(input.dims!)}; it cannot be ${what}`);
      }
      if (dim !== 'N' && declared.kind === 'symbolic') symbolSizes.set(declared.name, dim);
      if (dim === 'N' && declared.kind === 'symbolic') {
        batchSymbol = declared.name;
        userNamedBatch = true;
      }
      if (dim === 'N') userNamedBatch = true;
    });
  }
  if (!userNamedBatch) batchSymbol = chooseBatchSymbol(info);
  const unnamedAxisZeroIsBatch =
    batchSymbol === null && !userNamedBatch && info.inputs.some((input) => input.dims?.[0]?.kind === 'unknown');

  const inputs = info.inputs.map((input): InputLayout => {
    const spec = specs[input.name] ?? {};
    const feed = spec.feed ?? null;
    const range = spec.range ?? (info.indexBounds[input.name] !== undefined ? [0, info.indexBounds[input.name]!] : null);
    if (input.elemType.startsWith('unsupported') || input.elemType === 'string' || input.elemType === 'non-tensor') {
      throw new InputError('INPUT_TYPE', `input "${input.name}" has element type ${input.elemType}, which joulebench cannot synthesise`);
    }
    if (spec.shape) {
      const batchAxis = spec.shape.indexOf('N');
      return {
        name: input.name, elemType: input.elemType, dims: [...spec.shape], batchAxis: batchAxis < 0 ? null : batchAxis, feed, range,
        reason: batchAxis < 0 ? 'shape given by the user, no batch axis' : `shape given by the user, batch at axis ${batchAxis}`,
      };
    }
    if (input.dims === null) {
      throw new InputError('SHAPE_MISSING', `input "${input.name}" declares no shape; give it: ${names.shape(input.name)}N,…`);
    }
    let batchAxis: number | null = null;
    const dims = input.dims.map((dim, axis): ResolvedDim => {
      if (dim.kind === 'fixed') return dim.size;
      if (dim.kind === 'symbolic' && dim.name !== batchSymbol && symbolSizes.has(dim.name)) return symbolSizes.get(dim.name)!;
      const isBatch =
        (dim.kind === 'symbolic' && dim.name === batchSymbol) || (dim.kind === 'unknown' && axis === 0 && unnamedAxisZeroIsBatch);
      if (isBatch && batchAxis === null) {
        batchAxis = axis;
        return 'N';
      }
      const label = dim.kind === 'symbolic' ? `symbolic dimension "${dim.name}"` : 'dimension of unknown size';
      const example = input.dims!.map((d, i) => (i === batchAxis || (d.kind === 'symbolic' && d.name === batchSymbol) ? 'N' : d.kind === 'fixed' ? String(d.size) : i === axis ? 'SIZE' : '?')).join(',');
      throw new InputError('SHAPE_SYMBOLIC', `input "${input.name}" ${formatDims(input.dims!)} has a ${label} at axis ${axis}; joulebench needs its size`, {
        hint: `give the full shape with N for the batch: ${names.shape(input.name)}${example}`,
      });
    });
    const reason =
      batchAxis === null
        ? 'no batch dimension (same tensor for every batch size)'
        : batchSymbol !== null
          ? `symbolic dim "${batchSymbol}" at axis ${batchAxis}`
          : 'unnamed dynamic dim at axis 0';
    return { name: input.name, elemType: input.elemType, dims, batchAxis, feed, range, reason };
  });

  const batched = inputs.some((input) => input.batchAxis !== null);
  let fixedBatch: number | null = null;
  if (!batched) {
    const first = inputs.find((input) => input.dims.length > 0);
    fixedBatch = first && typeof first.dims[0] === 'number' ? first.dims[0] : 1;
  }
  return { inputs, batchSymbol: batched ? batchSymbol : null, fixedBatch };
}

/** The concrete dims of an input at a batch size. */
export function dimsAt(layout: InputLayout, batchSize: number): number[] {
  return layout.dims.map((dim) => (dim === 'N' ? batchSize : dim));
}
