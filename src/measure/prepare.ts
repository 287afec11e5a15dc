// Before anything is measured: resolve every model and variant, read it, and fix its input shapes.
// All bad input surfaces here (exit 2), so a sweep never dies half-way on a typo.
import { describeError, InputError } from '../errors.js';
import { resolveBatchLayout, type BatchLayout, type OverrideNames } from '../onnx/batch-axis.js';
import { ensureBuiltinModel } from '../model/builtin.js';
import { precisionMismatch, refuseReducedSource } from '../model/detect-precision.js';
import { inspectModelFile, requireRunnableIo, type ModelInfo } from '../model/inspect.js';
import { isZooName } from '../model/zoo/index.js';
import { requireWorkingProvider } from '../runtime/probe.js';
import type { Fidelity } from '../results/types.js';
import type { ModelSpec, Precision, Scenario } from '../scenario/types.js';
import { judgeFidelity } from '../variants/bounds.js';
import { loadCalibration, loadLabels, syntheticCalibration, type CalibrationSet } from '../variants/calibration-data.js';
import { measureFidelity } from '../variants/fidelity.js';
import { makeVariant, type MadeVariant } from '../variants/make.js';
import { repairVariant, searchable } from '../variants/mixed-precision.js';
import type { PrecisionSearch } from '../variants/precision-search.js';

/** One model file ready to run. */
export interface PreparedVariant {
  precision: Precision;
  path: string;
  info: ModelInfo;
  layout: BatchLayout;
  /** Outputs against FP32 on the same inputs (null for FP32). */
  fidelity: Fidelity | null;
  /** Set when joulebench made this variant (null for FP32 and for files the user gave). */
  made: MadeVariant | null;
}

/** Progress of preparation, for the terminal. */
export type PrepareEvent =
  | { type: 'variant'; model: string; precision: Precision; made: MadeVariant }
  | { type: 'variant-failed'; model: string; precision: Precision; code: string; message: string }
  | { type: 'fidelity'; model: string; precision: Precision; fidelity: Fidelity }
  | { type: 'warning'; model: string; message: string }
  /** The plain variant missed the bound: nodes kept in FP32 (FP16) or left out of INT8 by the search. */
  | { type: 'precision-search'; model: string; precision: Precision; search: PrecisionSearch; reused: boolean; made: MadeVariant | null }
  | { type: 'precision-search-failed'; model: string; precision: Precision; code: string; message: string };

/** Options of prepareModels. */
export interface PrepareOptions {
  toolVersion: string;
  onEvent?: (event: PrepareEvent) => void;
  /** Variant cache root (default: variantCacheDir()). */
  cacheDir?: string;
}

/** A scenario model with its variants read and laid out. */
export interface PreparedModel {
  spec: ModelSpec;
  /** Built-in name when the source is one. */
  builtin: string | null;
  variants: Partial<Record<Precision, PreparedVariant>>;
  /** Why a precision has no variant (it could not be made, or it does not run on the CPU): recorded per configuration. */
  variantErrors: Partial<Record<Precision, { code: string; message: string }>>;
}

// Codes meaning "this variant does not apply to this model" (skipped) rather than "something broke" (failed).
const notApplicableCodes = new Set(['VARIANT_NOTHING_TO_CONVERT', 'VARIANT_NOTHING_TO_QUANTIZE', 'VARIANT_OPSET_TOO_OLD', 'VARIANT_OPSET_UPGRADE', 'VARIANT_SOURCE_ALREADY_REDUCED']);

/** Whether a variant error means skipped (not applicable) rather than failed. */
export const variantErrorIsSkip = (code: string): boolean => notApplicableCodes.has(code);

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

