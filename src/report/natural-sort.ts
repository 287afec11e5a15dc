// Labels in the order a person expects: runs of digits compare as numbers, so b1, b8, b32, b64 (not b1, b32, b64, b8).

const chunks = (label: string): string[] => label.match(/\d+|\D+/g) ?? [];

/** Compare two labels (configuration keys, series names) with their digit runs read as numbers; a sort comparator. */
export function compareLabels(a: string, b: string): number {
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric) {
      const difference = Number(p) - Number(q);
      if (difference !== 0) return difference;
      // Same number, different spelling ("08" and "8"): the shorter first, so the order is total.
      return p.length - q.length;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** A sorted copy of `labels` in natural order. */
export function sortLabels(labels: Iterable<string>): string[] {
  return [...labels].sort(compareLabels);
}
