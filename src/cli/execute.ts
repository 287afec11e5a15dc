// The path `run` and `bench` share: meters, models, plan, sweep, reports, table, exit code.
import { applyBudgets, prepareGates } from '../compare/gates.js';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import type { ShardSpec } from '../fleet/shards.js';
import type { OverrideNaming } from '../measure/prepare.js';
import { runScenario } from '../measure/run-scenario.js';
import path from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { describeWritten, type WrittenReport } from '../report/formats.js';
import { copyFile, mkdir } from 'node:fs/promises';
import { displayPath } from './paths.js';
import { describePrepareEvent, renderAnswerRecap, renderRankedTable, ProgressPrinter } from './terminal.js';
import { renderBudgetReport } from './budgets.js';
import { appendToHistory } from './history.js';
import { toolVersion } from './version.js';
import type { MeterSettings } from '../power/types.js';
import { unusedMeterFlags } from './args.js';
import { RunMetricsExporter, type RunExportOptions } from '../metrics/run-exporter.js';

/** Output options common to run and bench. */
export interface ExecuteOptions {
  json: boolean;
  /** Values of the meters' own flags (`--powercap-root`, `--hwmon`, …), by flag name. */
  meterSettings?: MeterSettings;
  /** `--baseline FILE`: the baseline of budgets that name none. */
  baseline?: string;
  /** `--history DIR`: append the run to this history store (overrides the scenario's `history:`). */
  historyDir?: string;
  /** `--resume RUN_DIR` (absolute): append the unfinished configurations to that run. */
  resume?: string;
  /** Each (model variant, EP) group in a child process (default true; `--no-isolate` turns it off). */
  isolate?: boolean;
  /** `--config-timeout S`: kill a configuration's group after S seconds. */
  configTimeoutS?: number;
  /** `--openmetrics FILE` / `--metrics-port PORT`: metrics for dashboards, refreshed after every configuration. */
  metrics?: RunExportOptions;
  /** `run --shard I/N`: measure only that shard's configurations. */
  shard?: ShardSpec;
  /** `--export-json/-csv/-markdown FILE`: copies of result.json, measurements.csv and report.md (hyperfine's names). */
  exports?: { json?: string; csv?: string; markdown?: string };
  /** The command as typed (`['run', 'scenarios/quick.yaml', '--quick']`): an interrupted run prints it with `--resume`. */
  rerun?: string[];
}

/** Parse `--export-json/-csv/-markdown` of run and bench. */
export function exportFlags(values: { 'export-json'?: string | undefined; 'export-csv'?: string | undefined; 'export-markdown'?: string | undefined }): Pick<ExecuteOptions, 'exports'> {
  const exports = {
    ...(values['export-json'] ? { json: path.resolve(values['export-json']) } : {}),
    ...(values['export-csv'] ? { csv: path.resolve(values['export-csv']) } : {}),
    ...(values['export-markdown'] ? { markdown: path.resolve(values['export-markdown']) } : {}),
  };
  return Object.keys(exports).length > 0 ? { exports } : {};
}

