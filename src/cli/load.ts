// `joulebench load <model>`: serve the model at target request rates with a dynamic batcher and report energy per
// request (idle between batches included), latency with queueing, and validity per rate.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { applyBudgets, prepareGates } from '../compare/gates.js';
import { appendToHistory } from './history.js';
import { plannedLoadKeys, runLoadScenario, type LoadEvent, type LoadSettings } from '../load/run-load.js';
import { renderBudgetReport } from './budgets.js';
import type { LoadRecord } from '../results/load-types.js';
import { loadDefaults } from '../scenario/load-section.js';
import { loadScenarioFile } from '../scenario/load.js';
import { parseScenario, scenarioDefaults } from '../scenario/schema.js';
import { describePrepareEvent } from './terminal.js';
import { meterFlagHelp, meterFlagOptions, meterSettingsFlags, nonNegativeNumber, positiveInteger, withUsage } from './args.js';
import { applyScenarioFlags, helpLines, renameFieldsToFlags, scenarioFlags, type ScenarioFlag } from './scenario-flags.js';
import { displayPath } from './paths.js';
import { toolVersion } from './version.js';

// The scenario flags that mean something here (the model's, the provider's, the meters', the SLO, the output).
const sharedFlagNames = new Set(['precision', 'ep', 'threads', 'meter', 'cpu-tdp-watts', 'gpus', 'warmup-runs', 'idle-seconds', 'slo-p99-ms', 'out', 'shape', 'feed', 'range', 'variant']);
const sharedFlags = (): ScenarioFlag[] => scenarioFlags.filter((entry) => sharedFlagNames.has(entry.name));

/** Help text for `load`. */
export const loadHelp = `joulebench load <model.onnx | mlp | cnn | transformer> --rate 20,200 [options]
joulebench load <scenario.yaml>        (its load: section; flags override it)

Serve the model at each target request rate (open loop: Poisson arrivals, or a trace) through a dynamic batcher, and
report per rate the achieved rate, latency p50/p99 from arrival to result (batching wait and queueing included), the
batch sizes, utilisation, energy per request including the idle time between batches, the idle share of that energy,
and the flat-out energy per sample of the same configuration. See docs/load.md.

  --rate 20,200              target rates, requests per second (required without a scenario's load: section)
  --max-batch 8              largest batch the batcher forms; a list sweeps policies (default 8)
  --max-wait-ms 5            longest a request waits for company before its batch leaves; a list sweeps (default 5)
  --sessions N               concurrent sessions, each in its own thread (default 1); without --threads each gets
                             (cores − 1) ÷ sessions intra-op threads, at least 1, leaving a core to the generator
  --requests N               at least N requests per rate (default 1000: ten beyond the p99)
  --seconds S                and at least S seconds per rate (default 10)
  --seed N                   seed of the Poisson arrivals (default 1)
  --trace FILE               replay arrival timestamps (one per line in seconds, or a CSV with t_s / t_ms), scaled to
                             each rate and repeated as needed, instead of Poisson arrivals
  --flat-out-seconds S       back-to-back batches at max batch first, for the flat-out floor (default 2; 0 skips)
  --max-lag-ms MS            the generator is behind (rate invalid) when its median lag exceeds this; a p99 lag
                             above it is a warning (default max(1, 10% of the mean gap between arrivals))
  --spin-ms MS               the timer polls this long before each arrival instead of sleeping (default 0: only
                             the last fraction of a millisecond; polling takes CPU from the sessions)
  --max-joules-per-request RATE=J
                             gate: exit 1 when a configuration at RATE req/s costs more than J per request
                             (repeatable); the scenario's budgets: also apply (maxJoulesPerRequest with a rate)
  --baseline FILE            the baseline result.json of budgets relative to one that name none
  --history DIR              append this run to the history store in DIR (see joulebench history: J/request and p99
                             per rate over the runs)
  --threads N                intra-op threads per session (default: (cores − 1) ÷ sessions, at least 1)
${sharedFlags().filter((entry) => entry.name !== 'threads').map((entry) => helpLines(`${entry.short ? `-${entry.short}, ` : ''}--${entry.name}${entry.arg ? ` ${entry.arg}` : ''}`, entry.help, 29)).join('\n')}
${meterFlagHelp(29)}
  --json                     print result.json to stdout instead of the table
  -h, --help                 this help`;

