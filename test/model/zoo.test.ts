// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { isZooName, zoo, zooNames, type ZooName } from '../../src/model/zoo/index.js';
import { SeededRandom, seedFromString } from '../../src/stats/random.js';
import { decodeModel, dimsOf } from '../fixtures/models.js';

const { onnx } = onnxProto;

// Pinned encodings: a change here means every stored benchmark of a zoo model measured a different model.
const expectedSha256: Record<ZooName, string> = {
  mlp: '25df005247c6e8e5c166ca6e1123a8c49cd018a57994afe495ceaf3538c1fd0b',
  cnn: '9a5b2efb90c61ef6096a4b7e17dfe20e124a161e2e4cb6c592a65967448e8306',
  transformer: '0da9d3cc6c9100d8e2bc2d9a98e4dc88bbbdd97a1f824e7027a105616b9cb2bf',
};

const expectedOutputs: Record<ZooName, Record<string, (number | 'N')[]>> = {
  mlp: { logits: ['N', 10] },
  cnn: { logits: ['N', 10] },
  transformer: { hidden: ['N', 128, 256] },
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function randomFeeds(name: ZooName, batch: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [inputName, spec] of Object.entries(zoo[name].inputs)) {
    const dims = spec.dims.map((d) => (d === 'N' ? batch : d));
    const random = new SeededRandom(seedFromString(`${name}/${inputName}`));
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random.normal());
    feeds[inputName] = new ort.Tensor('float32', data, dims);
  }
  return feeds;
}

describe('model zoo registry', () => {
  it('lists every model under its own name', () => {
    assert.deepEqual(zooNames, ['mlp', 'cnn', 'transformer']);
    for (const name of zooNames) assert.equal(zoo[name].name, name);
  });

  it('tells zoo names from file names', () => {
    assert.equal(isZooName('mlp'), true);
    assert.equal(isZooName('transformer'), true);
    assert.equal(isZooName('model.onnx'), false);
    assert.equal(isZooName('toString'), false);
  });
});

for (const name of zooNames) {
  describe(`zoo model ${name}`, () => {
    const bytes = zoo[name].build();

    it('builds to identical bytes every time, pinned by sha256', () => {
      const again = zoo[name].build();
      assert.ok(Buffer.from(bytes).equals(Buffer.from(again)), 'two builds differ');
      assert.equal(sha256(bytes), expectedSha256[name]);
    });

    it('declares opset 17, IR 8 and the advertised inputs and outputs with a symbolic N batch', () => {
      const model = decodeModel(bytes);
      assert.equal(model.irVersion, 8);
      assert.deepEqual(model.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', 17]]);
      const inputs = Object.fromEntries(model.graph.input.map((info) => [info.name, dimsOf(info)]));
      const advertised = Object.fromEntries(Object.entries(zoo[name].inputs).map(([inputName, spec]) => [inputName, spec.dims]));
      assert.deepEqual(inputs, advertised);
      for (const info of model.graph.input) assert.equal(info.type.tensorType.elemType, onnx.TensorProto.DataType.FLOAT);
      const outputs = Object.fromEntries(model.graph.output.map((info) => [info.name, dimsOf(info)]));
      assert.deepEqual(outputs, expectedOutputs[name]);
      for (const dims of [...Object.values(inputs), ...Object.values(outputs)]) assert.equal(dims[0], 'N');
    });

    it('runs in onnxruntime at batch 1 and 3 with finite, varied outputs of the declared shape', async () => {
      const session = await ort.InferenceSession.create(bytes);
      try {
        assert.deepEqual([...session.inputNames].sort(), Object.keys(zoo[name].inputs).sort());
        for (const batch of [1, 3]) {
          const results = await session.run(randomFeeds(name, batch));
          for (const [outputName, dims] of Object.entries(expectedOutputs[name])) {
            const tensor = results[outputName];
            assert.ok(tensor, `missing output ${outputName}`);
            assert.deepEqual(tensor.dims, dims.map((d) => (d === 'N' ? batch : d)));
            const data = tensor.data as Float32Array;
            assert.ok(data.every(Number.isFinite), `${outputName} has a non-finite value at batch ${batch}`);
            const spread = data.reduce((max, v) => Math.max(max, v), -Infinity) - data.reduce((min, v) => Math.min(min, v), Infinity);
            assert.ok(spread > 1e-3 && spread < 1e3, `${outputName} is degenerate (spread ${spread})`);
          }
        }
      } finally {
        await session.release();
      }
    });
  });
}
