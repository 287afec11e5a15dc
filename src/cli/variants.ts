// `joulebench variants <model> --precision fp16,int8`: make (or reuse) the variants, measure their fidelity, print both.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { prepareModels, variantErrorIsSkip, type PrepareEvent } from '../measure/prepare.js';
import { sig } from '../common/format-number.js';
import { parseScenario } from '../scenario/schema.js';
import { variantCacheDir } from '../variants/make.js';
import { describeSearch } from '../variants/mixed-precision.js';
import type { PrecisionSearch } from '../variants/precision-search.js';
import { pairs, shapeDims, withUsage, words } from './args.js';
import { applyScenarioFlags, givenFlags, renameFieldsToFlags, scenarioFlagHelp, scenarioFlagOptions } from './scenario-flags.js';
import { displayPath } from './paths.js';
import { describePrepareEvent } from './terminal.js';
import { toolVersion } from './version.js';

/** Help text for `variants`. */
export const variantsHelp = `joulebench variants <model.onnx | mlp | cnn | transformer> [options]

Make FP16 and INT8 variants of an FP32 model (in TypeScript, no Python), check their fidelity against FP32 on the
same inputs, and keep them in the variant cache (reused when the source and options match).

  --precision fp16,int8      variants to make (default fp16,int8)
  --out DIR                  cache root to write to (default $JOULEBENCH_CACHE_DIR/variants or ~/.cache/joulebench/variants);
                             files land in DIR/<sha256 of the model>/<precision>-<options hash>.onnx with a .json sidecar
${scenarioFlagHelp('variants', 29)}
  --json                     print the variants and their fidelity as JSON

exit codes: 0 every variant made, 2 bad input or a variant that does not apply (nothing to quantize), 3 a variant failed`;

/** Entry point of `variants`. */
export async function variantsCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('variants', variantsHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...scenarioFlagOptions('variants'),
        precision: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `variants: expected one model (a .onnx path or a built-in name), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench variants model.onnx --precision fp16,int8',
    });
  }
  const source = positionals[0]!;
  const model = existsSync(source) && !source.includes('/') ? `./${source}` : source;
  const precisions = words(values.precision ?? 'fp16,int8');
  const unknown = precisions.filter((p) => p !== 'fp16' && p !== 'int8');
  if (unknown.length > 0) throw new InputError('FLAG_INVALID', `--precision: ${unknown.join(', ')} is not a variant joulebench makes; expected fp16, int8 or both`);
  const given = givenFlags('variants', values);
  let scenario;
  try {
    scenario = parseScenario(applyScenarioFlags({ name: 'variants', models: [{ model }], precisions: ['fp32', ...precisions] }, given, values), { file: null, baseDir: process.cwd() });
  } catch (error) {
    throw error instanceof InputError ? renameFieldsToFlags(error, 'scenario', given, [{ field: 'models[0].model', label: 'model' }]) : error;
  }
  const cacheDir = values.out ? path.resolve(values.out) : variantCacheDir();
  const events: PrepareEvent[] = [];
  const [prepared] = await prepareModels(
    scenario,
    { model: () => ({ shape: (name) => `--shape ${name}=` }), executionProvider: () => '--ep' },
    { toolVersion: toolVersion(), cacheDir, onEvent: (event) => events.push(event) },
  );
  const rows = precisions.map((precision) => {
    const variant = prepared!.variants[precision as 'fp16' | 'int8'];
    const error = prepared!.variantErrors[precision as 'fp16' | 'int8'] ?? null;
    return { precision, variant, error };
  });
  if (values.json) {
    const out = rows.map(({ precision, variant, error }) => ({
      precision,
      status: variant ? 'ok' : error && variantErrorIsSkip(error.code) ? 'skipped' : 'failed',
      path: variant?.path ?? null,
      sidecar: variant?.made?.sidecarPath ?? null,
      reused: variant?.made?.reused ?? null,
      mode: variant?.made?.sidecar.mode ?? null,
      nodes: variant?.made?.sidecar.nodes ?? null,
      warnings: variant?.made?.sidecar.warnings ?? [],
      fidelity: variant?.fidelity ?? null,
      search: variant?.made?.sidecar.search ?? null,
      error,
    }));
    process.stdout.write(`${JSON.stringify({ source: prepared!.variants.fp32!.path, cacheDir, variants: out }, null, 2)}\n`);
  } else {
    const lines = [`variants of ${displayPath(prepared!.variants.fp32!.path)} (cache ${displayPath(cacheDir)}):`];
    for (const { precision, variant, error } of rows) {
      if (!variant) {
        lines.push(`  ${precision}: ${error && variantErrorIsSkip(error.code) ? 'not made' : 'FAILED'} — ${error?.message ?? 'unknown error'}`);
        continue;
      }
      const made = variant.made!;
      const nodes = made.sidecar.nodes;
      const size = `${sig(made.sidecar.output.sizeBytes / 2 ** 20)} MiB (FP32 ${sig(made.sidecar.source.sizeBytes / 2 ** 20)} MiB)`;
      const f = variant.fidelity!;
      lines.push(
        `  ${precision} (${made.sidecar.mode}${made.reused ? ', reused' : ''}): ${displayPath(made.path)}`,
        `    ${size}; nodes ${nodes.before} → ${nodes.after}: ${opChanges(nodes.opsBefore, nodes.opsAfter)}`,
        `    fidelity vs FP32 (${f.samples} ${f.inputs} samples): cosine ${f.cosine.toFixed(5)}, max abs error ${sig(f.maxAbsError)}, rmse ${sig(f.rmse)}${f.top1Agreement === null ? '' : `, top-1 agreement ${(f.top1Agreement * 100).toFixed(1)}%`}${f.accuracyRatio === null ? '' : `, accuracy ${(f.accuracy! * 100).toFixed(1)}% vs FP32 ${(f.referenceAccuracy! * 100).toFixed(1)}%`}${f.withinBounds === false ? ` — OUTSIDE bounds: ${f.violations.join('; ')}` : f.withinBounds ? ' — within bounds' : ''}`,
        ...searchLines(made.sidecar.search, events.find((event) => event.type === 'precision-search' && event.precision === precision)),
        ...made.sidecar.warnings.map((warning) => `    warning: ${warning}`),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const errors = rows.flatMap(({ error }) => (error ? [error] : []));
  if (errors.length === 0) return ExitCode.ok;
  return errors.every((error) => variantErrorIsSkip(error.code)) ? ExitCode.badInput : ExitCode.runtimeFailure;
}

// The plain variant missed the fidelity bound: what the search kept in FP32 / out of INT8, why, and its cost.
function searchLines(search: PrecisionSearch | undefined, event: PrepareEvent | undefined): string[] {
  if (!search) return [];
  const reused = event?.type === 'precision-search' && event.reused;
  return [`    plain ${search.kind === 'fp16-keep-fp32' ? 'FP16' : 'INT8'} missed the bound; ${describeSearch(search, reused)}`, ...search.kept.map((kept) => `      ${kept.node} (${kept.op}): ${kept.reason}`)];
}

// "+MatMulInteger×12, −MatMul×12" style summary of what the conversion changed.
function opChanges(before: Record<string, number>, after: Record<string, number>): string {
  const ops = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes = ops.flatMap((op) => {
    const delta = (after[op] ?? 0) - (before[op] ?? 0);
    return delta === 0 ? [] : [`${delta > 0 ? '+' : '−'}${op}×${Math.abs(delta)}`];
  });
  return changes.join(', ') || 'same ops (types changed)';
}
