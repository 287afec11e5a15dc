// Reading examples/grafana/joulebench.json in tests: its targets, its variables, the metric names a PromQL expression
// selects.

/** The parts of a Grafana dashboard JSON model the tests read. */
export interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    datasource?: { type: string; uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    fieldConfig?: { defaults?: { unit?: string } };
    targets?: Array<{ expr: string; refId: string; datasource?: { type: string; uid: string } }>;
  }>;
  templating: { list: Array<{ name: string; type: string; query?: unknown; definition?: string; datasource?: { type: string; uid: string } }> };
}

/** Every target of every panel, with its panel's title. */
export function dashboardTargets(dashboard: Dashboard): Array<{ panel: string; expr: string; refId: string }> {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr, refId: target.refId })));
}

/** An expression with the dashboard variables set to "everything" (what Grafana sends with All selected). */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$(model|host)\b/g, '.*').replace(/\$__rate_interval\b/g, '1m');
}

// PromQL words that are not metric names: functions, aggregations, keywords, binary operators.
const promqlWords = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'max_over_time', 'min_over_time', 'avg_over_time', 'last_over_time',
  'label_replace', 'label_join', 'clamp_min', 'clamp_max', 'abs', 'round', 'vector', 'scalar', 'time', 'timestamp', 'inf', 'nan',
]);

/**
 * The metric names an expression selects: identifiers outside label matchers `{…}`, strings, grouping clauses
 * `by (…)` / `without (…)` / `on (…)` / `ignoring (…)`, and not PromQL functions or keywords.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '');
  const names = (bare.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []).filter((word) => !promqlWords.has(word.toLowerCase()) && !/^\d/.test(word));
  return [...new Set(names)];
}
