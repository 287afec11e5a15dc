// IEEE 754 half-precision bits, for float16 tensors (onnxruntime-node takes them as Uint16Array on Node 20).

const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

/** Round a number to the nearest float16 and return its 16 bits (round-to-nearest-even, overflow to ±Inf). */
export function toFloat16Bits(value: number): number {
  floatView[0] = value;
  let x = intView[0]!;
  // Going through float32 rounds twice: a double just off a float16 tie would land on the tie and then go to even.
  // When float32 is inexact, take the float32 below the value with its last bit set (round to odd): the second
  // rounding then sees the value's side of the tie, and the 13 extra bits keep every other case the same.
  if (floatView[0] !== value && !Number.isNaN(value)) {
    if (Math.abs(floatView[0]!) > Math.abs(value)) x -= 1;
    x |= 1;
  }
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // overflow
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign; // underflow to zero
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const halfMantissa = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (remainder > halfway || (remainder === halfway && halfMantissa & 1) ? halfMantissa + 1 : halfMantissa);
  }
  const base = sign | (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // Round to nearest, ties to even; a carry into the exponent is correct by construction.
  return remainder > 0x1000 || (remainder === 0x1000 && (base & 1)) ? base + 1 : base;
}

/** The number a float16 bit pattern stands for. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
