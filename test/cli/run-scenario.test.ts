// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench run scenarios/quick.yaml --quick` — the demo scenario, shortened, with a replay meter.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertClose,
  ensureBuilt,
  fpRelTol,
  onlyRunDir,
  readResult,
  removeDir,
  repetitionTotals,
  repoRoot,
  runCli,
  sha256OfFile,
  tempDir,
  writeReplayTrace,
} from './helpers.js';

describe('run scenarios/quick.yaml --quick', { timeout: 120_000 }, () => {
  let work: string;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('run-scenario');
  });
  after(() => removeDir(work));

  test('eighteen configurations (3 models × FP32/INT8 × 3 batch sizes), all ok, with the --quick window and a 50 W replay', async () => {
    const scenarioFile = path.join(repoRoot, 'scenarios', 'quick.yaml');
    await writeReplayTrace(work, 'trace.csv', 20, () => 50);
    const cli = await runCli(['run', scenarioFile, '--quick', '--meter', 'replay:trace.csv', '--out', 'out'], {
      cwd: work,
      modelsDir: path.join(work, 'models'),
    });
    assert.equal(cli.code, 0, cli.stderr);
    const runDir = await onlyRunDir(path.join(work, 'out'));
    const result = await readResult(runDir);

    assert.equal(result.status, 'complete');
    assert.equal(result.scenario.file, scenarioFile);
    assert.equal(result.scenario.sha256, await sha256OfFile(scenarioFile));
    const resolved = result.scenario.resolved as { name: string; window: { minSeconds: number; minRuns: number }; repetitions: number; idleSeconds: number; outDir: string };
    // --quick caps the scenario's window { minSeconds: 1, minRuns: 5 }, repetitions 3 and idle 2 s.
    assert.deepEqual(
      { name: resolved.name, window: resolved.window, repetitions: resolved.repetitions, idleSeconds: resolved.idleSeconds },
      { name: 'quick', window: { minSeconds: 0.3, minRuns: 3 }, repetitions: 2, idleSeconds: 1 },
    );
    assert.equal(resolved.outDir, path.join(work, 'out'), '--out overrides the scenario\'s out: ../results');
    assert.equal(existsSync(path.join(repoRoot, 'results', result.runId)), false);

    assert.equal(result.meters[0]?.id, 'replay');
    // --quick idles 1 s (a timer: it may end up to ~1 ms early on the performance.now() clock).
    assert.ok(result.idle && Math.abs(result.idle.durationS - 1) < 0.1, `idle ${result.idle?.durationS} s`);
    assertClose(result.idle.watts.replay, 50, fpRelTol, 'idle watts');

    const expectedKeys = ['mlp', 'cnn', 'transformer'].flatMap((model) => ['fp32', 'int8'].flatMap((precision) => [1, 8, 32].map((b) => `${model}/${precision}/cpu/b${b}`)));
    assert.deepEqual(result.measurements.map((m) => m.key), expectedKeys);
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assert.equal(m.repetitions.length, 2);
      assert.equal(m.stopping!.rule, 'repetitions', '--quick measures a fixed number of windows');
      // INT8 is made from each model and checked against FP32 (cosine ≥ 0.98 is the variants' tested floor).
      if (m.model.precision === 'int8') assert.ok(m.fidelity && m.fidelity.cosine >= 0.98, `${m.key}: fidelity ${JSON.stringify(m.fidelity)}`);
      else assert.equal(m.fidelity, null);
      for (const rep of m.repetitions) {
        assert.ok(rep.durationS >= 0.3 - 1e-9, `${m.key}: window ${rep.durationS} s < 0.3 s`);
        assert.ok(rep.runs >= 3, `${m.key}: ${rep.runs} runs < 3`);
        assert.equal(rep.samples, rep.runs * m.batchSize);
      }
      assertClose(m.energy!.joulesPerSample, 50 / repetitionTotals(m).samplesPerSecond, fpRelTol, `${m.key} joulesPerSample`);
    }
    assert.equal(result.recommendations.length, 3, 'one recommendation per model');
    assert.deepEqual(result.recommendations.map((r) => r.model).sort(), ['cnn', 'mlp', 'transformer']);
    for (const file of ['report.md', 'measurements.csv']) assert.ok(existsSync(path.join(runDir, file)), file);
  });
});
