// Matrix expansion: a scenario becomes the ordered list of configurations to measure.
import { InputError } from '../errors.js';
import { allProviders, findProvider } from '../runtime/providers/catalog.js';
import { precisionViaValues, type PrecisionViaChoice } from '../runtime/providers/options.js';
import type { PrecisionVia } from '../runtime/providers/types.js';
import { pinProviders } from './devices.js';
import type { ExecutionProviderSpec, PlannedConfig, Precision, Scenario } from './types.js';

export { labelProviders } from './devices.js';

/** Expand a scenario into the ordered list of configurations to measure. */
export function expandPlan(scenario: Scenario): PlannedConfig[] {
  const providers = pinProviders(scenario.executionProviders, scenario.devices);
  const plan: PlannedConfig[] = [];
  const seen = new Set<string>();
  // Order: model → precision → execution provider (on each device in turn) → threads → batch size, so
  // configurations sharing a session (same groupKey) are adjacent and each session is created once.
  for (const model of scenario.models) {
    for (const precision of scenario.precisions) {
      providers.forEach(({ spec: provider, label: providerLabel, index: providerIndex }) => {
        // Precision from a variant file and/or from the provider's builder flag on the FP32 model.
        for (const via of precisionVias(precision, provider, providerIndex)) {
          const byModel = via === 'model';
          const modelPath = byModel ? (precision === 'fp32' ? model.source : (model.variants[precision] ?? null)) : model.source;
          const executionProvider = byModel ? provider : { name: provider.name, options: { ...provider.options, ...findProvider(provider.name)!.builderPrecisions!.flags[precision as 'fp16' | 'int8'] } };
          const precisionLabel = byModel ? precision : `${precision}@builder`;
          for (const threads of scenario.threads) {
            const groupKey = `${model.name}/${precisionLabel}/${providerLabel}${threads === null ? '' : `/t${threads}`}`;
            for (const batchSize of scenario.batchSizes) {
              const key = `${model.name}/${precisionLabel}/${providerLabel}/b${batchSize}${threads === null ? '' : `/t${threads}`}`;
              if (seen.has(key)) {
                // parseScenario rejects repeats; this guards scenarios built by hand.
                throw new InputError('SCENARIO_INVALID', `scenario: configuration ${key} appears twice in the plan`, {
                  hint: 'model names, precisions, batch sizes and thread counts must each be listed once',
                });
              }
              seen.add(key);
              plan.push({ key, model, precision, via, modelPath, executionProvider, batchSize, threads, groupKey });
            }
          }
        }
      });
    }
  }
  return plan;
}

/**
 * How a precision is obtained on a provider: `model` (a variant file; FP32 is always the model itself), the provider's
 * builder flag on the FP32 model (`tensorrt-builder`), or both, as its `precision_via` option says (default `model`).
 */
export function precisionVias(precision: Precision, provider: ExecutionProviderSpec, providerIndex = 0): PrecisionVia[] {
  const written = provider.options.precision_via ?? provider.options.precisionVia ?? 'model';
  const choice = precisionViaValues.find((value) => value === String(written).toLowerCase()) as PrecisionViaChoice | undefined;
  const where = `executionProviders[${providerIndex}].options.precision_via`;
  if (!choice) {
    throw new InputError('SCENARIO_INVALID', `${where}: expected one of ${precisionViaValues.join(', ')}, got ${JSON.stringify(written)}`);
  }
  const builder = findProvider(provider.name)?.builderPrecisions;
  if (choice !== 'model' && !builder) {
    const withFlags = allProviders().filter((known) => known.builderPrecisions).map((known) => known.name);
    throw new InputError('SCENARIO_INVALID', `${where}: "${provider.name}" has no builder flags; precision_via: ${choice} works with ${withFlags.join(', ')}`, {
      hint: 'leave precision_via out (model variants) for this provider',
    });
  }
  if (precision === 'fp32' || choice === 'model' || !builder?.flags[precision]) return ['model'];
  return choice === 'builder' ? [builder.via] : ['model', builder.via];
}
