// Before anything is measured: resolve every model and variant, read it, and fix its input shapes.
// All bad input surfaces here (exit 2), so a sweep never dies half-way on a typo.
import { InputError } from '../errors.js';
import { resolveBatchLayout, type BatchLayout, type OverrideNames } from '../model/batch-axis.js';
import { ensureBuiltinModel } from '../model/builtin.js';
import { inspectModelFile, type ModelInfo } from '../model/inspect.js';
import { isZooName } from '../model/zoo/index.js';
import { requireWorkingProvider } from '../runtime/probe.js';
import type { ModelSpec, Precision, Scenario } from '../scenario/types.js';

/** One model file ready to run. */
export interface PreparedVariant {
  precision: Precision;
  path: string;
  info: ModelInfo;
  layout: BatchLayout;
}

/** A scenario model with its variants read and laid out. */
export interface PreparedModel {
  spec: ModelSpec;
  /** Built-in name when the source is one. */
  builtin: string | null;
  variants: Partial<Record<Precision, PreparedVariant>>;
}

/** How to name user settings in messages: `--shape x=` / `--ep` for bench, `models[0].inputs.x.shape` / `executionProviders[0]` for scenarios. */
export interface OverrideNaming {
  model(modelIndex: number): OverrideNames;
  executionProvider(index: number): string;
}

/** Scenario-file naming for override fields. */
export const scenarioNaming = (file: string | null): OverrideNaming => {
  const prefix = file ? `${file}: ` : '';
  return {
    model: (index) => ({ shape: (input) => `${prefix}models[${index}].inputs.${input}.shape: ` }),
    executionProvider: (index) => `${prefix}executionProviders[${index}]`,
  };
};

/** Resolve built-ins, read every model file, lay out inputs and check the providers; throws on any bad input. */
export async function prepareModels(scenario: Scenario, naming: OverrideNaming): Promise<PreparedModel[]> {
  for (const [index, ep] of scenario.executionProviders.entries()) {
    await requireWorkingProvider(ep.name, ep.options, naming.executionProvider(index));
  }
  const prepared: PreparedModel[] = [];
  for (const [index, spec] of scenario.models.entries()) {
    const builtin = isZooName(spec.source) ? spec.source : null;
    const fp32Path = builtin ? (await ensureBuiltinModel(builtin)).path : spec.source;
    const variants: PreparedModel['variants'] = {};
    const paths: Array<[Precision, string]> = [['fp32', fp32Path]];
    for (const precision of ['fp16', 'int8'] as const) {
      const variantPath = spec.variants[precision];
      if (variantPath && scenario.precisions.includes(precision)) paths.push([precision, variantPath]);
    }
    // fp32 is always read: it is the reference the other precisions are compared against.
    for (const [precision, path] of paths) {
      const { info } = await inspectModelFile(path);
      const layout = resolveBatchLayout(info, spec.inputs, naming.model(index));
      variants[precision] = { precision, path, info, layout };
    }
    prepared.push({ spec, builtin, variants });
  }
  const names = new Set<string>();
  for (const model of prepared) {
    if (names.has(model.spec.name)) throw new InputError('MODEL_NAME_DUPLICATE', `two models are named "${model.spec.name}": give one a different name`);
    names.add(model.spec.name);
  }
  return prepared;
}
