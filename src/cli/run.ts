// `joulebench run <scenario.yaml>`: run a scenario file.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { scenarioNaming } from '../measure/prepare.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { isolationFlags, meterFlagHelp, meterFlagOptions, meterSettingsFlags, sweepFlagOptions, withUsage } from './args.js';
import { withFlagBudgets } from './budgets.js';
import { carbonFlagHelp, withCarbonFlags } from './carbon-flags.js';
import { metricsFlagHelp, metricsFlags } from './metrics-flags.js';
import { applyScenarioFlags, givenFlags, renameFieldsToFlags, scenarioFlagHelp, scenarioFlagOptions, stoppingFlagsGiven } from './scenario-flags.js';
import { executeScenario, exportFlags } from './execute.js';
import { emptyShardMessage, parseShardSpec, selectShard } from '../fleet/shards.js';
import { dryRunPlan, renderDryRun } from './dry-run.js';
import { expandPlan } from '../scenario/expand.js';

/** Help text for `run`. */
export const runHelp = `joulebench run <scenario.yaml> [options]

Run every configuration of a scenario file; write a run folder (result.json, report.html with charts, report.md,
measurements.csv, charts/*.png, traces/) and print the recommendation, then the ranked table.

  --dry-run              print the plan (configurations, variants to make, worst-case time from the caps; --json: as JSON), exit 0
  --quick                short windows (0.3 s, 2 repetitions, 1 s idle): a smoke test, not a measurement
${meterFlagHelp(25)}
  --shard I/N            run shard I (from 0) of N: \`joulebench plan\` shows which configurations; auto/N takes I from
                         SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; \`joulebench merge\` joins the run folders
  --resume RUN_DIR       finish an interrupted run: measure only its unfinished configurations, into the same folder
                         (the scenario, flags, models, machine and meters must be the same)
  --json                 print result.json to stdout instead of the table
  --export-json FILE     also copy result.json to FILE (as hyperfine's --export-*; FILE's folder is created)
  --export-csv FILE      also copy measurements.csv (one row per configuration) to FILE
  --export-markdown FILE also copy report.md to FILE
  --baseline FILE        baseline result.json for the scenario's relative budgets; without budgets: gate every
                         configuration at --max-regression (see joulebench compare)
  --max-regression P     fail (exit 1) when a configuration regresses P or more against --baseline (default 5%)
  --history DIR          append this run to the history store in DIR (see joulebench history)
${carbonFlagHelp(25)}
${metricsFlagHelp(25)}
  --config-timeout S     kill a configuration's group (its child process) after S seconds; recorded as failed
  --no-isolate           run every group in this process (debugging; a native crash then ends the whole run)
  -h, --help             this help

Scenario overrides (each replaces the file's value; same names as bench):
${scenarioFlagHelp('run', 25)}`;

/** Make a scenario quick: for smoke tests and CI, clearly not a real measurement (the stopping flags given still apply). */
export function quickened(scenario: Scenario, keepStopping = false): Scenario {
  return {
    ...scenario,
    warmup: { runs: Math.min(scenario.warmup.runs, 2), seconds: Math.min(scenario.warmup.seconds, 0.1) },
    window: { minSeconds: Math.min(scenario.window.minSeconds, 0.3), minRuns: Math.min(scenario.window.minRuns, 3) },
    repetitions: Math.min(scenario.repetitions, 2),
    idleSeconds: Math.min(scenario.idleSeconds, 1),
    stopping: keepStopping ? scenario.stopping : null,
  };
}

/**
 * The scenario file with the command line's scenario flags laid over it (errors name the flag), quickened by
 * --quick: what `run` measures and `plan` cuts into shards.
 */
export async function scenarioWithFlags(file: string, values: Record<string, unknown>): Promise<Scenario> {
  const given = givenFlags('run', values);
  let scenario: Scenario;
  try {
    scenario = await loadScenarioFile(file, { overrides: (raw) => applyScenarioFlags(raw, given, values) });
  } catch (error) {
    throw error instanceof InputError ? renameFieldsToFlags(error, path.basename(file), given) : error;
  }
  // --quick measures fixed repetitions unless --target-ci/--equivalence/--max-seconds ask otherwise.
  return values.quick ? quickened(scenario, stoppingFlagsGiven(values)) : scenario;
}

/** Entry point of `run`. */
export async function runCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('run', runHelp, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { ...sweepFlagOptions, shard: { type: 'string' }, ...meterFlagOptions(), ...scenarioFlagOptions('run') } }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `run: expected one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench run scenarios/quick.yaml',
    });
  }
  const file = path.resolve(positionals[0]!);
  let scenario = await scenarioWithFlags(file, values);
  scenario = withFlagBudgets(scenario, values);
  scenario = withCarbonFlags(scenario, values);
  const naming = scenarioNaming(path.basename(positionals[0]!));
  const shard = values.shard === undefined ? undefined : parseShardSpec(values.shard);
  const empty = shard ? emptyShardMessage(expandPlan(scenario), scenario.stopping, shard) : null;
  if (empty) {
    process.stderr.write(`${empty}\n`);
    return ExitCode.ok;
  }
  if (values['dry-run']) {
    const configs = shard ? selectShard(expandPlan(scenario), scenario.stopping, shard).configs : expandPlan(scenario);
    const plan = dryRunPlan(scenario, configs);
    process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderDryRun(plan, scenario)}\n`);
    return ExitCode.ok;
  }
  return executeScenario(scenario, naming, {
    json: values.json ?? false,
    rerun: ['run', ...argv],
    ...(shard ? { shard } : {}),
    ...isolationFlags(values),
    ...exportFlags(values),
    ...metricsFlags(values),
    ...(values.baseline ? { baseline: values.baseline } : {}),
    ...(values.history ? { historyDir: values.history } : {}),
    ...(values.resume ? { resume: path.resolve(values.resume) } : {}),
    meterSettings: meterSettingsFlags(values),
  });
}
