// Each meter's own CPU cost while sampling, in % of one core of this process (a benchmark, not a test).
// Vendor tools are the test fakes (their own processes are not counted: only what joulebench spends parsing).
//   npm run bench            5 s per meter
//   npm run bench -- --quick 2 s per meter
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EstimateMeter } from '../src/power/estimate.js';
import { openHwmonMeters } from '../src/power/hwmon.js';
import { createNvidiaSmiMeterFactory } from '../src/power/nvidia-smi.js';
import { createRaplMeterFactory } from '../src/power/rapl.js';
import type { MeterContext, PowerMeter } from '../src/power/types.js';
import { createFakeHwmon, jetsonOrinNano } from '../test/fixtures/hwmon.js';

const seconds = process.argv.includes('--quick') ? 3 : 9;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// CPU this process spends while `meters` sample, in % of one core: the median of three spans of `seconds`
// (single spans on a shared VM swing by a few tenths of a percent with GC and timer scheduling).
async function cpuPercent(meters: PowerMeter[] | null): Promise<number> {
  for (const meter of meters ?? []) await meter.start();
  await sleep(300);
  const spans: number[] = [];
  for (let span = 0; span < 3; span++) {
    const before = process.cpuUsage();
    const t0 = performance.now();
    await sleep((seconds * 1000) / 3);
    const used = process.cpuUsage(before);
    spans.push(((used.user + used.system) / 1000 / (performance.now() - t0)) * 100);
  }
  for (const meter of meters ?? []) await meter.stop();
  return spans.sort((a, b) => a - b)[1]!;
}

const context = (over: Partial<MeterContext> = {}): MeterContext => ({ cpuTdpWatts: null, baseDir: root, settings: { 'powercap-root': '/nonexistent' }, gpus: null, ...over });
const rows: string[] = [];
const idle = await cpuPercent(null);
rows.push(`${'idle Node process'.padEnd(28)} ${idle.toFixed(2)}% of a core (subtracted below)`);

for (const periodMs of [100, 10]) {
  const cost = (await cpuPercent([new EstimateMeter(100, 'bench', periodMs)])) - idle;
  rows.push(`${`estimate @ ${periodMs} ms`.padEnd(28)} ${cost.toFixed(2)}%`);
}

const fakeBin = path.join(root, 'test/fixtures/bin/nvidia');
for (const periodMs of [100, 50]) {
  for (const gpus of [1, 8]) {
    const factory = createNvidiaSmiMeterFactory({
      periodMs,
      env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_NVSMI_WATTS: Array(gpus).fill('250').join(',') },
    });
    const meters = await factory.create(context(), null);
    const cost = (await cpuPercent(meters)) - idle;
    rows.push(`${`nvidia-smi @ ${periodMs} ms, ${gpus} GPU${gpus > 1 ? 's' : ''}`.padEnd(28)} ${cost.toFixed(2)}%`);
  }
}

// The fake powercap tree is rewritten every 5 ms by a separate process, so only the meter's reads count here.
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/fake-powercap-process.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
const powercapRoot = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
try {
  for (const periodMs of [100, 10]) {
    const meters = await createRaplMeterFactory({ periodMs }).create(context({ settings: { 'powercap-root': powercapRoot } }), null);
    const cost = (await cpuPercent(meters)) - idle;
    rows.push(`${`rapl @ ${periodMs} ms`.padEnd(28)} ${cost.toFixed(2)}%`);
  }
} finally {
  child.kill('SIGTERM');
}
// hwmon: a Jetson's INA3221 (the default reads VDD_IN: 2 files a poll), and its two sub-rails plus an i915 energy counter
// (5 files a poll). The fake's files stand still, so only the meter's reads and parsing count.
const hwmon = createFakeHwmon([jetsonOrinNano(7, 2, 1.5), { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20 }] }]);
try {
  for (const [label, selection] of [['hwmon @ 100 ms, 1 rail', null], ['hwmon @ 100 ms, 2 rails+i915', ['hwmon0/VDD_CPU_GPU_CV', 'VDD_SOC', 'i915']]] as const) {
    const meters = openHwmonMeters(hwmon.root, selection === null ? null : [...selection], { periodMs: 100 });
    const cost = (await cpuPercent(meters)) - idle;
    rows.push(`${label.padEnd(28)} ${cost.toFixed(2)}%`);
  }
} finally {
  hwmon.close();
}
process.stdout.write(`meter CPU cost on ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.versions.node}, ${seconds} s each (median of three spans)\n${rows.join('\n')}\n`);
