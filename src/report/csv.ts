// measurements.csv: one row per configuration, units in column names (reads straight into pandas).
import { provenanceLine } from '../carbon/types.js';
import type { Measurement, RunResult } from '../results/types.js';
import type { ReportAnalysis } from './analysis-types.js';

const columns: Array<[string, (m: Measurement, result: RunResult) => string | number | boolean | null | undefined]> = [
  ['run_id', (_m, r) => r.runId],
  ['key', (m) => m.key],
  ['model', (m) => m.model.name],
  ['precision', (m) => m.model.precision],
  ['execution_provider', (m) => m.executionProvider],
  ['device', (m) => m.device],
  ['batch_size', (m) => m.batchSize],
  ['threads', (m) => m.threads],
  ['status', (m) => m.status],
  ['error_code', (m) => m.error?.code],
  ['error_message', (m) => m.error?.message],
  ['samples_per_second', (m) => m.throughput?.samplesPerSecond.mean],
  ['samples_per_second_ci95_low', (m) => m.throughput?.samplesPerSecond.ci95[0]],
  ['samples_per_second_ci95_high', (m) => m.throughput?.samplesPerSecond.ci95[1]],
  ['latency_ms_mean', (m) => m.latencyMs?.mean],
  ['latency_ms_p50', (m) => m.latencyMs?.p50],
  ['latency_ms_p90', (m) => m.latencyMs?.p90],
  ['latency_ms_p99', (m) => m.latencyMs?.p99],
  ['latency_ms_max', (m) => m.latencyMs?.max],
  ['power_w_mean', (m) => m.power?.meanWatts],
  ['power_w_idle', (m) => m.power?.idleWatts],
  ['power_w_peak', (m) => m.power?.peakWatts],
  ['energy_j_per_sample', (m) => m.energy?.joulesPerSample],
  ['net_energy_j_per_sample', (m) => m.energy?.netJoulesPerSample],
  ['samples_per_joule', (m) => m.energy?.samplesPerJoule],
  ['samples_per_joule_ci95_low', (m) => m.energy?.samplesPerJouleCi95[0]],
  ['samples_per_joule_ci95_high', (m) => m.energy?.samplesPerJouleCi95[1]],
  ['wh_per_1k_samples', (m) => m.energy?.whPer1kSamples],
  ['gco2e_per_1k_samples', (m) => m.energy?.gCO2ePer1kSamples],
  ['grid_gco2e_per_kwh', (m, r) => (m.energy ? r.carbon.hourly?.byConfiguration[m.key] ?? r.carbon.gridIntensityGPerKWh : null)],
  ['carbon_region', (_m, r) => r.carbon.region],
  ['carbon_source', (_m, r) => (r.carbon.hourly && r.carbon.intensityFile ? `intensity file ${r.carbon.intensityFile.path} (${r.carbon.intensityFile.use})` : provenanceLine(r.carbon))],
  ['carbon_year', (_m, r) => (r.carbon.hourly ? null : r.carbon.year)],
  ['energy_estimated', (m) => m.energy?.estimated],
  ['valid', (m) => (m.status === 'ok' ? m.validity.valid : null)],
  ['validity_reasons', (m) => m.validity.reasons.join('; ')],
  ['repetitions', (m) => m.repetitions.length],
  ['session_create_ms', (m) => m.coldStart?.sessionCreateMs],
  ['first_run_ms', (m) => m.coldStart?.firstRunMs],
  ['cold_start_energy_j', (m) => m.coldStart?.energyJ],
  ['model_sha256', (m) => m.model.sha256],
  ['trace', (m) => m.trace],
];

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Render every measurement of every run as one CSV row (RFC 4180 quoting). */
export function renderCsv(analysis: ReportAnalysis): string {
  const rows = [columns.map(([name]) => name).join(',')];
  for (const result of analysis.runs) {
    for (const m of result.measurements) rows.push(columns.map(([, get]) => cell(get(m, result))).join(','));
  }
  return `${rows.join('\n')}\n`;
}
