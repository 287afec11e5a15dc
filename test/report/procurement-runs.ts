// Hand-made runs for the procurement tests: two machines (a laptop whose power is estimated, a server measured by
// RAPL) × two models (a fast `mlp`, a slow `resnet`) × batches 1, 8, 32, 64 — numbers chosen to be checked by hand.
import type { Measurement, RunResult } from '../../src/results/types.js';

/** One ok measurement: J/sample, samples/s and p99 are what the tests compute from. */
export function measurement(key: string, joulesPerSample: number, samplesPerSecond: number, p99: number, estimated: boolean): Measurement {
  const [model, precision, ep, batch] = key.split('/');
  return {
    key, model: { name: model!, path: null, sha256: null, precision: precision as 'fp32', via: 'model', variantOf: null },
    executionProvider: ep!, device: ep!, batchSize: Number(batch!.slice(1)), threads: null, status: 'ok', error: null,
    coldStart: { sessionCreateMs: 40, firstRunMs: 1, energyJ: 2, sessionShared: false }, repetitions: [],
    throughput: { samplesPerSecond: { mean: samplesPerSecond, ci95: [samplesPerSecond * 0.98, samplesPerSecond * 1.02] } },
    latencyMs: { mean: p99 / 2, p50: p99 / 2, p90: p99 * 0.8, p99, max: p99 * 1.1 },
    power: { meanWatts: joulesPerSample * samplesPerSecond, idleWatts: null, peakWatts: joulesPerSample * samplesPerSecond * 1.1, byMeter: {} },
    energy: {
      joulesPerSample, netJoulesPerSample: null, samplesPerJoule: 1 / joulesPerSample,
      samplesPerJouleCi95: [0.97 / joulesPerSample, 1.03 / joulesPerSample], whPer1kSamples: (joulesPerSample * 1000) / 3600,
      gCO2ePer1kSamples: ((joulesPerSample * 1000) / 3600 / 1000) * 400, estimated,
    },
    fidelity: null, validity: { valid: true, reasons: [] }, trace: null, spanS: null,
  };
}

/** A complete run on `hostname` with the given CPU and measurements; estimated runs carry an estimate meter. */
export function run(hostname: string, cpu: string, estimated: boolean, measurements: Measurement[]): RunResult {
  return {
    schema: 'joulebench/result@1', runId: `run-${hostname}`, createdAt: '2026-12-01T00:00:00.000Z', finishedAt: null, status: 'complete', stopReason: null,
    tool: { name: 'joulebench', version: 'test' }, scenario: { resolved: { name: 'procurement', slo: { p99Ms: 100 } }, file: null, sha256: null },
    environment: {
      host: { os: 'Linux', kernel: '6', arch: 'x64', hostname, cpu: { model: cpu, cores: 8, physicalCores: 4, sockets: 1 }, memoryBytes: 2 ** 34 },
      accelerators: [],
      runtime: { node: '20', onnxruntime: '1.30.0', executionProviders: [] },
    },
    meters: [estimated
      ? { id: 'estimate', kind: 'estimate', scope: 'cpu-package', device: 'cpu', periodMs: 100, estimated: true, sampleKind: 'interval-average', detail: 'CPU utilisation × TDP model (65 W TDP)' }
      : { id: 'rapl', kind: 'rapl', scope: 'cpu-package', device: 'cpu', periodMs: 100, estimated: false, sampleKind: 'interval-average', detail: 'RAPL package-0' }],
    meterSelection: [], idle: null,
    carbon: { gridIntensityGPerKWh: 400, pue: 1, region: 'home', defaulted: [] },
    measurements, recommendations: [],
  };
}

const batches = [1, 8, 32, 64];

/**
 * laptop (estimated): mlp J/sample 0.004 / b, resnet 2 / b (capped at b32); server (measured): mlp 0.002·8/(b+7)…
 * Kept simple: the server is twice as efficient and four times as fast as the laptop at every batch.
 */
export function procurementRuns(): RunResult[] {
  const rows = (estimated: boolean, scale: number, speed: number) =>
    batches.flatMap((b) => [
      measurement(`mlp/fp32/cpu/b${b}`, (0.01 / Math.sqrt(b)) * scale, 2000 * Math.sqrt(b) * speed, 0.5 * b / speed, estimated),
      measurement(`resnet/fp32/cpu/b${b}`, (4 / Math.sqrt(b)) * scale, 20 * Math.sqrt(b) * speed, 40 * b / speed, estimated),
    ]);
  return [
    run('laptop', 'AMD Ryzen 7 7840U', true, rows(true, 1, 1)),
    run('gpu-box', 'Intel Xeon Gold 6338', false, rows(false, 0.5, 4)),
  ];
}