/** Resolve built-ins, read every model file, make missing variants, measure fidelity and check the providers; throws on any bad input. */
export async function prepareModels(scenario: Scenario, naming: OverrideNaming, options: PrepareOptions = { toolVersion: '0.0.0' }): Promise<PreparedModel[]> {
  for (const [index, ep] of scenario.executionProviders.entries()) {
    await requireWorkingProvider(ep.name, ep.options, naming.executionProvider(index));
  }
  const emit = options.onEvent ?? (() => {});
  const prepared: PreparedModel[] = [];
  for (const [index, spec] of scenario.models.entries()) {
    const builtin = isZooName(spec.source) ? spec.source : null;
    const fp32Path = builtin ? (await ensureBuiltinModel(builtin)).path : spec.source;
    // fp32 is always read: it is the reference the other precisions are compared against.
    const { info } = await inspectModelFile(fp32Path);
    requireRunnableIo(info);
    const sourceMismatch = precisionMismatch('fp32', fp32Path, info);
    if (sourceMismatch) emit({ type: 'warning', model: spec.name, message: sourceMismatch });
    const layout = resolveBatchLayout(info, spec.inputs, naming.model(index));
    const variants: PreparedModel['variants'] = { fp32: { precision: 'fp32', path: fp32Path, info, layout, fidelity: null, made: null } };
    const variantErrors: PreparedModel['variantErrors'] = {};
    const wanted = (['fp16', 'int8'] as const).filter((precision) => scenario.precisions.includes(precision));
    if (wanted.length > 0) {
      // Calibration and evaluation inputs: the user's data, else seeded synthetic batches (a different seed for evaluation).
      const userData = spec.calibration ? await loadCalibration(spec.calibration, layout) : null;
      const calibration: CalibrationSet = userData ?? syntheticCalibration(layout);
      const evaluation: CalibrationSet = userData ?? syntheticCalibration(layout, 4, 8, 2000);
      // Labels without data are refused first: counted against the synthetic batches they would only be "too few".
      if (spec.labels && !userData) throw new InputError('LABELS_WITHOUT_DATA', `models[${index}].labels needs calibration data to label (models[${index}].calibration / --calibration)`);
      const labels = spec.labels ? await loadLabels(spec.labels, evaluation.samples) : undefined;
      for (const precision of wanted) {
        try {
          let variantPath = spec.variants[precision];
          let made: MadeVariant | null = null;
          const makeOptions = { sourcePath: fp32Path, precision, conversion: scenario.conversion, calibration, opCounts: info.opCounts, toolVersion: options.toolVersion, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) };
          if (!variantPath) {
            refuseReducedSource(fp32Path, info, precision);
            made = await makeVariant(makeOptions);
            variantPath = made.path;
            emit({ type: 'variant', model: spec.name, precision, made });
          }
          let { info: variantInfo } = await inspectModelFile(variantPath);
          requireRunnableIo(variantInfo);
          const listedMismatch = made ? null : precisionMismatch(precision, variantPath, variantInfo);
          if (listedMismatch) emit({ type: 'warning', model: spec.name, message: listedMismatch });
          const variantLayout = resolveBatchLayout(variantInfo, spec.inputs, naming.model(index));
          const variantInputTypes = Object.fromEntries(variantInfo.inputs.map((input) => [input.name, input.elemType]));
          const fidelityOptions = { variantInputTypes, inputs: userData ? ('calibration' as const) : ('synthetic' as const), ...(labels ? { labels } : {}) };
          const metrics = await measureFidelity(fp32Path, variantPath, evaluation.batches, fidelityOptions);
          let fidelity = judgeFidelity(metrics, scenario.fidelity);
          emit({ type: 'fidelity', model: spec.name, precision, fidelity });
          // A made FP16 / static INT8 variant outside the bound: keep the responsible nodes in FP32 and measure that.
          // A search that fails (a candidate onnxruntime cannot load) leaves the plain variant, marked, with a warning.
          if (made && fidelity.withinBounds === false && scenario.fidelity && searchable(made)) {
            const plain: MadeVariant = made;
            const repair = await repairVariant({ plain, make: makeOptions, referencePath: fp32Path, evaluation, bounds: scenario.fidelity, fidelity: fidelityOptions }).catch((error: unknown) => {
              const { code, message } = describeError(error);
              emit({ type: 'precision-search-failed', model: spec.name, precision, code, message });
              made = { ...plain, sidecar: { ...plain.sidecar, warnings: [...plain.sidecar.warnings, `the mixed-precision search failed [${code}]: ${message}; the plain variant stays, outside the fidelity bound`] } };
              return null;
            });
            if (repair) emit({ type: 'precision-search', model: spec.name, precision, search: repair.search, reused: repair.searchReused, made: repair.made });
            if (repair?.made && repair.fidelity) {
              made = repair.made;
              variantPath = made.path;
              variantInfo = (await inspectModelFile(variantPath)).info;
              fidelity = repair.fidelity;
              emit({ type: 'fidelity', model: spec.name, precision, fidelity });
            } else if (repair) {
              // The plain variant stays, outside the bound; the search that found no set is recorded with it.
              made = { ...plain, sidecar: { ...plain.sidecar, search: repair.search } };
            }
          }
          variants[precision] = { precision, path: variantPath, info: variantInfo, layout: variantLayout, fidelity, made };
        } catch (error) {
          if (error instanceof InputError) throw error;
          // A variant that cannot be made or run is data: its configurations are recorded with the reason.
          const { code, message } = describeError(error);
          variantErrors[precision] = { code, message };
          emit({ type: 'variant-failed', model: spec.name, precision, code, message });
        }
      }
    }
    prepared.push({ spec, builtin, variants, variantErrors });
  }
  const names = new Set<string>();
  for (const model of prepared) {
    if (names.has(model.spec.name)) throw new InputError('MODEL_NAME_DUPLICATE', `two models are named "${model.spec.name}": give one a different name`);
    names.add(model.spec.name);
  }
  return prepared;
}
