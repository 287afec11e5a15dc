// `joulebench init <model> [-o FILE]`: inspect a model and write a commented scenario with the shapes it needs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, JoulebenchError, type ExitCodeValue } from '../errors.js';
import { ensureBuiltinModel } from '../model/builtin.js';
import { inspectModelFile, type ModelInfo } from '../model/inspect.js';
import { isZooName } from '../model/zoo/index.js';
import { resolveBatchLayout } from '../onnx/batch-axis.js';
import type { DimSpec, ModelDim } from '../onnx/shapes.js';
import { parseScenarioYaml } from '../scenario/load.js';
import { defaultModelName, scenarioDefaults } from '../scenario/schema.js';
import { withUsage } from './args.js';
import { displayPath } from './paths.js';

/** Help text for `init`. */
export const initHelp = `joulebench init <model.onnx | mlp | cnn | transformer> [-o FILE] [--force]

Inspect a model and write a commented scenario file for it: the model, its input shapes with N where the batch
goes (a symbolic dimension other than the batch gets a guessed size and a "# symbolic" comment: set the size you
serve), integer ranges read from the model, and the common settings with their defaults. The file is checked by
loading it back before it is written. Then: joulebench run FILE (or joulebench run FILE --dry-run for the plan).

  -o, --out FILE     where to write (default: <model name>.yaml here; - prints it instead)
  --force            overwrite FILE when it exists
  -h, --help         this help`;

// A guess for a symbolic dimension other than the batch, by its name; the comment says it is one.
function guessSize(name: string): number {
  if (/seq|len|token|time|frame|step|position/i.test(name)) return 128;
  if (/height|width|^h$|^w$|size|pixel/i.test(name)) return 224;
  if (/chan/i.test(name)) return 3;
  return 1;
}

const batchName = /^(n|b|bs|batch|batch_?size|batches|.*batch.*|unk__\d+|None|\?)$/i;

interface InputPlan {
  name: string;
  /** null: the model's own shape is enough (written as a comment only). */
  shape: DimSpec[] | null;
  described: string;
  notes: string[];
  range: [number, number] | null;
}

const showDims = (dims: ModelDim[] | null) => (dims === null ? '(no shape)' : `[${dims.map((d) => (d.kind === 'fixed' ? d.size : d.kind === 'symbolic' ? d.name : '?')).join(', ')}]`);

// Each input's shape: kept as the model says when joulebench can already place the batch, else N for the batch and a
// flagged guess for every other symbolic dimension.
function planInputs(info: ModelInfo): { inputs: InputPlan[]; layoutProblem: string | null } {
  let automatic = true;
  try {
    resolveBatchLayout(info, {}, { shape: (name) => `models[0].inputs.${name}.shape` });
  } catch (error) {
    if (!(error instanceof JoulebenchError)) throw error;
    automatic = false;
  }
  const inputs = info.inputs.map((input): InputPlan => {
    const bound = info.indexBounds[input.name];
    const range: [number, number] | null = bound !== undefined && /int/.test(input.elemType) ? [0, bound] : null;
    const described = `${input.elemType} ${showDims(input.dims)}`;
    if (automatic || input.dims === null) return { name: input.name, shape: null, described, notes: [], range };
    const notes: string[] = [];
    let batchPlaced = false;
    const shape = input.dims.map((dim, axis): DimSpec => {
      if (dim.kind === 'fixed') return dim.size;
      const label = dim.kind === 'symbolic' ? `"${dim.name}"` : `axis ${axis} (unnamed)`;
      if (!batchPlaced && (axis === 0 || (dim.kind === 'symbolic' && batchName.test(dim.name)))) {
        batchPlaced = true;
        return 'N';
      }
      const size = guessSize(dim.kind === 'symbolic' ? dim.name : '');
      notes.push(`symbolic ${label} at axis ${axis}: ${size} is a guess — set the size you serve`);
      return size;
    });
    return { name: input.name, shape, described, notes, range };
  });
  const specs = Object.fromEntries(inputs.filter((i) => i.shape).map((i) => [i.name, { shape: i.shape! }]));
  let layoutProblem: string | null = null;
  try {
    resolveBatchLayout(info, specs, { shape: (name) => `models[0].inputs.${name}.shape` });
  } catch (error) {
    if (!(error instanceof JoulebenchError)) throw error;
    layoutProblem = error.message;
  }
  return { inputs, layoutProblem };
}

