// The hardware fingerprint: what it records, and that machineSha256 hashes the machine class (CPU, GPUs, drivers,
// power limits, versions) and not where a shard ran (host name, GPU UUIDs) or what it ran (the scenario).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fingerprintOf, fingerprintOfResult } from '../../src/fleet/fingerprint.js';
import type { Accelerator, Environment } from '../../src/results/types.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const gpu = (over: Partial<Accelerator> = {}): Accelerator => ({
  vendor: 'nvidia', index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-aaaa', driver: '550.54.15', memoryBytes: 80 * 2 ** 30, powerLimitWatts: 700, ...over,
});

function environment(over: { hostname?: string; cpu?: Partial<Environment['host']['cpu']>; accelerators?: Accelerator[]; onnxruntime?: string; kernel?: string; memoryBytes?: number } = {}): Environment {
  return {
    host: {
      os: 'Ubuntu 22.04', kernel: over.kernel ?? '5.15.0', arch: 'x64', hostname: over.hostname ?? 'node-001',
      cpu: { model: 'AMD EPYC 9654', cores: 192, physicalCores: 96, sockets: 2, ...over.cpu },
      memoryBytes: over.memoryBytes ?? 2 ** 40,
    },
    accelerators: over.accelerators ?? [gpu(), gpu({ index: 1, uuid: 'GPU-bbbb' })],
    runtime: { node: '20.20.2', onnxruntime: over.onnxruntime ?? '1.30.0', executionProviders: [] },
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const machine = (env: Environment, version = '0.1.0') => fingerprintOf(env, version, null).machineSha256;

describe('fingerprintOf', () => {
  it('records the host, CPU, each GPU with its UUID, the versions and the scenario', () => {
    const fingerprint = fingerprintOf(environment(), '0.1.0', 'f'.repeat(64));
    const { machineSha256, ...recorded } = fingerprint;
    assert.deepEqual(recorded, {
      host: 'node-001',
      cpuModel: 'AMD EPYC 9654',
      cpuCores: 192,
      gpus: [
        { name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-aaaa', driver: '550.54.15', powerLimitWatts: 700 },
        { name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-bbbb', driver: '550.54.15', powerLimitWatts: 700 },
      ],
      onnxruntime: '1.30.0',
      joulebench: '0.1.0',
      scenarioSha256: 'f'.repeat(64),
    });
    // The sha256 of the machine class as JSON, fields in this order.
    const gpuClass = '{"name":"NVIDIA H100 80GB HBM3","driver":"550.54.15","powerLimitWatts":700}';
    const expected = `{"cpu":{"model":"AMD EPYC 9654","cores":192,"sockets":2},"gpus":[${gpuClass},${gpuClass}],"onnxruntime":"1.30.0","joulebench":"0.1.0"}`;
    assert.equal(machineSha256, sha(expected));
  });

  it('a CPU-only machine: no GPUs, a null scenario', () => {
    const fingerprint = fingerprintOf(environment({ accelerators: [] }), '0.2.0', null);
    assert.deepEqual(fingerprint.gpus, []);
    assert.equal(fingerprint.scenarioSha256, null);
    assert.equal(fingerprint.machineSha256, sha('{"cpu":{"model":"AMD EPYC 9654","cores":192,"sockets":2},"gpus":[],"onnxruntime":"1.30.0","joulebench":"0.2.0"}'));
  });

  it('identical nodes of one partition pool: the host name, GPU UUIDs, scenario, kernel, memory and physical cores do not count', () => {
    const base = machine(environment());
    assert.equal(machine(environment({ hostname: 'node-742' })), base);
    assert.equal(machine(environment({ accelerators: [gpu({ uuid: 'GPU-cccc' }), gpu({ index: 1, uuid: null })] })), base);
    assert.equal(machine(environment({ kernel: '6.8.0', memoryBytes: 2 ** 39, cpu: { physicalCores: 48 } })), base);
    assert.equal(fingerprintOf(environment(), '0.1.0', 'a'.repeat(64)).machineSha256, base);
  });

  it('another machine class stands apart: CPU model, cores, sockets, GPU name, driver, power limit, onnxruntime, joulebench', () => {
    const base = machine(environment());
    const others = {
      'CPU model': machine(environment({ cpu: { model: 'AMD EPYC 9554' } })),
      cores: machine(environment({ cpu: { cores: 128 } })),
      sockets: machine(environment({ cpu: { sockets: 1 } })),
      'GPU name': machine(environment({ accelerators: [gpu(), gpu({ index: 1, name: 'NVIDIA A100' })] })),
      driver: machine(environment({ accelerators: [gpu({ driver: '535.104.05' }), gpu({ index: 1, driver: '535.104.05' })] })),
      'power limit': machine(environment({ accelerators: [gpu({ powerLimitWatts: 500 }), gpu({ index: 1 })] })),
      'GPU count': machine(environment({ accelerators: [gpu()] })),
      onnxruntime: machine(environment({ onnxruntime: '1.29.0' })),
      joulebench: machine(environment(), '0.1.1'),
    };
    for (const [what, hash] of Object.entries(others)) assert.notEqual(hash, base, what);
    assert.equal(new Set(Object.values(others)).size, Object.keys(others).length, 'each change gives its own class');
  });
});

describe('fingerprintOfResult', () => {
  it('the recorded fingerprint wins', () => {
    const recorded = fingerprintOf(environment({ hostname: 'elsewhere' }), '9.9.9', null);
    const result = { ...syntheticResult({ measurements: [] }), fingerprint: recorded };
    assert.equal(fingerprintOfResult(result), recorded);
  });

  it('an older result without one: computed from its environment, tool version and scenario sha256', () => {
    const base = syntheticResult({ hostname: 'old-host', measurements: [] });
    const result = { ...base, scenario: { ...base.scenario, sha256: 'b'.repeat(64) } };
    assert.equal(result.fingerprint, undefined);
    assert.deepEqual(fingerprintOfResult(result), fingerprintOf(result.environment, '0.1.0', 'b'.repeat(64)));
    assert.equal(fingerprintOfResult(result).host, 'old-host');
  });
});
