import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseScenarioYaml } from '../../src/scenario/load.js';

const parse = (text: string) => parseScenarioYaml(text, { file: '/work/serve.yaml', baseDir: '/work' });

test('load: a single value or a list per field; defaults for the rest; a trace path from the scenario folder', () => {
  const scenario = parse('models: [{model: mlp}]\nload:\n  rates: [20, 200]\n  maxBatch: 8\n  trace: arrivals.csv\n');
  assert.deepEqual(scenario.load, { rates: [20, 200], maxBatch: [8], maxWaitMs: [5], sessions: 1, requests: 1000, seconds: 10, seed: 1, trace: path.resolve('/work', 'arrivals.csv'), flatOutSeconds: 2 });
  assert.equal(parse('models: [{model: mlp}]\n').load, undefined);
});

test('load: bad values name the field and what is expected', () => {
  assert.throws(() => parse('models: [{model: mlp}]\nload: {rates: [0]}\n'), /load\.rates(\[0\])?: expected a request rate above 0/);
  assert.throws(() => parse('models: [{model: mlp}]\nload: {rates: 20, maxBatch: 2.5}\n'), /load\.maxBatch(\[0\])?: .*whole number/);
  assert.throws(() => parse('models: [{model: mlp}]\nload: {rates: 20, rats: 3}\n'), /rats/);
});
