// `run --dry-run` / `bench --dry-run`: the plan (configurations, variants to make, worst-case time) without measuring.
import { expandPlan } from '../scenario/expand.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import { displayPath } from './paths.js';

/** What a run would do, from the scenario alone. */
export interface DryRunPlan {
  configurations: string[];
  /** `model/precision` of each variant made from the model (or reused from the cache) before the sweep. */
  variantsToMake: string[];
  /** Idle baseline before and after the sweep, seconds. */
  idleS: number;
  /** Worst case per configuration from the caps: warm-up seconds + windows (stopping.maxSeconds, or repetitions × window) + cooldown. */
  perConfigurationS: number;
  /** idleS + configurations × perConfigurationS (variant making and session creation come on top). */
  worstCaseS: number;
}

/** The plan of a validated scenario (`configs` when the caller already cut it, e.g. a shard). */
export function dryRunPlan(scenario: Scenario, configs: PlannedConfig[] = expandPlan(scenario)): DryRunPlan {
  const variants = new Set<string>();
  for (const config of configs) {
    if (config.precision !== 'fp32' && config.via === 'model' && config.modelPath === null) variants.add(`${config.model.name}/${config.precision}`);
  }
  const windowsS = scenario.stopping ? scenario.stopping.maxSeconds : scenario.repetitions * scenario.window.minSeconds;
  const perConfigurationS = scenario.warmup.seconds + windowsS + (scenario.cooldown?.maxSeconds ?? 0);
  // The idle baseline is measured before the sweep and again after it.
  const idleS = 2 * scenario.idleSeconds;
  return {
    configurations: configs.map((config) => config.key),
    variantsToMake: [...variants],
    idleS,
    perConfigurationS,
    worstCaseS: idleS + configs.length * perConfigurationS,
  };
}

/** "1 h 02 min", "3 min 05 s", "42 s", "5.3 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 59.95) return `${Number(seconds.toFixed(1))} s`;
  const s = Math.ceil(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The plan as the terminal shows it. */
export function renderDryRun(plan: DryRunPlan, scenario: Scenario): string {
  const windows = scenario.stopping
    ? `at most ${scenario.stopping.maxSeconds} s of windows (stopping.maxSeconds, ${scenario.stopping.rule === 'race' ? 'race' : `target ±${scenario.stopping.targetCiPercent}%`})`
    : `${scenario.repetitions} × ${scenario.window.minSeconds} s windows (fixed repetitions)`;
  const cooldown = scenario.cooldown ? ` + at most ${scenario.cooldown.maxSeconds} s cooldown` : '';
  const lines = [
    `dry run: nothing is measured; this is the plan.`,
    `${plan.configurations.length} configuration(s):`,
    ...plan.configurations.map((key) => `  ${key}`),
    plan.variantsToMake.length > 0
      ? `variants to make (or reuse from the cache), each checked against FP32 first: ${plan.variantsToMake.join(', ')}`
      : 'variants to make: none',
    `worst case from the caps: ${formatSeconds(plan.worstCaseS)} = idle ${plan.idleS} s (before and after) + ${plan.configurations.length} × ${formatSeconds(plan.perConfigurationS)}`,
    `  per configuration: ${scenario.warmup.seconds} s warm-up (at least ${scenario.warmup.runs} runs) + ${windows}${cooldown}`,
    `  on top: making the variants and creating sessions; windows are never shorter than 10 meter periods`,
    `output: a new run folder under ${displayPath(scenario.outDir)}`,
  ];
  return lines.join('\n');
}
