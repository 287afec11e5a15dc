// Matrix expansion: a scenario becomes the ordered list of configurations to measure.
import { InputError } from '../errors.js';
import type { ExecutionProviderSpec, PlannedConfig, Scenario } from './types.js';

/** Expand a scenario into the ordered list of configurations to measure. */
export function expandPlan(scenario: Scenario): PlannedConfig[] {
  const providerLabels = labelProviders(scenario.executionProviders);
  const plan: PlannedConfig[] = [];
  const seen = new Set<string>();
  // Order: model → precision → execution provider → threads → batch size, so configurations
  // sharing a session (same groupKey) are adjacent and each session is created once.
  for (const model of scenario.models) {
    for (const precision of scenario.precisions) {
      const modelPath = precision === 'fp32' ? model.source : (model.variants[precision] ?? null);
      scenario.executionProviders.forEach((executionProvider, providerIndex) => {
        const providerLabel = providerLabels[providerIndex] ?? executionProvider.name;
        for (const threads of scenario.threads) {
          const groupKey = `${model.name}/${precision}/${providerLabel}${threads === null ? '' : `/t${threads}`}`;
          for (const batchSize of scenario.batchSizes) {
            const key = `${model.name}/${precision}/${providerLabel}/b${batchSize}${threads === null ? '' : `/t${threads}`}`;
            if (seen.has(key)) {
              // parseScenario rejects repeats; this guards scenarios built by hand.
              throw new InputError('SCENARIO_INVALID', `scenario: configuration ${key} appears twice in the plan`, {
                hint: 'model names, precisions, batch sizes and thread counts must each be listed once',
              });
            }
            seen.add(key);
            plan.push({ key, model, precision, modelPath, executionProvider, batchSize, threads, groupKey });
          }
        }
      });
    }
  }
  return plan;
}

/**
 * Key labels for execution providers: the name, or `name#k` for the k-th further entry with the
 * same name (e.g. `cuda` with device_id 0, then `cuda#1` with device_id 1).
 */
export function labelProviders(providers: readonly ExecutionProviderSpec[]): string[] {
  const counts = new Map<string, number>();
  return providers.map((provider) => {
    const count = counts.get(provider.name) ?? 0;
    counts.set(provider.name, count + 1);
    return count === 0 ? provider.name : `${provider.name}#${count}`;
  });
}
