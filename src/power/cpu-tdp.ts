// CPU power ratings for the estimate meter: a small table by model family, scaled to the CPUs this machine can see.

/** Where an estimated TDP came from, recorded in result.json so a reader can judge it. */
export interface TdpEstimate {
  /** The TDP assumed for the logical CPUs visible here. */
  tdpW: number;
  /** How it was chosen, in one line. */
  source: string;
}

interface TdpEntry {
  pattern: RegExp;
  label: string;
  /** TDP of the reference part. */
  tdpW: number;
  /** Logical CPUs (hardware threads) of the reference part. */
  threads: number;
}

// Reference parts per family (vendor spec sheets). A VM or container sees a slice of the socket,
// so the TDP is scaled by visible threads ÷ reference threads.
const table: TdpEntry[] = [
  { pattern: /EPYC\s+9\d{3}/i, label: 'AMD EPYC 9004/9005 (ref. 9654: 360 W, 192 threads)', tdpW: 360, threads: 192 },
  { pattern: /EPYC\s+7\d{3}/i, label: 'AMD EPYC 7002/7003 (ref. 7763: 280 W, 128 threads)', tdpW: 280, threads: 128 },
  { pattern: /EPYC/i, label: 'AMD EPYC, model unknown (ref. 7742: 225 W, 128 threads)', tdpW: 225, threads: 128 },
  { pattern: /Xeon.*Platinum/i, label: 'Intel Xeon Platinum (ref. 8480+: 350 W, 112 threads)', tdpW: 350, threads: 112 },
  { pattern: /Xeon.*Gold/i, label: 'Intel Xeon Gold (ref. 6338: 205 W, 64 threads)', tdpW: 205, threads: 64 },
  { pattern: /Xeon/i, label: 'Intel Xeon, model unknown (ref. 150 W, 48 threads)', tdpW: 150, threads: 48 },
  { pattern: /Ryzen\s+9/i, label: 'AMD Ryzen 9 (ref. 7950X: 170 W, 32 threads)', tdpW: 170, threads: 32 },
  { pattern: /Ryzen\s+7/i, label: 'AMD Ryzen 7 (ref. 7700X: 105 W, 16 threads)', tdpW: 105, threads: 16 },
  { pattern: /Ryzen/i, label: 'AMD Ryzen (ref. 7600X: 105 W, 12 threads)', tdpW: 105, threads: 12 },
  { pattern: /Core.*i9/i, label: 'Intel Core i9 (ref. 13900K: 125 W, 32 threads)', tdpW: 125, threads: 32 },
  { pattern: /Core.*i7/i, label: 'Intel Core i7 (ref. 13700K: 125 W, 24 threads)', tdpW: 125, threads: 24 },
  { pattern: /Core.*i5/i, label: 'Intel Core i5 (ref. 13600K: 125 W, 20 threads)', tdpW: 125, threads: 20 },
  { pattern: /Apple M\d (Max|Ultra)/i, label: 'Apple M-series Max/Ultra (ref. 60 W, 16 threads)', tdpW: 60, threads: 16 },
  { pattern: /Apple M\d/i, label: 'Apple M-series (ref. 20 W, 8 threads)', tdpW: 20, threads: 8 },
  { pattern: /Neoverse|Graviton|Ampere/i, label: 'Arm server (ref. Graviton3: 100 W, 64 threads)', tdpW: 100, threads: 64 },
];

// CodeCarbon's constant for a CPU it cannot identify, taken here as a 16-thread part.
const unknownCpu = { tdpW: 85, threads: 16 };

/** Estimate the TDP of the logical CPUs visible here from the CPU's model string. */
export function estimateCpuTdp(cpuModel: string, visibleThreads: number): TdpEstimate {
  const entry = table.find((candidate) => candidate.pattern.test(cpuModel));
  const reference = entry ?? { ...unknownCpu, label: `unknown CPU "${cpuModel}" (CodeCarbon's 85 W default, 16 threads)` };
  const share = Math.min(1, visibleThreads / reference.threads);
  const tdpW = Math.round(reference.tdpW * share * 100) / 100;
  const scaled = share < 1 ? `, scaled to ${visibleThreads} of ${reference.threads} threads` : '';
  return { tdpW, source: `${reference.label}${scaled}; override with --cpu-tdp-watts` };
}
