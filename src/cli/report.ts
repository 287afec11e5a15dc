// `joulebench report <result.json>`: re-render a run's reports from its result file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, type ExitCodeValue } from '../errors.js';
import { writeReports } from '../report/formats.js';
import { resultSchemaId, type RunResult } from '../results/types.js';
import { withUsage } from './args.js';
import { renderRankedTable } from './terminal.js';

/** Help text for `report`. */
export const reportHelp = `joulebench report <result.json> [--out DIR]

Write report.md and measurements.csv for a run (into DIR, default the result's folder) and print the ranked table.`;

/** Read and check a result file. */
async function readResult(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('RESULT_UNREADABLE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new InputError('RESULT_NOT_JSON', `${file}: not JSON${where ? ` (syntax error at character ${where})` : ''}; expected a joulebench result.json`, { cause: error });
  }
  if ((parsed as { schema?: unknown } | null)?.schema !== resultSchemaId) {
    throw new InputError('RESULT_SCHEMA', `${file}: not a joulebench result (schema is not "${resultSchemaId}")`);
  }
  return parsed as RunResult;
}

/** Entry point of `report`. */
export async function reportCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('report', () =>
    parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `joulebench report: expected one result.json, got ${positionals.length === 0 ? 'none' : positionals.length}`, {
      hint: 'multi-run comparison reports are not available yet; report one run at a time',
    });
  }
  const file = path.resolve(positionals[0]!);
  const result = await readResult(file);
  const written = await writeReports(result, values.out ? path.resolve(values.out) : path.dirname(file));
  process.stdout.write(`${renderRankedTable(result)}\n\nwrote ${written.join(', ')}\n`);
  return 0;
}
