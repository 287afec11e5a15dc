// `joulebench report <result.json>…`: re-render the reports of one run, or compare several runs (machines) in one.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, type ExitCodeValue } from '../errors.js';
import { analyseRuns } from '../report/analysis.js';
import { describeWritten, writeReports } from '../report/formats.js';
import { renderReportSummary } from '../report/summary.js';
import { readResultFile } from '../results/read.js';
import type { RunResult } from '../results/types.js';
import { nonNegativeNumber, pairs, withUsage } from './args.js';
import { exportCopies, exportFlags } from './execute.js';
import { renderRankedTable } from './terminal.js';

/** Help text for `report`. */
export const reportHelp = `joulebench report <result.json>… [options]

One run: re-render its reports (into DIR, default the result's folder). Several runs (e.g. one per machine): one
comparison report side by side (into DIR, default ./report). Writes report.md, report.html (interactive charts),
measurements.csv and the same charts as PNGs in charts/.

  --out DIR                  where to write the reports
  --slo-p99-ms MS            latency SLO for the recommendation (default: the runs' own)
  --electricity-price P      price per kWh, for cost per million samples
  --price-per-hour HOST=P    hardware price per hour by host name or run id (repeatable), for procurement
  --export-json FILE         also copy the run's result.json to FILE (one run only)
  --export-csv FILE          also copy measurements.csv to FILE
  --export-markdown FILE     also copy report.md to FILE`;

/** Entry point of `report`. */
export async function reportCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('report', reportHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'slo-p99-ms': { type: 'string' },
        'electricity-price': { type: 'string' },
        'price-per-hour': { type: 'string', multiple: true },
        'export-json': { type: 'string' },
        'export-csv': { type: 'string' },
        'export-markdown': { type: 'string' },
      },
    }),
  );
  if (positionals.length === 0) {
    throw new InputError('USAGE', 'report: expected one or more result.json files', { hint: 'joulebench report results/<runId>/result.json' });
  }
  const files = positionals.map((file) => path.resolve(file));
  const runs: RunResult[] = [];
  for (const file of positionals) runs.push(await readResultFile(file));
  const ids = new Set<string>();
  for (const run of runs) {
    if (ids.has(run.runId)) throw new InputError('RESULT_DUPLICATE', `run ${run.runId} is given twice`);
    ids.add(run.runId);
  }
  const pricePerHour: Record<string, number> = {};
  for (const [host, price] of pairs('--price-per-hour', values['price-per-hour'])) {
    pricePerHour[host] = nonNegativeNumber(`--price-per-hour ${host}=`, price)!;
  }
  const slo = nonNegativeNumber('--slo-p99-ms', values['slo-p99-ms']);
  const analysis = analyseRuns(runs, {
    ...(slo !== undefined ? { sloP99Ms: slo } : {}),
    electricityPricePerKWh: nonNegativeNumber('--electricity-price', values['electricity-price']) ?? null,
    pricePerHour,
  });
  const dir = values.out ? path.resolve(values.out) : runs.length === 1 ? path.dirname(files[0]!) : path.resolve('report');
  const written = await writeReports(analysis, dir);
  // --export-json copies the result of a single run (several runs have no one result.json).
  if (values['export-json'] && runs.length > 1) throw new InputError('FLAG_INVALID', `--export-json ${values['export-json']}: ${runs.length} runs have no single result.json`, { hint: 'give one run, or use --export-csv / --export-markdown for the comparison' });
  const exported = await exportCopies(exportFlags(values).exports, files[0]!, written);
  const tables = runs.map((run) => `${runs.length > 1 ? `${analysis.machines.find((m) => m.runId === run.runId)?.label} (${run.runId})\n` : ''}${renderRankedTable(run)}`);
  const summary = renderReportSummary(analysis);
  const headline = summary.length > 0 ? `${summary.join('\n')}\n\n` : '';
  process.stdout.write(`${headline}${tables.join('\n\n')}\n\nwrote ${describeWritten(written)}\n${exported.map((file) => `exported: ${file}\n`).join('')}`);
  return 0;
}
