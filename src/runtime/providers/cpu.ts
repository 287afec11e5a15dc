// The CPU provider: always present. Its options are session options (the binding passes no CPU provider options).
import { commonOptions, commonSessionOptions } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  intra_op_num_threads: { type: 'integer', target: 'session', forwarded: true, description: 'threads inside one op (a scenario `threads:` sweep overrides it)' },
  inter_op_num_threads: { type: 'integer', target: 'session', forwarded: true, description: 'threads across ops (parallel execution mode)' },
  execution_mode: { type: 'enum', values: ['sequential', 'parallel'], target: 'session', forwarded: true, description: 'run independent ops in parallel' },
  use_arena: { type: 'boolean', target: 'session', forwarded: true, description: 'CPU memory arena (enableCpuMemArena; default on)' },
} satisfies Record<string, OptionSpec>;

function settings(given: ProviderOptions): ProviderSettings {
  const session: ProviderSettings['session'] = { ...commonSessionOptions(given) };
  if (given.intra_op_num_threads !== undefined) session.intraOpNumThreads = Number(given.intra_op_num_threads);
  if (given.inter_op_num_threads !== undefined) session.interOpNumThreads = Number(given.inter_op_num_threads);
  if (given.execution_mode !== undefined) session.executionMode = given.execution_mode as 'sequential' | 'parallel';
  if (given.use_arena !== undefined) session.enableCpuMemArena = given.use_arena === true;
  const provider = given.use_arena === undefined ? { name: 'cpu' } : { name: 'cpu', useArena: given.use_arena === true };
  return { provider, session, notForwarded: [] };
}

/** onnxruntime's CPU execution provider. */
export const cpuProvider: ExecutionProvider = {
  name: 'cpu',
  description: 'onnxruntime CPU provider (always present)',
  options,
  availability: () => ({ ok: true }),
  settings,
  device: () => 'cpu',
};
