// `joulebench run <scenario.yaml>`: run a scenario file.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { scenarioNaming } from '../measure/prepare.js';
import { loadScenarioFile } from '../scenario/load.js';
import { scenarioDefaults } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { gpuIndices, nonNegativeNumber, isolationFlags, stoppingFromFlags, sweepFlagOptions, withUsage, words } from './args.js';
import { withFlagBudgets } from './budgets.js';
import { carbonFlagHelp, withCarbonFlags } from './carbon-flags.js';
import { meterNames } from './meter-names.js';
import { executeScenario } from './execute.js';
import { emptyShardMessage, parseShardSpec } from '../fleet/shards.js';
import { expandPlan } from '../scenario/expand.js';

/** Help text for `run`. */
export const runHelp = `joulebench run <scenario.yaml> [options]

Run every configuration of a scenario file and write a run folder.

  -o, --out DIR          output folder (default: the scenario's \`out\`, else results/)
  --quick                short windows (0.3 s, 2 repetitions, 1 s idle): a smoke test, not a measurement
  --meter LIST           override the scenario's meters: ${meterNames}
  --cpu-tdp-watts W      TDP for the estimate meter (when the CPU is not in its table)
  --gpus 0,1             GPUs to use (overrides the scenario's devices): cuda/tensorrt/dml run on each in turn,
                         only these are metered, each configuration counts its own GPU
  --powercap-root DIR    RAPL powercap folder (default $JOULEBENCH_POWERCAP_ROOT or /sys/class/powercap)
  --equivalence P        race (the default stopping rule): configurations within ±P% are indistinguishable
                         (default 3)
  --target-ci P|off      stop each configuration when the 95% CI of its samples/J is within ±P% instead of
                         racing; off: exactly --repetitions windows each
  --max-seconds S        adaptive stopping: at most S seconds of windows per configuration (default 60)
  --slo-p99-ms MS        latency SLO for the recommendation (overrides the scenario's slo.p99Ms)
  --shard I/N            run shard I (from 0) of N: \`joulebench plan\` shows which configurations; auto/N takes I from
                         SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; \`joulebench merge\` joins the run folders
  --resume RUN_DIR       finish an interrupted run: measure only its unfinished configurations, into the same folder
                         (the scenario, flags, models, machine and meters must be the same)
  --allow-outside-paths  let the scenario's model, variant and replay paths leave its folder (same as
                         \`allowOutsidePaths: true\` in the scenario; off by default, for scenarios from elsewhere)
  --json                 print result.json to stdout instead of the table
  --baseline FILE        baseline result.json for the scenario's relative budgets; without budgets: gate every
                         configuration at --max-regression (see joulebench compare)
  --max-regression P     fail (exit 1) when a configuration regresses P or more against --baseline (default 5%)
  --history DIR          append this run to the history store in DIR (see joulebench history)
${carbonFlagHelp(25)}
  --config-timeout S     kill a configuration's group (its child process) after S seconds; recorded as failed
  --no-isolate           run every group in this process (debugging; a native crash then ends the whole run)
  -h, --help             this help`;

/** Make a scenario quick: for smoke tests and CI, clearly not a real measurement. */
export function quickened(scenario: Scenario): Scenario {
  return {
    ...scenario,
    warmup: { runs: Math.min(scenario.warmup.runs, 2), seconds: Math.min(scenario.warmup.seconds, 0.1) },
    window: { minSeconds: Math.min(scenario.window.minSeconds, 0.3), minRuns: Math.min(scenario.window.minRuns, 3) },
    repetitions: Math.min(scenario.repetitions, 2),
    idleSeconds: Math.min(scenario.idleSeconds, 1),
    stopping: null,
  };
}

/** Entry point of `run`. */
export async function runCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('run', runHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...sweepFlagOptions, shard: { type: 'string' }, 'allow-outside-paths': { type: 'boolean', default: false } },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `run: expected one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench run scenarios/quick.yaml',
    });
  }
  let scenario = await loadScenarioFile(path.resolve(positionals[0]!), { allowOutsidePaths: values['allow-outside-paths'] });
  if (values.out) scenario = { ...scenario, outDir: path.resolve(values.out) };
  if (values.meter) scenario = { ...scenario, meters: words(values.meter).map((m) => (m.startsWith('replay:') ? `replay:${path.resolve(m.slice(7))}` : m)) };
  const tdp = nonNegativeNumber('--cpu-tdp-watts', values['cpu-tdp-watts']);
  if (tdp !== undefined) scenario = { ...scenario, cpuTdpWatts: tdp };
  if (values.gpus) scenario = { ...scenario, devices: gpuIndices(values.gpus) };
  const slo = nonNegativeNumber('--slo-p99-ms', values['slo-p99-ms']);
  if (slo !== undefined) scenario = { ...scenario, slo: { p99Ms: slo } };
  // --quick measures fixed repetitions unless --target-ci/--max-seconds ask otherwise.
  if (values.quick) scenario = quickened(scenario);
  const stopping = stoppingFromFlags(values, scenario.stopping, scenarioDefaults.stopping);
  if (stopping !== undefined) scenario = { ...scenario, stopping: stopping === false ? null : stopping };
  scenario = withFlagBudgets(scenario, values);
  scenario = withCarbonFlags(scenario, values);
  const shard = values.shard === undefined ? undefined : parseShardSpec(values.shard);
  const empty = shard ? emptyShardMessage(expandPlan(scenario), scenario.stopping, shard) : null;
  if (empty) {
    process.stderr.write(`${empty}\n`);
    return ExitCode.ok;
  }
  return executeScenario(scenario, scenarioNaming(path.basename(positionals[0]!)), {
    json: values.json ?? false,
    ...(shard ? { shard } : {}),
    ...isolationFlags(values),
    ...(values.baseline ? { baseline: values.baseline } : {}),
    ...(values.history ? { historyDir: values.history } : {}),
    ...(values.resume ? { resume: path.resolve(values.resume) } : {}),
    ...(values['powercap-root'] ? { powercapRoot: path.resolve(values['powercap-root']) } : {}),
  });
}
