// Number formatting shared by the report writers and the terminal table.

/** A number with about `digits` significant digits, no exponent for everyday magnitudes; '—' for null/NaN. */
export function sig(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= digits - 1) return Math.round(value).toLocaleString('en-US');
  if (magnitude < -6) return value.toExponential(digits - 1);
  return value.toFixed(Math.max(0, digits - 1 - magnitude));
}
