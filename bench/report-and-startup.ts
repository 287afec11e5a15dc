// Report generation for a 1,000-measurement result (goal < 3 s including PNGs), CLI start-up to the first measured
// window, and the per-run cost of latency recording (a benchmark, not a test).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyseRuns } from '../src/report/analysis.js';
import { writeReports } from '../src/report/formats.js';
import type { Measurement, RunResult } from '../src/results/types.js';
import { LatencyRecorder } from '../src/runtime/session.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows: string[] = [];

// 1. Latency recording: one performance.now() and one typed-array store per run.
{
  const recorder = new LatencyRecorder();
  const n = 2_000_000;
  let last = performance.now();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const now = performance.now();
    recorder.push(now - last);
    last = now;
  }
  const perRunNs = ((performance.now() - t0) * 1e6) / n;
  rows.push(`latency recording: ${perRunNs.toFixed(0)} ns per run (performance.now + store), ${n.toLocaleString('en-US')} runs`);
}

// 2. Reports for a result with 1,000 measurements (10 models × 10 batch sizes × 10 thread counts), PNGs included.
{
  const fixture = JSON.parse(await readFile(path.join(root, 'test/fixtures/results/replay-server.json'), 'utf8')) as RunResult;
  const template = fixture.measurements.find((m) => m.status === 'ok')!;
  const measurements: Measurement[] = [];
  for (let model = 0; model < 10; model++) {
    for (let batch = 1; batch <= 10; batch++) {
      for (let threads = 1; threads <= 10; threads++) {
        const m = structuredClone(template);
        const scale = 1 + model * 0.1 + batch * 0.05 + threads * 0.01;
        m.key = `m${model}/fp32/cpu/b${batch}/t${threads}`;
        m.model.name = `m${model}`;
        m.batchSize = batch;
        m.threads = threads;
        m.energy!.samplesPerJoule *= scale;
        m.energy!.joulesPerSample /= scale;
        measurements.push(m);
      }
    }
  }
  const big: RunResult = { ...fixture, measurements };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-report-bench-'));
  const t0 = performance.now();
  const written = await writeReports(analyseRuns([big]), dir);
  const seconds = (performance.now() - t0) / 1000;
  rows.push(`report for 1,000 measurements: ${seconds.toFixed(2)} s for ${written.length} files (md, csv, html, ${written.filter((f) => f.format === 'charts').length} PNGs) — goal < 3 s`);
  await rm(dir, { recursive: true, force: true });
}

// 3. CLI start-up: `joulebench bench mlp` from spawn to its first measured window (built-in already on disk).
{
  const out = await mkdtemp(path.join(os.tmpdir(), 'jb-startup-'));
  const args = [path.join(root, 'bin/joulebench.js'), 'bench', 'mlp', '--batch', '1', '--idle-seconds', '0', '--warmup-runs', '1', '--warmup-seconds', '0', '--repetitions', '1', '--target-ci', 'off', '--min-seconds', '1', '--out', out];
  const timings: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // The first window starts right after the warm-up; "[1/1] … rep 1/1" or the config-end line marks it.
    const firstWindowMs = await new Promise<number>((resolve) => {
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/\[1\/1\]/.test(text)) resolve(performance.now() - t0);
      });
      child.on('exit', () => resolve(performance.now() - t0));
    });
    await new Promise((resolve) => child.on('exit', resolve));
    timings.push(firstWindowMs);
  }
  timings.sort((a, b) => a - b);
  rows.push(`CLI start-up to the first configuration (bench mlp): median ${(timings[1]! / 1000).toFixed(2)} s of 3 (includes meter probes, environment capture and session creation)`);
  await rm(out, { recursive: true, force: true });
}
process.stdout.write(`report, start-up and recording costs on ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.versions.node}\n${rows.join('\n')}\n`);
