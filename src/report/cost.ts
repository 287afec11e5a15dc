// Cost per million inferences (samples) for procurement: the electricity a configuration uses plus the hardware time
// it occupies, at the prices the user gives (`--electricity-price` per kWh, `--price-per-hour HOST=P`).
import type { Measurement, RunResult } from '../results/types.js';
import type { Cost, Prices } from './analysis-types.js';
import { sig } from '../common/format-number.js';

const joulesPerKWh = 3_600_000;

/** The hour price of a run's machine: by host name, else by run id; null when none was given for it. */
export function hourPriceOf(run: RunResult, prices: Prices | null): number | null {
  return prices?.perHour[run.environment.host.hostname] ?? prices?.perHour[run.runId] ?? null;
}

/**
 * A million samples of `m` on `run`'s machine: J/sample × 1e6 ÷ 3.6e6 J/kWh × electricity price, plus
 * 1e6 ÷ samples/s ÷ 3600 s/h × hour price. Null without prices, or when the measurement has no energy.
 */
export function costOf(m: Measurement, run: RunResult, prices: Prices | null): Cost | null {
  if (!prices || !m.energy) return null;
  const hourPrice = hourPriceOf(run, prices);
  if (prices.electricityPerKWh === null && hourPrice === null) return null;
  const electricity = prices.electricityPerKWh === null ? null : ((m.energy.joulesPerSample * 1e6) / joulesPerKWh) * prices.electricityPerKWh;
  const samplesPerSecond = m.throughput?.samplesPerSecond.mean ?? 0;
  const hardware = hourPrice === null || !(samplesPerSecond > 0) ? null : (1e6 / samplesPerSecond / 3600) * hourPrice;
  return { perMillionSamples: (electricity ?? 0) + (hardware ?? 0), electricity, hardware };
}

/**
 * "0.250 per 1M inferences (electricity 0.000333 + hardware 0.250)" — in the currency of the prices given; the
 * electricity part is marked (est.) when the energy it comes from is estimated.
 */
export function costText(cost: Cost, estimated = false): string {
  const parts = [
    cost.electricity !== null ? `electricity ${sig(cost.electricity)}${estimated ? ' (est.)' : ''}` : null,
    cost.hardware !== null ? `hardware ${sig(cost.hardware)}` : 'no hardware price for this machine',
  ];
  return `${sig(cost.perMillionSamples)} per 1M inferences (${parts.filter(Boolean).join(' + ')})`;
}

/** "cheaper per 1M inferences within the SLO: m/fp32/cpu/b64 on laptop at 0.00878 (…)", or null when the chosen is cheapest. */
export function cheapestText(cheapest: { key: string; machine: string | null; estimated: boolean; cost: Cost } | null | undefined): string | null {
  if (!cheapest) return null;
  return `cheaper per 1M inferences: ${cheapest.key}${cheapest.machine ? ` on ${cheapest.machine}` : ''} at ${costText(cheapest.cost, cheapest.estimated)}`;
}

/** The prices in one line: "prices: electricity 0.3 per kWh; hardware per hour: box-a 3.6". */
export function pricesLine(prices: Prices): string {
  const hours = Object.entries(prices.perHour).map(([machine, price]) => `${machine} ${price}`);
  const parts = [prices.electricityPerKWh !== null ? `electricity ${prices.electricityPerKWh} per kWh` : null, hours.length > 0 ? `hardware per hour: ${hours.join(', ')}` : null];
  return `Cost at ${parts.filter(Boolean).join('; ')} (currency of the prices given; --electricity-price, --price-per-hour).`;
}
