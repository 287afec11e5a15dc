// "Did you mean …?" for misspelt keys and names.

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo.
 * Case, `_`, `-` and spaces are ignored, and a swap of two neighbouring letters counts as one edit,
 * so `batch_size` finds `batchSizes` and `mpl` finds `mlp`; an unambiguous abbreviation
 * (`minSecs`) finds its key.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const target = normalise(word);
  if (target.length === 0) return undefined;
  const allowed = Math.max(1, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= allowed) return best;
  // Abbreviations (`minSecs`, `reps`) are far in edits but unambiguous as subsequences.
  const abbreviated = candidates.filter((candidate) => isAbbreviation(target, normalise(candidate)));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

// `short` starts like `long` (three letters) and keeps the rest of its letters in order: secs → seconds.
function isAbbreviation(short: string, long: string): boolean {
  if (short.length < 3 || short.length >= long.length || !long.startsWith(short.slice(0, 3))) return false;
  let at = 0;
  for (const letter of long) if (letter === short[at]) at++;
  return at === short.length;
}

function normalise(word: string): string {
  return word.toLowerCase().replace(/[\s_-]/g, '');
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}
