// `joulebench merge PATH… --out DIR`: join the run folders of a sharded sweep into one run folder.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { readMergeInput, resultFilesOf } from '../fleet/inputs.js';
import { mergeResults } from '../fleet/merge.js';
import { writeMerge } from '../fleet/write.js';
import { withUsage } from './args.js';
import { displayPath } from './paths.js';
import { renderRankedTable } from './terminal.js';

/** Help text for `merge`. */
export const mergeHelp = `joulebench merge <PATH>… --out DIR

Join the run folders of a sharded sweep (joulebench run … --shard I/N) into one run folder: result.json and every
report. PATH: a run folder, a result.json, or a folder holding run folders. Results of one machine class (same CPU,
GPUs, driver, power limit, onnxruntime and joulebench versions) are pooled into one ranking and the recommendation is
made again over all of them; other machines stand side by side (a folder each under DIR, the comparison reports in
DIR). A shard run twice counts once: its newest complete result. Merging the same inputs again writes the same files.
Exit 0 when every shard and configuration is there, 3 when some are missing (they are named; what is there is still
written), 2 for inputs that cannot be merged (different scenarios, a corrupt result.json: nothing is written).

  --out DIR     the merged run folder (not one of the inputs)
  --json        print the merged result.json (one machine) or the list of results to stdout
  -h, --help    this help`;

/** Entry point of `merge`. */
export async function mergeCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('merge', mergeHelp, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } } }),
  );
  if (positionals.length === 0) throw new InputError('USAGE', 'merge: expected run folders or result.json files to merge, got none', { hint: 'joulebench merge results/ --out merged' });
  if (!values.out) throw new InputError('USAGE', 'merge: --out DIR is required (the merged run folder)', { hint: `joulebench merge ${positionals.join(' ')} --out merged` });
  const outDir = path.resolve(values.out);
  const files = await resultFilesOf(positionals);
  const inputs = [];
  for (const file of files) inputs.push(await readMergeInput(file));
  const clash = inputs.find((input) => path.dirname(input.file) === outDir && !input.result.merge);
  if (clash) {
    throw new InputError('MERGE_OUT_IS_INPUT', `merge: --out ${values.out} is the run folder of ${clash.file}; merging there would overwrite a shard's result`, { hint: 'choose a new folder: --out merged' });
  }
  const outcome = mergeResults(inputs);
  const written = await writeMerge(outcome, outDir);

  for (const note of outcome.notes) process.stderr.write(`note: ${note}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(outcome.machines.length === 1 ? outcome.machines[0]!.result : outcome.machines.map((m) => m.result), null, 2)}\n`);
  } else {
    const blocks = outcome.machines.map((machine, i) => {
      const shards = machine.used.map((input) => input.result.shard?.index ?? 0);
      const head = `${outcome.machines.length > 1 ? `machine ${i + 1} of ${outcome.machines.length}: ` : ''}${machine.fingerprint.cpuModel}${machine.fingerprint.gpus.length > 0 ? ` · ${[...new Set(machine.fingerprint.gpus.map((g) => g.name))].join(', ')}` : ''} — shards ${shards.join(', ')} of ${machine.result.merge!.shardCount}, ${machine.result.measurements.length} configuration(s)`;
      return `${head}\n${renderRankedTable(machine.result)}\nresult: ${displayPath(written.results[i]!)}`;
    });
    process.stdout.write(`${blocks.join('\n\n')}\n${outcome.machines.length > 1 ? `side by side: ${displayPath(written.reportDirs[0]!)}/report.html, report.md\n` : ''}`);
  }
  if (outcome.complete) return ExitCode.ok;
  for (const machine of outcome.machines) {
    if (machine.result.status !== 'complete') process.stderr.write(`joulebench: merge incomplete${outcome.machines.length > 1 ? ` on ${machine.fingerprint.host}` : ''}: ${machine.result.stopReason}\n`);
  }
  return ExitCode.runtimeFailure;
}
