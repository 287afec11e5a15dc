// The SQLite history store in a temp folder: where the file lives, append (once per run id), runs and points read back
// with every number, points kept apart per host, and the typed errors for a missing, unwritable or foreign store.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { InputError } from '../../src/errors.js';
import { HistoryStore, historyFile, historyFileName, historySchemaVersion } from '../../src/history/store.js';
import { loadRecord, syntheticResult } from '../fixtures/synthetic-results.js';
import { thrownInputError as thrown } from '../fixtures/errors.js';

const temp = () => mkdtempSync(path.join(os.tmpdir(), 'jb-history-store-'));

function withStore<T>(dir: string, use: (store: HistoryStore) => T): T {
  const store = HistoryStore.open(dir, { create: true });
  try {
    return use(store);
  } finally {
    store.close();
  }
}

// Two repetitions at 10 samples/J and 1000 samples/s over 2 s: 2000 samples and 200 J each (test/fixtures/synthetic-results.ts).
const night = (runId: string, createdAt: string, hostname = 'ci-runner') =>
  syntheticResult({ runId, createdAt, hostname, measurements: [{ samplesPerJoule: [10, 10] }, { batch: 8, samplesPerJoule: [20, 20], status: 'failed' }] });

describe('historyFile', () => {
  it('a folder holds history.sqlite; a .sqlite or .db path is the file itself, whatever its case', () => {
    assert.equal(historyFileName, 'history.sqlite');
    assert.equal(historyFile('/h'), path.join('/h', 'history.sqlite'));
    assert.equal(historyFile('/h/nightly.db'), '/h/nightly.db');
    assert.equal(historyFile('/h/NIGHTLY.SQLITE'), '/h/NIGHTLY.SQLITE');
    assert.equal(historyFile('/h/sqlite'), path.join('/h/sqlite', 'history.sqlite'));
  });
});

