// `joulebench bench <model.onnx|builtin>`: a sweep from flags, no scenario file.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { dryRunPlan, renderDryRun } from './dry-run.js';
import { parseScenario, scenarioDefaults } from '../scenario/schema.js';
import path from 'node:path';
import { isolationFlags, meterFlagHelp, meterFlagOptions, meterSettingsFlags, sweepFlagOptions, withUsage } from './args.js';
import { withFlagBudgets } from './budgets.js';
import { carbonFlagHelp, withCarbonFlags } from './carbon-flags.js';
import { metricsFlagHelp, metricsFlags } from './metrics-flags.js';
import { executeScenario, exportFlags } from './execute.js';
import { quickened } from './run.js';
import { applyScenarioFlags, givenFlags, renameFieldsToFlags, scenarioFlagHelp, scenarioFlagOptions, stoppingFlagsGiven } from './scenario-flags.js';

/** Help text for `bench`. */
export const benchHelp = `joulebench bench <model.onnx | mlp | cnn | transformer> [options]

Sweep one model over batch sizes, precisions and execution providers; write a run folder (result.json, report.html
with charts, report.md, measurements.csv, charts/*.png, traces/) and print the recommendation, then the ranked table.

${scenarioFlagHelp('bench', 29)}
${carbonFlagHelp(29)}
${metricsFlagHelp(29)}
  --dry-run                  print the plan (configurations, variants to make, worst-case time from the caps; --json: as JSON), exit 0
  --quick                    short windows for a smoke test
  --resume RUN_DIR           finish an interrupted run: measure only its unfinished configurations (same flags)
${meterFlagHelp(29)}
  --json                     print result.json to stdout instead of the table
  --export-json FILE         also copy result.json to FILE (as hyperfine's --export-*; FILE's folder is created)
  --export-csv FILE          also copy measurements.csv (one row per configuration) to FILE
  --export-markdown FILE     also copy report.md to FILE
  --baseline FILE            fail (exit 1) when a configuration regresses against this result.json
  --max-regression P         the regression that fails (default 5%; see joulebench compare)
  --history DIR              append this run to the history store in DIR (see joulebench history)
  --config-timeout S         kill a configuration's group (its child process) after S seconds; recorded as failed
  --no-isolate               run every group in this process (debugging; a native crash then ends the whole run)
  -h, --help                 this help`;

/** Entry point of `bench`. */
export async function benchCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('bench', benchHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...sweepFlagOptions, ...meterFlagOptions(), ...scenarioFlagOptions('bench') },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `bench: expected one model (a .onnx path or a built-in name), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench bench mlp --batch 1,8,32',
    });
  }
  const source = positionals[0]!;
  // A file that exists is a path even without a slash or the .onnx extension.
  const model = existsSync(source) && !source.includes('/') ? `./${source}` : source;

  const given = givenFlags('bench', values);
  const raw = applyScenarioFlags({ name: scenarioDefaults.name, models: [{ model }] }, given, values);
  let scenario;
  try {
    scenario = parseScenario(raw, { file: null, baseDir: process.cwd() });
  } catch (error) {
    throw error instanceof InputError ? renameFieldsToFlags(error, 'scenario', given, [{ field: 'models[0].model', label: 'model' }]) : error;
  }
  // --quick measures fixed repetitions unless --target-ci/--equivalence/--max-seconds ask otherwise.
  if (values.quick) scenario = quickened(scenario, stoppingFlagsGiven(values));
  scenario = withFlagBudgets(scenario, values);
  scenario = withCarbonFlags(scenario, values);
  if (values['dry-run']) {
    const plan = dryRunPlan(scenario);
    process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderDryRun(plan, scenario)}\n`);
    return ExitCode.ok;
  }
  return executeScenario(
    scenario,
    { model: () => ({ shape: (name) => `--shape ${name}=` }), executionProvider: () => `--ep ${scenario.executionProviders.map((ep) => ep.name).join(',')}` },
    {
      json: values.json ?? false,
      rerun: ['bench', ...argv],
      ...isolationFlags(values),
      ...exportFlags(values),
      ...metricsFlags(values),
      ...(values.resume ? { resume: path.resolve(values.resume) } : {}),
      meterSettings: meterSettingsFlags(values),
      ...(values.baseline ? { baseline: values.baseline } : {}),
      ...(values.history ? { historyDir: values.history } : {}),
    },
  );
}

