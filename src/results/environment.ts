// The machine and software a run measured, captured with systeminformation.
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import si from 'systeminformation';
import { executionProviders, listBackends } from '../runtime/providers/registry.js';
import type { ExecutionProvider } from '../runtime/providers/types.js';
import type { Accelerator, Environment } from './types.js';

// systeminformation's graphics probe spawns vendor tools; never let it hold a run up.
async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function vendorOf(name: string): string {
  if (/nvidia/i.test(name)) return 'nvidia';
  if (/amd|ati|radeon|advanced micro/i.test(name)) return 'amd';
  if (/intel/i.test(name)) return 'intel';
  if (/apple/i.test(name)) return 'apple';
  return name.toLowerCase() || 'unknown';
}

/** Capture host, accelerators and runtime versions. */
export async function captureEnvironment(): Promise<Environment> {
  const [cpu, osInfo, mem, graphics] = await Promise.all([
    withTimeout(si.cpu(), 5000, null),
    withTimeout(si.osInfo(), 5000, null),
    withTimeout(si.mem(), 5000, null),
    withTimeout(si.graphics(), 5000, null),
  ]);
  const cpus = os.cpus();
  const accelerators: Accelerator[] = (graphics?.controllers ?? [])
    .filter((controller) => /nvidia|amd|advanced micro|radeon|intel arc|apple/i.test(`${controller.vendor} ${controller.model}`))
    .map((controller, index) => ({
      vendor: vendorOf(controller.vendor || controller.model),
      index,
      name: controller.name || controller.model,
      uuid: null,
      driver: controller.driverVersion || null,
      memoryBytes: controller.memoryTotal ? controller.memoryTotal * 1024 * 1024 : controller.vram ? controller.vram * 1024 * 1024 : null,
      powerLimitWatts: controller.powerLimit ?? null,
    }));
  const backends = listBackends();
  return {
    host: {
      os: osInfo ? `${osInfo.distro} ${osInfo.release}`.trim() : `${os.type()} ${os.release()}`,
      kernel: osInfo?.kernel ?? os.release(),
      arch: os.arch(),
      hostname: os.hostname(),
      cpu: {
        model: cpus[0]?.model ?? (cpu ? `${cpu.manufacturer} ${cpu.brand}` : 'unknown'),
        cores: cpus.length,
        physicalCores: cpu?.physicalCores ?? cpus.length,
        sockets: cpu?.processors ?? 1,
      },
      memoryBytes: mem?.total ?? os.totalmem(),
    },
    accelerators,
    runtime: {
      node: process.versions.node,
      onnxruntime: ort.env.versions?.node ?? 'unknown',
      executionProviders: Object.values(executionProviders as Record<string, ExecutionProvider>).map((provider) => {
        const availability = provider.availability(backends);
        return { name: provider.name, available: availability.ok, reason: availability.ok ? null : availability.reason };
      }),
    },
  };
}
