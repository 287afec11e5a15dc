// Fidelity: run FP32 and a variant on the same inputs (CPU) and compare their outputs.
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { describeError, RuntimeFailure } from '../errors.js';
import type { Fidelity } from '../results/types.js';
import { fromFloat16Bits, toFloat16Bits } from '../onnx/float16.js';

/** How far a variant's outputs are from FP32's, over the same inputs (result.json's fidelity before the bounds verdict). */
export type FidelityMetrics = Omit<Fidelity, 'withinBounds' | 'violations'>;

/** One batch of inputs (float32 tensors for float inputs; converted for FP16-input variants). */
export type FeedBatch = Record<string, ort.Tensor>;

function floatsOf(tensor: ort.Tensor): Float32Array | null {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const data = tensor.data as unknown as ArrayLike<number>;
    const bits = data instanceof Uint16Array ? data : Uint16Array.from(Array.from(data as ArrayLike<number>, (v) => toFloat16Bits(v)));
    return Float32Array.from(bits, fromFloat16Bits);
  }
  if (tensor.type === 'float64') return Float32Array.from(tensor.data as Float64Array);
  return null;
}

// Feeds for a session whose float inputs may be float16 (an --fp16-io variant).
function adaptFeeds(session: ort.InferenceSession, feeds: FeedBatch, inputTypes: Record<string, string>): FeedBatch {
  const adapted: FeedBatch = {};
  for (const name of session.inputNames) {
    const tensor = feeds[name]!;
    if (inputTypes[name] === 'float16' && tensor.type === 'float32') {
      adapted[name] = new ort.Tensor('float16', Uint16Array.from(tensor.data as Float32Array, toFloat16Bits), tensor.dims);
    } else {
      adapted[name] = tensor;
    }
  }
  return adapted;
}

const argmax = (values: Float32Array, offset: number, length: number): number => {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
};

/** Options of measureFidelity. */
export interface FidelityOptions {
  /** Element types of the variant's inputs (float16 inputs get converted feeds). */
  variantInputTypes: Record<string, string>;
  /** Expected class per sample, in feed order (with `--labels`). */
  labels?: number[];
  inputs: 'synthetic' | 'calibration';
}

/** Compare a variant's outputs with the FP32 model's over the same feed batches. */
export async function measureFidelity(referenceModel: string | Uint8Array, variantModel: string | Uint8Array, batches: FeedBatch[], options: FidelityOptions): Promise<FidelityMetrics> {
  const sessionOptions: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], logSeverityLevel: ortLogSeverity() };
  let reference: ort.InferenceSession;
  let variant: ort.InferenceSession;
  try {
    reference = await ort.InferenceSession.create(referenceModel as never, sessionOptions);
    variant = await ort.InferenceSession.create(variantModel as never, sessionOptions);
  } catch (error) {
    throw new RuntimeFailure('FIDELITY_SESSION_FAILED', `fidelity check: onnxruntime cannot load the model on the CPU: ${describeError(error).message}`, { cause: error });
  }
  try {
    let maxAbsError = 0;
    let squaredError = 0;
    let compared = 0;
    let cosineSum = 0;
    let samples = 0;
    let agreements = 0;
    let classified = 0;
    let correct = 0;
    let referenceCorrect = 0;
    let nonFiniteValues = 0;
    let labelIndex = 0;
    for (const feeds of batches) {
      const referenceOut = await reference.run(feeds);
      const variantOut = await variant.run(adaptFeeds(variant, feeds, options.variantInputTypes));
      const firstName = reference.outputNames[0]!;
      const firstTensor = referenceOut[firstName]!;
      const batchSize = firstTensor.dims[0] ?? 1;
      const perSample = new Array<{ dot: number; a: number; b: number }>(batchSize).fill({ dot: 0, a: 0, b: 0 }).map(() => ({ dot: 0, a: 0, b: 0 }));
      for (const name of reference.outputNames) {
        const a = floatsOf(referenceOut[name]!);
        const b = variantOut[name] ? floatsOf(variantOut[name]!) : null;
        if (!a || !b || a.length !== b.length) continue;
        const rowLength = referenceOut[name]!.dims[0] === batchSize && batchSize > 0 ? a.length / batchSize : a.length;
        for (let i = 0; i < a.length; i++) {
          const x = a[i]!;
          const y = b[i]!;
          if (!Number.isFinite(x)) continue;
          if (!Number.isFinite(y)) {
            nonFiniteValues++;
            continue;
          }
          const diff = Math.abs(x - y);
          if (diff > maxAbsError) maxAbsError = diff;
          squaredError += diff * diff;
          compared++;
          const row = perSample[Math.min(batchSize - 1, Math.floor(i / rowLength))]!;
          row.dot += x * y;
          row.a += x * x;
          row.b += y * y;
        }
      }
      for (const row of perSample) {
        cosineSum += row.a === 0 && row.b === 0 ? 1 : row.a === 0 || row.b === 0 ? 0 : row.dot / Math.sqrt(row.a * row.b);
        samples++;
      }
      // Class scores: a float [batch, classes] first output with at least two classes.
      const a = floatsOf(firstTensor);
      const b = variantOut[firstName] ? floatsOf(variantOut[firstName]!) : null;
      if (a && b && firstTensor.dims.length === 2 && (firstTensor.dims[1] ?? 0) >= 2) {
        const classes = firstTensor.dims[1]!;
        for (let s = 0; s < batchSize; s++) {
          const expected = argmax(a, s * classes, classes);
          const got = argmax(b, s * classes, classes);
          classified++;
          if (expected === got) agreements++;
          const label = options.labels?.[labelIndex++];
          if (label !== undefined) {
            if (got === label) correct++;
            if (expected === label) referenceCorrect++;
          }
        }
      }
    }
    const withLabels = options.labels !== undefined && classified > 0;
    const accuracy = withLabels ? correct / Math.min(classified, options.labels!.length) : null;
    const referenceAccuracy = withLabels ? referenceCorrect / Math.min(classified, options.labels!.length) : null;
    return {
      reference: `fp32 on cpu, ${samples} ${options.inputs} samples`,
      samples,
      inputs: options.inputs,
      maxAbsError,
      rmse: compared > 0 ? Math.sqrt(squaredError / compared) : 0,
      cosine: samples > 0 ? cosineSum / samples : 1,
      top1Agreement: classified > 0 ? agreements / classified : null,
      accuracy,
      referenceAccuracy,
      accuracyRatio: accuracy !== null && referenceAccuracy ? accuracy / referenceAccuracy : null,
      nonFiniteValues,
    };
  } catch (error) {
    throw new RuntimeFailure('FIDELITY_RUN_FAILED', `fidelity check: running the model on the CPU failed: ${describeError(error).message}`, { cause: error });
  } finally {
    await reference.release();
    await variant.release();
  }
}
