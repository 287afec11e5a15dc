// `joulebench inspect <model>`: inputs, outputs, symbolic dims, batch axis, ops, parameters.
import { parseArgs } from 'node:util';
import { InputError, JoulebenchError, type ExitCodeValue } from '../errors.js';
import { resolveBatchLayout, type BatchLayout } from '../onnx/batch-axis.js';
import { ensureBuiltinModel } from '../model/builtin.js';
import { estimateFlops, formatFlops, type FlopsEstimate } from '../model/flops.js';
import { inspectModelFile } from '../model/inspect.js';
import type { InputSpec, ModelDim } from '../onnx/shapes.js';
import { isZooName } from '../model/zoo/index.js';
import { requiredOpset } from '../variants/opset-upgrade.js';
import { feedValues, pairs, shapeDims, withUsage } from './args.js';

/** Help text for `inspect`. */
export const inspectHelp = `joulebench inspect <model.onnx | builtin> [--shape NAME=DIMS]… [--feed NAME=VALUE]… [--no-flops] [--json]

Show a model's inputs and outputs (with symbolic dims), where joulebench puts the batch, its opsets, the op
histogram, parameter count and bytes (initializers, Constant nodes and subgraph weights), the precision the file
already is (fp32, fp16, int8 or mixed), and the estimated FLOPs per sample (from one batch-1 run on the CPU that
reads the shapes of every MatMul, Gemm and Conv, inside If / Loop / Scan bodies too: an If counts its larger branch,
a Loop or Scan one iteration; --no-flops skips that run). --feed fills an input with a value for
that run instead of random data, as in bench (--feed sr=16000). Writes nothing (a built-in model is built into
models/ first); --json prints the same as JSON.`;

const formatDims = (dims: ModelDim[] | null) =>
  dims === null ? '(no shape)' : `[${dims.map((d) => (d.kind === 'fixed' ? d.size : d.kind === 'symbolic' ? d.name : '?')).join(', ')}]`;


// Old opsets are lifted before a variant is made (src/variants/opset-upgrade.ts): say to what.
const opsetNote = (opsets: Array<{ domain: string; version: number }>) => {
  const version = opsets.find((o) => o.domain === 'ai.onnx')?.version ?? 0;
  const lifts = (['fp16', 'int8-dynamic', 'int8-static'] as const)
    .map((mode) => [mode, requiredOpset(mode, true)] as const)
    .filter(([, needed]) => version > 0 && version < needed)
    .map(([mode, needed]) => `${mode} ${needed}`);
  return lifts.length > 0 ? ` (variants lift it: ${lifts.join(', ')})` : '';
};

