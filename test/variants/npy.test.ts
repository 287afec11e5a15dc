// .npy files: the header encodeNpy writes (magic, version 1.0, 64-byte alignment), headers of versions 1–3 written
// by hand, every dtype read, and a CALIBRATION_NPY_INVALID error that names the file, the problem and the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { encodeNpy, parseNpy } from '../../src/variants/npy.js';

// A .npy file: magic, version, header length (2 bytes in v1, 4 in v2/v3), the header, then `data`.
function npy(header: string, data: number[] = [], major = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const lengthBytes = major === 1 ? [text.length & 0xff, text.length >> 8] : [text.length & 0xff, (text.length >> 8) & 0xff, (text.length >> 16) & 0xff, text.length >>> 24];
  return Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0, ...lengthBytes, ...text, ...data]);
}
const headerOf = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

// The InputError parseNpy throws, checked for its code, the file name and the hint.
function invalid(bytes: Uint8Array, why: RegExp): void {
  assert.throws(() => parseNpy(bytes, 'calib/x.npy'), (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.code, 'CALIBRATION_NPY_INVALID');
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /^calib\/x\.npy: not a readable \.npy array \(/);
    assert.match(error.message, why);
    assert.equal(error.hint, 'save it with numpy.save(path, array) from a C-ordered, little-endian array');
    return true;
  });
}

describe('encodeNpy', () => {
  it('writes magic, version 1.0, a header padded to 64 bytes with a newline, then little-endian float32', () => {
    const bytes = encodeNpy([1.5, -2, 0.1], [3]);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    // The header "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" is 57 characters; 10 + 57 + 1 = 68, so
    // 60 spaces and the newline bring 10 + 118 to 128 = 2 × 64.
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    assert.equal(headerLength, 118);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    assert.equal(header, `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }${' '.repeat(60)}\n`);
    assert.equal(bytes.length, 128 + 3 * 4);
    const view = new DataView(bytes.buffer, 128);
    assert.deepEqual([0, 4, 8].map((o) => view.getFloat32(o, true)), [1.5, -2, Math.fround(0.1)]);
  });

  it('writes a 2-D shape without a trailing comma and a 0-D shape as (); the header stays 64-aligned', () => {
    const matrix = encodeNpy([1, 2, 3, 4, 5, 6], [2, 3]);
    const matrixHeader = new TextDecoder().decode(matrix.subarray(10, 128));
    assert.match(matrixHeader, /'shape': \(2, 3\), \}/);
    for (const shape of [[], [7], [2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]]) {
      const bytes = encodeNpy([], shape);
      assert.equal((10 + (bytes[8]! | (bytes[9]! << 8))) % 64, 0, `shape [${shape}]`);
    }
    assert.deepEqual(parseNpy(encodeNpy([42], []), 's.npy'), { dtype: 'f4', shape: [], values: Float64Array.from([42]) });
  });

  it('writes int64 by truncation toward zero, exactly up to 2^53', () => {
    const array = parseNpy(encodeNpy([2.7, -2.7, 2 ** 53, -(2 ** 53)], [4], 'i8'), 'i.npy');
    assert.equal(array.dtype, 'i8');
    assert.deepEqual([...array.values], [2, -2, 2 ** 53, -(2 ** 53)]);
  });
});

