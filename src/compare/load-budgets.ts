// Budgets over load records (`joulebench load`, docs/load.md): energy per request and p99 at a request rate.
import { sig } from '../common/format-number.js';
import type { LoadRecord } from '../results/load-types.js';
import type { BudgetVerdict, RunResult } from '../results/types.js';
import type { BudgetLimit, BudgetSpec } from '../scenario/types.js';
import { budgetMatches } from '../scenario/budget-spec.js';
import { percent } from './cells.js';
import { hardwareDifferences } from './compare.js';

const limits = [
  { key: 'maxJoulesPerRequest', unit: 'J/request', energy: true, value: (r: LoadRecord) => r.joulesPerRequest },
  { key: 'maxP99Ms', unit: 'ms p99', energy: false, value: (r: LoadRecord) => r.p99Ms },
] as const;

/** The load records a budget selects: its `match` on the record key, and its `rate` when given. */
export function loadRecordsOf(result: Pick<RunResult, 'load'>, budget: Pick<BudgetSpec, 'match' | 'rate'>): LoadRecord[] {
  return (result.load ?? []).filter((record) => budgetMatches(budget.match, record.key) && (budget.rate === undefined || record.targetRate === budget.rate));
}

/** Verdicts of one budget over a load run's records (none for a run without load records). */
export function loadBudgetVerdicts(result: RunResult, budget: BudgetSpec, baseline: RunResult | undefined, runEstimated: boolean): BudgetVerdict[] {
  const verdicts: BudgetVerdict[] = [];
  for (const record of loadRecordsOf(result, budget)) {
    const push = (verdict: Omit<BudgetVerdict, 'key' | 'match'>) => verdicts.push({ key: record.key, match: budget.match, ...verdict });
    if (record.status !== 'ok') {
      push({ budget: 'measured', limit: null, actual: null, ok: false, overPercent: null, estimated: false, message: `${record.key}: not measured (${record.error?.message ?? record.status}), so its budget cannot be met` });
      continue;
    }
    for (const definition of limits) {
      const limit: BudgetLimit | undefined = budget[definition.key];
      if (!limit) continue;
      // maxP99Ms of a bench budget also selects load records only when the budget is about load (it names a rate or a load limit).
      if (definition.key === 'maxP99Ms' && budget.rate === undefined && budget.maxJoulesPerRequest === undefined) continue;
      const estimated = definition.energy && (runEstimated || record.estimated);
      const est = estimated ? ' (estimated)' : '';
      let bound: number;
      let against = '';
      if ('value' in limit) bound = limit.value;
      else {
        const base = baseline?.load?.find((entry) => entry.key === record.key && entry.status === 'ok');
        const incomparable = baseline ? hardwareDifferences(baseline, result) : [];
        const problem = incomparable.length > 0 ? `the baseline ${budget.baseline} is from other hardware (${incomparable.join('; ')})` : !base ? `the baseline ${budget.baseline ?? '(none)'} has no measured ${record.key}` : null;
        if (problem !== null || !base) {
          push({ budget: definition.key, limit: null, actual: definition.value(record), ok: false, overPercent: null, estimated, message: `${record.key}: ${definition.key} cannot be checked: ${problem}` });
          continue;
        }
        bound = definition.value(base) * (1 + limit.baselineRelative);
        against = ` (${percent(Math.abs(limit.baselineRelative))} ${limit.baselineRelative < 0 ? 'below' : 'above'} the baseline's ${sig(definition.value(base), 4)})`;
      }
      const actual = definition.value(record);
      const over = (actual - bound) / bound;
      const ok = over <= 0;
      push({
        budget: definition.key, limit: bound, actual, ok, overPercent: over * 100, estimated,
        message: `${record.key}: ${definition.key} ${ok ? 'met' : 'BROKEN'}: ${sig(actual, 4)} ${definition.unit}${est} ${ok ? '≤' : '>'} max ${sig(bound, 4)}${against}${ok ? '' : ` — over by ${percent(Number(over.toPrecision(3)))}`}`,
      });
    }
  }
  return verdicts;
}
