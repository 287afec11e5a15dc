// Isolation overhead: throughput of a window timed in the group's child process ÷ the same window in-process,
// interleaved A/B/A/B to cancel drift (a benchmark, not a test). Both sides time the same timedWindow loop; only
// the request and the results (times, latencies) cross the process boundary, outside the loop.
//   npm run bench            6 pairs of 2 s windows per configuration
//   npm run bench -- --quick 5 pairs of 0.5 s windows
//   node --import tsx bench/isolation-overhead.ts [--quick] [--threads N]   this benchmark alone
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { resolveBatchLayout } from '../src/onnx/batch-axis.js';
import { ensureBuiltinModel } from '../src/model/builtin.js';
import { describeModel } from '../src/model/inspect.js';
import { ChildProcessHost, InProcessHost, type SessionHost } from '../src/runtime/session-host.js';

const quick = process.argv.includes('--quick');
const pairs = quick ? 5 : 6;
const windowS = quick ? 0.5 : 2;
// `--threads N`: intra-op threads on both sides (default onnxruntime's choice); 1 is steadier on a busy machine.
const threadsAt = process.argv.indexOf('--threads');
const threads = threadsAt > 0 ? Number(process.argv[threadsAt + 1]) : null;

const rows: string[] = [];
for (const name of ['mlp', 'cnn', 'transformer'] as const) {
  const built = await ensureBuiltinModel(name);
  const layout = resolveBatchLayout(describeModel(await readFile(built.path), built.path), {}, { shape: (input) => `--shape ${input}=` });
  const hosts: SessionHost[] = [new InProcessHost(() => false), new ChildProcessHost()];
  for (const host of hosts) await host.open({ modelPath: built.path, provider: 'cpu', providerOptions: {}, threads });
  for (const batch of [1, 32]) {
    const key = `${name}/b${batch}`;
    for (const host of hosts) await host.begin({ key, batchSize: batch, inputs: layout.inputs, warmupRuns: 3, warmupS: 0.3 });
    const ratios: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const rate = async (host: SessionHost) => {
        const window = await host.window(key, 1, windowS);
        return window.runs / ((window.t1Ms - window.t0Ms) / 1000);
      };
      // Alternate which side goes first, so a slow start or drift does not favour one.
      let inProcess: number;
      let isolated: number;
      if (pair % 2 === 0) {
        inProcess = await rate(hosts[0]!);
        isolated = await rate(hosts[1]!);
      } else {
        isolated = await rate(hosts[1]!);
        inProcess = await rate(hosts[0]!);
      }
      ratios.push(isolated / inProcess);
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    rows.push(`${`${name} b${batch}`.padEnd(16)} isolated/in-process median ${median.toFixed(3)}  (min ${ratios[0]!.toFixed(3)}, max ${ratios.at(-1)!.toFixed(3)}, ${pairs} pairs × ${windowS} s)`);
  }
  for (const host of hosts) await host.close();
}
process.stdout.write(`isolation overhead on ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.versions.node}, threads ${threads ?? 'default'}, load ${os.loadavg()[0]!.toFixed(1)}\n${rows.join('\n')}\n`);