describe('parseNpy', () => {
  it('reads version 1, 2 and 3 headers (2- and 4-byte header lengths)', () => {
    const data = [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]; // float32 1 and −2, little-endian
    for (const major of [1, 2, 3]) {
      assert.deepEqual(parseNpy(npy(headerOf('<f4', '(2,)'), data, major), 'v.npy'), { dtype: 'f4', shape: [2], values: Float64Array.from([1, -2]) }, `version ${major}`);
    }
  });

  it('reads every supported dtype, little-endian', () => {
    const cases: Array<[string, number[], number[]]> = [
      ['<f2', [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00], [1, -2, 2 ** -24]], // 0x3c00, 0xc000 and the smallest subnormal
      ['<f8', [0, 0, 0, 0, 0, 0, 0xf8, 0x3f], [1.5]], // 0x3ff8000000000000
      ['|i1', [0xff, 0x7f, 0x80], [-1, 127, -128]],
      ['|u1', [0xff, 0x00], [255, 0]],
      ['|b1', [1, 0], [1, 0]],
      ['<i2', [0xfe, 0xff, 0x00, 0x80], [-2, -32768]],
      ['<u2', [0xfe, 0xff], [65534]],
      ['<i4', [0xff, 0xff, 0xff, 0xff], [-1]],
      ['<u4', [0xff, 0xff, 0xff, 0xff], [4294967295]],
      ['<i8', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [-1]],
      ['<u8', [0, 0, 0, 0, 0, 0, 0x20, 0], [2 ** 53]], // 0x0020000000000000
      ['=f4', [0, 0, 0x80, 0x3f], [1]], // native order, on little-endian machines
      ['>u1', [9], [9]], // a byte has no byte order
    ];
    for (const [descr, data, values] of cases) {
      const array = parseNpy(npy(headerOf(descr, `(${values.length},)`), data), 'd.npy');
      assert.equal(array.dtype, descr.slice(1));
      assert.deepEqual([...array.values], values, descr);
    }
  });

  it('reads shapes: 0-D, empty, several axes, spaces; only the declared values, not trailing bytes', () => {
    assert.deepEqual(parseNpy(npy(headerOf('|u1', '()'), [5]), 's.npy').shape, []);
    const empty = parseNpy(npy(headerOf('<f4', '(0, 3)')), 'e.npy');
    assert.deepEqual([empty.shape, empty.values.length], [[0, 3], 0]);
    const spaced = parseNpy(npy("{'descr':'|u1','fortran_order':False,'shape':( 2 , 2 )}", [1, 2, 3, 4, 99]), 'p.npy');
    assert.deepEqual([spaced.shape, [...spaced.values]], [[2, 2], [1, 2, 3, 4]]);
  });

  it('reads from a view into a larger buffer (its byte offset respected)', () => {
    const file = encodeNpy([3, 4], [2]);
    const larger = new Uint8Array(file.length + 5);
    larger.set(file, 5);
    assert.deepEqual([...parseNpy(larger.subarray(5), 'o.npy').values], [3, 4]);
  });

  it('not a .npy file: no magic, or shorter than a header', () => {
    invalid(new TextEncoder().encode('not numpy at all'), /no \\x93NUMPY magic/);
    invalid(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0]), /no \\x93NUMPY magic/); // 9 bytes
    invalid(new Uint8Array(0), /no \\x93NUMPY magic/);
  });

  it('an unknown format version, or a header that runs past the end of the file', () => {
    invalid(npy(headerOf('<f4', '(1,)'), [0, 0, 0, 0], 4), /format version 4\.0; versions 1 to 3 are known/);
    invalid(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0]), /header longer than the file/); // v2 needs 12 bytes
    const whole = npy(headerOf('<f4', '(1,)'), [0, 0, 0, 0]);
    invalid(whole.subarray(0, 20), /header longer than the file/);
  });

  it('a header without descr, fortran_order or shape', () => {
    invalid(npy("{'fortran_order': False, 'shape': (1,), }"), /header without descr, fortran_order and shape/);
    invalid(npy("{'descr': '<f4', 'shape': (1,), }"), /header without descr, fortran_order and shape/);
    invalid(npy("{'descr': '<f4', 'fortran_order': False, }"), /header without descr, fortran_order and shape/);
  });

  it('an unsupported dtype is named, with the types that are supported', () => {
    invalid(npy(headerOf('<c8', '(1,)'), new Array(8).fill(0)), /dtype <c8 is not supported; use float32, float64, float16 or an integer type/);
    invalid(npy(headerOf('<U5', '(1,)'), new Array(20).fill(0)), /dtype <U5 is not supported/); // strings
    invalid(npy(headerOf('|O', '(1,)'), new Array(8).fill(0)), /dtype \|O is not supported/); // Python objects
  });

  it('big-endian data and Fortran order say how to convert them', () => {
    invalid(npy(headerOf('>f4', '(1,)'), [0x3f, 0x80, 0, 0]), /big-endian data; convert with array\.astype\(array\.dtype\.newbyteorder\("<"\)\)/);
    invalid(npy(headerOf('<f4', '(2, 2)', 'True'), new Array(16).fill(0)), /Fortran order; save numpy\.ascontiguousarray\(array\)/);
  });

  it('a shape that is not a list of non-negative integers', () => {
    invalid(npy(headerOf('<f4', '(-1,)')), /shape \(-1,\)/);
    invalid(npy(headerOf('<f4', '(2, n)')), /shape \(2, n\)/);
    invalid(npy(headerOf('<f4', '(1.5,)')), /shape \(1\.5,\)/);
  });

  it('fewer data bytes than the shape declares', () => {
    // (2, 2) float32 needs 16 bytes; 15 are there.
    invalid(npy(headerOf('<f4', '(2, 2)'), new Array(15).fill(0)), /the file holds fewer than the 4 values its shape declares \(truncated\?\)/);
  });
});
