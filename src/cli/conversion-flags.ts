// Flags that shape FP16/INT8 variants and their fidelity check, shared by `bench` and `variants`.
import { InputError } from '../errors.js';
import { nonNegativeNumber, words } from './args.js';

/** node:util parseArgs options of the conversion flags. */
export const conversionFlagOptions = {
  'int8-mode': { type: 'string' },
  calibration: { type: 'string' },
  'calibration-method': { type: 'string' },
  percentile: { type: 'string' },
  labels: { type: 'string' },
  'keep-fp32': { type: 'string' },
  'fp16-io': { type: 'boolean', default: false },
  'no-per-channel': { type: 'boolean', default: false },
  'min-cosine': { type: 'string' },
  'accuracy-target': { type: 'string' },
} as const;

/** Help lines of the conversion flags. */
export const conversionFlagHelp = `  --int8-mode auto|dynamic|static   INT8 recipe (auto: static QDQ for graphs with Conv, dynamic otherwise)
  --calibration PATH         calibration/evaluation inputs: a folder of .npy files or a .json list (default: synthetic)
  --calibration-method minmax|percentile   activation ranges for static INT8 (default minmax)
  --percentile P             share of values inside the range for percentile calibration (default 99.99)
  --labels FILE              expected class per calibration input: adds task accuracy and its ratio to FP32
  --keep-fp32 OP,…           op types to keep in FP32 in both conversions (e.g. Softmax,LayerNormalization)
  --fp16-io                  FP16 variants take and return float16 (no Casts at the graph edges)
  --no-per-channel           per-tensor weight scales in static INT8
  --min-cosine C             fidelity bound: variants below this cosine to FP32 are never recommended
  --accuracy-target P%       fidelity bound as a share of FP32 (MLPerf: 99% or 99.9%)`;

type ConversionValues = { [K in keyof typeof conversionFlagOptions]?: (typeof conversionFlagOptions)[K]['type'] extends 'boolean' ? boolean : string };

/** Scenario fields of the conversion flags: top-level `conversion`/`fidelity` and the model's calibration/labels. */
export function conversionFromFlags(values: ConversionValues): { scenario: Record<string, unknown>; model: Record<string, unknown> } {
  const conversion: Record<string, unknown> = {};
  if (values['int8-mode'] !== undefined) conversion.int8Mode = values['int8-mode'];
  if (values['calibration-method'] !== undefined) conversion.calibrationMethod = values['calibration-method'];
  const percentile = nonNegativeNumber('--percentile', values.percentile);
  if (percentile !== undefined) conversion.percentile = percentile;
  if (values['keep-fp32'] !== undefined) conversion.keepFp32 = words(values['keep-fp32']);
  if (values['fp16-io']) conversion.fp16Io = true;
  if (values['no-per-channel']) conversion.perChannel = false;
  const fidelity: Record<string, unknown> = {};
  if (values['min-cosine'] !== undefined) {
    const cosine = Number(values['min-cosine']);
    if (!Number.isFinite(cosine)) throw new InputError('FLAG_INVALID', `--min-cosine: expected a number like 0.99, got "${values['min-cosine']}"`);
    fidelity.minCosine = cosine;
  }
  if (values['accuracy-target'] !== undefined) fidelity.accuracyTarget = values['accuracy-target'];
  const model: Record<string, unknown> = {};
  if (values.calibration !== undefined) model.calibration = values.calibration;
  if (values.labels !== undefined) model.labels = values.labels;
  return {
    scenario: { ...(Object.keys(conversion).length > 0 ? { conversion } : {}), ...(Object.keys(fidelity).length > 0 ? { fidelity } : {}) },
    model,
  };
}

/** Scenario field → flag, for error messages of commands built from these flags. */
export const conversionFieldFlags: Array<[RegExp, () => string]> = [
  [/^conversion\.int8Mode/, () => '--int8-mode'],
  [/^conversion\.calibrationMethod/, () => '--calibration-method'],
  [/^conversion\.percentile/, () => '--percentile'],
  [/^conversion\.keepFp32/, () => '--keep-fp32'],
  [/^fidelity\.minCosine/, () => '--min-cosine'],
  [/^fidelity\.accuracyTarget/, () => '--accuracy-target'],
  [/^models\[0\]\.calibration/, () => '--calibration'],
  [/^models\[0\]\.labels/, () => '--labels'],
];