/** Copy result.json and the reports a run wrote to the files the --export-* flags name; returns what was written. */
export async function exportCopies(exports: ExecuteOptions['exports'], resultPath: string, reports: WrittenReport[]): Promise<string[]> {
  if (!exports) return [];
  const sources: Array<[string | undefined, string | undefined]> = [
    [exports.json, resultPath],
    [exports.csv, reports.find((r) => r.format === 'csv')?.file],
    [exports.markdown, reports.find((r) => r.format === 'markdown')?.file],
  ];
  const written: string[] = [];
  for (const [target, source] of sources) {
    if (!target || !source) continue;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(source, target);
      written.push(target);
    } catch (error) {
      throw new InputError('EXPORT_FAILED', `cannot write ${displayPath(target)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { hint: `the reports are in ${displayPath(path.dirname(resultPath))}; choose a writable path for --export-*`, cause: error });
    }
  }
  return written;
}

/** The exact command that finishes an interrupted run: the one typed, its `--resume` replaced by this run's folder. */
export function resumeCommand(rerun: readonly string[], runDir: string): string {
  const kept: string[] = [];
  for (let i = 0; i < rerun.length; i++) {
    if (rerun[i] === '--resume') i++;
    else if (!rerun[i]!.startsWith('--resume=')) kept.push(rerun[i]!);
  }
  return ['joulebench', ...kept, '--resume', runDir].map(shellQuote).join(' ');
}

// POSIX shell quoting: plain words stay as they are, anything else goes in single quotes.
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// Errors that mean the user's model or input is at fault, not the machine.
const inputErrorCodes = new Set(['MODEL_REJECTED', 'INVALID_ARGUMENT', 'NO_VARIANT', 'FIXED_BATCH']);

/** Run a validated scenario end to end and return the exit code. */
export async function executeScenario(scenario: Scenario, naming: OverrideNaming, options: ExecuteOptions): Promise<ExitCodeValue> {
  // The metrics port is bound before anything is measured: a port in use is bad input (exit 2), not a lost run.
  const metrics = options.metrics ? await RunMetricsExporter.start(options.metrics) : null;
  if (metrics?.server) process.stderr.write(`metrics: serving ${metrics.server.url} while the run goes\n`);
  try {
    return await executeWithMetrics(scenario, naming, options, metrics);
  } finally {
    await metrics?.close();
  }
}

async function executeWithMetrics(scenario: Scenario, naming: OverrideNaming, options: ExecuteOptions, metrics: RunMetricsExporter | null): Promise<ExitCodeValue> {
  const prepared: { gates?: Awaited<ReturnType<typeof prepareGates>>; progress?: ProgressPrinter; runDir?: string } = {};
  const controller = new AbortController();
  const emergency: { write?: (reason: string) => void } = {};
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // result.json is rewritten atomically after every configuration, so what is on disk is already valid.
      try {
        emergency.write?.(`interrupted by ${signal} (twice: stopped at once)`);
      } catch {
        // The last atomic write on disk is complete either way.
      }
      process.stderr.write(`\n${signal} again: exiting now; result.json holds every finished configuration\n`);
      if (options.rerun && prepared.runDir) process.stderr.write(`to finish it: ${resumeCommand(options.rerun, displayPath(prepared.runDir))}\n`);
      process.exit(ExitCode.interrupted);
    }
    process.stderr.write(`\n${signal}: stopping after the current run (press Ctrl-C again to exit at once)\n`);
    controller.abort();
  };
  // The handlers stay until the reports are written: a Ctrl-C then must still exit 130, not die by the signal.
  let outcome;
  // Without a TTY, a progress line at least every 10 s, also inside a long round or window.
  const heartbeat = setInterval(() => prepared.progress?.tick(), 1000);
  heartbeat.unref();
  try {
    outcome = await runScenario(scenario, {
      toolVersion: toolVersion(), naming, isolate: options.isolate ?? true, configTimeoutS: options.configTimeoutS ?? null,
      signal: controller.signal, emergency,
      ...(options.resume ? { resumeDir: options.resume } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.meterSettings ? { meterSettings: options.meterSettings } : {}),
      onPrepare: (event) => process.stderr.write(`${describePrepareEvent(event)}\n`),
      onPlanned: async (plan) => {
        prepared.gates = await prepareGates(scenario, plan.map((config) => config.key), options);
      },
      onResume: (done, total, remaining) => process.stderr.write(`resuming ${path.basename(options.resume!)}: ${done} of ${total} configurations finished, ${remaining} to measure\n`),
      onMeters: (choices, estimated) => {
        for (const choice of choices) process.stderr.write(`meter ${choice.chosen ? '✓' : '✗'} ${choice.name}: ${choice.why}\n`);
        const chosen = choices.filter((choice) => choice.chosen).map((choice) => choice.name);
        for (const warning of unusedMeterFlags(options.meterSettings ?? {}, chosen)) process.stderr.write(`warning: ${warning}\n`);
        // Signals are caught from here on: the sweep is about to write result.json.
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        prepared.progress = new ProgressPrinter(scenario.warmup.seconds + scenario.repetitions * Math.max(scenario.window.minSeconds, 1) * 1.1, estimated);
      },
      onEvent: (event) => {
        if (event.type === 'run-dir') prepared.runDir = event.runDir;
        metrics?.handle(event);
        prepared.progress?.handle(event);
      },
    });
  } finally {
    clearInterval(heartbeat);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { result, runDir, resultPath } = outcome;
  await metrics?.finish(result);
  const { gates } = prepared;
  const budgets = result.status === 'complete' && gates ? await applyBudgets(result, resultPath, gates) : null;
  const history = result.status === 'complete' && gates?.historyDir ? await appendToHistory(gates.historyDir, result, resultPath) : null;

  const exported = await exportCopies(options.exports, resultPath, outcome.reports);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const shown = displayPath(runDir);
    // Beside result.json, so named from the run folder: one short line however many charts there are.
    const reports = outcome.reports.length > 0 ? `\nreport (same folder): ${describeWritten(outcome.reports, (file) => path.relative(runDir, file))}` : '';
    const recap = renderAnswerRecap(result);
    process.stdout.write(`\n${renderRankedTable(result)}\n\nresult: ${shown}/result.json${reports}\ntraces in ${shown}/traces/\n${exported.map((file) => `exported: ${displayPath(file)}\n`).join('')}${recap ? `\n${recap}\n` : ''}`);
  }
  // With --json, stdout holds only result.json: the gate's lines go to stderr.
  const gateOut = options.json ? process.stderr : process.stdout;
  if (budgets) gateOut.write(`\n${renderBudgetReport(budgets)}\n`);
  if (history) gateOut.write(`history: ${history.added ? 'appended as' : 'already recorded as'} run number ${history.runNumber} in ${displayPath(history.file)}\n`);

  if (result.status === 'interrupted') {
    process.stderr.write(`run ${result.status}: ${result.stopReason}; ${result.measurements.length} configuration(s) saved in ${displayPath(resultPath)}\n`);
    if (options.rerun) process.stderr.write(`to finish it: ${resumeCommand(options.rerun, displayPath(runDir))}\n`);
    return controller.signal.aborted ? ExitCode.interrupted : ExitCode.runtimeFailure;
  }
  const ok = result.measurements.filter((m) => m.status === 'ok');
  const skipped = result.measurements.filter((m) => m.status === 'skipped');
  if (ok.length === 0 && skipped.length > 0 && skipped.length === result.measurements.length) {
    // Every configuration was skipped for a named reason (a variant that does not apply, a batch the model cannot take):
    // the user's choice of models and precisions is at fault, as when one such configuration is asked for alone.
    const reasons = [...new Set(skipped.map((m) => `${m.error?.message ?? 'skipped'}${m.error ? ` [${m.error.code}]` : ''}`))];
    process.stderr.write(`joulebench: every configuration was skipped:\n${reasons.map((reason) => `  ${reason}`).join('\n')}\n`);
    return ExitCode.badInput;
  }
  if (ok.length === 0) {
    const failures = result.measurements.filter((m) => m.error);
    const first = failures[0];
    process.stderr.write(`joulebench: no configuration could be measured${first ? ` — ${first.key}: ${first.error!.message}` : ''}\n`);
    return failures.length > 0 && failures.every((m) => inputErrorCodes.has(m.error!.code)) ? ExitCode.badInput : ExitCode.runtimeFailure;
  }
  return budgets && !budgets.passed ? ExitCode.gateFailed : ExitCode.ok;
}
