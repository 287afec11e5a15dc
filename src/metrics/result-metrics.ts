// A result.json as metric families in base units (joules, watts, seconds, grams): what `--openmetrics FILE` writes
// and `--metrics-port` serves. A pure function of the result; one series per measured configuration.
import type { Measurement, RunResult } from '../results/types.js';
import type { MetricFamily, MetricSample } from './openmetrics.js';

/** Every metric name a scrape of joulebench can hold (the sample names PromQL sees). */
export const exportedMetricNames = [
  'joulebench_energy_joules_total',
  'joulebench_samples_total',
  'joulebench_power_watts',
  'joulebench_idle_power_watts',
  'joulebench_samples_per_joule',
  'joulebench_latency_seconds',
  'joulebench_latency_seconds_sum',
  'joulebench_latency_seconds_count',
  'joulebench_carbon_grams_total',
] as const;

/** The quantiles of joulebench_latency_seconds (result.json's latencyMs p50, p90, p99). */
export const latencyQuantiles = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
] as const;

/**
 * The labels of a configuration: model, precision, ep, batch, meter (the meters counted for it, joined by `+`), host,
 * estimated ("true" when the energy comes from a model, not a sensor: an estimate never passes as measured) and key
 * (the configuration's key in result.json, so that two configurations never share a series, e.g. thread counts).
 */
export function configurationLabels(measurement: Measurement, result: MetricsSource): Array<[string, string]> {
  const counted = measurement.power ? Object.keys(measurement.power.byMeter).sort() : [];
  const host = result.environment?.host.hostname ?? '';
  const meter = counted.length > 0 ? counted.join('+') : result.meters.map((m) => m.id).join('+');
  return [
    ['model', measurement.model.name],
    ['precision', measurement.model.precision],
    ['ep', measurement.executionProvider],
    ['batch', String(measurement.batchSize)],
    ['meter', meter],
    ['host', host],
    ['estimated', String(measurement.energy?.estimated ?? false)],
    ['key', measurement.key],
  ];
}

/** Milliseconds to seconds, rounded to 15 significant digits: 0.485 ms reads 0.000485, not 0.00048499999999999997. */
export const seconds = (ms: number): number => Number((ms / 1000).toPrecision(15));

/** What the metrics read of a result (environment null: no run yet). */
export type MetricsSource = Pick<RunResult, 'measurements' | 'meters'> & { environment: RunResult['environment'] | null };

/** The metric families of a result: every configuration with status ok and an energy block. */
export function resultMetricFamilies(result: MetricsSource): MetricFamily[] {
  const energyJ: MetricSample[] = [];
  const samples: MetricSample[] = [];
  const powerW: MetricSample[] = [];
  const idleW: MetricSample[] = [];
  const samplesPerJ: MetricSample[] = [];
  const latencyS: MetricSample[] = [];
  const carbonG: MetricSample[] = [];
  for (const m of result.measurements) {
    if (m.status !== 'ok' || !m.energy) continue;
    const labels = configurationLabels(m, result);
    const totalJ = m.repetitions.reduce((sum, r) => sum + r.energyJ, 0);
    const totalSamples = m.repetitions.reduce((sum, r) => sum + r.samples, 0);
    energyJ.push({ suffix: '_total', labels, value: totalJ });
    samples.push({ suffix: '_total', labels, value: totalSamples });
    if (m.power) powerW.push({ suffix: '', labels, value: m.power.meanWatts });
    if (m.power?.idleWatts != null) idleW.push({ suffix: '', labels, value: m.power.idleWatts });
    samplesPerJ.push({ suffix: '', labels, value: m.energy.samplesPerJoule });
    if (m.latencyMs) {
      const latency = m.latencyMs;
      for (const [quantile, field] of latencyQuantiles) latencyS.push({ suffix: '', labels: [...labels, ['quantile', quantile]], value: seconds(latency[field]) });
      // The latencies are those of every timed run of the windows (one run = one batch), so sum = mean × runs.
      const runs = m.repetitions.reduce((sum, r) => sum + r.runs, 0);
      latencyS.push({ suffix: '_sum', labels, value: seconds(latency.mean * runs) });
      latencyS.push({ suffix: '_count', labels, value: runs });
    }
    carbonG.push({ suffix: '_total', labels, value: (m.energy.gCO2ePer1kSamples * totalSamples) / 1000 });
  }
  return [
    { name: 'joulebench_energy_joules', type: 'counter', unit: 'joules', help: 'Energy the counted meters measured over the timed windows of a configuration.', samples: energyJ },
    { name: 'joulebench_samples', type: 'counter', unit: null, help: 'Samples (inferences) processed in the timed windows of a configuration.', samples },
    { name: 'joulebench_power_watts', type: 'gauge', unit: 'watts', help: 'Mean power of the counted meters during the timed windows.', samples: powerW },
    { name: 'joulebench_idle_power_watts', type: 'gauge', unit: 'watts', help: 'Idle power of the meters counted for the configuration, measured before the sweep.', samples: idleW },
    { name: 'joulebench_samples_per_joule', type: 'gauge', unit: null, help: 'Samples per joule of gross energy (higher is better).', samples: samplesPerJ },
    { name: 'joulebench_latency_seconds', type: 'summary', unit: 'seconds', help: 'Latency of one run (one batch) over the timed windows.', samples: latencyS },
    { name: 'joulebench_carbon_grams', type: 'counter', unit: 'grams', help: 'Emissions of that energy in grams CO2e (grid intensity x PUE of the run).', samples: carbonG },
  ];
}