describe('append and read back', () => {
  it('a run\'s row and each configuration\'s numbers', () => {
    const dir = temp();
    withStore(dir, (store) => {
      assert.equal(store.file, path.join(dir, 'history.sqlite'));
      assert.deepEqual(store.append(night('n1', '2026-12-01T02:00:00.000Z'), '/runs/n1/result.json'), { runNumber: 1, added: true });
      const [run] = store.runs();
      assert.deepEqual({ ...run, recordedAt: typeof run!.recordedAt }, {
        runNumber: 1, runId: 'n1', createdAt: '2026-12-01T02:00:00.000Z', recordedAt: 'string', scenario: 'synthetic', hostname: 'ci-runner',
        cpuModel: 'Synthetic CPU 9000', toolVersion: '0.1.0', onnxruntime: '1.30.0', estimated: false, resultPath: '/runs/n1/result.json',
      });
      const [ok, failed] = store.points();
      // 4000 samples for 400 J: 0.1 J/sample, 10 samples/J; 0.1 J × 1000 ÷ 3600 J/Wh = 0.0277… Wh per 1,000; 400 J ÷ 4 s = 100 W.
      assert.deepEqual(ok, {
        runNumber: 1, runId: 'n1', createdAt: '2026-12-01T02:00:00.000Z', hostname: 'ci-runner', key: 'mlp/fp32/cpu/b1', status: 'ok', modelSha256: 'a'.repeat(64),
        samplesPerJoule: 10, samplesPerJouleCi95: [10, 10], samplesPerSecond: 1000, p99Ms: 2, joulesPerSample: 0.1, whPer1kSamples: 100 / 3600,
        meanWatts: 100, repetitions: 2, estimated: false, valid: true,
      });
      // A configuration that did not run: its numbers are null, its repetitions 0.
      assert.deepEqual([failed!.key, failed!.status, failed!.samplesPerJoule, failed!.samplesPerJouleCi95, failed!.samplesPerSecond, failed!.p99Ms, failed!.meanWatts, failed!.repetitions],
        ['mlp/fp32/cpu/b8', 'failed', null, null, null, null, null, 0]);
    });
  });

  it('the same run id twice is not added again and keeps its run number', () => {
    withStore(temp(), (store) => {
      store.append(night('n1', '2026-12-01T02:00:00.000Z'), null);
      assert.deepEqual(store.append(night('n1', '2026-12-05T02:00:00.000Z'), null), { runNumber: 1, added: false });
      assert.equal(store.runs().length, 1);
      assert.equal(store.points().length, 2);
    });
  });

  it('runs and points come oldest first by start time, then in the order appended; points(key) keeps one key', () => {
    withStore(temp(), (store) => {
      store.append(night('late', '2026-12-03T02:00:00.000Z'), null);
      store.append(night('early', '2026-12-01T02:00:00.000Z'), null);
      store.append(night('early-too', '2026-12-01T02:00:00.000Z'), null);
      assert.deepEqual(store.runs().map((r) => [r.runId, r.runNumber]), [['early', 2], ['early-too', 3], ['late', 1]]);
      assert.deepEqual(store.points('mlp/fp32/cpu/b1').map((p) => p.runId), ['early', 'early-too', 'late']);
      assert.deepEqual(store.points().map((p) => `${p.runId} ${p.key}`).slice(0, 3), ['early mlp/fp32/cpu/b1', 'early mlp/fp32/cpu/b8', 'early-too mlp/fp32/cpu/b1']);
      assert.deepEqual(store.points('nope/fp32/cpu/b1'), []);
    });
  });

  it('each point carries its host, so two hosts\' trends can be told apart', () => {
    withStore(temp(), (store) => {
      store.append(night('a1', '2026-12-01T02:00:00.000Z', 'gpu-a'), null);
      store.append(night('b1', '2026-12-01T03:00:00.000Z', 'gpu-b'), null);
      store.append(night('a2', '2026-12-02T02:00:00.000Z', 'gpu-a'), null);
      const byHost = (host: string) => store.points('mlp/fp32/cpu/b1').filter((p) => p.hostname === host).map((p) => p.runId);
      assert.deepEqual([byHost('gpu-a'), byHost('gpu-b')], [['a1', 'a2'], ['b1']]);
    });
  });

  it('an estimated run marks the run and every point estimated; an invalid configuration is not valid', () => {
    withStore(temp(), (store) => {
      store.append(syntheticResult({ runId: 'e', estimated: true, measurements: [{ samplesPerJoule: [5, 5], valid: false }] }), null);
      assert.equal(store.runs()[0]!.estimated, true);
      assert.deepEqual(store.points().map((p) => [p.estimated, p.valid]), [[true, false]]);
    });
  });

  it('a store reopened without create keeps what was appended; a .db path works the same', () => {
    const file = path.join(temp(), 'nightly.db');
    withStore(file, (store) => store.append(night('n1', '2026-12-01T02:00:00.000Z'), null));
    const again = HistoryStore.open(file, { create: false });
    try {
      assert.deepEqual(again.runs().map((r) => r.runId), ['n1']);
    } finally {
      again.close();
    }
  });
});

describe('load records', () => {
  const loadNight = (runId: string, createdAt: string, joulesPerRequest: number) => {
    const result = syntheticResult({ runId, createdAt, measurements: [] });
    result.load = [loadRecord('mlp', 20, joulesPerRequest, 12), loadRecord('mlp', 200, 0.02, 9, { status: 'failed', error: { code: 'X', message: 'boom' }, valid: false })];
    return result;
  };

  it('a load run is kept rate by rate: J/request and p99 when it ran, nulls when it failed', () => {
    const dir = temp();
    withStore(dir, (store) => {
      store.append(loadNight('l1', '2026-12-01T02:00:00.000Z', 0.25), null);
      store.append(loadNight('l2', '2026-12-02T02:00:00.000Z', 0.2), null);
      assert.deepEqual(store.points(), [], 'a load run has no sweep configurations');
      const points = store.loadPoints();
      assert.deepEqual(points.map((p) => [p.kind, p.runId, p.key, p.status, p.joulesPerRequest, p.p99Ms, p.samplesPerJoule, p.valid]), [
        ['load', 'l1', 'mlp/fp32/cpu/mb8-w5/s1@20', 'ok', 0.25, 12, null, true],
        ['load', 'l1', 'mlp/fp32/cpu/mb8-w5/s1@200', 'failed', null, null, null, false],
        ['load', 'l2', 'mlp/fp32/cpu/mb8-w5/s1@20', 'ok', 0.2, 12, null, true],
        ['load', 'l2', 'mlp/fp32/cpu/mb8-w5/s1@200', 'failed', null, null, null, false],
      ]);
      assert.deepEqual(store.loadPoints('mlp/fp32/cpu/mb8-w5/s1@20').map((p) => p.joulesPerRequest), [0.25, 0.2]);
    });
  });

  it('a store from before load records were kept reads as having none, and gets the table when appended to', () => {
    const dir = temp();
    withStore(dir, (store) => store.append(night('n1', '2026-12-01T02:00:00.000Z'), null));
    const db = new Database(historyFile(dir));
    db.exec('DROP TABLE load_records');
    db.close();
    const old = HistoryStore.open(dir, { create: false });
    try {
      assert.deepEqual(old.loadPoints(), []);
    } finally {
      old.close();
    }
    withStore(dir, (store) => {
      store.append(loadNight('l1', '2026-12-02T02:00:00.000Z', 0.25), null);
      assert.equal(store.loadPoints().length, 2);
    });
  });
});

