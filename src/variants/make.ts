// Make (or reuse) an FP16 / INT8 variant of an FP32 model: <cache>/<sha256 of source>/<precision>-<params hash>.onnx
// with a JSON sidecar. The same source and options give the same bytes, so a matching file is reused as it is.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../common/cache-dir.js';
import { ModelError } from '../errors.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { ConversionSpec } from '../scenario/types.js';
import type { CalibrationSet } from './calibration-data.js';
import { convertToFloat16, type Fp16Report } from './fp16.js';
import { quantizeDynamic, type Int8DynamicReport } from './int8-dynamic.js';
import { quantizeStatic, type Int8StaticReport } from './int8-static.js';
import type { PrecisionSearch } from './precision-search.js';
import { nameUnnamedNodes } from './node-names.js';
import { upgradeForVariant, type OpsetUpgrade } from './opset-upgrade.js';
import { decodeModel, encodeModel, inlineExternalData, opHistogram } from '../onnx/proto.js';

/** Bumped whenever a converter's output changes for the same input and options (invalidates cached variants). */
export const converterVersion = 2;

/** The variant precisions joulebench can make. */
export type VariantPrecision = 'fp16' | 'int8';

/** The concrete recipe: precision plus the mode INT8 resolved to. */
export type VariantMode = 'fp16' | 'int8-dynamic' | 'int8-static';

/** The sidecar written next to each variant (no timestamps: the same inputs give the same file). */
export interface VariantSidecar {
  schema: 'joulebench/variant@1';
  precision: VariantPrecision;
  mode: VariantMode;
  source: { path: string; sha256: string; sizeBytes: number };
  tool: { name: 'joulebench'; version: string; converterVersion: number };
  paramsHash: string;
  options: Record<string, unknown>;
  calibration: { source: string; samples: number; sha256: string } | null;
  nodes: { before: number; after: number; opsBefore: Record<string, number>; opsAfter: Record<string, number> };
  report: Fp16Report | Int8DynamicReport | Int8StaticReport;
  /** What the variant changed (main graph and subgraphs); a variant that changed nothing is never written. */
  converted: VariantConverted;
  warnings: string[];
  output: { file: string; sha256: string; sizeBytes: number };
  /** The default-domain opset was lifted before conversion (opset-upgrade.ts); null when the model already had it. */
  opsetUpgrade?: OpsetUpgrade | null;
  /** The fidelity search that chose the nodes kept in FP32 / left out of INT8 (absent for a plain variant). */
  search?: PrecisionSearch;
}

/** What a variant changed: nodes converted (FP16) or quantized (INT8), weight bytes converted, subgraphs walked. */
export interface VariantConverted {
  nodes: number;
  /** Of `nodes`, those inside If / Loop / Scan bodies. */
  nodesInSubgraphs: number;
  /** Bytes of float weights (as stored in the source) turned into FP16 / INT8. */
  weightBytes: number;
  subgraphs: number;
  /** Constant nodes and constant chains folded into initializers first. */
  constantsFolded: number;
}

/** The `converted` summary of a converter's report. */
export function convertedSummary(report: Fp16Report | Int8DynamicReport | Int8StaticReport): VariantConverted {
  const folded = report.folded.constantsToInitializers + report.folded.nodesFolded;
  if ('convertedNodes' in report) {
    return { nodes: report.convertedNodes, nodesInSubgraphs: report.convertedInSubgraphs, weightBytes: report.weightBytesConverted, subgraphs: report.subgraphs, constantsFolded: folded };
  }
  const nodes = Object.values(report.quantized).reduce((sum, n) => sum + n, 0);
  return { nodes, nodesInSubgraphs: report.quantizedInSubgraphs, weightBytes: report.weightBytesQuantized, subgraphs: report.subgraphs, constantsFolded: folded };
}

// Why nothing was converted: what was looked at and what each candidate was left for.
function nothingDone(report: Fp16Report | Int8DynamicReport | Int8StaticReport): string {
  const looked = `main graph and ${report.subgraphs} subgraph(s), after folding ${report.folded.constantsToInitializers} Constant node(s) and ${report.folded.nodesFolded} constant chain node(s)`;
  const reasons = 'leftFp32' in report
    ? [...new Set(report.leftFp32.map((entry) => `${entry.op} "${entry.node}": ${entry.reason}`))].slice(0, 3)
    : Object.entries(report.keptFp32).map(([op, n]) => `${n}× ${op} kept FP32`);
  return `${looked}${reasons.length > 0 ? `; ${reasons.join('; ')}` : ''}`;
}

/** A variant on disk. */
export interface MadeVariant {
  precision: VariantPrecision;
  path: string;
  sidecarPath: string;
  sha256: string;
  /** True when a cached file with the same hash was used. */
  reused: boolean;
  sidecar: VariantSidecar;
}

/** Where variants are kept by default. */
export function variantCacheDir(): string {
  return cacheDir('variants');
}

