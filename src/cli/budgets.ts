// Budgets on the command line: `--baseline FILE` / `--max-regression P` for run and bench, and the verdict lines.
import { InputError } from '../errors.js';
import type { BudgetReport } from '../results/types.js';
import type { Scenario } from '../scenario/types.js';

/**
 * `--max-regression P` adds a budget "every configuration within P of the baseline"; so does `--baseline FILE` alone
 * when the scenario has no budgets (at 5%). Otherwise `--baseline` is the baseline of budgets that name none.
 */
export function withFlagBudgets(scenario: Scenario, values: { baseline?: string | undefined; 'max-regression'?: string | undefined }): Scenario {
  const flag = values['max-regression'];
  if (flag === undefined && (values.baseline === undefined || (scenario.budgets ?? []).length > 0)) return scenario;
  let maxRegression = 0.05;
  if (flag !== undefined) {
    const text = flag.trim().replace(/%$/, '');
    const number = Number(text);
    if (text === '' || !(number >= 0 && number < 100)) throw new InputError('FLAG_INVALID', `--max-regression: expected a percentage from 0 to 100 like 5 or 5%, got "${flag}"`);
    if (values.baseline === undefined && !(scenario.budgets ?? []).some((b) => b.baseline)) {
      throw new InputError('USAGE', '--max-regression needs a baseline to compare with', { hint: 'add --baseline path/to/baseline/result.json' });
    }
    maxRegression = number / 100;
  }
  return { ...scenario, budgets: [...(scenario.budgets ?? []), { match: '*', maxRegression }] };
}

/** The budget verdicts for the terminal: broken ones first, then a count of those met. */
export function renderBudgetReport(report: BudgetReport): string {
  const broken = report.verdicts.filter((v) => !v.ok);
  const met = report.verdicts.filter((v) => v.ok);
  const lines = [report.passed ? `budgets: all ${met.length} met` : `budgets: ${broken.length} BROKEN, ${met.length} met`];
  for (const verdict of broken) lines.push(`  ✗ ${verdict.message}`);
  for (const verdict of met) lines.push(`  ✓ ${verdict.message}`);
  if (report.verdicts.some((v) => v.estimated)) lines.push('  (energy budgets were checked against ESTIMATED power: no hardware meter)');
  return lines.join('\n');
}
