// The hardware fingerprint of a run: what must match for shards' results to be pooled into one ranking.
import { createHash } from 'node:crypto';
import type { Environment, RunFingerprint, RunResult } from '../results/types.js';

/**
 * The fingerprint of a run on `environment`. `machineSha256` hashes the machine class — CPU model, cores and sockets,
 * GPU names, drivers and power limits, onnxruntime and joulebench versions — and not the host name or GPU UUIDs, so
 * that shards on identical nodes of one partition pool into one ranking while another node type (or a changed power
 * limit or driver) stands side by side. Host and UUIDs are recorded to say where each shard ran.
 */
export function fingerprintOf(environment: Environment, toolVersion: string, scenarioSha256: string | null): RunFingerprint {
  const gpus = environment.accelerators.map((gpu) => ({ name: gpu.name, uuid: gpu.uuid, driver: gpu.driver, powerLimitWatts: gpu.powerLimitWatts }));
  const cpu = environment.host.cpu;
  const machineClass = {
    cpu: { model: cpu.model, cores: cpu.cores, sockets: cpu.sockets },
    gpus: gpus.map(({ name, driver, powerLimitWatts }) => ({ name, driver, powerLimitWatts })),
    onnxruntime: environment.runtime.onnxruntime,
    joulebench: toolVersion,
  };
  return {
    host: environment.host.hostname,
    cpuModel: cpu.model,
    cpuCores: cpu.cores,
    gpus,
    onnxruntime: environment.runtime.onnxruntime,
    joulebench: toolVersion,
    scenarioSha256,
    machineSha256: createHash('sha256').update(JSON.stringify(machineClass)).digest('hex'),
  };
}

/** A result's fingerprint: the one it recorded, else computed from its environment (results older than fingerprints). */
export function fingerprintOfResult(result: RunResult): RunFingerprint {
  return result.fingerprint ?? fingerprintOf(result.environment, result.tool.version, result.scenario.sha256);
}
