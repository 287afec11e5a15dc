// Shared by the variant tests: run a model on CPU, decode/convert/encode round trips.
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, opHistogram, type Model } from '../../src/onnx/proto.js';

/** Run a model (bytes) on the CPU with float32 feeds; returns the first output as numbers. */
export async function runFirstOutput(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return Array.from(out[session.outputNames[0]!]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Decode, apply a conversion, encode: the converted bytes and the op counts after. */
export async function convert<R>(bytes: Uint8Array, apply: (model: Model) => R | Promise<R>): Promise<{ bytes: Uint8Array; report: R; ops: Record<string, number>; model: Model }> {
  const model = decodeModel(bytes, 'test.onnx');
  const report = await apply(model);
  return { bytes: encodeModel(model), report, ops: opHistogram(model.graph!), model };
}

/** A float32 tensor. */
export const f32 = (values: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(values), dims);
