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

// [factor, unit] from the smallest unit up.
type Scale = ReadonlyArray<readonly [number, string]>;

const energyScale: Scale = [[1e-9, 'nJ'], [1e-6, 'µJ'], [1e-3, 'mJ'], [1, 'J'], [1e3, 'kJ'], [1e6, 'MJ']];
const whScale: Scale = [[1e-6, 'µWh'], [1e-3, 'mWh'], [1, 'Wh'], [1e3, 'kWh'], [1e6, 'MWh']];
const gramScale: Scale = [[1e-6, 'µg'], [1e-3, 'mg'], [1, 'g'], [1e3, 'kg'], [1e6, 't']];

// The largest unit in which the value is at least 1 (the smallest unit for tiny values): 3 significant digits.
function scaled(value: number | null | undefined, scale: Scale): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return `0 ${scale.find(([factor]) => factor === 1)?.[1] ?? scale[0]![1]}`;
  // Rounding first: 999.6 µJ shows as 1.00 mJ, not "1,000 µJ".
  let chosen = scale[0]!;
  for (const entry of scale) if (Math.abs(value) / entry[0] >= 0.9995) chosen = entry;
  const inUnit = value / chosen[0];
  return `${sig(Math.abs(inUnit) < 1 && Math.abs(inUnit) >= 0.9995 ? Math.sign(inUnit) : inUnit)} ${chosen[1]}`;
}

/** Joules in nJ, µJ, mJ, J or kJ, 3 significant digits: 0.000507 → "507 µJ". */
export function formatJoules(joules: number | null | undefined): string {
  return scaled(joules, energyScale);
}

/** Watt-hours in µWh, mWh, Wh, kWh or MWh: 0.141 → "141 mWh". */
export function formatWattHours(wattHours: number | null | undefined): string {
  return scaled(wattHours, whScale);
}

/** Grams (of CO2e) in µg, mg, g, kg or t: 0.0669 → "66.9 mg". */
export function formatGrams(grams: number | null | undefined): string {
  return scaled(grams, gramScale);
}

/** A ratio as "1.45×" (two decimals below 10, one above). */
export function formatTimes(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×` : '∞×';
}
