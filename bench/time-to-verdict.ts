// Time-to-verdict: how long the adaptive stopping rule measures before the 95% CI of samples per joule is within
// ±2%, as a multiple of the minimum measurement (repetitions × window.minSeconds), and whether the interval it stops
// on holds the truth (a benchmark, not a test).
//
// Part 1, simulated (seeded, known ground truth): the rule as the sweep applies it ("joulebench": windowedCi in
// src/stats/batch-means.ts over src/measure/batches.ts' batches per window), 3 windows of 1 s as the floor, 60 s cap,
// against the rule it replaced ("whole-window": a t-interval over whole windows), for several noise models:
//   - "2% run-to-run": every run's energy varies by 2% (CV), independently; a window holds 500 runs.
//   - "2% window-to-window": the samples per joule of whole 1 s windows vary by 2% (white noise inside windows).
//   - "drift": the same 2% per window, but AR(1)-correlated from batch to batch (φ = 0.5).
// Part 2, end to end (not with --quick): the real sweep on the built-in mlp at batch 1 and 32, its own latency noise,
// with a replay meter playing seeded white noise (20% per 10 ms reading ≈ 2% per 1 s window) around 50 W.
//   npm run bench            part 1 (4,000 trials per row) and part 2
//   npm run bench -- --quick part 1 with 1,000 trials per row
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { batchesPerWindow } from '../src/measure/batches.js';
import { scenarioNaming } from '../src/measure/prepare.js';
import { runScenario } from '../src/measure/run-scenario.js';
import { parseScenario } from '../src/scenario/schema.js';
import { ratioCi, windowedCi, type Batch } from '../src/stats/batch-means.js';
import { SeededRandom } from '../src/stats/random.js';

const quick = process.argv.includes('--quick');
const trials = quick ? 1000 : 4000;
const floorWindows = 3;
const windowS = 1;
const maxSeconds = 60;
const targetPercent = 2;

type NoiseModel = (random: SeededRandom, batchesPerWindow: number) => () => Batch;

// Truth: 100 samples per batch-worth of time at 50 J → 2 samples per joule (batch length does not matter: ratios).
const truth = 2;
const runToRun: NoiseModel = (random, perWindow) => {
  const runsPerBatch = Math.round(500 / perWindow);
  return () => {
    let energyJ = 0;
    for (let run = 0; run < runsPerBatch; run++) energyJ += (50 / runsPerBatch) * (1 + 0.02 * random.normal());
    return { samples: 100, energyJ };
  };
};
const windowToWindow: NoiseModel = (random, perWindow) => () => ({ samples: 100, energyJ: 50 * (1 + 0.02 * Math.sqrt(perWindow) * random.normal()) });
const drift: NoiseModel = (random, perWindow) => {
  // AR(1) with φ = 0.5: a window mean of B batches has variance σ²·(1+φ)/(1−φ)/B asymptotically; scale σ so that a
  // window's samples per joule still varies by about 2%.
  const phi = 0.5;
  const sigma = 0.02 * Math.sqrt(perWindow / ((1 + phi) / (1 - phi)));
  let state = random.normal();
  return () => {
    state = phi * state + Math.sqrt(1 - phi * phi) * random.normal();
    return { samples: 100, energyJ: 50 * (1 + sigma * state) };
  };
};

interface Outcome {
  seconds: number;
  covered: boolean;
  capped: boolean;
}

