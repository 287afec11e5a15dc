// CUDA_VISIBLE_DEVICES: CUDA (and so onnxruntime's cuda/tensorrt device_id) numbers only the GPUs it lists, in the
// order listed, while nvidia-smi and NVML number every GPU of the machine in PCI bus order. On a shared server or
// under Slurm (`CUDA_VISIBLE_DEVICES=2,3`) `cuda:0` is nvidia-smi's GPU 2: without this mapping the meter would
// count the wrong GPU. Tokens are indices or UUIDs (`GPU-8f3c…`, any unique prefix), as CUDA accepts them; CUDA
// stops at the first token it cannot parse. MIG instances (`MIG-…`) have no power reading of their own.
import { MeterError } from '../errors.js';

/** One entry of CUDA_VISIBLE_DEVICES. */
export type CudaVisibleToken = { kind: 'index'; index: number } | { kind: 'uuid'; prefix: string } | { kind: 'mig'; text: string };

/** A GPU as nvidia-smi / NVML list it. */
export interface PhysicalGpu {
  index: number;
  uuid: string;
}

/** The variable's tokens, or null when it is not set (CUDA then sees every GPU, numbered as nvidia-smi numbers them). */
export function parseCudaVisibleDevices(value: string | undefined): CudaVisibleToken[] | null {
  if (value === undefined) return null;
  const tokens: CudaVisibleToken[] = [];
  for (const raw of value.split(',')) {
    const text = raw.trim();
    if (/^\d+$/.test(text)) tokens.push({ kind: 'index', index: Number(text) });
    else if (/^GPU-[0-9a-f-]+$/i.test(text)) tokens.push({ kind: 'uuid', prefix: text.toLowerCase() });
    else if (/^MIG-/i.test(text)) tokens.push({ kind: 'mig', text });
    else break; // CUDA ignores the rest of the list from the first invalid entry (so `-1` hides every GPU)
  }
  return tokens;
}

/** The tokens of this process's CUDA_VISIBLE_DEVICES. */
export function cudaVisibleTokens(env: NodeJS.ProcessEnv = process.env): CudaVisibleToken[] | null {
  return parseCudaVisibleDevices(env.CUDA_VISIBLE_DEVICES);
}

const matches = (token: CudaVisibleToken, gpu: PhysicalGpu) =>
  token.kind === 'index' ? token.index === gpu.index : token.kind === 'uuid' ? gpu.uuid.toLowerCase().startsWith(token.prefix) : false;

/** The CUDA device number of a GPU (its device_id for onnxruntime), or null when CUDA does not see it. */
export function cudaOrdinalOf(gpu: PhysicalGpu, tokens: CudaVisibleToken[] | null): number | null {
  if (tokens === null) return gpu.index;
  const position = tokens.findIndex((token) => matches(token, gpu));
  return position < 0 ? null : position;
}

const describeToken = (token: CudaVisibleToken) => (token.kind === 'index' ? `GPU ${token.index}` : token.kind === 'uuid' ? `GPU-${token.prefix.slice(4)}` : token.text);

/**
 * The GPUs behind CUDA device numbers (`devices:` / `--gpus`), in the order asked. A number CUDA does not have, or
 * one that is a MIG instance or a GPU the tool does not list, is a MeterError with `code`, naming CUDA_VISIBLE_DEVICES.
 */
export function gpusForCudaOrdinals<T extends PhysicalGpu>(
  all: readonly T[],
  ordinals: readonly number[],
  tokens: CudaVisibleToken[] | null,
  tool: string,
  code: string,
): T[] {
  const listed = all.map((gpu) => gpu.index).join(', ');
  return ordinals.map((ordinal) => {
    if (tokens === null) {
      const gpu = all.find((candidate) => candidate.index === ordinal);
      if (!gpu) {
        throw new MeterError(code, `GPU ${ordinal} (--gpus) does not exist: ${tool} lists GPU ${listed}`, {
          hint: `pass --gpus with indices from 0 to ${Math.max(...all.map((g) => g.index))}`,
        });
      }
      return gpu;
    }
    const variable = `CUDA_VISIBLE_DEVICES=${tokens.map(describeToken).map((text) => text.replace(/^GPU (\d+)$/, '$1')).join(',')}`;
    const token = tokens[ordinal];
    if (!token) {
      throw new MeterError(code, `GPU ${ordinal} (--gpus) does not exist for CUDA: ${variable} makes ${tokens.length} GPU${tokens.length === 1 ? '' : 's'} visible`, {
        hint: tokens.length > 0
          ? `pass --gpus with numbers from 0 to ${tokens.length - 1}: they count the GPUs CUDA_VISIBLE_DEVICES lists, in its order`
          : 'CUDA_VISIBLE_DEVICES hides every GPU: unset it or list the GPUs to use',
      });
    }
    if (token.kind === 'mig') {
      throw new MeterError(code, `CUDA device ${ordinal} is the MIG instance ${token.text} (${variable}): ${tool} reports power per physical GPU, not per MIG instance`, {
        hint: 'measure on a whole GPU (an index or GPU-… UUID in CUDA_VISIBLE_DEVICES), or leave --gpus out: every GPU is then metered whole, other instances included',
      });
    }
    const gpu = all.find((candidate) => matches(token, candidate));
    if (!gpu) {
      throw new MeterError(code, `CUDA device ${ordinal} is ${describeToken(token)} (${variable}), which ${tool} does not list (it lists GPU ${listed})`, {
        hint: 'check CUDA_VISIBLE_DEVICES against `nvidia-smi -L`',
      });
    }
    return gpu;
  });
}
