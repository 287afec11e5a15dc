// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Corpus: ONNX's own backend test models (Debian's libonnx-testdata: one operator each, many opsets). Every model is
// inspected and given to both variant makers the way prepare.ts does (a reduced source refused, calibration from the
// test's own inputs where onnxruntime loads the model, else synthetic); each must yield a variant that onnxruntime loads wherever it loads the
// FP32 model, or a ModelError whose code is a named skip (prepare.ts variantErrorIsSkip) — never another exception.
// Most node tests feed their weights as graph inputs, so INT8 finds nothing constant to quantize there (a named skip):
// onnxruntime's quantize_dynamic does the same (extra_options MatMulConstBOnly defaults to True in quantize.py).
// The package is installed by .ci/run; without it this file skips and says why.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describeError, ModelError } from '../../src/errors.js';
import { variantErrorIsSkip } from '../../src/measure/prepare.js';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { refuseReducedSource } from '../../src/model/detect-precision.js';
import { inspectModelFile, type ModelInfo } from '../../src/model/inspect.js';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import type { ConversionSpec } from '../../src/scenario/types.js';
import { syntheticCalibration, type CalibrationSet } from '../../src/variants/calibration-data.js';
import type { FeedBatch } from '../../src/variants/fidelity.js';
import { makeVariant } from '../../src/variants/make.js';
import { readFloats, readInts, type Tensor } from '../../src/onnx/proto.js';

const { onnx } = onnxProto;

/** Where libonnx-testdata puts the models: data/<group>/<test>/model.onnx with test_data_set_0/input_N.pb beside. */
const testdataRoot = process.env.JOULEBENCH_ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';
const groups = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;
const conversion: ConversionSpec = { ...scenarioDefaults.conversion, keepFp32: [] };
// A conversion that takes longer than this on a one-operator model is hung (onnxruntime runs calibration off the JS
// thread, so the race returns); the slowest measured on 2 cores was under 0.1 s.
const perVariantTimeoutMs = 30_000;

const missing = existsSync(testdataRoot)
  ? null
  : `${testdataRoot} not found: install Debian's libonnx-testdata (apt-get install libonnx-testdata; .ci/run does) or set JOULEBENCH_ONNX_TESTDATA`;

function modelDirs(group: string): string[] {
  const folder = path.join(testdataRoot, group);
  if (!existsSync(folder)) return [];
  return readdirSync(folder).sort().map((name) => path.join(folder, name)).filter((dir) => existsSync(path.join(dir, 'model.onnx')));
}

// TensorProto → onnxruntime tensor for the element types backend inputs use; null for anything else.
function toOrtTensor(tensor: Tensor): ort.Tensor | null {
  const dims = (tensor.dims ?? []).map(Number);
  const raw = tensor.rawData && tensor.rawData.length > 0 ? Uint8Array.from(tensor.rawData) : null;
  switch (tensor.dataType) {
    case 1: return new ort.Tensor('float32', readFloats(tensor), dims);
    case 11: return new ort.Tensor('float64', raw ? new Float64Array(raw.buffer) : Float64Array.from(tensor.doubleData ?? []), dims);
    case 7: return new ort.Tensor('int64', raw ? new BigInt64Array(raw.buffer) : BigInt64Array.from(tensor.int64Data ?? [], (v) => BigInt(String(v))), dims);
    case 6: return new ort.Tensor('int32', Int32Array.from(readInts(tensor)), dims);
    case 3: return new ort.Tensor('int8', Int8Array.from(readInts(tensor)), dims);
    case 2: return new ort.Tensor('uint8', Uint8Array.from(readInts(tensor)), dims);
    case 9: return new ort.Tensor('bool', raw ?? Uint8Array.from(tensor.int32Data ?? []), dims);
    default: return null;
  }
}

const elemTypeCodes: Record<string, number> = { float32: 1, float64: 11, int64: 7, int32: 6, int8: 3, uint8: 2, bool: 9 };

// The test's own inputs (test_data_set_0), when every input is a tensor of the declared type; else null.
function backendFeeds(dir: string, info: ModelInfo): FeedBatch | null {
  const data = path.join(dir, 'test_data_set_0');
  if (!existsSync(data)) return null;
  const files = readdirSync(data).filter((file) => /^input_\d+\.pb$/.test(file)).sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10));
  if (files.length !== info.inputs.length) return null;
  const feeds: FeedBatch = {};
  for (const [index, file] of files.entries()) {
    const input = info.inputs[index]!;
    if (elemTypeCodes[input.elemType] === undefined) return null;
    let tensor: Tensor;
    try {
      tensor = onnx.TensorProto.decode(readFileSync(path.join(data, file)));
    } catch {
      return null;
    }
    if (tensor.dataType !== elemTypeCodes[input.elemType]) return null;
    const converted = toOrtTensor(tensor);
    if (!converted) return null;
    feeds[input.name] = converted;
  }
  return feeds;
}

async function loads(model: string): Promise<string | null> {
  try {
    const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], logSeverityLevel: 4 });
    await session.release();
    return null;
  } catch (error) {
    return describeError(error).message;
  }
}

