// Harness throughput ÷ bare-loop throughput, interleaved A/B/A/B to cancel drift (a benchmark, not a test).
//   npm run bench            full: 6 pairs of 2 s windows per configuration
//   npm run bench -- --quick 5 pairs of 0.5 s windows, and exit 1 when a median ratio is below 0.95 (the CI gate)
import * as ort from 'onnxruntime-node';
import { describeModel } from '../src/model/inspect.js';
import { resolveBatchLayout } from '../src/model/batch-axis.js';
import { ensureBuiltinModel } from '../src/model/builtin.js';
import { synthesiseFeeds } from '../src/runtime/inputs.js';
import { LatencyRecorder, preallocateOutputs, timedWindow } from '../src/runtime/session.js';
import { EstimateMeter } from '../src/power/estimate.js';
import { readFile } from 'node:fs/promises';
import os from 'node:os';

const quick = process.argv.includes('--quick');
const pairs = quick ? 5 : 6;
const windowS = quick ? 0.5 : 2;

async function bare(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor> | undefined, seconds: number) {
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let runs = 0;
  while (performance.now() < deadline) {
    if (fetches) await session.run(feeds, fetches);
    else await session.run(feeds);
    runs++;
  }
  return runs / ((performance.now() - t0) / 1000);
}

const rows: string[] = [];
const gateRatio = 0.95;
const maxBareCv = 0.05;
let noisyRows = 0;
const belowGate: string[] = [];
for (const name of ['mlp', 'cnn', 'transformer'] as const) {
  const built = await ensureBuiltinModel(name);
  const info = describeModel(await readFile(built.path), built.path);
  const layout = resolveBatchLayout(info, {}, { shape: (input) => `--shape ${input}=` });
  const session = await ort.InferenceSession.create(built.path, { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  for (const batch of [1, 32]) {
    const feeds = synthesiseFeeds(layout.inputs, batch);
    const fetches = preallocateOutputs(await session.run(feeds));
    await bare(session, feeds, fetches, 0.3); // warm-up
    // The harness runs with the estimate meter sampling, as in a real sweep.
    const meter = new EstimateMeter(100, 'bench');
    await meter.start();
    const ratios: number[] = [];
    const bareRates: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const bareRate = await bare(session, feeds, fetches, windowS);
      bareRates.push(bareRate);
      const latencies = new LatencyRecorder();
      const timing = await timedWindow(session, feeds, fetches, 1, windowS, latencies, () => false);
      ratios.push(timing.runs / ((timing.t1Ms - timing.t0Ms) / 1000) / bareRate);
    }
    await meter.stop();
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    // The gate judges a 5% loss only where the bare loop itself repeats within 5% (CV across its windows): on a
    // machine busy with other work the ratio is noise, and a gate that fires on noise would block every change.
    const bareMean = bareRates.reduce((sum, rate) => sum + rate, 0) / bareRates.length;
    const bareCv = Math.sqrt(bareRates.reduce((sum, rate) => sum + (rate - bareMean) ** 2, 0) / (bareRates.length - 1)) / bareMean;
    const noisy = bareCv > maxBareCv;
    if (median < gateRatio && !noisy) belowGate.push(`${name} b${batch} ${median.toFixed(3)}`);
    rows.push(`${`${name} b${batch}`.padEnd(16)} harness/bare median ${median.toFixed(3)}  (min ${ratios[0]!.toFixed(3)}, max ${ratios.at(-1)!.toFixed(3)}, ${pairs} pairs × ${windowS} s; bare loop CV ${(bareCv * 100).toFixed(1)}%${noisy ? ': too noisy to gate' : ''})`);
    if (noisy) noisyRows++;
  }
  await session.release();
}
process.stdout.write(`harness overhead on ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.versions.node}\n${rows.join('\n')}\n`);
if (noisyRows > 0) process.stderr.write(`${noisyRows} configuration(s) not gated: the bare loop varied more than ${maxBareCv * 100}% between windows (a busy machine)\n`);
if (quick && belowGate.length > 0) {
  process.stderr.write(`harness/bare below ${gateRatio}: ${belowGate.join(', ')} — the timed loop costs throughput\n`);
  process.exit(1);
}
