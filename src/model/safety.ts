// Checks on a model file before anything parses it fully or hands it to onnxruntime: its size, and where its
// external data lives. onnxruntime opens every external-data `location` relative to the model's folder without
// asking; a hostile model could point it at /etc/shadow, ../../secrets or a symlink out of the folder.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';

const { onnx } = onnxProto;

/** Protobuf cannot encode a message of 2 GiB or more, so no single .onnx file can be larger. */
export const protobufLimitBytes = 2 ** 31 - 1;

/** Default cap on a model's total size (the .onnx file plus its external data): 16 GiB. */
export const defaultMaxModelBytes = 16 * 2 ** 30;

/** Environment variable that overrides the cap: bytes, or a number with KiB/MiB/GiB/TiB (also K/M/G/T, KB/MB/GB/TB). */
export const maxModelBytesEnv = 'JOULEBENCH_MAX_MODEL_BYTES';

const units: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Parse a size like `512MiB`, `16G` or `1073741824`; null when it is not one. */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const bytes = Number(match[1]) * units[match[2]!.toLowerCase()]!;
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : null;
}

/** The model size cap in effect: $JOULEBENCH_MAX_MODEL_BYTES, else 16 GiB. A malformed value is an error naming it. */
export function maxModelBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[maxModelBytesEnv];
  if (raw === undefined || raw.trim() === '') return defaultMaxModelBytes;
  const bytes = parseByteSize(raw);
  if (bytes === null) {
    throw new ModelError('MODEL_SIZE_LIMIT_INVALID', `${maxModelBytesEnv}=${JSON.stringify(raw)} is not a size`, {
      hint: `give bytes or a size like 32GiB, e.g. ${maxModelBytesEnv}=32GiB`,
    });
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Refuse a model too large to read: over the configured cap (`what`: the file, or the file with its external data),
 * or an .onnx file over the protobuf limit.
 */
export function checkModelSize(file: string, sizeBytes: number, what: 'file' | 'total', limitBytes = maxModelBytes()): void {
  if (sizeBytes > limitBytes) {
    const size = what === 'file' ? formatBytes(sizeBytes) : `${formatBytes(sizeBytes)} with its external data`;
    throw new ModelError('MODEL_TOO_LARGE', `${file}: ${size} is above the model size limit of ${formatBytes(limitBytes)}`, {
      hint: `raise the limit with ${maxModelBytesEnv}=${Math.ceil(sizeBytes / 2 ** 30) + 1}GiB if this model is meant to be this large`,
    });
  }
  if (what === 'file' && sizeBytes > protobufLimitBytes) {
    throw new ModelError('MODEL_TOO_LARGE', `${file}: ${formatBytes(sizeBytes)} is more than a protobuf file can hold (2 GiB); this is not a valid .onnx file`, {
      hint: 're-export the model with its weights as external data (onnx.save_model(..., save_as_external_data=True))',
    });
  }
}

type Tensor = onnxProto.onnx.ITensorProto;
type Graph = onnxProto.onnx.IGraphProto;

// Every tensor a model holds: initializers, sparse initializers and tensors inside node attributes, in subgraphs too.
function* tensorsOf(graph: Graph | null | undefined, depth = 0): Generator<Tensor> {
  if (!graph || depth > 64) return;
  yield* graph.initializer ?? [];
  for (const sparse of graph.sparseInitializer ?? []) {
    if (sparse.values) yield sparse.values;
    if (sparse.indices) yield sparse.indices;
  }
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      if (attribute.t) yield attribute.t;
      yield* attribute.tensors ?? [];
      if (attribute.sparseTensor?.values) yield attribute.sparseTensor.values;
      if (attribute.sparseTensor?.indices) yield attribute.sparseTensor.indices;
      for (const sparse of attribute.sparseTensors ?? []) {
        if (sparse.values) yield sparse.values;
        if (sparse.indices) yield sparse.indices;
      }
      yield* tensorsOf(attribute.g, depth + 1);
      for (const sub of attribute.graphs ?? []) yield* tensorsOf(sub, depth + 1);
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * Check every external-data reference of a decoded model: a relative location inside the model's folder, no `..`,
 * no symlink leaving the folder, the file present. Returns the total bytes of the external files (each counted once).
 * Runs before onnxruntime sees the model; throws ModelError naming the tensor and the location.
 */
export function checkExternalData(model: onnxProto.onnx.IModelProto, file: string): number {
  const modelDir = path.dirname(path.resolve(file));
  const fix = 'keep external data files next to the model (or in a subfolder of it) and reference them by a relative path';
  const seen = new Map<string, number>();
  let realModelDir: string | null = null;
  for (const tensor of tensorsOf(model.graph)) {
    const entries = tensor.externalData ?? [];
    if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL && entries.length === 0) continue;
    const name = tensor.name || '(unnamed)';
    const location = entries.find((entry) => entry.key === 'location')?.value ?? '';
    const refuse = (why: string, code = 'MODEL_EXTERNAL_DATA_UNSAFE') =>
      new ModelError(code, `${file}: tensor "${name}" has external data at ${JSON.stringify(location)}: ${why}; refusing to load it`, { hint: fix });
    if (location === '') throw refuse('no location given', 'MODEL_EXTERNAL_DATA_MISSING');
    if (location.includes('\0')) throw refuse('the location contains a NUL byte');
    if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[A-Za-z]:/.test(location)) {
      throw refuse('the location is an absolute path');
    }
    if (location.split(/[\\/]/).includes('..')) throw refuse('the location contains ".." (it leaves the model\'s folder)');
    const target = path.resolve(modelDir, location);
    if (!isInside(target, modelDir)) throw refuse('the location leaves the model\'s folder');
    if (seen.has(target)) continue;
    let real: string;
    try {
      lstatSync(target);
      real = realpathSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new ModelError('MODEL_EXTERNAL_DATA_MISSING', `${file}: tensor "${name}" keeps its data in ${JSON.stringify(location)}, which does not exist next to the model`, {
          hint: 'copy the external data file(s) next to the .onnx file, as the exporter wrote them',
          cause: error,
        });
      }
      throw refuse(`it cannot be read (${code ?? String(error)})`);
    }
    realModelDir ??= realpathSync(modelDir);
    if (!isInside(real, realModelDir)) throw refuse(`it is a symlink that leads out of the model's folder (to ${real})`);
    const info = statSync(real);
    if (!info.isFile()) throw refuse('it is not a regular file');
    seen.set(target, info.size);
  }
  return [...seen.values()].reduce((sum, bytes) => sum + bytes, 0);
}

