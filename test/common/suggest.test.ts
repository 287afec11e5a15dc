import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, editDistance } from '../../src/common/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('inputz', 'inputs'), 1);
    assert.equal(editDistance('mpl', 'mlp'), 1);
    assert.equal(editDistance('batchsize', 'batchsizes'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('closest', () => {
  const keys = ['name', 'models', 'precisions', 'executionProviders', 'batchSizes', 'threads', 'out'];
  it('finds a key across case, underscores and typos', () => {
    assert.equal(closest('batchsize', keys), 'batchSizes');
    assert.equal(closest('batch_sizes', keys), 'batchSizes');
    assert.equal(closest('Precision', keys), 'precisions');
    assert.equal(closest('executionProvider', keys), 'executionProviders');
    assert.equal(closest('mpl', ['mlp', 'cnn', 'transformer']), 'mlp');
  });
  it('finds an unambiguous abbreviation', () => {
    assert.equal(closest('minSecs', ['minSeconds', 'minRuns']), 'minSeconds');
    assert.equal(closest('trans', ['mlp', 'cnn', 'transformer']), 'transformer');
  });
  it('suggests nothing when nothing is close', () => {
    assert.equal(closest('foo', keys), undefined);
    assert.equal(closest('resnet', ['mlp', 'cnn', 'transformer']), undefined);
    assert.equal(closest('', keys), undefined);
  });
});

describe('closest: abbreviations', () => {
  it('needs the first three letters to match', () => {
    assert.equal(closest('base', ['name', 'batchSizes', 'out']), undefined);
    assert.equal(closest('reps', ['repetitions', 'idleSeconds']), 'repetitions');
  });
});