// Where the parameters are, when not all in main-graph initializers.
const parameterPlaces = (where: { initializers: number; constantNodes: number; subgraphs: number }) => {
  const parts = [
    where.constantNodes > 0 ? `${where.constantNodes.toLocaleString('en-US')} in Constant nodes` : '',
    where.subgraphs > 0 ? `${where.subgraphs.toLocaleString('en-US')} in subgraphs` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `, of which ${parts.join(', ')}` : '';
};

/** Entry point of `inspect`. */
export async function inspectCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('inspect', inspectHelp, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, shape: { type: 'string', multiple: true }, feed: { type: 'string', multiple: true }, 'no-flops': { type: 'boolean', default: false } } }),
  );
  if (positionals.length !== 1) throw new InputError('USAGE', 'inspect: expected one model', { hint: 'joulebench inspect model.onnx' });
  const source = positionals[0]!;
  const file = isZooName(source) ? (await ensureBuiltinModel(source)).path : source;
  const { info, bytes } = await inspectModelFile(file);
  const specs: Record<string, InputSpec> = {};
  for (const [name, dims] of pairs('--shape', values.shape)) specs[name] = { shape: shapeDims('--shape', name, dims) };
  for (const [name, value] of feedValues(values.feed)) specs[name] = { ...specs[name], feed: value };
  const unknown = Object.keys(specs).filter((name) => !info.inputs.some((input) => input.name === name));
  if (unknown.length > 0) throw new InputError('FLAG_INVALID', `--shape/--feed ${unknown[0]}: the model has no input "${unknown[0]}" (inputs: ${info.inputs.map((input) => input.name).join(', ')})`);
  let layout: BatchLayout | null = null;
  let layoutProblem: string | null = null;
  try {
    layout = resolveBatchLayout(info, specs, { shape: (name) => `--shape ${name}=` });
  } catch (error) {
    if (!(error instanceof JoulebenchError)) throw error;
    // A shape the user typed that does not fit the model is bad input, not a description of the model.
    if (['SHAPE_RANK', 'SHAPE_CONFLICT', 'INPUT_UNKNOWN'].includes(error.code)) throw error;
    layoutProblem = `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
  }
  // FLOPs need one run; a model that cannot run here still gets the rest of its description.
  let flops: FlopsEstimate | null = null;
  let flopsProblem: string | null = values['no-flops'] ? 'skipped (--no-flops)' : layout ? null : 'needs the input shapes (see batch)';
  if (layout && !values['no-flops']) {
    try {
      flops = await estimateFlops(bytes, file, layout);
    } catch (error) {
      if (!(error instanceof JoulebenchError)) throw error;
      flopsProblem = error.message;
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...info, layout, layoutProblem, flopsPerSample: flops?.perSample ?? null, flopsByOp: flops?.byOp ?? null, flopsSubgraphs: flops?.subgraphs ?? null, flopsProblem }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `${info.path}`,
    `  sha256 ${info.sha256}, ${(info.sizeBytes / 2 ** 20).toFixed(2)} MiB${info.externalData ? ' (+ external data)' : ''}, ${info.parameterCount.toLocaleString('en-US')} parameters (${(info.parameterBytes / 2 ** 20).toFixed(2)} MiB)${parameterPlaces(info.parametersIn)}`,
    `  precision: ${info.detectedPrecision} (${info.precisionReason})`,
    `  IR ${info.irVersion}, opsets ${info.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}${info.producer ? `, producer ${info.producer}` : ''}${opsetNote(info.opsets)}`,
    '  inputs:',
    ...info.inputs.map((input) => {
      const resolved = layout?.inputs.find((l) => l.name === input.name);
      const batch = resolved ? ` → ${resolved.batchAxis === null ? 'no batch axis' : `batch at axis ${resolved.batchAxis}`} (${resolved.reason})` : '';
      const bound = info.indexBounds[input.name] !== undefined ? `, ids < ${info.indexBounds[input.name]}` : '';
      return `    ${input.name}: ${input.elemType} ${formatDims(input.dims)}${batch}${bound}`;
    }),
    '  outputs:',
    ...info.outputs.map((output) => `    ${output.name}: ${output.elemType} ${formatDims(output.dims)}`),
    `  batch: ${layout ? (layout.fixedBatch !== null ? `fixed at ${layout.fixedBatch} (only that batch size can run)` : `dynamic (symbol ${layout.batchSymbol ?? 'unnamed axis 0 / given by --shape'})`) : `needs input: ${layoutProblem}`}`,
    `  ops (${info.nodeCount} nodes): ${Object.entries(info.opCounts).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op}×${n}`).join(', ')}`,
    flops
      ? `  estimated FLOPs per sample: ${formatFlops(flops.perSample)} (${Object.entries(flops.byOp).map(([op, n]) => `${op} ${formatFlops(n)}`).join(', ') || 'no MatMul, Gemm or Conv'})`
      : `  estimated FLOPs per sample: unknown — ${flopsProblem}`,
    ...(flops?.subgraphs ?? []).filter((sub) => sub.flops !== 0).map((sub) => `    ${sub.op} "${sub.node}": ${sub.flops === null ? sub.note : `${formatFlops(sub.flops)} — ${sub.note}`}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
