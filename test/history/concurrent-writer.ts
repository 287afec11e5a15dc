// A nightly job in miniature for the concurrency test: appends `count` synthetic runs to a history store, opening
// and closing the store for each (as separate jobs would), starting at START_MS (epoch ms) so that two writers
// really overlap. Usage: node --import tsx concurrent-writer.ts DIR NAME COUNT START_MS
import { HistoryStore } from '../../src/history/store.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const [dir, name, count, startMs] = process.argv.slice(2);
while (Date.now() < Number(startMs)) {
  // wait for the agreed start
}
for (let i = 0; i < Number(count); i++) {
  const store = HistoryStore.open(dir!, { create: true });
  try {
    const result = syntheticResult({
      runId: `${name}-${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      measurements: [{ samplesPerJoule: [100, 101] }, { batch: 8, samplesPerJoule: [400, 401] }],
    });
    store.append(result, null);
  } finally {
    store.close();
  }
}