// Calibration as prepare.ts makes it when the user gives none, but from the test's own inputs where they load.
function calibrationFor(dir: string, info: ModelInfo, fp32Loads: boolean): CalibrationSet | null {
  const feeds = fp32Loads ? backendFeeds(dir, info) : null;
  if (feeds) return { batches: [feeds], samples: 1, source: path.join(dir, 'test_data_set_0'), sha256: `backend-${path.basename(dir)}` };
  try {
    return syntheticCalibration(resolveBatchLayout(info, {}, { shape: (input) => `${input}: ` }), 1, 1);
  } catch {
    return null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What one group of models came to: counts by outcome and the unexpected ones. */
interface Tally {
  models: number;
  outcomes: Map<string, number>;
  /** Which models each skip went to (printed for the rare ones). */
  skippedModels: Map<string, string[]>;
  failures: string[];
}

const count = (tally: Tally, key: string) => tally.outcomes.set(key, (tally.outcomes.get(key) ?? 0) + 1);
// Skips this rare are named model by model in the output.
const listSkipsUpTo = 10;

// The model's first operator and opset, to name a failure the way the ONNX test suite does.
const describeModelShort = (dir: string, info: ModelInfo | null) => {
  const opset = info?.opsets.find((entry) => entry.domain === 'ai.onnx')?.version ?? '?';
  const ops = info ? Object.keys(info.opCounts).filter((op) => op !== 'Constant').slice(0, 3).join('+') : '?';
  return `${path.basename(path.dirname(dir))}/${path.basename(dir)} (${ops}, opset ${opset})`;
};

async function runModel(dir: string, cacheDir: string, tally: Tally): Promise<void> {
  tally.models++;
  const file = path.join(dir, 'model.onnx');
  let info: ModelInfo;
  try {
    ({ info } = await inspectModelFile(file));
    count(tally, `inspect ok, detected ${info.detectedPrecision}`);
  } catch (error) {
    const { code, message } = describeError(error);
    count(tally, `inspect ${code}`);
    if (!(error instanceof ModelError)) tally.failures.push(`${describeModelShort(dir, null)} inspect: ${code} ${message}`);
    return;
  }
  const fp32Error = await loads(file);
  const calibration = calibrationFor(dir, info, fp32Error === null);
  for (const precision of ['fp16', 'int8'] as const) {
    try {
      // As prepare.ts does: a file that is already FP16 / INT8 is not reduced again.
      refuseReducedSource(file, info, precision);
      const made = await withTimeout(
        makeVariant({ sourcePath: file, precision, conversion, calibration, opCounts: info.opCounts, toolVersion: 'corpus', cacheDir }),
        perVariantTimeoutMs,
        `${precision} of ${file}`,
      );
      const variantError = fp32Error === null ? await loads(made.path) : null;
      if (variantError === null) {
        count(tally, `${precision} made`);
      } else {
        count(tally, `${precision} made but onnxruntime rejects it`);
        tally.failures.push(`${describeModelShort(dir, info)} ${precision} (${made.sidecar.mode}): the FP32 model loads, the variant does not: ${variantError.slice(0, 300)}`);
      }
    } catch (error) {
      const { code, message } = describeError(error);
      if (error instanceof ModelError && variantErrorIsSkip(code)) {
        count(tally, `${precision} skipped ${code}`);
        const key = `${precision} skipped ${code}`;
        tally.skippedModels.set(key, [...(tally.skippedModels.get(key) ?? []), path.basename(dir)]);
      } else {
        count(tally, `${precision} FAILED ${code}`);
        tally.failures.push(`${describeModelShort(dir, info)} ${precision}: ${code} ${message.slice(0, 300)}`);
      }
    }
  }
}

function report(t: TestContext, group: string, tally: Tally): void {
  const lines = [...tally.outcomes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}: ${n}`);
  t.diagnostic(`${group}: ${tally.models} models; ${lines.join('; ')}`);
  for (const [key, models] of tally.skippedModels) if (models.length <= listSkipsUpTo) t.diagnostic(`${key}: ${models.join(', ')}`);
  for (const failure of tally.failures) t.diagnostic(`unexpected: ${failure}`);
}

describe('ONNX backend test models (libonnx-testdata): every model yields a variant or a named skip', { skip: missing ?? false }, () => {
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'jb-corpus-backend-'));
  });
  after(() => rm(cacheDir, { recursive: true, force: true }));

  for (const group of groups) {
    test(`${group}: inspect, FP16 and INT8 on every model`, { timeout: 150_000 }, async (t) => {
      const dirs = modelDirs(group);
      if (dirs.length === 0) return t.skip(`${path.join(testdataRoot, group)} holds no models`);
      const tally: Tally = { models: 0, outcomes: new Map(), skippedModels: new Map(), failures: [] };
      for (const dir of dirs) await runModel(dir, cacheDir, tally);
      report(t, group, tally);
      assert.equal(tally.models, dirs.length);
      assert.equal(tally.failures.length, 0, `${tally.failures.length} unexpected outcome(s) in ${group} (each listed above as "unexpected:"), first: ${tally.failures[0]}`);
    });
  }
});
