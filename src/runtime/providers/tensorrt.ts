// NVIDIA TensorRT provider: CUDA's needs plus TensorRT 10 (libnvinfer.so.10). Engines are built at session creation,
// so the engine cache lives in a folder outside the run: a rebuilt engine is cold start, never window time.
import path from 'node:path';
import { backendAvailability, commonOptions, commonSessionOptions, deviceIdOf, gpuInstallHint, notForwarded, precisionViaValues } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderContext, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  device_id: { type: 'integer', target: 'provider', forwarded: true, description: 'CUDA device index' },
  trt_engine_cache_enable: { type: 'boolean', target: 'provider', forwarded: false, description: 'keep built engines on disk (default on when a cache folder is known)' },
  trt_engine_cache_path: { type: 'string', target: 'provider', forwarded: false, description: 'engine cache folder (default <cache>/tensorrt-engines)' },
  trt_fp16_enable: { type: 'boolean', target: 'provider', forwarded: false, description: 'let the TensorRT builder pick FP16 kernels' },
  trt_int8_enable: { type: 'boolean', target: 'provider', forwarded: false, description: 'let the TensorRT builder pick INT8 kernels (Q/DQ models or a calibration table)' },
  trt_max_workspace_size: { type: 'integer', target: 'provider', forwarded: false, description: 'builder workspace in bytes' },
  precision_via: {
    type: 'enum',
    values: precisionViaValues,
    target: 'joulebench',
    forwarded: true,
    description: 'fp16/int8 from model variants (model, the default), from the builder flags on the FP32 model (builder), or both',
  },
} satisfies Record<string, OptionSpec>;

/** The default engine cache folder under a cache root. */
export function tensorrtEngineCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'tensorrt-engines');
}

function settings(given: ProviderOptions, context?: ProviderContext): ProviderSettings {
  const provider: Record<string, string | number> & { name: 'tensorrt'; deviceId: number } = { name: 'tensorrt', deviceId: deviceIdOf(given) };
  if (given.device_id !== undefined) provider.device_id = String(given.device_id);
  const cachePath = typeof given.trt_engine_cache_path === 'string' ? given.trt_engine_cache_path : context ? tensorrtEngineCacheDir(context.cacheDir) : undefined;
  const cacheEnabled = given.trt_engine_cache_enable ?? cachePath !== undefined;
  provider.trt_engine_cache_enable = cacheEnabled === true ? '1' : '0';
  if (cacheEnabled === true && cachePath !== undefined) provider.trt_engine_cache_path = cachePath;
  if (given.trt_fp16_enable !== undefined) provider.trt_fp16_enable = given.trt_fp16_enable === true ? '1' : '0';
  if (given.trt_int8_enable !== undefined) provider.trt_int8_enable = given.trt_int8_enable === true ? '1' : '0';
  if (given.trt_max_workspace_size !== undefined) provider.trt_max_workspace_size = String(given.trt_max_workspace_size);
  return { provider, session: commonSessionOptions(given), notForwarded: notForwarded(options, given) };
}

/** onnxruntime's TensorRT execution provider. */
export const tensorrtProvider: ExecutionProvider = {
  name: 'tensorrt',
  description: 'NVIDIA TensorRT provider (TensorRT 10 on CUDA 12)',
  options,
  availability: backendAvailability('tensorrt', gpuInstallHint),
  settings,
  device: (given) => `cuda:${deviceIdOf(given)}`,
  builderPrecisions: {
    via: 'tensorrt-builder',
    flags: {
      fp16: { trt_fp16_enable: true },
      // INT8 without a calibration table needs Q/DQ nodes or per-tensor ranges; TensorRT falls back to FP16 where it has none.
      int8: { trt_int8_enable: true, trt_fp16_enable: true },
    },
  },
};
