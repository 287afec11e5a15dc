// `joulebench models build`: write the built-in model zoo to disk.
import { closest } from '../common/suggest.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, type ExitCodeValue } from '../errors.js';
import { buildAllBuiltinModels, modelsDir } from '../model/builtin.js';
import { zoo } from '../model/zoo/index.js';
import { withUsage } from './args.js';

/** Help text for `models`. */
export const modelsHelp = `joulebench models build [--out DIR]
joulebench models list

Build the built-in models (deterministic weights, byte-identical every time) into models/ (or DIR, or $JOULEBENCH_MODELS_DIR):
writes mlp.onnx, cnn.onnx, transformer.onnx there. list prints what each one is.`;

/** Entry point of `models`. */
export async function modelsCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('models', modelsHelp, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } }),
  );
  const action = positionals[0];
  if (action === 'list') {
    for (const model of Object.values(zoo)) process.stdout.write(`${model.name.padEnd(12)} ${model.description}\n`);
    return 0;
  }
  if (action !== 'build' || positionals.length !== 1) {
    const meant = action !== undefined && positionals.length === 1 ? closest(action, ['build', 'list']) : undefined;
    throw new InputError('USAGE', `models: expected "build" or "list", got ${positionals.join(' ') || 'nothing'}${meant ? ` — did you mean "${meant}"?` : ''}`, { hint: `joulebench models ${meant ?? 'build'}` });
  }
  const dir = values.out ? path.resolve(values.out) : modelsDir();
  for (const model of await buildAllBuiltinModels(dir)) {
    process.stdout.write(`${model.name.padEnd(12)} ${model.path}  ${(model.sizeBytes / 2 ** 20).toFixed(2)} MiB  sha256 ${model.sha256}${model.written ? '' : '  (unchanged)'}\n`);
  }
  return 0;
}
