// Precisions a provider builds itself from the FP32 model (no variant file): TensorRT's FP16 and INT8 builder flags.
// Dependency-free so that scenario/expand.ts can read it without loading onnxruntime.

/** How a configuration got its precision: a model variant file, or the provider's builder flag on the FP32 model. */
export type PrecisionVia = 'model' | 'tensorrt-builder';

/** Provider options that make a provider build a precision, by provider and precision. */
export const builderFlags: Readonly<Record<string, { via: PrecisionVia; flags: Readonly<Record<string, Readonly<Record<string, boolean>>>> }>> = {
  tensorrt: {
    via: 'tensorrt-builder',
    flags: {
      fp16: { trt_fp16_enable: true },
      // INT8 without a calibration table needs Q/DQ nodes or per-tensor ranges; TensorRT falls back to FP16 where it has none.
      int8: { trt_int8_enable: true, trt_fp16_enable: true },
    },
  },
};

/** The scenario option choosing model variants, builder flags or both (`precision_via`, default `model`). */
export const precisionViaValues = ['model', 'builder', 'both'] as const;
export type PrecisionViaChoice = (typeof precisionViaValues)[number];
