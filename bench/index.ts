// `npm run bench [-- --quick]`: every benchmark in turn, each in its own process, with the flags passed through.
// With --quick (the CI step) the harness ratio is a gate: harness-overhead exits 1 when a median ratio is below
// 0.95, and is given one more try before the gate fails (shared CI machines have noisy neighbours).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const run = (script: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { stdio: 'inherit' }).status ?? 1;

let failed = false;
for (const script of ['harness-overhead.ts', 'isolation-overhead.ts', 'meter-cost.ts', 'report-and-startup.ts', 'variant-generation.ts', 'time-to-verdict.ts', 'race-decision.ts']) {
  let status = run(script);
  if (status !== 0 && script === 'harness-overhead.ts' && args.includes('--quick')) {
    process.stderr.write('bench: the harness ratio gate failed; measuring once more before failing\n');
    status = run(script);
  }
  if (status !== 0) {
    process.stderr.write(`bench: ${script} failed (exit ${status})\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