/** The scenario text for one model (`modelRef` as it goes in the file: a built-in name or a path from the file's folder). */
export function scenarioText(info: ModelInfo, modelRef: string, outsideFolder: boolean): { text: string; layoutProblem: string | null; symbolic: number } {
  const { inputs, layoutProblem } = planInputs(info);
  const name = defaultModelName(modelRef);
  const d = scenarioDefaults;
  const lines = [
    `# Scenario for ${path.basename(info.path)}, written by \`joulebench init\`. Run it: joulebench run <this file>`,
    '# (add --dry-run for the plan and the worst-case time). Every key except models is optional; the values shown',
    '# are the defaults. Paths are relative to this file\'s folder.',
    `name: ${name}`,
    '',
    'models:',
    `  - model: ${modelRef}`,
  ];
  if (outsideFolder) lines.splice(lines.indexOf('models:'), 0, '# the model lies outside this file\'s folder, so reading it needs:', 'allowOutsidePaths: true', '');
  const needed = inputs.filter((input) => input.shape !== null || input.range !== null);
  if (needed.length > 0) lines.push('    inputs:');
  for (const input of inputs) {
    if (input.shape === null && input.range === null) {
      lines.push(`      # ${input.name}: ${input.described} — joulebench finds the batch axis itself`);
      continue;
    }
    lines.push(`      ${JSON.stringify(input.name)}:    # the model says ${input.described}`);
    if (input.shape) lines.push(`        shape: [${input.shape.join(', ')}]    # N is the batch`);
    for (const note of input.notes) lines.push(`        # ${note}`);
    if (input.range) lines.push(`        range: [${input.range[0]}, ${input.range[1]}]    # ids below the table size read from the model`);
  }
  lines.push(
    '',
    `# Precisions to compare: fp16 and int8 variants are made from the model, cached, and checked against FP32.`,
    `precisions: [${d.precisions.join(', ')}]    # e.g. [fp32, fp16, int8]`,
    '# Execution providers: `joulebench devices` lists the ones that work here.',
    `executionProviders: [${d.executionProviders.map((ep) => ep.name).join(', ')}]    # e.g. [cpu, cuda]`,
    `batchSizes: [${d.batchSizes.join(', ')}]`,
    '# Power meters: auto takes every hardware meter that works here, else an estimate labelled ESTIMATED.',
    `meters: [${d.meters.join(', ')}]`,
    '# The race: configurations run in rounds until the best is clear or the rest are within ±equivalencePercent.',
    `stopping: { rule: race, equivalencePercent: ${d.stopping.rule === 'race' ? d.stopping.equivalencePercent : 3}, maxSeconds: ${d.stopping.maxSeconds} }`,
    `# slo: { p99Ms: 50 }    # a latency SLO the recommendation must meet`,
    `idleSeconds: ${d.idleSeconds}`,
    `out: ${d.out}`,
    '',
  );
  return { text: lines.join('\n'), layoutProblem, symbolic: inputs.reduce((n, input) => n + input.notes.length, 0) };
}

/** Entry point of `init`. */
export async function initCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('init', initHelp, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: false } } }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `init: expected one model (a .onnx path or a built-in name), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, { hint: 'joulebench init model.onnx -o model.yaml' });
  }
  const source = positionals[0]!;
  const builtin = isZooName(source);
  const file = builtin ? (await ensureBuiltinModel(source)).path : source;
  const { info } = await inspectModelFile(file);
  const toStdout = values.out === '-';
  const out = path.resolve(values.out && !toStdout ? values.out : `${defaultModelName(builtin ? source : file)}.yaml`);
  if (!toStdout && existsSync(out) && !values.force) {
    throw new InputError('FILE_EXISTS', `--out ${displayPath(out)}: the file exists; init does not overwrite it`, { hint: `pass --force to replace it, or -o another.yaml` });
  }
  const relative = path.relative(path.dirname(out), path.resolve(file));
  const outside = !builtin && (relative.startsWith('..') || path.isAbsolute(relative));
  const modelRef = builtin ? source : outside ? path.resolve(file) : `./${relative.split(path.sep).join('/')}`;
  const { text, layoutProblem, symbolic } = scenarioText(info, modelRef, outside);
  // Loaded back as `run` would load it: a file init writes always validates.
  parseScenarioYaml(text, { file: out, baseDir: path.dirname(out) });
  if (toStdout) {
    process.stdout.write(text);
    return ExitCode.ok;
  }
  await writeFile(out, text);
  const shown = displayPath(out);
  process.stdout.write(`wrote ${shown}${symbolic > 0 ? `: check the ${symbolic} guessed size(s) marked "symbolic"` : ''}\nnext: joulebench run ${shown} --dry-run   (the plan), then joulebench run ${shown}\n`);
  if (layoutProblem) process.stderr.write(`warning: the shapes written do not fit the model yet: ${layoutProblem}\n`);
  return ExitCode.ok;
}
