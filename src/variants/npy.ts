// NumPy .npy files (format versions 1–3, little-endian, C order): what users save calibration inputs as.
import { InputError } from '../errors.js';
import { fromFloat16Bits } from '../onnx/float16.js';

/** An array read from a .npy file, values as numbers (integers exact up to 2^53). */
export interface NpyArray {
  dtype: string;
  shape: number[];
  values: Float64Array;
}

const readers: Record<string, { bytes: number; read: (view: DataView, offset: number) => number }> = {
  f2: { bytes: 2, read: (v, o) => fromFloat16Bits(v.getUint16(o, true)) },
  f4: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  f8: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  b1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  i2: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  i4: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  u8: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

/** Parse .npy bytes; `file` names it in errors. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const bad = (why: string) => new InputError('CALIBRATION_NPY_INVALID', `${file}: not a readable .npy array (${why})`, { hint: 'save it with numpy.save(path, array) from a C-ordered, little-endian array' });
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((byte, i) => bytes[i] !== byte)) throw bad('no \\x93NUMPY magic');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw bad(`format version ${major}.${bytes[7]!}; versions 1 to 3 are known`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart > bytes.length) throw bad('header longer than the file');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerStart + headerLength > bytes.length) throw bad('header longer than the file');
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  // Any simple dtype matches ('<f4', '|b1', '<U5', '|O'), so that an unsupported one is named as such.
  const descr = /'descr'\s*:\s*'([<>|=])([a-zA-Z])(\d*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeMatch) throw bad('header without descr, fortran_order and shape');
  const [, endian, kind, size] = descr;
  const dtype = `${kind}${size}`;
  const reader = readers[dtype];
  if (!reader) throw bad(`dtype ${endian}${dtype} is not supported; use float32, float64, float16 or an integer type`);
  if (endian === '>' && reader.bytes > 1) throw bad('big-endian data; convert with array.astype(array.dtype.newbyteorder("<"))');
  if (fortran[1] === 'True') throw bad('Fortran order; save numpy.ascontiguousarray(array)');
  const shape = shapeMatch[1]!.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  if (shape.some((dim) => !Number.isInteger(dim) || dim < 0)) throw bad(`shape (${shapeMatch[1]})`);
  const count = shape.reduce((product, dim) => product * dim, 1);
  const dataStart = headerStart + headerLength;
  if (dataStart + count * reader.bytes > bytes.length) throw bad(`the file holds fewer than the ${count} values its shape declares (truncated?)`);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(view, dataStart + i * reader.bytes);
  return { dtype, shape, values };
}

/** Encode a float32 or int64 array as .npy bytes (tests and examples write calibration data with it). */
export function encodeNpy(values: ArrayLike<number>, shape: number[], dtype: 'f4' | 'i8' = 'f4'): Uint8Array {
  let header = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const bytesPerValue = dtype === 'f4' ? 4 : 8;
  const out = new Uint8Array(10 + header.length + values.length * bytesPerValue);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const start = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'f4') view.setFloat32(start + i * 4, values[i]!, true);
    else view.setBigInt64(start + i * 8, BigInt(Math.trunc(values[i]!)), true);
  }
  return out;
}
