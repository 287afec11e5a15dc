// Numbers out of range are refused with the field, the range and the value (a typo must not cost hours).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { parseScenarioYaml } from '../../src/scenario/load.js';

const context = { file: '/work/scenarios/x.yaml', baseDir: '/work/scenarios' };

const cases: Array<[string, string]> = [
  ['window: {minSeconds: 1e12}', 'window.minSeconds: expected a positive number of seconds, at most 3600, got 1000000000000'],
  ['window: {minSeconds: .inf}', 'window.minSeconds: expected a positive number of seconds, got Infinity'],
  ['window: {minRuns: 1e15}', 'window.minRuns: expected a positive integer, at most 10000000'],
  ['warmup: {runs: 2000000}', 'warmup.runs: expected an integer from 0 to 1000000, got 2000000'],
  ['warmup: {seconds: 4000}', 'warmup.seconds: expected a number of seconds from 0 to 3600, got 4000'],
  ['stopping: {maxSeconds: 1e6}', 'stopping.maxSeconds: expected a positive number of seconds, at most 86400'],
  ['stopping: {targetCiPercent: 2500}', 'stopping.targetCiPercent: expected a percentage of at most 1000'],
  ['cooldown: {maxSeconds: 7200}', 'cooldown.maxSeconds: expected a positive number of seconds, at most 3600'],
  ['cooldown: {marginPercent: 5000}', 'cooldown.marginPercent: expected a positive percentage, at most 1000'],
  ['carbon: {pue: 120}', 'carbon.pue: expected a power usage effectiveness from 1 to 10, got 120'],
  ['carbon: {gridIntensityGPerKWh: 47500}', 'carbon.gridIntensityGPerKWh: expected grams CO2e per kWh from 0 to 5000'],
  ['cpuTdpWatts: 65000', 'cpuTdpWatts: expected a positive number of watts, at most 5000'],
  ['slo: {p99Ms: 1e300}', 'slo.p99Ms: expected a positive number of milliseconds, at most 3600000'],
  ['gpus: [4096]', 'gpus[0]: expected a GPU index from 0 to 1023'],
  ['idleSeconds: .nan', 'idleSeconds: expected a number of seconds from 0 to 600, got NaN'],
  [`name: ${'a'.repeat(101)}`, 'name: expected a scenario name of at most 100 characters'],
];

describe('scenario numbers out of range', () => {
  for (const [line, message] of cases) {
    it(line.slice(0, 40), () => {
      assert.throws(
        () => parseScenarioYaml(`models: [mlp]\n${line}\n`, context),
        (error: unknown) => error instanceof InputError && error.message.includes(`x.yaml: ${message}`),
      );
    });
  }

  it('accepts the bounds themselves', () => {
    parseScenarioYaml('models: [mlp]\nwindow: {minSeconds: 3600, minRuns: 10000000}\ncarbon: {pue: 10}\ngpus: [1023]\n', context);
  });
});
