import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { dimsAt, resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { describeModel } from '../../src/model/inspect.js';
import { zoo } from '../../src/model/zoo/index.js';
import { fixedBatchModel, recurrentStateModel, scalarFeedModel, symbolicImageModel, tokenModel, unknownDimModel } from '../fixtures/models.js';

const flagNames = { shape: (input: string) => `--shape ${input}=` };
const layoutOf = (bytes: Uint8Array, specs = {}) => resolveBatchLayout(describeModel(bytes, 'm.onnx'), specs, flagNames);

test('built-ins: symbolic N at axis 0 is the batch', () => {
  const layout = layoutOf(zoo.cnn.build());
  assert.equal(layout.batchSymbol, 'N');
  assert.equal(layout.fixedBatch, null);
  assert.deepEqual(layout.inputs.map((i) => [i.name, i.batchAxis, i.dims]), [['image', 0, ['N', 3, 64, 64]]]);
  assert.deepEqual(dimsAt(layout.inputs[0]!, 8), [8, 3, 64, 64]);
});

test('recurrent state: the batch symbol is matched by name across inputs, at axis 1 of the state', () => {
  const layout = layoutOf(recurrentStateModel());
  assert.equal(layout.batchSymbol, 'batch_size');
  const byName = Object.fromEntries(layout.inputs.map((i) => [i.name, i]));
  assert.equal(byName.x!.batchAxis, 0);
  assert.equal(byName.state!.batchAxis, 1);
  assert.deepEqual(dimsAt(byName.state!, 3), [2, 3, 32]);
});

test('symbolic non-batch dims need a shape; the error names the input, the dim and the flag', () => {
  assert.throws(
    () => layoutOf(symbolicImageModel()),
    (e: unknown) =>
      e instanceof InputError && e.code === 'SHAPE_SYMBOLIC' && /input "x" \[batch, 3, height, width\]/.test(e.message) && /"height" at axis 2/.test(e.message) && /--shape x=N,3,SIZE,\?/.test(e.hint ?? ''),
  );
  const layout = layoutOf(symbolicImageModel(), { x: { shape: ['N', 3, 224, 224] } });
  assert.equal(layout.inputs[0]!.batchAxis, 0);
  assert.deepEqual(dimsAt(layout.inputs[0]!, 2), [2, 3, 224, 224]);
});

test('user shapes are checked against the model: unknown input, rank, fixed dims', () => {
  assert.throws(() => layoutOf(zoo.cnn.build(), { nope: { shape: ['N', 3] } }), /--shape nope=: the model has no input "nope"; its inputs are "image"/);
  assert.throws(() => layoutOf(zoo.cnn.build(), { image: { shape: ['N', 3] } }), (e: unknown) => e instanceof InputError && e.code === 'SHAPE_RANK' && /rank 4/.test(e.message));
  assert.throws(() => layoutOf(zoo.cnn.build(), { image: { shape: ['N', 4, 64, 64] } }), /axis 1 of "image" is fixed at 3/);
  assert.throws(() => layoutOf(fixedBatchModel(), { x: { shape: ['N', 64] } }), /axis 0 of "x" is fixed at 1 .* cannot be the batch \(N\)/);
});

test('a scalar input has no batch axis and keeps its feed value', () => {
  const layout = layoutOf(scalarFeedModel(), { sr: { feed: 16000 } });
  const sr = layout.inputs.find((i) => i.name === 'sr')!;
  assert.deepEqual(sr.dims, []);
  assert.equal(sr.batchAxis, null);
  assert.equal(sr.feed, 16000);
  assert.equal(layout.inputs.find((i) => i.name === 'audio')!.batchAxis, 0);
});

test('a model with no dynamic dim has a fixed batch', () => {
  const layout = layoutOf(fixedBatchModel());
  assert.equal(layout.fixedBatch, 1);
  assert.equal(layout.inputs[0]!.batchAxis, null);
});

test('an unnamed dynamic axis 0 is taken as the batch', () => {
  const layout = layoutOf(unknownDimModel());
  assert.equal(layout.inputs[0]!.batchAxis, 0);
  assert.equal(layout.fixedBatch, null);
});

test('integer inputs feeding a Gather take the table size as their range; a symbol sized once holds everywhere', () => {
  assert.throws(() => layoutOf(tokenModel()), /"seq" at axis 1/);
  const layout = layoutOf(tokenModel(), { input_ids: { shape: ['N', 128] } });
  const ids = layout.inputs.find((i) => i.name === 'input_ids')!;
  const mask = layout.inputs.find((i) => i.name === 'attention_mask')!;
  assert.deepEqual(ids.range, [0, 1000]);
  assert.equal(mask.range, null);
  assert.deepEqual(mask.dims, ['N', 128], 'seq = 128 learned from input_ids');
  assert.equal(mask.batchAxis, 0);
});

test('an exporter name like unk__123 is recognised as the batch before other symbols', () => {
  const bytes = new GraphBuilder('g')
    .input('tokens', 'float32', ['seq', 'unk__123', 8])
    .output('y', 'float32', ['seq', 'unk__123', 8])
    .node('Relu', ['tokens'], ['y'])
    .build();
  assert.throws(() => layoutOf(bytes), /"seq" at axis 0/);
  const layout = layoutOf(bytes, { tokens: { shape: [16, 'N', 8] } });
  assert.equal(layout.inputs[0]!.batchAxis, 1);
});
