// Scale and zero-point maths of onnxruntime's quantizer (onnxruntime/python/tools/quantization/quant_utils.py).

/** numpy's rounding: half to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Integer range of a quantized type (symmetric int8 uses [-127, 127], as onnxruntime does). */
export function quantRange(type: 'int8' | 'uint8', symmetric: boolean): [number, number] {
  if (type === 'uint8') return [0, 255];
  return symmetric ? [-127, 127] : [-128, 127];
}

/** Scale and zero point for values in [min, max] (the range always includes 0). */
export function scaleAndZeroPoint(min: number, max: number, type: 'int8' | 'uint8', symmetric: boolean): { scale: number; zeroPoint: number } {
  const [qmin, qmax] = quantRange(type, symmetric);
  let rmin = Math.min(min, 0);
  let rmax = Math.max(max, 0);
  if (symmetric) {
    const absMax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -absMax;
    rmax = absMax;
  }
  const scale = Math.fround((rmax - rmin) / (qmax - qmin));
  if (!(scale > 0) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? (type === 'uint8' ? 128 : 0) : Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - rmin / scale)));
  return { scale, zeroPoint };
}

/** Quantize values with a scale and zero point, saturating to the type's range. */
export function quantizeValues(values: Float32Array, scale: number, zeroPoint: number, type: 'int8' | 'uint8', symmetric: boolean): Int8Array | Uint8Array {
  const [qmin, qmax] = quantRange(type, symmetric);
  const out = type === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(qmax, Math.max(qmin, roundHalfEven(values[i]! / scale) + zeroPoint));
  return out;
}

/** min and max of an array (0 and 0 when empty). */
export function minMax(values: ArrayLike<number>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/** Symmetric int8 weights with one scale per slice along `axis` (per channel), or one scale for all when axis is null. */
export function quantizeSymmetricInt8(values: Float32Array, dims: number[], axis: number | null): { quantized: Int8Array; scales: number[] } {
  const channels = axis === null ? 1 : dims[axis]!;
  const inner = axis === null ? values.length : dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  // Two flat passes over [outer, channels, inner] (no per-channel copies): the largest finite |value| per channel,
  // then quantize; the same numbers as minMax + scaleAndZeroPoint(…, 'int8', true) + quantizeValues per channel.
  const outer = values.length / (channels * inner);
  const absMax = new Float64Array(channels);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let max = absMax[c]!;
      for (let end = i + inner; i < end; i++) {
        const magnitude = Math.abs(values[i]!);
        if (magnitude > max && magnitude !== Infinity) max = magnitude;
      }
      absMax[c] = max;
    }
  }
  const scales = Array.from(absMax, (max) => scaleAndZeroPoint(-max, max, 'int8', true).scale);
  const quantized = new Int8Array(values.length);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const scale = scales[c]!;
      for (let end = i + inner; i < end; i++) quantized[i] = Math.min(127, Math.max(-127, roundHalfEven(values[i]! / scale)));
    }
  }
  return { quantized, scales };
}