/** INT8 mode for `auto`: static QDQ for convolutional graphs (CNNs), dynamic for the rest (Transformers, MLPs). */
export function chooseInt8Mode(opCounts: Record<string, number>, requested: ConversionSpec['int8Mode']): 'dynamic' | 'static' {
  if (requested !== 'auto') return requested;
  return (opCounts.Conv ?? 0) > 0 ? 'static' : 'dynamic';
}

/** The options that shape a variant's bytes (what the params hash covers). */
function recipe(precision: VariantPrecision, mode: VariantMode, conversion: ConversionSpec, calibration: CalibrationSet | null, keepNodes: readonly string[]): Record<string, unknown> {
  const keepFp32 = [...conversion.keepFp32].sort();
  const nodes = [...keepNodes].sort();
  if (precision === 'fp16') return { keepFp32, fp16Io: conversion.fp16Io, ...(nodes.length > 0 ? { keepNodes: nodes } : {}) };
  if (mode === 'int8-dynamic') return { mode: 'dynamic', keepFp32, perChannel: conversion.perChannel };
  return {
    mode: 'static',
    keepFp32,
    calibrationMethod: conversion.calibrationMethod,
    ...(conversion.calibrationMethod === 'percentile' ? { percentile: conversion.percentile } : {}),
    perChannel: conversion.perChannel,
    calibration: calibration?.sha256 ?? null,
    ...(nodes.length > 0 ? { excludeNodes: nodes } : {}),
  };
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

/** Arguments of makeVariant. */
export interface MakeVariantOptions {
  sourcePath: string;
  precision: VariantPrecision;
  conversion: ConversionSpec;
  /** Calibration inputs (static INT8 only; synthetic when the user gave none). */
  calibration: CalibrationSet | null;
  /** Op histogram of the source (chooses the INT8 mode). */
  opCounts: Record<string, number>;
  toolVersion: string;
  /** Cache root for variants (default variantCacheDir()). */
  cacheDir?: string;
  /** Node names kept in FP32 (FP16) or left out of quantization (static INT8), chosen by the fidelity search. */
  keepNodes?: readonly string[];
  /** That search, recorded in the sidecar. */
  search?: PrecisionSearch;
}

/** The `model.conversion` record of result.json for a variant joulebench made. */
export function conversionRecord(made: MadeVariant): { mode: VariantMode; paramsHash: string; sidecar: string; reused: boolean; opsetUpgradedFrom?: number; opsetUpgradedTo?: number; nodesConverted?: number; weightBytesConverted?: number; subgraphs?: number; precisionSearch?: PrecisionSearch } {
  const upgrade = made.sidecar.opsetUpgrade;
  const converted = made.sidecar.converted;
  return {
    mode: made.sidecar.mode,
    paramsHash: made.sidecar.paramsHash,
    sidecar: made.sidecarPath,
    reused: made.reused,
    ...(upgrade ? { opsetUpgradedFrom: upgrade.from, opsetUpgradedTo: upgrade.to } : {}),
    ...(converted ? { nodesConverted: converted.nodes, weightBytesConverted: converted.weightBytes, subgraphs: converted.subgraphs } : {}),
    ...(made.sidecar.search ? { precisionSearch: made.sidecar.search } : {}),
  };
}

/** Make the variant, or reuse the cached one made from the same source with the same options. */
export async function makeVariant(options: MakeVariantOptions): Promise<MadeVariant> {
  const { sourcePath, precision, conversion } = options;
  const sourceBytes = await readFile(sourcePath);
  const sourceSha = sha256(sourceBytes);
  const mode: VariantMode = precision === 'fp16' ? 'fp16' : chooseInt8Mode(options.opCounts, conversion.int8Mode) === 'static' ? 'int8-static' : 'int8-dynamic';
  const calibration = mode === 'int8-static' ? options.calibration : null;
  if (mode === 'int8-static' && !calibration) throw new Error('makeVariant: static INT8 needs calibration inputs');
  const keepNodes = options.keepNodes ?? [];
  const settings = recipe(precision, mode, conversion, calibration, keepNodes);
  const paramsHash = sha256(JSON.stringify({ converterVersion, mode, settings })).slice(0, 16);
  const folder = path.join(options.cacheDir ?? variantCacheDir(), sourceSha);
  const file = path.join(folder, `${precision}-${paramsHash}.onnx`);
  const sidecarPath = `${file.slice(0, -'.onnx'.length)}.json`;

  // Reuse: the sidecar records the output's hash; a file that no longer matches it is made again.
  const [cachedBytes, cachedSidecar] = await Promise.all([readIfPresent(file), readIfPresent(sidecarPath)]);
  if (cachedBytes && cachedSidecar) {
    try {
      const sidecar = JSON.parse(cachedSidecar.toString('utf8')) as VariantSidecar;
      const hash = sha256(cachedBytes);
      if (sidecar.output?.sha256 === hash && sidecar.paramsHash === paramsHash) {
        return { precision, path: file, sidecarPath, sha256: hash, reused: true, sidecar };
      }
    } catch {
      // A torn or foreign sidecar: make the variant again.
    }
  }

  const model = decodeModel(sourceBytes, sourcePath);
  inlineExternalData(model, sourcePath);
  // Kept nodes are named; unnamed ones get the same <op>_<index> names the search gave them.
  if (keepNodes.length > 0) nameUnnamedNodes(model.graph!);
  const opsBefore = opHistogram(model.graph!);
  const nodesBefore = (model.graph!.node ?? []).length;
  const warnings: string[] = [];
  // Lift old opsets to what the variant's ops need, so the converters see a model they can convert.
  const lifted = upgradeForVariant(model, mode, conversion.perChannel);
  if (lifted.warning) warnings.push(lifted.warning);
  if (lifted.upgrade) warnings.push(`the model's opset ${lifted.upgrade.from} was lifted to ${lifted.upgrade.to} for ${mode} (${Object.values(lifted.upgrade.rewritten).reduce((sum, n) => sum + n, 0)} node(s) rewritten); fidelity to the FP32 model judges the result`);
  let report: VariantSidecar['report'];
  if (mode === 'fp16') {
    const fp16 = convertToFloat16(model, { keepFp32: conversion.keepFp32, fp16Io: conversion.fp16Io, minPositive: 1e-7, maxFinite: 1e4, keepNodes: new Set(keepNodes) });
    if (fp16.convertedNodes === 0) {
      throw new ModelError('VARIANT_NOTHING_TO_CONVERT', `${sourcePath}: no node can compute in FP16 (${nothingDone(fp16)}); the FP16 variant would be the FP32 model`);
    }
    if (fp16.clampedValues > 0) {
      warnings.push(`${fp16.clampedValues} of ${fp16.convertedValues} weight values were clamped into ±[1e-7, 1e4] for FP16 (onnxconverter-common's range)`);
    }
    report = fp16;
  } else if (mode === 'int8-dynamic') {
    const int8 = quantizeDynamic(model, { keepFp32: conversion.keepFp32, perChannel: conversion.perChannel });
    if (Object.keys(int8.quantized).length === 0) {
      throw new ModelError('VARIANT_NOTHING_TO_QUANTIZE', `${sourcePath}: dynamic INT8 found no MatMul, Gemm or Conv with a constant weight to quantize (${nothingDone(int8)}); the INT8 variant would be the FP32 model`, {
        hint: 'try static INT8 (int8Mode: static / --int8-mode static)',
      });
    }
    report = int8;
  } else {
    const int8 = await quantizeStatic(model, calibration!.batches, {
      method: conversion.calibrationMethod,
      percentile: conversion.percentile,
      perChannel: conversion.perChannel,
      keepFp32: conversion.keepFp32,
      excludeNodes: new Set(keepNodes),
    }, { file: path.resolve(sourcePath), bytes: sourceBytes });
    if (Object.keys(int8.quantized).length === 0) {
      throw new ModelError('VARIANT_NOTHING_TO_QUANTIZE', `${sourcePath}: static INT8 found no Conv, MatMul or Gemm to quantize (${nothingDone(int8)}); the INT8 variant would be the FP32 model`);
    }
    if (calibration!.source === 'synthetic') {
      warnings.push('INT8 ranges were calibrated on synthetic inputs: real data may fall outside them, so the measured fidelity understates the real accuracy loss; give calibration data (--calibration DIR)');
    }
    report = int8;
  }
  const leftFp32 = 'leftFp32' in report ? report.leftFp32 : [];
  if (leftFp32.length > 0) warnings.push(`${leftFp32.length} node(s) left in FP32: ${[...new Set(leftFp32.map((entry) => `${entry.op} (${entry.reason})`))].join('; ')}`);

  (model.metadataProps ??= []).push({ key: 'joulebench.variant', value: `${mode} of ${sourceSha.slice(0, 12)} (converter ${converterVersion})` });
  const bytes = encodeModel(model);
  const outputSha = sha256(bytes);
  const sidecar: VariantSidecar = {
    schema: 'joulebench/variant@1',
    precision,
    mode,
    source: { path: path.resolve(sourcePath), sha256: sourceSha, sizeBytes: sourceBytes.length },
    tool: { name: 'joulebench', version: options.toolVersion, converterVersion },
    paramsHash,
    options: settings,
    calibration: calibration ? { source: calibration.source, samples: calibration.samples, sha256: calibration.sha256 } : null,
    nodes: { before: nodesBefore, after: (model.graph!.node ?? []).length, opsBefore, opsAfter: opHistogram(model.graph!) },
    report,
    converted: convertedSummary(report),
    warnings,
    opsetUpgrade: lifted.upgrade,
    output: { file: path.basename(file), sha256: outputSha, sizeBytes: bytes.length },
    ...(options.search ? { search: options.search } : {}),
  };
  await mkdir(folder, { recursive: true });
  await writeFileAtomic(file, bytes);
  await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { precision, path: file, sidecarPath, sha256: outputSha, reused: false, sidecar };
}
