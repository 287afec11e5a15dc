// What `run` and `bench` do around the sweep for the nightly gate: check budgets before measuring (patterns,
// baselines), evaluate them after, and record the verdicts in result.json.
import path from 'node:path';
import { HistoryStore } from '../history/store.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { BudgetReport, RunResult } from '../results/types.js';
import type { BudgetSpec, Scenario } from '../scenario/types.js';
import { evaluateBudgets, resolveBudgets } from './budgets.js';
import { readResultFile } from '../results/read.js';

/** Budgets with their baselines read, and the history folder, ready before the sweep starts. */
export interface PreparedGates {
  budgets: BudgetSpec[];
  baselines: Map<string, RunResult>;
  historyDir: string | null;
}

/** Flags that override the scenario: `--baseline FILE` (for budgets naming none) and `--history DIR`. */
export interface GateFlags {
  baseline?: string;
  historyDir?: string;
}

/** Resolve budgets against the plan and read every baseline now, so bad input fails before any measuring (exit 2). */
export async function prepareGates(scenario: Scenario, plannedKeys: string[], flags: GateFlags): Promise<PreparedGates> {
  const defaultBaseline = flags.baseline ? path.resolve(flags.baseline) : null;
  const budgets = resolveBudgets(scenario.budgets ?? [], plannedKeys, defaultBaseline);
  const baselines = new Map<string, RunResult>();
  for (const file of new Set(budgets.flatMap((b) => (b.baseline ? [b.baseline] : [])))) {
    baselines.set(file, await readResultFile(file, 'baseline'));
  }
  const historyDir = flags.historyDir ? path.resolve(flags.historyDir) : (scenario.historyDir ?? null);
  // Create (or check) the history store now: an unwritable folder must not surface only after an hour of measuring.
  if (historyDir) HistoryStore.open(historyDir, { create: true }).close();
  return { budgets, baselines, historyDir };
}

/** Evaluate the budgets of a finished run and rewrite its result.json with them; null when there are none. */
export async function applyBudgets(result: RunResult, resultPath: string, gates: PreparedGates): Promise<BudgetReport | null> {
  if (gates.budgets.length === 0) return null;
  const report = evaluateBudgets(result, gates.budgets, gates.baselines);
  result.budgets = report;
  await writeFileAtomic(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  return report;
}
