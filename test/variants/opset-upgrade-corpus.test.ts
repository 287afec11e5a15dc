// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// ONNX's own backend test models (Debian's libonnx-testdata, installed by .ci/run) below opset 13: each is lifted to
// 13 and must give the original's outputs (where onnxruntime runs the original) or the expected outputs stored with
// the test, or be refused by name. Skipped when the package is not installed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { upgradeOpset } from '../../src/variants/opset-upgrade.js';
import { decodeModel, defaultOpset, dimsOf, encodeModel, readFloats, readInts, type Tensor } from '../../src/onnx/proto.js';

const { onnx } = onnxProto;
const root = '/usr/share/libonnx-testdata/data';

// A TensorProto as an onnxruntime tensor (the element types these tests feed); null for the others.
function toOrt(tensor: Tensor): ort.Tensor | null {
  try {
    const dims = dimsOf(tensor);
    switch (tensor.dataType) {
      case 1: return new ort.Tensor('float32', readFloats(tensor), dims);
      case 7: return new ort.Tensor('int64', BigInt64Array.from(readInts(tensor).map(BigInt)), dims);
      case 6: return new ort.Tensor('int32', Int32Array.from(readInts(tensor)), dims);
      case 9: {
        const raw = tensor.rawData?.length ? Array.from(tensor.rawData) : (tensor.int32Data ?? []);
        return new ort.Tensor('bool', Uint8Array.from(raw.map((v) => (v ? 1 : 0))), dims);
      }
      default: return null;
    }
  } catch {
    return null;
  }
}

// Largest element difference between two lists of outputs (NaN against NaN counts as equal).
function maxDifference(a: ort.Tensor[], b: ort.Tensor[]): number {
  let worst = 0;
  a.forEach((tensor, i) => {
    const x = tensor.data as ArrayLike<number | bigint>;
    const y = b[i]?.data as ArrayLike<number | bigint> | undefined;
    if (!y || x.length !== y.length) worst = Infinity;
    else for (let j = 0; j < x.length; j++) {
      const [p, q] = [Number(x[j]), Number(y[j])];
      if (!(Number.isNaN(p) && Number.isNaN(q))) worst = Math.max(worst, Math.abs(p - q));
    }
  });
  return worst;
}

async function run(bytes: Uint8Array, inputs: ort.Tensor[]): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    const out = await session.run(Object.fromEntries(session.inputNames.map((name, i) => [name, inputs[i]!])));
    return session.outputNames.map((name) => out[name]!);
  } finally {
    await session.release();
  }
}

test('ONNX backend test models below opset 13 lift to 13 with the same outputs, or are refused by name', { skip: !existsSync(root) && 'libonnx-testdata is not installed', timeout: 300_000 }, async () => {
  const counts = { lifted: 0, sameAsOriginal: 0, sameAsExpected: 0, notComparable: 0 };
  const refused: string[] = [];
  const differ: string[] = [];
  for (const kind of readdirSync(root)) {
    for (const name of readdirSync(path.join(root, kind))) {
      const dir = path.join(root, kind, name);
      const set = path.join(dir, 'test_data_set_0');
      if (!existsSync(path.join(dir, 'model.onnx')) || !existsSync(set)) continue;
      const bytes = readFileSync(path.join(dir, 'model.onnx'));
      const model = decodeModel(bytes, dir);
      const from = defaultOpset(model);
      if (from === 0 || from >= 13) continue;
      try {
        upgradeOpset(model, 13);
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'VARIANT_OPSET_UPGRADE', `${name}: ${(error as Error).message}`);
        refused.push(name);
        continue;
      }
      counts.lifted++;
      const tensors = (prefix: string) => readdirSync(set).filter((f) => f.startsWith(prefix)).sort().map((f) => toOrt(onnx.TensorProto.decode(readFileSync(path.join(set, f)))));
      const inputs = tensors('input_');
      const expected = tensors('output_');
      if (inputs.some((t) => t === null)) {
        counts.notComparable++;
        continue;
      }
      let lifted: ort.Tensor[];
      try {
        lifted = await run(encodeModel(model), inputs as ort.Tensor[]);
      } catch {
        // onnxruntime cannot run this op at all (string locales, BitShift on uint16, training ops): the original fails too.
        await assert.rejects(run(bytes, inputs as ort.Tensor[]), `${name}: the lifted model fails where the original runs`);
        counts.notComparable++;
        continue;
      }
      let reference: ort.Tensor[] | null = null;
      try {
        reference = await run(bytes, inputs as ort.Tensor[]);
        counts.sameAsOriginal++;
      } catch {
        // onnxruntime no longer runs some opset-1..6 kernels: compare with the outputs ONNX stored with the test.
        if (expected.some((t) => t === null)) {
          counts.notComparable++;
          continue;
        }
        reference = expected as ort.Tensor[];
        counts.sameAsExpected++;
      }
      if (maxDifference(reference, lifted) > 1e-4) differ.push(name);
    }
  }
  assert.deepEqual(differ, []);
  assert.deepEqual(refused.sort(), ['test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn', 'test_scan_sum']);
  // libonnx-testdata 1.12: 359 models below opset 13 lift (287 compared with the original, 29 with the stored outputs, 43 with
  // inputs or ops onnxruntime-node cannot feed or run either way) and 2 are refused.
  assert.ok(counts.sameAsOriginal >= 250, JSON.stringify(counts));
});
