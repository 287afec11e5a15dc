// A hand-made result for the metrics tests: two measured configurations (one measured by RAPL, one estimated) and one
// failed one, with round numbers so that every exported value can be checked by hand.
import type { Measurement, RunResult } from '../../src/results/types.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

function measurement(base: Measurement, fields: Partial<Measurement>): Measurement {
  return { ...base, ...fields };
}

/**
 * mlp/fp32/cpu/b8 (rapl): windows of 800 and 1,200 samples (100 + 150 runs) using 40 + 60 J: 100 J, 2,000 samples,
 * 20 samples/J, 50 W mean, 20 W idle; latency mean 16 ms over 250 runs (sum 4 s), p50/p90/p99 15/20/25 ms;
 * 6 gCO2e per 1,000 samples → 12 g.
 * mlp/int8/cpu/b1 (estimate): one window of 500 samples (500 runs) using 10 J: 50 samples/J, 10 W, no idle;
 * latency mean 2 ms (sum 1 s), p50/p90/p99 2/2.5/4 ms; 0.5 gCO2e per 1,000 → 0.25 g.
 */
export function handMadeResult(): RunResult {
  const result = syntheticResult({ hostname: 'bench-01', measurements: [{ samplesPerJoule: [20] }, { samplesPerJoule: [50] }, { samplesPerJoule: [1], status: 'failed' }] });
  const [a, b, c] = result.measurements as [Measurement, Measurement, Measurement];
  result.meters = [
    { id: 'rapl', kind: 'rapl', scope: 'cpu-package', device: 'cpu', periodMs: 10, estimated: false, sampleKind: 'counter', detail: 'RAPL' },
    { id: 'estimate', kind: 'estimate', scope: 'cpu-package', device: 'cpu', periodMs: 100, estimated: true, sampleKind: 'instant', detail: 'model' },
  ];
  result.measurements = [
    measurement(a, {
      key: 'mlp/fp32/cpu/b8',
      model: { ...a.model, name: 'mlp', precision: 'fp32' },
      executionProvider: 'cpu',
      batchSize: 8,
      repetitions: [
        { durationS: 2, runs: 100, samples: 800, samplesPerSecond: 400, meanWatts: 20, energyJ: 40 },
        { durationS: 2, runs: 150, samples: 1200, samplesPerSecond: 600, meanWatts: 30, energyJ: 60 },
      ],
      latencyMs: { mean: 16, p50: 15, p90: 20, p99: 25, max: 30 },
      power: { meanWatts: 50, idleWatts: 20, peakWatts: 60, byMeter: { rapl: 50 } },
      energy: { joulesPerSample: 0.05, netJoulesPerSample: 0.03, samplesPerJoule: 20, samplesPerJouleCi95: [18, 22], whPer1kSamples: 0.05 / 3.6, gCO2ePer1kSamples: 6, estimated: false },
    }),
    measurement(b, {
      key: 'mlp/int8/cpu/b1',
      model: { ...b.model, name: 'mlp', precision: 'int8' },
      executionProvider: 'cpu',
      batchSize: 1,
      repetitions: [{ durationS: 1, runs: 500, samples: 500, samplesPerSecond: 500, meanWatts: 10, energyJ: 10 }],
      latencyMs: { mean: 2, p50: 2, p90: 2.5, p99: 4, max: 5 },
      power: { meanWatts: 10, idleWatts: null, peakWatts: 12, byMeter: { estimate: 10 } },
      energy: { joulesPerSample: 0.02, netJoulesPerSample: null, samplesPerJoule: 50, samplesPerJouleCi95: [50, 50], whPer1kSamples: 0.02 / 3.6, gCO2ePer1kSamples: 0.5, estimated: true },
    }),
    measurement(c, { key: 'mlp/fp16/cpu/b1', model: { ...c.model, precision: 'fp16' }, status: 'failed', energy: null, power: null, latencyMs: null, repetitions: [] }),
  ];
  return result;
}

/** The OpenMetrics text of handMadeResult(), written out by hand. */
export const handMadeOpenMetrics = `# TYPE joulebench_energy_joules counter
# UNIT joulebench_energy_joules joules
# HELP joulebench_energy_joules Energy the counted meters measured over the timed windows of a configuration.
joulebench_energy_joules_total{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 100
joulebench_energy_joules_total{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 10
# TYPE joulebench_samples counter
# HELP joulebench_samples Samples (inferences) processed in the timed windows of a configuration.
joulebench_samples_total{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 2000
joulebench_samples_total{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 500
# TYPE joulebench_power_watts gauge
# UNIT joulebench_power_watts watts
# HELP joulebench_power_watts Mean power of the counted meters during the timed windows.
joulebench_power_watts{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 50
joulebench_power_watts{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 10
# TYPE joulebench_idle_power_watts gauge
# UNIT joulebench_idle_power_watts watts
# HELP joulebench_idle_power_watts Idle power of the meters counted for the configuration, measured before the sweep.
joulebench_idle_power_watts{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 20
# TYPE joulebench_samples_per_joule gauge
# HELP joulebench_samples_per_joule Samples per joule of gross energy (higher is better).
joulebench_samples_per_joule{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 20
joulebench_samples_per_joule{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 50
# TYPE joulebench_latency_seconds summary
# UNIT joulebench_latency_seconds seconds
# HELP joulebench_latency_seconds Latency of one run (one batch) over the timed windows.
joulebench_latency_seconds{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8",quantile="0.5"} 0.015
joulebench_latency_seconds{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8",quantile="0.9"} 0.02
joulebench_latency_seconds{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8",quantile="0.99"} 0.025
joulebench_latency_seconds_sum{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 4
joulebench_latency_seconds_count{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 250
joulebench_latency_seconds{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1",quantile="0.5"} 0.002
joulebench_latency_seconds{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1",quantile="0.9"} 0.0025
joulebench_latency_seconds{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1",quantile="0.99"} 0.004
joulebench_latency_seconds_sum{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 1
joulebench_latency_seconds_count{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 500
# TYPE joulebench_carbon_grams counter
# UNIT joulebench_carbon_grams grams
# HELP joulebench_carbon_grams Emissions of that energy in grams CO2e (grid intensity x PUE of the run).
joulebench_carbon_grams_total{model="mlp",precision="fp32",ep="cpu",batch="8",meter="rapl",host="bench-01",estimated="false",key="mlp/fp32/cpu/b8"} 12
joulebench_carbon_grams_total{model="mlp",precision="int8",ep="cpu",batch="1",meter="estimate",host="bench-01",estimated="true",key="mlp/int8/cpu/b1"} 0.25
# EOF
`;