function simulate(model: NoiseModel, perWindow: number, estimator: 'joulebench' | 'whole-window', random: SeededRandom): Outcome {
  const next = model(random, perWindow);
  const windows: Batch[][] = [];
  for (;;) {
    windows.push(Array.from({ length: perWindow }, next));
    if (windows.length < floorWindows) continue;
    const ci = estimator === 'joulebench'
      ? windowedCi(windows)
      : ratioCi(windows.map((batches) => ({ samples: batches.reduce((s, b) => s + b.samples, 0), energyJ: batches.reduce((s, b) => s + b.energyJ, 0) })));
    const seconds = windows.length * windowS;
    const done = ci.halfWidthPercent <= targetPercent;
    if (done || seconds >= maxSeconds) {
      return { seconds, covered: Math.abs(ci.ratio - truth) <= (ci.halfWidthPercent / 100) * ci.ratio, capped: !done };
    }
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const minimumS = floorWindows * windowS;
const rows: string[] = [];
const models: Array<[string, NoiseModel]> = [['2% run-to-run', runToRun], ['2% window-to-window', windowToWindow], ['drift (AR1 0.5)', drift]];
for (const [meterLabel, periodMs] of [['10 ms meter (RAPL, NVML)', 10], ['100 ms meter (nvidia-smi)', 100]] as const) {
  const perWindow = batchesPerWindow(windowS, 500, periodMs);
  for (const [label, model] of models) {
    for (const estimator of ['joulebench', 'whole-window'] as const) {
      const random = new SeededRandom(20261124);
      const outcomes = Array.from({ length: trials }, () => simulate(model, perWindow, estimator, random));
      const ratios = outcomes.map((o) => o.seconds / minimumS).sort((a, b) => a - b);
      const mean = ratios.reduce((s, r) => s + r, 0) / ratios.length;
      const coverage = outcomes.filter((o) => o.covered).length / trials;
      const capped = outcomes.filter((o) => o.capped).length / trials;
      rows.push(
        `${meterLabel.padEnd(26)} ${label.padEnd(20)} ${estimator.padEnd(12)} ${perWindow.toString().padStart(2)}/window  time ÷ minimum: median ${quantile(ratios, 0.5).toFixed(2)}, mean ${mean.toFixed(2)}, p90 ${quantile(ratios, 0.9).toFixed(2)}   CI holds truth ${(coverage * 100).toFixed(1)}%${capped > 0 ? `   capped ${(capped * 100).toFixed(1)}%` : ''}`,
      );
    }
  }
}
process.stdout.write(
  `time to verdict (simulated, ${trials} seeded trials per row; target ±${targetPercent}% 95% CI; floor ${floorWindows} × ${windowS} s windows = the minimum; cap ${maxSeconds} s; goal ≤ 1.5× the minimum)\n${rows.join('\n')}\n`,
);

if (!quick) {
  // End to end: the real sweep, the real rule, a synthetic meter with known noise.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-verdict-'));
  try {
    const random = new SeededRandom(7);
    const lines = ['t_ms,watts'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i * 10},${(50 * (1 + 0.2 * random.normal())).toFixed(3)}`);
    await writeFile(path.join(dir, 'noisy.csv'), `${lines.join('\n')}\n`);
    const scenario = parseScenario(
      {
        models: ['mlp'], batchSizes: [1, 32], window: { minSeconds: windowS, minRuns: 10 }, repetitions: floorWindows, idleSeconds: 0, meters: ['replay:noisy.csv'], out: 'results',
        stopping: { targetCiPercent: targetPercent, maxSeconds },
      },
      { file: null, baseDir: dir },
    );
    const { result } = await runScenario(scenario, { toolVersion: 'bench', naming: scenarioNaming(null), isolate: false, reports: false, meterSettings: { 'powercap-root': '/nonexistent' } });
    const lines2 = result.measurements.map((m) => {
      const stop = m.stopping!;
      const cv = (values: number[]) => {
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        return (100 * Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1))) / mean;
      };
      const spread = `window-to-window CV: samples/J ${cv(m.repetitions.map((r) => r.samples / r.energyJ)).toFixed(2)}%, throughput ${cv(m.repetitions.map((r) => r.samplesPerSecond)).toFixed(2)}%, power ${cv(m.repetitions.map((r) => r.meanWatts)).toFixed(2)}%`;
      return `${m.key.padEnd(20)} ${stop.rule.padEnd(11)} ${stop.windows} windows, ${stop.measuredS.toFixed(2)} s = ${(stop.measuredS / minimumS).toFixed(2)}× the minimum; CI ±${stop.ciHalfWidthPercent?.toFixed(2)}% over ${stop.windows} windows (docs/statistics.md); ${spread}`;
    });
    process.stdout.write(`time to verdict, end to end (runScenario, stopping: {targetCiPercent: ${targetPercent}}, replay meter with 20% noise per 10 ms reading; ${os.cpus()[0]?.model} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)})\n${lines2.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
