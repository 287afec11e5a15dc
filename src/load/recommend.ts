// Per target rate, the configuration and batching policy that serve it with the least energy per request within
// the p99 SLO (valid and not over capacity).
import type { LoadRecommendation, LoadRecord } from '../results/load-types.js';

/** One recommendation per target rate, in the order the rates were given. */
export function recommendPerRate(records: LoadRecord[]): LoadRecommendation[] {
  const rates = [...new Set(records.map((record) => record.targetRate))];
  return rates.map((targetRate) => {
    const atRate = records.filter((record) => record.targetRate === targetRate && record.status === 'ok');
    const eligible = atRate.filter((record) => record.valid && !record.overCapacity).sort((a, b) => a.joulesPerRequest - b.joulesPerRequest);
    const best = eligible[0];
    if (!best) {
      const why = atRate.length === 0 ? 'nothing was measured at this rate' : `none of ${atRate.length} measured configuration(s) is valid and within the SLO: ${atRate.map((record) => `${record.key}: ${record.reasons[0] ?? 'invalid'}`).join('; ')}`;
      return { targetRate, key: null, joulesPerRequest: null, p99Ms: null, reason: why, estimated: atRate.some((record) => record.estimated) };
    }
    const runnerUp = eligible[1];
    const slo = best.sloP99Ms === null ? 'no p99 SLO set' : `p99 ${best.p99Ms.toFixed(2)} ms within the ${best.sloP99Ms} ms SLO`;
    const margin = runnerUp ? `; ${(((runnerUp.joulesPerRequest - best.joulesPerRequest) / runnerUp.joulesPerRequest) * 100).toFixed(1)}% less energy per request than ${runnerUp.key}` : '';
    return {
      targetRate,
      key: best.key,
      joulesPerRequest: best.joulesPerRequest,
      p99Ms: best.p99Ms,
      reason: `least energy per request at ${targetRate} req/s among ${eligible.length} eligible (${slo})${margin}`,
      estimated: best.estimated,
    };
  });
}
