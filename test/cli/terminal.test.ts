import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resumeCommand } from '../../src/cli/execute.js';
import { heartbeatMs, ProgressPrinter } from '../../src/cli/terminal.js';

// A printer on a fake clock, writing to an array: no TTY (a CI log).
function printer() {
  const clock = { ms: 0 };
  const out: string[] = [];
  const progress = new ProgressPrinter(5, false, { tty: false, write: (text) => out.push(text), nowMs: () => clock.ms });
  return { clock, out, progress };
}

test('without a TTY: a line at least every 10 s inside a long window, none sooner', () => {
  const { clock, out, progress } = printer();
  progress.handle({ type: 'config-start', index: 1, total: 2, key: 'mlp/fp32/cpu/b1' });
  assert.deepEqual(out, []);
  clock.ms = heartbeatMs - 1;
  progress.tick();
  assert.deepEqual(out, []);
  clock.ms = heartbeatMs;
  progress.tick();
  assert.deepEqual(out, ['still working: [1/2] mlp/fp32/cpu/b1 … (0:10 elapsed)\n']);
  // The next one 10 s after that line, with the latest state.
  clock.ms = 12_000;
  progress.handle({ type: 'window', index: 1, total: 2, key: 'mlp/fp32/cpu/b1', repetition: 1, repetitions: 3, samplesPerSecond: 1500, watts: 20, round: 2 });
  clock.ms = 19_999;
  progress.tick();
  assert.equal(out.length, 1);
  clock.ms = 20_000;
  progress.tick();
  assert.equal(out[1], 'still working: [1/2] mlp/fp32/cpu/b1  round 2  1,500 samples/s  20.0 W (0:20 elapsed)\n');
});

test('a printed line resets the 10 s', () => {
  const { clock, out, progress } = printer();
  progress.handle({ type: 'config-start', index: 1, total: 1, key: 'k' });
  clock.ms = 9_000;
  progress.handle({ type: 'round-end', model: 'm', round: 1, racing: 3, eliminated: [] });
  clock.ms = 18_000;
  progress.tick();
  assert.deepEqual(out, ['m round 1: 3 still racing\n']);
  clock.ms = 19_000;
  progress.tick();
  assert.equal(out[1], 'still working: [1/1] k … (0:19 elapsed)\n');
});

test('a TTY gets the live line only, no heartbeat lines', () => {
  const clock = { ms: 0 };
  const out: string[] = [];
  const progress = new ProgressPrinter(5, false, { tty: true, write: (text) => out.push(text), nowMs: () => clock.ms });
  progress.handle({ type: 'config-start', index: 1, total: 1, key: 'k' });
  clock.ms = 60_000;
  progress.tick();
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^\r\[1\/1\] k …/);
});

test('the resume command is the one typed, its --resume replaced, odd words quoted', () => {
  assert.equal(resumeCommand(['run', 'scenarios/quick.yaml', '--quick'], 'results/20261203-x'), 'joulebench run scenarios/quick.yaml --quick --resume results/20261203-x');
  assert.equal(resumeCommand(['bench', 'my model.onnx', '--resume', 'old', '-b', '1'], 'r'), "joulebench bench 'my model.onnx' -b 1 --resume r");
  assert.equal(resumeCommand(['bench', 'mlp', '--resume=old'], "it's"), "joulebench bench mlp --resume 'it'\\''s'");
});

test('the answer comes first: one line per model, one margin (N× the samples/J of …), µJ/mJ, Wh and CO2e per million', async () => {
  const { syntheticResult } = await import('../fixtures/synthetic-results.js');
  const { recommend } = await import('../../src/results/recommend.js');
  const { renderRankedTable } = await import('../../src/cli/terminal.js');
  const result = syntheticResult({
    measurements: [
      { model: 'n', batch: 1, samplesPerJoule: [100, 100, 100] },
      { model: 'n', batch: 8, samplesPerJoule: [200, 200, 200] },
      { model: 'n', batch: 32, samplesPerJoule: [300, 300, 300] },
    ],
  });
  // 475 gCO2e/kWh: Wh per 1,000 samples ÷ 1000 × 475.
  for (const m of result.measurements) m.energy!.gCO2ePer1kSamples = (m.energy!.whPer1kSamples / 1000) * 475;
  result.recommendations = recommend(result.measurements, null);
  const lines = renderRankedTable(result).split('\n');
  assert.equal(lines[0], 'Answer — the most samples per joule:');
  // 1/300 J = 3.33 mJ; 1/300 × 10^6 / 3600 Wh = 926 mWh per million; × 475 g/kWh = 440 mg; 300 ÷ 200 = 1.50×, 300 ÷ 100 = 3.00×.
  assert.equal(lines[1], '  n: n/fp32/cpu/b32 — 3.33 mJ/sample, 926 mWh and 440 mg CO2e per million samples, p99 2.00 ms; 1.50× the samples/J of n/fp32/cpu/b8 (95% CI 1.50×–1.50×), 3.00× that of n/fp32/cpu/b1');
  assert.equal(lines[2], '');
  assert.match(lines[3]!, /^#  configuration {3}samples\/J  energy\/sample/);
  const text = lines.join('\n');
  assert.match(text, /^1  n\/fp32\/cpu\/b32 .* 3\.33 mJ /m);
  // The runner-up's gap is the answer's margin: not said a second time.
  assert.doesNotMatch(text, /why not/);
  assert.doesNotMatch(text, /saves|less efficient|per 1,000 samples/);
});

test('the last line of a run: each model → its pick with J/sample in human units; none when nothing is recommended', async () => {
  const { renderAnswerRecap } = await import('../../src/cli/terminal.js');
  const recommendation = (model: string, key: string, samplesPerJoule: number, extra: Record<string, unknown> = {}) =>
    ({ model, key, samplesPerJoule, p99Ms: 1, reason: '', estimated: false, ...extra });
  const result = (recommendations: unknown[]) => ({ recommendations }) as unknown as Parameters<typeof renderAnswerRecap>[0];
  // 1 ÷ 2,500 samples/J = 400 µJ; 1 ÷ 125 = 8 mJ.
  assert.equal(
    renderAnswerRecap(result([recommendation('mlp', 'mlp/int8/cpu/b32', 2500), recommendation('cnn', 'cnn/fp32/cpu/b8', 125)])),
    'answer: mlp → mlp/int8/cpu/b32 (400 µJ/sample) · cnn → cnn/fp32/cpu/b8 (8.00 mJ/sample)',
  );
  assert.equal(
    renderAnswerRecap(result([recommendation('mlp', 'mlp/int8/cpu/b32', 2500, { estimated: true }), recommendation('cnn', 'cnn/fp32/cpu/b8', 125, { valid: false })])),
    'answer (power estimated): mlp → mlp/int8/cpu/b32 (400 µJ/sample)',
  );
  assert.equal(renderAnswerRecap(result([recommendation('cnn', 'cnn/fp32/cpu/b8', 125, { meetsSlo: false })])), null);
});
