// Budgets as a release gate: check a finished run against the scenario's `budgets:` (absolute limits, limits
// relative to a baseline run, and a maximum regression judged as `joulebench compare` does).
import { InputError } from '../errors.js';
import { sig } from '../common/format-number.js';
import type { BudgetReport, BudgetVerdict, Measurement, RunResult } from '../results/types.js';
import type { BudgetLimit, BudgetSpec } from '../scenario/types.js';
import { seedFromString } from '../stats/random.js';
import { budgetMatches } from '../scenario/budget-spec.js';
import { loadBudgetVerdicts } from './load-budgets.js';
import { percent, signedPercent } from './cells.js';
import { compareDefaults, hardwareDifferences, isEstimatedRun, judgeMetric, metricDefinitions, metricSamplesOf } from './compare.js';

type LimitKey = 'maxJoulesPerSample' | 'maxWhPer1kSamples' | 'minSamplesPerJoule' | 'maxP99Ms';

interface LimitDefinition {
  key: LimitKey;
  kind: 'max' | 'min';
  unit: string;
  value(m: Measurement): number | null;
  energy: boolean;
}

const limitDefinitions: LimitDefinition[] = [
  { key: 'maxJoulesPerSample', kind: 'max', unit: 'J/sample', energy: true, value: (m) => m.energy?.joulesPerSample ?? null },
  { key: 'maxWhPer1kSamples', kind: 'max', unit: 'Wh/1k samples', energy: true, value: (m) => m.energy?.whPer1kSamples ?? null },
  { key: 'minSamplesPerJoule', kind: 'min', unit: 'samples/J', energy: true, value: (m) => m.energy?.samplesPerJoule ?? null },
  { key: 'maxP99Ms', kind: 'max', unit: 'ms p99', energy: false, value: (m) => m.latencyMs?.p99 ?? null },
];

/** True when a budget needs a baseline run (a relative limit or maxRegression). */
export function needsBaseline(budget: BudgetSpec): boolean {
  return budget.maxRegression !== undefined || [...limitDefinitions.map((d) => d.key), 'maxJoulesPerRequest' as const].some((key) => budget[key] !== undefined && 'baselineRelative' in budget[key]!);
}

/**
 * Before measuring: every budget must select at least one planned configuration (a typo would otherwise pass the
 * gate silently), and every budget that needs a baseline must have one. Returns the budgets with `defaultBaseline`
 * filled in where they name none.
 */
export function resolveBudgets(budgets: BudgetSpec[], plannedKeys: string[], defaultBaseline: string | null): BudgetSpec[] {
  return budgets.map((budget, index) => {
    if (!plannedKeys.some((key) => budgetMatches(budget.match, key))) {
      throw new InputError('BUDGET_MATCHES_NOTHING', `budgets[${index}]: match ${JSON.stringify(budget.match)} selects no configuration of this scenario`, {
        hint: `match a model name or a key pattern; keys here look like ${plannedKeys[0] ?? 'mlp/fp32/cpu/b1'}`,
      });
    }
    const baseline = budget.baseline ?? defaultBaseline;
    if (needsBaseline(budget) && !baseline) {
      throw new InputError('BUDGET_NEEDS_BASELINE', `budgets[${index}] (match ${JSON.stringify(budget.match)}) is relative to a baseline, but none is given`, {
        hint: 'add baseline: path/to/result.json to the budget, or pass --baseline FILE',
      });
    }
    return baseline ? { ...budget, baseline } : budget;
  });
}

const isOk = (m: Measurement | undefined): m is Measurement => m !== undefined && m.status === 'ok';

/** Check a run against resolved budgets; `baselines` holds each baseline file's result (read beforehand). */
export function evaluateBudgets(result: RunResult, budgets: BudgetSpec[], baselines: Map<string, RunResult>): BudgetReport {
  const verdicts: BudgetVerdict[] = [];
  const runEstimated = isEstimatedRun(result);
  for (const budget of budgets) {
    const baseline = budget.baseline ? baselines.get(budget.baseline) : undefined;
    const incomparable = baseline ? hardwareDifferences(baseline, result) : [];
    const matched = result.measurements.filter((m) => budgetMatches(budget.match, m.key));
    for (const m of matched) {
      const push = (verdict: Omit<BudgetVerdict, 'key' | 'match'>) => verdicts.push({ key: m.key, match: budget.match, ...verdict });
      if (m.status !== 'ok') {
        push({ budget: 'measured', limit: null, actual: null, ok: false, overPercent: null, estimated: false, message: `${m.key}: not measured (${m.status}${m.error ? `: ${m.error.message}` : ''}), so its budget cannot be met` });
        continue;
      }
      const estimated = runEstimated || m.energy?.estimated === true;
      const baseM = baseline?.measurements.find((b) => b.key === m.key);
      for (const definition of limitDefinitions) {
        const limit = budget[definition.key];
        if (!limit) continue;
        push(checkLimit(m, definition, limit, baseM, budget.baseline ?? null, incomparable, estimated && definition.energy));
      }
      if (budget.maxRegression !== undefined) {
        for (const verdict of checkRegression(m, budget.maxRegression, baseM, budget.baseline ?? null, incomparable, estimated)) push(verdict);
      }
    }
    verdicts.push(...loadBudgetVerdicts(result, budget, baseline, runEstimated));
  }
  const broken = verdicts.filter((v) => !v.ok).length;
  return { baselines: [...new Set(budgets.flatMap((b) => (b.baseline ? [b.baseline] : [])))], verdicts, broken, passed: broken === 0 };
}

