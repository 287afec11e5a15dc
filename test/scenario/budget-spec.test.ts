// The scenario's `budgets:` and `history:` keys: parsing, defaults and error messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetMatches } from '../../src/scenario/budget-spec.js';
import { parseScenarioYaml } from '../../src/scenario/load.js';

const parse = (yaml: string) => parseScenarioYaml(`models: [{model: mlp}]\n${yaml}`, { file: '/work/s/nightly.yaml', baseDir: '/work/s' });
const problem = (yaml: string) => {
  try {
    parse(yaml);
  } catch (error) {
    return `${(error as Error).message}${(error as { hint?: string }).hint ? ` | ${(error as { hint?: string }).hint}` : ''}`;
  }
  assert.fail('expected a problem');
};

test('budgets: absolute and relative limits, maxRegression in %, paths resolved; history resolved', () => {
  const s = parse('budgets:\n  - match: mlp/fp32\n    maxJoulesPerSample: 0.002\n    minSamplesPerJoule: "5% below baseline"\n    maxP99Ms: "10 % above the baseline"\n    maxRegression: 5%\n    baseline: ../base/result.json\n  - maxWhPer1kSamples: 1.5\n    maxRegression: 2.5\nhistory: ../history\n');
  assert.deepEqual(s.budgets, [
    { match: 'mlp/fp32', maxJoulesPerSample: { value: 0.002 }, minSamplesPerJoule: { baselineRelative: -0.05 }, maxP99Ms: { baselineRelative: 0.1 }, maxRegression: 0.05, baseline: '/work/base/result.json' },
    { match: '*', maxWhPer1kSamples: { value: 1.5 }, maxRegression: 0.025 },
  ]);
  assert.equal(s.historyDir, '/work/history');
  const plain = parse('');
  assert.equal(plain.budgets, undefined);
  assert.equal(plain.historyDir, undefined);
});

test('budget errors name the field and the value', () => {
  assert.equal(problem('budgets:\n  - maxJoulesPerSample: -1\n'), 'nightly.yaml: budgets[0].maxJoulesPerSample: expected a positive number or a limit relative to the baseline like "20% below baseline", got -1');
  assert.equal(problem('budgets:\n  - match: mlp\n'), 'nightly.yaml: budgets[0]: a budget needs at least one limit | add one of maxJoulesPerSample, maxWhPer1kSamples, minSamplesPerJoule, maxP99Ms, maxJoulesPerRequest, maxRegression');
  assert.match(problem('budgets:\n  - match: mlp\n    maxP99: 3\n'), /budgets\[0\]: unknown key "maxP99" — did you mean "maxP99Ms"\?/);
  assert.match(problem('budgets:\n  - maxRegression: 120%\n'), /budgets\[0\]\.maxRegression: expected a percentage from 0 to 100 like 5 or "5%", got "120%"/);
  assert.match(problem('budgets:\n  - maxJoulesPerSample: "100% below baseline"\n'), /cannot be 100% or more below the baseline/);
  assert.match(problem('budgets:\n  - match: "mlp fp32"\n    maxP99Ms: 3\n'), /budgets\[0\]\.match: expected a model name or a key pattern/);
  assert.match(problem('budget: []\n'), /unknown key "budget" — did you mean "budgets"\?/);
  assert.match(problem('history: ""\n'), /history: expected a folder path/);
});

test('a budget can match keys pinned to a device (cuda:1, cuda#1:0)', () => {
  assert.deepEqual(parse('budgets:\n  - match: "mlp/*/cuda:1"\n    maxP99Ms: 5\n  - match: "mlp/fp32/cuda#1:0/b8"\n    maxP99Ms: 5\n').budgets!.map((b) => b.match), ['mlp/*/cuda:1', 'mlp/fp32/cuda#1:0/b8']);
  assert.ok(budgetMatches('mlp/*/cuda:1', 'mlp/fp16/cuda:1/b8'));
  assert.ok(!budgetMatches('mlp/*/cuda:1', 'mlp/fp16/cuda:0/b8'));
  assert.ok(budgetMatches('mlp/fp32/cuda:*', 'mlp/fp32/cuda:0/b1'));
});
