// `joulebench compare <baseline.json> <candidate.json>`: the regression gate.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareDefaults, compareRuns } from '../compare/compare.js';
import { renderComparisonJunit } from '../compare/junit.js';
import { renderComparisonMarkdown } from '../compare/markdown.js';
import { readResultFile } from '../results/read.js';
import { renderComparisonText } from '../compare/text.js';
import type { MetricId } from '../compare/types.js';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { writeFileAtomic } from '../common/atomic.js';
import { exportFlag, withUsage } from './args.js';
import { displayPath } from './paths.js';

/** Help text for `compare`. */
export const compareHelp = `joulebench compare <baseline/result.json> <candidate/result.json> [options]

Prints the verdict table; writes only the files the --export-* flags name. Exit 1 on a regression.
Compare a run with a baseline run, configuration by configuration, for samples per joule, throughput and p99
latency (and, for \`joulebench load\` runs, energy per request and p99 at each rate): improved / regressed / no
significant change. A change counts only when Welch's t-test on the log values of the repetitions is significant
and the whole CI of the change lies beyond the noise threshold (criterion.rs's rule).
Exit 1 when a regression reaches --max-regression (or a measured configuration is missing), 0 otherwise, 2 on
bad input or runs that measured different things.

  --noise P              changes whose CI stays within ±P are noise (default 2%)
  --max-regression P     a regression of P or more fails (default 5%)
  --alpha A              significance level of the test (default 0.05; the CI is at 1 − A)
  --threshold P          metrics without per-repetition values (older p99s, load records) count beyond ±P (default 10%)
  --gate LIST            metrics whose regressions fail: samples-per-joule, samples-per-second, p99,
                         joules-per-request (default all; the others are still compared and reported)
  --allow-host-change    compare runs from different hardware or power meters anyway (e.g. for procurement)
  --export-markdown FILE write a Markdown summary (appended when FILE is $GITHUB_STEP_SUMMARY; alias --markdown)
  --export-junit FILE    write JUnit XML: one test case per configuration and metric (alias --junit)
  --export-json FILE     write the comparison as JSON (alias --json-file)
  --json                 print the comparison as JSON on stdout instead of the table
  -h, --help             this help

Percentages may be written 2 or 2%.`;

/** A percentage `2` / `2%` / `0.5%` as a fraction; 0 allowed. */
function fraction(flag: string, value: string | undefined, fallback: number, max = 100): number {
  if (value === undefined) return fallback;
  const text = value.trim().replace(/%$/, '');
  const number = Number(text);
  if (text === '' || !Number.isFinite(number) || number < 0 || number > max) {
    throw new InputError('FLAG_INVALID', `${flag}: expected a percentage from 0 to ${max}, like 2 or 2%, got "${value}"`);
  }
  return number / 100;
}

const gateNames: Record<string, MetricId[]> = {
  'samples-per-joule': ['samplesPerJoule'],
  samplesPerJoule: ['samplesPerJoule'],
  'samples-per-second': ['samplesPerSecond'],
  samplesPerSecond: ['samplesPerSecond'],
  throughput: ['samplesPerSecond'],
  p99: ['p99Ms'],
  p99Ms: ['p99Ms'],
  latency: ['p99Ms'],
  'joules-per-request': ['joulesPerRequest'],
  joulesPerRequest: ['joulesPerRequest'],
  // Energy either way it is measured: per sample flat out, per request under load.
  energy: ['samplesPerJoule', 'joulesPerRequest'],
};

/** `--gate samples-per-joule,p99` → metric ids. */
function gateList(value: string): MetricId[] {
  const names = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (names.length === 0) throw new InputError('FLAG_INVALID', '--gate: expected metrics like samples-per-joule,samples-per-second,p99');
  return [...new Set(names.flatMap((name) => {
    const ids = gateNames[name];
    if (!ids) throw new InputError('FLAG_INVALID', `--gate: unknown metric "${name}"`, { hint: 'use samples-per-joule, samples-per-second, p99 or joules-per-request' });
    return ids;
  }))];
}

async function writeOutput(file: string, text: string): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  // GitHub Actions' step summary collects what every command of the step appended.
  if (process.env.GITHUB_STEP_SUMMARY && path.resolve(process.env.GITHUB_STEP_SUMMARY) === target) await appendFile(target, text);
  else await writeFileAtomic(target, text);
  return displayPath(target);
}

/** Entry point of `compare`. */
export async function compareCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('compare', compareHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        noise: { type: 'string' },
        'max-regression': { type: 'string' },
        alpha: { type: 'string' },
        threshold: { type: 'string' },
        gate: { type: 'string' },
        'allow-host-change': { type: 'boolean', default: false },
        'export-markdown': { type: 'string' },
        'export-junit': { type: 'string' },
        'export-json': { type: 'string' },
        markdown: { type: 'string' },
        junit: { type: 'string' },
        'json-file': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }),
  );
  if (positionals.length !== 2) {
    throw new InputError('USAGE', `compare: expected two result files (baseline, candidate), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench compare results/<last-night>/result.json results/<tonight>/result.json',
    });
  }
  let alpha = compareDefaults.alpha;
  if (values.alpha !== undefined) {
    alpha = Number(values.alpha);
    if (values.alpha.trim() === '' || !(alpha > 0 && alpha < 0.5)) {
      throw new InputError('FLAG_INVALID', `--alpha: expected a significance level between 0 and 0.5, like 0.05, got "${values.alpha}"`);
    }
  }
  const options = {
    alpha,
    noise: fraction('--noise', values.noise, compareDefaults.noise),
    maxRegression: fraction('--max-regression', values['max-regression'], compareDefaults.maxRegression),
    thresholdNoise: fraction('--threshold', values.threshold, compareDefaults.thresholdNoise, 1000),
    allowHostChange: values['allow-host-change'] ?? false,
    gated: values.gate === undefined ? compareDefaults.gated : gateList(values.gate),
  };
  const [baselineFile, candidateFile] = positionals.map((file) => path.resolve(file)) as [string, string];
  const baseline = await readResultFile(baselineFile, 'baseline');
  const candidate = await readResultFile(candidateFile, 'candidate');
  const comparison = compareRuns(
    { result: baseline, file: displayPath(baselineFile) },
    { result: candidate, file: displayPath(candidateFile) },
    options,
  );
  const written: string[] = [];
  const markdown = exportFlag(values, 'export-markdown', 'markdown');
  const junit = exportFlag(values, 'export-junit', 'junit');
  const jsonFile = exportFlag(values, 'export-json', 'json-file');
  if (markdown) written.push(await writeOutput(markdown, renderComparisonMarkdown(comparison)));
  if (junit) written.push(await writeOutput(junit, renderComparisonJunit(comparison)));
  if (jsonFile) written.push(await writeOutput(jsonFile, `${JSON.stringify(comparison, null, 2)}\n`));
  if (values.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else process.stdout.write(`${renderComparisonText(comparison)}\n${written.length > 0 ? `\nwrote ${written.join(', ')}\n` : ''}`);
  return comparison.failed ? ExitCode.gateFailed : ExitCode.ok;
}