function checkLimit(
  m: Measurement,
  definition: LimitDefinition,
  limit: BudgetLimit,
  baseM: Measurement | undefined,
  baselineFile: string | null,
  incomparable: string[],
  estimated: boolean,
): Omit<BudgetVerdict, 'key' | 'match'> {
  const est = estimated ? ' (estimated)' : '';
  const actual = definition.value(m);
  let bound: number;
  let against: string;
  if ('value' in limit) {
    bound = limit.value;
    against = '';
  } else {
    const baseValue = isOk(baseM) ? definition.value(baseM) : null;
    const problem = incomparable.length > 0
      ? `the baseline ${baselineFile} is from other hardware (${incomparable.join('; ')})`
      : baseValue === null ? `the baseline ${baselineFile} has no measured ${m.key}` : null;
    if (problem !== null) {
      return { budget: definition.key, limit: null, actual, ok: false, overPercent: null, estimated, message: `${m.key}: ${definition.key} cannot be checked: ${problem}` };
    }
    bound = baseValue! * (1 + limit.baselineRelative);
    against = ` (${percent(Math.abs(limit.baselineRelative))} ${limit.baselineRelative < 0 ? 'below' : 'above'} the baseline's ${sig(baseValue!, 4)})`;
  }
  if (actual === null || !Number.isFinite(actual)) {
    return { budget: definition.key, limit: bound, actual: null, ok: false, overPercent: null, estimated, message: `${m.key}: ${definition.key}: no ${definition.unit} measured` };
  }
  const over = definition.kind === 'max' ? (actual - bound) / bound : (bound - actual) / bound;
  const ok = over <= 0;
  const relation = definition.kind === 'max' ? (ok ? '≤' : '>') : ok ? '≥' : '<';
  const limitWord = definition.kind === 'max' ? 'max' : 'min';
  const message = `${m.key}: ${definition.key} ${ok ? 'met' : 'BROKEN'}: ${sig(actual, 4)} ${definition.unit}${est} ${relation} ${limitWord} ${sig(bound, 4)}${against}${ok ? '' : ` — ${definition.kind === 'max' ? 'over' : 'under'} by ${percent(Number(over.toPrecision(3)))}`}`;
  return { budget: definition.key, limit: bound, actual, ok, overPercent: over * 100, estimated, message };
}

function checkRegression(
  m: Measurement,
  maxRegression: number,
  baseM: Measurement | undefined,
  baselineFile: string | null,
  incomparable: string[],
  estimated: boolean,
): Array<Omit<BudgetVerdict, 'key' | 'match'>> {
  const problem = incomparable.length > 0
    ? `the baseline ${baselineFile} is from other hardware (${incomparable.join('; ')})`
    : !isOk(baseM) ? `the baseline ${baselineFile} has no measured ${m.key}` : null;
  if (problem !== null) {
    return [{ budget: 'maxRegression', limit: maxRegression, actual: null, ok: false, overPercent: null, estimated, message: `${m.key}: maxRegression cannot be checked: ${problem}` }];
  }
  const verdicts: Array<Omit<BudgetVerdict, 'key' | 'match'>> = [];
  for (const definition of metricDefinitions) {
    const compared = metricSamplesOf(definition, baseM!, m);
    if (!compared) continue;
    const judged = judgeMetric(compared.samples, { ...compareDefaults, maxRegression }, seedFromString(`${m.key}|${definition.id}`));
    const est = estimated && definition.energy ? ' (estimated)' : '';
    const size = definition.higherIsBetter ? -judged.change : judged.change;
    const how = judged.changeCi ? `CI ${signedPercent(judged.changeCi[0])} … ${signedPercent(judged.changeCi[1])}, p ${judged.pValue! < 0.001 ? '<0.001' : judged.pValue!.toFixed(3)}` : 'by threshold';
    verdicts.push({
      budget: `maxRegression:${definition.id}`,
      limit: maxRegression,
      actual: judged.change,
      ok: !judged.failed,
      overPercent: judged.failed ? ((size - maxRegression) / maxRegression) * 100 : null,
      estimated: estimated && definition.energy,
      message: `${m.key}: maxRegression ${percent(maxRegression)} on ${definition.label}${est} ${judged.failed ? 'BROKEN' : 'met'}: ${signedPercent(judged.change)} against the baseline (${how}): ${judged.verdict}`,
    });
  }
  return verdicts;
}
