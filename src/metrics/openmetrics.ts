// Metric families and their two text expositions: OpenMetrics 1.0.0 and the Prometheus text format 0.0.4.
//
// OpenMetrics (https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md): metadata
// lines in the order TYPE, UNIT, HELP; a counter family `foo_joules` has the sample `foo_joules_total`; a UNIT must be
// the suffix of the family name; label values and HELP escape `\`, `"` and line feed; the exposition ends `# EOF`;
// timestamps are seconds. Content type `application/openmetrics-text; version=1.0.0; charset=utf-8`.
//
// The Prometheus text format 0.0.4 (what node_exporter's textfile collector and `promtool check metrics` parse) has
// no UNIT and no EOF, and names a counter by its sample, `foo_joules_total`, in HELP and TYPE; HELP escapes only `\`
// and line feed; timestamps are integer milliseconds. Content type `text/plain; version=0.0.4; charset=utf-8`.

/** A metric family: one name, one type, its samples (already in base units). */
export interface MetricFamily {
  /** The family name: for a counter without `_total` (OpenMetrics), e.g. `joulebench_energy_joules`. */
  name: string;
  type: 'counter' | 'gauge' | 'summary';
  /** The base unit, the suffix of `name` (`joules`, `watts`, `seconds`, `grams`), or null. */
  unit: string | null;
  help: string;
  samples: MetricSample[];
}

/** One sample: the family name plus `suffix`, its labels in order, its value, and (history only) a timestamp. */
export interface MetricSample {
  suffix: '' | '_total' | '_sum' | '_count';
  labels: Array<[string, string]>;
  value: number;
  /** Seconds since the epoch (whole seconds, so that both formats can carry it), or absent. */
  timestampS?: number;
}

/** The two text formats. */
export type ExpositionFormat = 'openmetrics' | 'prometheus';

/** The HTTP Content-Type of each format. */
export const contentTypes: Record<ExpositionFormat, string> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
};

/** A number as both formats write it: NaN, +Inf, -Inf, else the shortest round-trip decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** A label value escaped for either format: backslash, double quote, line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

function sampleLine(name: string, sample: MetricSample, format: ExpositionFormat): string {
  const labels = sample.labels.length === 0 ? '' : `{${sample.labels.map(([label, value]) => `${label}="${escapeLabelValue(value)}"`).join(',')}}`;
  const stamp = sample.timestampS === undefined ? '' : ` ${format === 'openmetrics' ? sample.timestampS : sample.timestampS * 1000}`;
  return `${name}${sample.suffix}${labels} ${formatValue(sample.value)}${stamp}`;
}

/** The OpenMetrics 1.0.0 text of these families, ending `# EOF\n`. */
export function renderOpenMetrics(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.unit) lines.push(`# UNIT ${family.name} ${family.unit}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help, 'openmetrics')}`);
    for (const sample of family.samples) lines.push(sampleLine(family.name, sample, 'openmetrics'));
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** The Prometheus text format 0.0.4 of these families (a counter is named by its `_total` sample). */
export function renderPrometheusText(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const name = family.type === 'counter' ? `${family.name}_total` : family.name;
    lines.push(`# HELP ${name} ${escapeHelp(family.help, 'prometheus')}`);
    lines.push(`# TYPE ${name} ${family.type}`);
    for (const sample of family.samples) lines.push(sampleLine(family.name, sample, 'prometheus'));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The text of these families in one format. */
export function renderExposition(families: MetricFamily[], format: ExpositionFormat): string {
  return format === 'openmetrics' ? renderOpenMetrics(families) : renderPrometheusText(families);
}

/** Which format a file gets: `*.prom` (what node_exporter's textfile collector reads) the Prometheus text, else OpenMetrics. */
export function formatForFile(file: string): ExpositionFormat {
  return file.toLowerCase().endsWith('.prom') ? 'prometheus' : 'openmetrics';
}

/**
 * The format an HTTP Accept header asks for: OpenMetrics when it accepts application/openmetrics-text version 1.0.0
 * (or no version: the spec's default is the oldest, 1.0.0) at a quality at least that of text/plain, else the
 * Prometheus text (also with no Accept header at all, as curl sends).
 */
export function formatForAccept(accept: string | undefined): ExpositionFormat {
  let openMetricsQ = 0;
  let textQ = 0;
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    const version = params.find((param) => param.startsWith('version='))?.slice(8);
    if (type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) openMetricsQ = Math.max(openMetricsQ, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') textQ = Math.max(textQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'prometheus';
}