// Leading bytes of formats that people hand to an ONNX tool by mistake. ONNX itself has no magic number.
const knownFormats: Array<{ test: (bytes: Uint8Array) => boolean; what: string }> = [
  { test: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]), what: 'a zip archive (a PyTorch .pt/.pth checkpoint? export it with torch.onnx.export)' },
  { test: (b) => startsWith(b, [0x1f, 0x8b]), what: 'a gzip file (decompress it first)' },
  { test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]), what: 'a PNG image' },
  { test: (b) => startsWith(b, [0xff, 0xd8, 0xff]), what: 'a JPEG image' },
  { test: (b) => startsWith(b, [0x89, 0x48, 0x44, 0x46]), what: 'an HDF5 file (a Keras .h5 model? convert it with tf2onnx)' },
  { test: (b) => ascii(b, 0, 4) === 'GGUF', what: 'a GGUF file (llama.cpp), not ONNX' },
  { test: (b) => ascii(b, 4, 8) === 'TFL3', what: 'a TensorFlow Lite model (convert it with tf2onnx)' },
  { test: (b) => ascii(b, 4, 8) === 'ORTM', what: 'an onnxruntime .ort file (give the .onnx it was converted from)' },
  { test: (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46]), what: 'an ELF executable or shared library' },
  { test: (b) => ascii(b, 0, 5) === '%PDF-', what: 'a PDF document' },
  { test: isSafetensors, what: 'a safetensors file (weights only, no graph)' },
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return bytes.length < to ? '' : String.fromCharCode(...bytes.subarray(from, to));
}

// safetensors: an 8-byte little-endian header length, then a JSON header. ONNX files start with 0x08 0x.. and
// fields after it, which read as a header length far larger than the file.
function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10 || bytes[8] !== 0x7b) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getBigUint64(0, true);
  return headerBytes > 1n && headerBytes <= BigInt(bytes.length - 8);
}

/** What a file looks like when its first bytes are another format's magic number; null when none matches. */
export function sniffForeignFormat(bytes: Uint8Array): string | null {
  return knownFormats.find((format) => format.test(bytes))?.what ?? null;
}