describe('errors', () => {
  it('no store where one is read: HISTORY_MISSING with the path and how to record runs', () => {
    const dir = temp();
    const error = thrown(() => HistoryStore.open(dir, { create: false }));
    assert.equal(error.code, 'HISTORY_MISSING');
    assert.equal(error.message, `no history store at ${path.join(dir, 'history.sqlite')}`);
    assert.match(error.hint!, /--history DIR/);
  });

  it('a history folder under a file: HISTORY_UNWRITABLE when created, HISTORY_MISSING when read', () => {
    const file = path.join(temp(), 'plain');
    writeFileSync(file, 'x');
    const error = thrown(() => HistoryStore.open(path.join(file, 'history'), { create: true }));
    assert.equal(error.code, 'HISTORY_UNWRITABLE');
    assert.match(error.message, /^cannot create the history folder .*plain\/history: ENOTDIR$/);
    assert.equal(thrown(() => HistoryStore.open(path.join(file, 'history'), { create: false })).code, 'HISTORY_MISSING');
  });

  it('a file that is not SQLite: HISTORY_UNREADABLE naming it', () => {
    const file = path.join(temp(), 'history.sqlite');
    writeFileSync(file, 'not a database, just text\n'.repeat(40));
    const error = thrown(() => HistoryStore.open(file, { create: false }));
    assert.equal(error.code, 'HISTORY_UNREADABLE');
    assert.ok(error.message.startsWith(`${file} is not a joulebench history store: `), error.message);
  });

  it('another SQLite database (no meta table) is not a history store', () => {
    const file = path.join(temp(), 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.close();
    const error = thrown(() => HistoryStore.open(file, { create: false }));
    assert.equal(error.code, 'HISTORY_UNREADABLE');
    assert.match(error.message, /is not a joulebench history store: no such table: meta$/);
  });

  it('a meta table without a schema version: HISTORY_SCHEMA', () => {
    const file = path.join(temp(), 'h.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
    db.close();
    const error = thrown(() => HistoryStore.open(file, { create: false }));
    assert.equal(error.code, 'HISTORY_SCHEMA');
    assert.equal(error.message, `${file} is not a joulebench history store (no schema version)`);
  });

  it('a store from a newer joulebench is refused, when read and when appended to', () => {
    const dir = temp();
    withStore(dir, () => undefined);
    const db = new Database(historyFile(dir));
    db.prepare("UPDATE meta SET value = ? WHERE name = 'schemaVersion'").run(String(historySchemaVersion + 1));
    db.close();
    for (const create of [false, true]) {
      const error = thrown(() => HistoryStore.open(dir, { create }));
      assert.equal(error.code, 'HISTORY_SCHEMA');
      assert.match(error.message, new RegExp(`was written by a newer joulebench \\(history schema ${historySchemaVersion + 1}, this one reads ${historySchemaVersion}\\)$`));
      assert.equal(error.hint, 'upgrade joulebench');
    }
  });
});