function numberList(flag: string, value: string, positive: boolean): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (list.length === 0 || list.some((item) => !Number.isFinite(item) || (positive ? item <= 0 : item < 0))) {
    throw new InputError('FLAG_INVALID', `${flag}: expected a comma-separated list of ${positive ? 'positive' : 'non-negative'} numbers, got "${value}"`, { hint: `e.g. ${flag} ${flag === '--rate' ? '20,200' : '0,5'}` });
  }
  return list;
}

// `--max-joules-per-request 50=0.01` → [[50, 0.01]].
function joulesGates(values: string[] | undefined): Array<[number, number]> {
  return (values ?? []).map((value) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*=\s*(\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(value);
    if (!match || !(Number(match[2]) > 0)) {
      throw new InputError('FLAG_INVALID', `--max-joules-per-request: expected RATE=JOULES like 50=0.01, got "${value}"`);
    }
    return [Number(match[1]), Number(match[2])];
  });
}

/** Entry point of `load`. */
export async function loadCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('load', loadHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rate: { type: 'string' },
        'max-batch': { type: 'string' },
        'max-wait-ms': { type: 'string' },
        sessions: { type: 'string' },
        requests: { type: 'string' },
        seconds: { type: 'string' },
        seed: { type: 'string' },
        trace: { type: 'string' },
        'flat-out-seconds': { type: 'string' },
        'max-lag-ms': { type: 'string' },
        'spin-ms': { type: 'string' },
        'max-joules-per-request': { type: 'string', multiple: true },
        baseline: { type: 'string' },
        history: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...meterFlagOptions(),
        ...Object.fromEntries(sharedFlags().map((entry) => [entry.name, { type: entry.type, ...(entry.short ? { short: entry.short } : {}), ...(entry.multiple ? { multiple: true } : {}) }])),
      },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `load: expected one model (a .onnx path or a built-in name) or a scenario with a load: section, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, { hint: 'joulebench load mlp --rate 20,200' });
  }
  const source = positionals[0]!;
  const flagValues = values as Record<string, unknown>;
  const given = sharedFlags().filter((entry) => flagValues[entry.name] !== undefined);
  for (const [name, what] of [['threads', 'thread count'], ['ep', 'execution provider']] as const) {
    const value = flagValues[name];
    if (typeof value === 'string' && value.split(',').length > 1) throw new InputError('FLAG_INVALID', `--${name}: load mode runs one ${what}, got "${value}"`, { hint: `run load once per ${what}` });
  }
  let scenario;
  if (/\.ya?ml$/i.test(source)) {
    scenario = await loadScenarioFile(source, { overrides: (raw) => applyScenarioFlags(raw, given, values) });
  } else {
    const model = existsSync(source) && !source.includes('/') ? `./${source}` : source;
    const raw = applyScenarioFlags({ name: scenarioDefaults.name, models: [{ model }] }, given, values);
    try {
      scenario = parseScenario(raw, { file: null, baseDir: process.cwd() });
    } catch (error) {
      throw error instanceof InputError ? renameFieldsToFlags(error, 'scenario', given, [{ field: 'models[0].model', label: 'model' }]) : error;
    }
  }
  // Flags override the scenario's load: section, which overrides the defaults.
  const spec = scenario.load;
  const rates = values.rate !== undefined ? numberList('--rate', values.rate, true) : spec?.rates;
  if (!rates) throw new InputError('USAGE', 'load: --rate is required (or a scenario with load: {rates: [...]})', { hint: 'joulebench load mlp --rate 20,200' });
  const maxBatches = values['max-batch'] !== undefined ? numberList('--max-batch', values['max-batch'], true) : (spec?.maxBatch ?? loadDefaults.maxBatch);
  if (maxBatches.some((batch) => !Number.isInteger(batch))) throw new InputError('FLAG_INVALID', `--max-batch: expected whole numbers, got "${values['max-batch']}"`);
  const maxWaits = values['max-wait-ms'] !== undefined ? numberList('--max-wait-ms', values['max-wait-ms'], false) : (spec?.maxWaitMs ?? loadDefaults.maxWaitMs);
  const trace = values.trace !== undefined ? path.resolve(values.trace) : (spec?.trace ?? null);
  const maxLag = nonNegativeNumber('--max-lag-ms', values['max-lag-ms']);
  const settings: LoadSettings = {
    rates,
    arrivals: trace ? { kind: 'trace', file: trace } : { kind: 'poisson', seed: positiveInteger('--seed', values.seed) ?? spec?.seed ?? loadDefaults.seed },
    policies: maxBatches.flatMap((maxBatch) => maxWaits.map((maxWaitMs) => ({ maxBatch, maxWaitMs }))),
    sessions: positiveInteger('--sessions', values.sessions) ?? spec?.sessions ?? loadDefaults.sessions,
    requests: positiveInteger('--requests', values.requests) ?? spec?.requests ?? loadDefaults.requests,
    minSeconds: nonNegativeNumber('--seconds', values.seconds) ?? spec?.seconds ?? loadDefaults.seconds,
    flatOutSeconds: nonNegativeNumber('--flat-out-seconds', values['flat-out-seconds']) ?? spec?.flatOutSeconds ?? loadDefaults.flatOutSeconds,
    maxLagMs: maxLag ?? null,
    spinMs: nonNegativeNumber('--spin-ms', values['spin-ms']) ?? 0,
  };
  const joules = joulesGates(values['max-joules-per-request']);
  for (const [rate] of joules) {
    if (!settings.rates.includes(rate)) throw new InputError('FLAG_INVALID', `--max-joules-per-request ${rate}=…: ${rate} req/s is not one of the rates (--rate ${settings.rates.join(',')})`);
  }

  // The scenario's budgets (maxJoulesPerRequest at a rate, maxP99Ms) are checked against the planned keys first.
  // --max-joules-per-request RATE=J is the budget {match: '*', rate: RATE, maxJoulesPerRequest: J}.
  scenario = { ...scenario, budgets: [...(scenario.budgets ?? []), ...joules.map(([rate, limitJ]) => ({ match: '*', rate, maxJoulesPerRequest: { value: limitJ } }))] };
  for (const [index, budget] of (scenario.budgets ?? []).entries()) {
    if (budget.rate !== undefined && !settings.rates.includes(budget.rate)) {
      throw new InputError('BUDGET_MATCHES_NOTHING', `budgets[${index}]: rate ${budget.rate} is not one of the rates served (${settings.rates.join(', ')} req/s)`, { hint: 'give the budget a rate from --rate / load.rates' });
    }
  }
  const gates = await prepareGates(scenario, plannedLoadKeys(scenario, settings), { ...(values.baseline ? { baseline: values.baseline } : {}), ...(values.history ? { historyDir: values.history } : {}) });
  // Ctrl-C: the rate in flight is dropped and result.json keeps every finished one; a second Ctrl-C exits at once
  // (result.json is rewritten after every rate, so what is on disk is complete).
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    process.stderr.write(`\n${signal}: stopping the current rate (press Ctrl-C again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome;
  try {
    outcome = await runLoadScenario(scenario, settings, { toolVersion: toolVersion(), naming: { model: () => ({ shape: (name) => `--shape ${name}=` }), executionProvider: () => '--ep' }, onEvent: progress, signal: controller.signal, meterSettings: meterSettingsFlags(flagValues) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { result, runDir } = outcome;
  const budgets = result.status === 'complete' ? await applyBudgets(result, outcome.resultPath, gates) : null;
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`\n${renderLoadTable(result.load ?? [])}\n${renderRecommendations(result.loadRecommendations ?? [])}\nresult: ${displayPath(runDir)}/result.json${outcome.reports.length > 0 ? `\nreport: ${outcome.reports.map(displayPath).join(', ')}` : ''}\n`);
  // With --json, stdout holds only result.json: the budget lines go to stderr.
  if (budgets) (values.json ? process.stderr : process.stdout).write(`${renderBudgetReport(budgets)}\n`);
  const history = result.status === 'complete' && gates.historyDir ? await appendToHistory(gates.historyDir, result, outcome.resultPath) : null;
  if (history) (values.json ? process.stderr : process.stdout).write(`history: ${history.added ? 'appended as' : 'already recorded as'} run number ${history.runNumber} in ${displayPath(history.file)}\n`);
  if (result.status === 'interrupted') return ExitCode.interrupted;
  if (result.status !== 'complete') return ExitCode.runtimeFailure;
  return budgets && !budgets.passed ? ExitCode.gateFailed : ExitCode.ok;
}

function progress(event: LoadEvent): void {
  switch (event.type) {
    case 'prepare':
      process.stderr.write(`${describePrepareEvent(event.event)}\n`);
      break;
    case 'meters':
      for (const choice of event.choices) process.stderr.write(`meter ${choice.chosen ? '✓' : '✗'} ${choice.name}: ${choice.why}\n`);
      break;
    case 'idle':
      process.stderr.write(`idle baseline: ${event.watts === null ? 'n/a' : `${event.watts.toFixed(2)} W`} over ${event.seconds} s\n`);
      break;
    case 'flat-out':
      process.stderr.write(`${event.label}: flat out ${event.samplesPerSecond.toFixed(0)} samples/s, ${formatJ(event.joulesPerSample)} J/sample\n`);
      break;
    case 'rate':
      process.stderr.write(`[${event.index}/${event.total}] ${event.label} at ${event.targetRate} req/s for ${event.seconds.toFixed(1)} s…\n`);
      break;
    case 'rate-end':
      break;
  }
}

function formatJ(joules: number): string {
  return joules >= 0.1 ? joules.toFixed(3) : joules.toPrecision(3);
}

const pct = (share: number | null) => (share === null || Number.isNaN(share) ? 'n/a' : `${(share * 100).toFixed(1)}%`);

/** The per-rate table. */
export function renderLoadTable(records: LoadRecord[]): string {
  const header = ['configuration', 'target/s', 'achieved/s', 'p50 ms', 'p99 ms', 'batch', 'util', 'J/request', 'idle share', 'flat-out J/sample', 'verdict'];
  const rows = records.map((record) => record.status !== 'ok'
    ? [record.key, String(record.targetRate), '—', '—', '—', '—', '—', '—', '—', '—', `failed: ${record.error?.message ?? ''}`]
    : [
      record.key,
      String(record.targetRate),
      record.achievedRate.toFixed(2),
      record.p50Ms.toFixed(2),
      record.p99Ms.toFixed(2),
      record.meanBatchSize.toFixed(2),
      pct(record.utilisation),
      `${formatJ(record.joulesPerRequest)}${record.estimated ? '*' : ''}`,
      pct(record.idleShare),
      record.flatOutJoulesPerSample === null ? 'n/a' : formatJ(record.flatOutJoulesPerSample),
      record.valid ? (record.overCapacity ? 'over capacity' : 'valid') : `INVALID: ${record.reasons[0] ?? ''}`,
    ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  const estimated = records.some((record) => record.estimated) ? '\n* estimated power (no hardware meter): compare rates with each other, not with other machines' : '';
  const warnings = records.flatMap((record) => (record.warnings ?? []).map((warning) => `⚠ ${record.key}: ${warning}`));
  return [line(header), ...rows.map(line)].join('\n') + estimated + (warnings.length > 0 ? `\n${warnings.join('\n')}` : '');
}

function renderRecommendations(recommendations: NonNullable<import('../results/types.js').RunResult['loadRecommendations']>): string {
  if (recommendations.length === 0) return '';
  return `\n${recommendations.map((entry) => `at ${entry.targetRate} req/s: ${entry.key ?? 'nothing to recommend'} — ${entry.reason}`).join('\n')}\n`;
}
