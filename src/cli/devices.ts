// `joulebench devices`: execution providers, accelerators and power meters, and whether each works here.
import { parseArgs } from 'node:util';
import type { ExitCodeValue } from '../errors.js';
import { describeAutoOrder, meterRegistry } from '../power/registry.js';
import type { MeterFactory } from '../power/types.js';
import { captureEnvironment } from '../results/environment.js';
import { checkProviderHere } from '../runtime/probe.js';
import { executionProviders } from '../runtime/providers/registry.js';
import type { ExecutionProvider } from '../runtime/providers/types.js';
import { meterFlagHelp, meterFlagOptions, meterSettingsFlags, withUsage } from './args.js';

/** Help text for `devices`. */
export const devicesHelp = `joulebench devices [--json] [--cpu-tdp-watts W] [meter flags]

List execution providers, accelerators and power meters, and say why any of them cannot be used here.
Writes nothing; --json prints the same as JSON. The meters' flags say where they look:

${meterFlagHelp(29)}`;

/** Entry point of `devices`. */
export async function devicesCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values } = withUsage('devices', devicesHelp, () =>
    parseArgs({ args: argv, allowPositionals: false, options: { json: { type: 'boolean', default: false }, 'cpu-tdp-watts': { type: 'string' }, ...meterFlagOptions() } }),
  );
  const environment = await captureEnvironment();
  // Bundled is not enough: say whether a session can really be created, and if not which library is missing.
  for (const ep of environment.runtime.executionProviders) {
    const provider = (executionProviders as Record<string, ExecutionProvider>)[ep.name]!;
    const check = await checkProviderHere(provider);
    Object.assign(ep, { available: check.available, reason: check.reason, missingLibraries: check.missingLibraries });
  }
  const tdp = values['cpu-tdp-watts'] === undefined ? null : Number(values['cpu-tdp-watts']);
  const settings = meterSettingsFlags(values);
  const meters = [];
  for (const factory of Object.values(meterRegistry) as MeterFactory[]) {
    if (factory.argument === 'required') {
      meters.push({ name: factory.name, ok: true, detail: `${factory.description} (needs ${factory.name}:FILE)`, hardware: factory.hardware });
      continue;
    }
    const probe = await factory.probe({ cpuTdpWatts: tdp, baseDir: process.cwd(), gpus: null, settings }, null);
    meters.push({ name: factory.name, ok: probe.ok, detail: probe.ok ? probe.detail : probe.reason, hardware: factory.hardware });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ environment, meters }, null, 2)}\n`);
    return 0;
  }
  const host = environment.host;
  const lines = [
    `host: ${host.cpu.model}, ${host.cpu.cores} logical CPUs (${host.cpu.physicalCores} physical), ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${host.os}, kernel ${host.kernel}`,
    `runtime: Node ${environment.runtime.node}, onnxruntime-node ${environment.runtime.onnxruntime}`,
    'execution providers:',
    ...environment.runtime.executionProviders.map((ep) => `  ${ep.available ? '✓' : '✗'} ${ep.name}${ep.reason ? ` — ${ep.reason}` : ''}`),
    'accelerators:',
    ...(environment.accelerators.length === 0
      ? ['  none found']
      : environment.accelerators.map((a) => `  ${a.vendor} #${a.index}: ${a.name}${a.memoryBytes ? `, ${(a.memoryBytes / 2 ** 30).toFixed(0)} GiB` : ''}${a.driver ? `, driver ${a.driver}` : ''}`)),
    'power meters:',
    ...meters.map((m) => `  ${m.ok ? '✓' : '✗'} ${m.name}${m.hardware ? '' : m.name === 'estimate' ? ' (ESTIMATED, the fallback)' : ''} — ${m.detail}`),
    `--meter auto takes, per device group, the first of these that works (${describeAutoOrder()}) — ${meters.some((m) => m.hardware && m.ok) ? `here: ${meters.filter((m) => m.hardware && m.ok).map((m) => m.name).join(', ')}` : 'here no hardware meter works, so power is ESTIMATED'}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
