// The history store: every run appended to one SQLite database (better-sqlite3, WAL mode, busy timeout), so that
// concurrent nightly jobs can write to the same folder and readers never block writers.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InputError, RuntimeFailure } from '../errors.js';
import type { RunResult } from '../results/types.js';

/** The database file inside a history folder. */
export const historyFileName = 'history.sqlite';

/** Schema version written into `meta`; a store from a newer joulebench is refused. */
export const historySchemaVersion = 1;

/** How long a writer waits for another one to finish (ms) before it gives up. */
export const busyTimeoutMs = 30_000;

/** One run in the store. `runNumber` is the order runs were appended in (stable; never reused). */
export interface HistoryRun {
  runNumber: number;
  runId: string;
  createdAt: string;
  recordedAt: string;
  scenario: string | null;
  hostname: string;
  cpuModel: string;
  toolVersion: string;
  onnxruntime: string;
  estimated: boolean;
  resultPath: string | null;
}

/**
 * One configuration of one run. Numbers are null when the configuration did not run. A `joulebench load` record
 * (`kind: 'load'`, key `…/mb8-w5/s1@<rate>`) has its energy per request and p99 at that rate, and no samples/J.
 */
export interface HistoryPoint {
  /** A sweep configuration (run, bench) or a load record at one rate (load); absent in points of older exports: sweep. */
  kind?: 'sweep' | 'load';
  runNumber: number;
  runId: string;
  createdAt: string;
  /** The host the run was measured on (its trend is kept apart from other hosts'); always set by the store. */
  hostname?: string;
  key: string;
  status: string;
  modelSha256: string | null;
  samplesPerJoule: number | null;
  samplesPerJouleCi95: [number, number] | null;
  samplesPerSecond: number | null;
  p99Ms: number | null;
  joulesPerSample: number | null;
  whPer1kSamples: number | null;
  meanWatts: number | null;
  repetitions: number;
  estimated: boolean;
  valid: boolean;
  /** Load records only: energy per request at the record's rate, idle between batches included. */
  joulesPerRequest?: number | null;
}

const schemaSql = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_number INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  scenario TEXT,
  hostname TEXT NOT NULL,
  cpu_model TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  onnxruntime TEXT NOT NULL,
  estimated INTEGER NOT NULL,
  result_path TEXT
);
CREATE TABLE IF NOT EXISTS measurements (
  run_number INTEGER NOT NULL REFERENCES runs(run_number) ON DELETE CASCADE,
  key TEXT NOT NULL,
  status TEXT NOT NULL,
  model_sha256 TEXT,
  samples_per_joule REAL,
  samples_per_joule_lo REAL,
  samples_per_joule_hi REAL,
  samples_per_second REAL,
  p99_ms REAL,
  joules_per_sample REAL,
  wh_per_1k_samples REAL,
  mean_watts REAL,
  repetitions INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  valid INTEGER NOT NULL,
  PRIMARY KEY (run_number, key)
);
CREATE INDEX IF NOT EXISTS measurements_by_key ON measurements (key, run_number);
CREATE TABLE IF NOT EXISTS load_records (
  run_number INTEGER NOT NULL REFERENCES runs(run_number) ON DELETE CASCADE,
  key TEXT NOT NULL,
  status TEXT NOT NULL,
  target_rate REAL NOT NULL,
  achieved_rate REAL,
  joules_per_request REAL,
  p99_ms REAL,
  mean_watts REAL,
  requests INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  valid INTEGER NOT NULL,
  PRIMARY KEY (run_number, key)
);
`;

/** Where the database of a history folder (or a .sqlite path given directly) lives. */
export function historyFile(dirOrFile: string): string {
  return /\.(sqlite|db)$/i.test(dirOrFile) ? dirOrFile : path.join(dirOrFile, historyFileName);
}

// The store file's stats, or undefined when there is none — also when a parent on the path is a file (ENOTDIR), which
// statSync's throwIfNoEntry does not cover; creating it then fails with HISTORY_UNWRITABLE, opening with HISTORY_MISSING.
function statIfAny(file: string): ReturnType<typeof statSync> {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** An open history store. Close it when done. */
export class HistoryStore {
  readonly file: string;
  private readonly db: Database.Database;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.db = db;
  }

  /** Open (and with `create`, create) the store of a history folder. */
  static open(dirOrFile: string, options: { create: boolean }): HistoryStore {
    const file = historyFile(path.resolve(dirOrFile));
    const exists = statIfAny(file);
    if (!exists && !options.create) {
      throw new InputError('HISTORY_MISSING', `no history store at ${file}`, {
        hint: 'record runs into it first: joulebench run scenario.yaml --history DIR (or joulebench history DIR --add result.json)',
      });
    }
    if (options.create) {
      try {
        mkdirSync(path.dirname(file), { recursive: true });
      } catch (error) {
        throw new InputError('HISTORY_UNWRITABLE', `cannot create the history folder ${path.dirname(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
      }
    }
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: !options.create, timeout: busyTimeoutMs });
    } catch (error) {
      throw new InputError('HISTORY_UNREADABLE', `cannot open the history store ${file}: ${(error as Error).message}`, { cause: error });
    }
    const store = new HistoryStore(file, db);
    try {
      store.initialise(options.create);
    } catch (error) {
      db.close();
      if (error instanceof InputError) throw error;
      throw new InputError('HISTORY_UNREADABLE', `${file} is not a joulebench history store: ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  // WAL lets readers run beside one writer; the busy timeout makes a second writer wait instead of failing.
  private initialise(create: boolean): void {
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (create) {
      const mode = retryBusy(() => this.db.pragma('journal_mode = WAL', { simple: true }));
      if (String(mode).toLowerCase() !== 'wal') throw new RuntimeFailure('HISTORY_NO_WAL', `${this.file}: SQLite refused WAL mode (got ${String(mode)}); is the folder on a network file system?`);
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      retryBusy(() =>
        this.db.transaction(() => {
          this.db.exec(schemaSql);
          this.db.prepare('INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)').run('schemaVersion', String(historySchemaVersion));
        }).immediate(),
      );
    }
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'schemaVersion'").get() as { value: string } | undefined;
    const version = Number(row?.value);
    if (!(version >= 1)) throw new InputError('HISTORY_SCHEMA', `${this.file} is not a joulebench history store (no schema version)`);
    if (version > historySchemaVersion) {
      throw new InputError('HISTORY_SCHEMA', `${this.file} was written by a newer joulebench (history schema ${version}, this one reads ${historySchemaVersion})`, { hint: 'upgrade joulebench' });
    }
  }

  /** Append a run (one transaction). A run already in the store (same runId) is not added twice. */
  append(result: RunResult, resultPath: string | null): { runNumber: number; added: boolean } {
    const insertRun = this.db.prepare(`INSERT OR IGNORE INTO runs
      (run_id, created_at, recorded_at, scenario, hostname, cpu_model, tool_version, onnxruntime, estimated, result_path)
      VALUES (@runId, @createdAt, @recordedAt, @scenario, @hostname, @cpuModel, @toolVersion, @onnxruntime, @estimated, @resultPath)`);
    const insertMeasurement = this.db.prepare(`INSERT INTO measurements
      (run_number, key, status, model_sha256, samples_per_joule, samples_per_joule_lo, samples_per_joule_hi, samples_per_second,
       p99_ms, joules_per_sample, wh_per_1k_samples, mean_watts, repetitions, estimated, valid)
      VALUES (@runNumber, @key, @status, @modelSha256, @samplesPerJoule, @lo, @hi, @samplesPerSecond,
       @p99Ms, @joulesPerSample, @whPer1kSamples, @meanWatts, @repetitions, @estimated, @valid)`);
    const insertLoad = this.db.prepare(`INSERT INTO load_records
      (run_number, key, status, target_rate, achieved_rate, joules_per_request, p99_ms, mean_watts, requests, estimated, valid)
      VALUES (@runNumber, @key, @status, @targetRate, @achievedRate, @joulesPerRequest, @p99Ms, @meanWatts, @requests, @estimated, @valid)`);
    const runEstimated = result.meters.some((meter) => meter.estimated);
    const scenarioName = (result.scenario.resolved as { name?: unknown } | null)?.name;
    return retryBusy(() =>
      this.db.transaction(() => {
        const info = insertRun.run({
          runId: result.runId,
          createdAt: result.createdAt,
          recordedAt: new Date().toISOString(),
          scenario: typeof scenarioName === 'string' ? scenarioName : null,
          hostname: result.environment.host.hostname,
          cpuModel: result.environment.host.cpu.model,
          toolVersion: result.tool.version,
          onnxruntime: result.environment.runtime.onnxruntime,
          estimated: runEstimated ? 1 : 0,
          resultPath,
        });
        if (info.changes === 0) {
          const existing = this.db.prepare('SELECT run_number FROM runs WHERE run_id = ?').get(result.runId) as { run_number: number };
          return { runNumber: existing.run_number, added: false };
        }
        const runNumber = Number(info.lastInsertRowid);
        for (const r of result.load ?? []) {
          const ok = r.status === 'ok';
          insertLoad.run({
            runNumber, key: r.key, status: r.status, targetRate: r.targetRate,
            achievedRate: ok ? r.achievedRate : null, joulesPerRequest: ok ? r.joulesPerRequest : null, p99Ms: ok ? r.p99Ms : null,
            meanWatts: ok ? r.meanWatts : null, requests: r.requests, estimated: runEstimated || r.estimated ? 1 : 0, valid: r.valid ? 1 : 0,
          });
        }
        for (const m of result.measurements) {
          insertMeasurement.run({
            runNumber,
            key: m.key,
            status: m.status,
            modelSha256: m.model.sha256,
            samplesPerJoule: m.energy?.samplesPerJoule ?? null,
            lo: m.energy?.samplesPerJouleCi95?.[0] ?? null,
            hi: m.energy?.samplesPerJouleCi95?.[1] ?? null,
            samplesPerSecond: m.throughput?.samplesPerSecond.mean ?? null,
            p99Ms: m.latencyMs?.p99 ?? null,
            joulesPerSample: m.energy?.joulesPerSample ?? null,
            whPer1kSamples: m.energy?.whPer1kSamples ?? null,
            meanWatts: m.power?.meanWatts ?? null,
            repetitions: m.repetitions.length,
            estimated: runEstimated || m.energy?.estimated === true ? 1 : 0,
            valid: m.validity.valid ? 1 : 0,
          });
        }
        return { runNumber, added: true };
      }).immediate(),
    );
  }

  /** Every run, oldest first (by start time, then by the order appended). */
  runs(): HistoryRun[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY created_at, run_number').all() as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      runNumber: row.run_number as number,
      runId: row.run_id as string,
      createdAt: row.created_at as string,
      recordedAt: row.recorded_at as string,
      scenario: (row.scenario as string | null) ?? null,
      hostname: row.hostname as string,
      cpuModel: row.cpu_model as string,
      toolVersion: row.tool_version as string,
      onnxruntime: row.onnxruntime as string,
      estimated: row.estimated === 1,
      resultPath: (row.result_path as string | null) ?? null,
    }));
  }

  /** Every configuration of every run, oldest run first, then by key. */
  points(key?: string): HistoryPoint[] {
    return this.rowsOf('measurements', key).map((row) => ({
      ...pointBase(row),
      modelSha256: (row.model_sha256 as string | null) ?? null,
      samplesPerJoule: number(row.samples_per_joule),
      samplesPerJouleCi95: row.samples_per_joule_lo != null && row.samples_per_joule_hi != null ? [row.samples_per_joule_lo as number, row.samples_per_joule_hi as number] : null,
      samplesPerSecond: number(row.samples_per_second),
      p99Ms: number(row.p99_ms),
      joulesPerSample: number(row.joules_per_sample),
      whPer1kSamples: number(row.wh_per_1k_samples),
      meanWatts: number(row.mean_watts),
      repetitions: row.repetitions as number,
    }));
  }

  /**
   * Every load record (`joulebench load`) of every run as points (`kind: 'load'`), oldest run first, then by key. A
   * store written before load records were kept has none.
   */
  loadPoints(key?: string): HistoryPoint[] {
    if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'load_records'").get()) return [];
    return this.rowsOf('load_records', key).map((row) => ({
      kind: 'load' as const,
      ...pointBase(row),
      modelSha256: null,
      samplesPerJoule: null,
      samplesPerJouleCi95: null,
      samplesPerSecond: null,
      p99Ms: number(row.p99_ms),
      joulesPerSample: null,
      whPer1kSamples: null,
      meanWatts: number(row.mean_watts),
      repetitions: 1,
      joulesPerRequest: number(row.joules_per_request),
    }));
  }

  // The rows of a per-run table (all keys, or one) with their run's id, start and host, oldest run first, then by key.
  private rowsOf(table: 'measurements' | 'load_records', key: string | undefined): Array<Record<string, unknown>> {
    const sql = `SELECT t.*, r.run_id, r.created_at, r.hostname FROM ${table} t JOIN runs r ON r.run_number = t.run_number
      ${key === undefined ? '' : 'WHERE t.key = ?'} ORDER BY r.created_at, r.run_number, t.key`;
    const statement = this.db.prepare(sql);
    return (key === undefined ? statement.all() : statement.all(key)) as Array<Record<string, unknown>>;
  }

  /** Close the database. */
  close(): void {
    this.db.close();
  }
}

// A REAL column's value, or null (SQL NULL comes back as null).
const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);

// What every point row has: its run, host, key, status and flags.
function pointBase(row: Record<string, unknown>): Pick<HistoryPoint, 'runNumber' | 'runId' | 'createdAt' | 'hostname' | 'key' | 'status' | 'estimated' | 'valid'> {
  return {
    runNumber: row.run_number as number,
    runId: row.run_id as string,
    createdAt: row.created_at as string,
    hostname: row.hostname as string,
    key: row.key as string,
    status: row.status as string,
    estimated: row.estimated === 1,
    valid: row.valid === 1,
  };
}

// better-sqlite3's busy timeout covers ordinary lock waits; a few operations (switching to WAL while another
// connection opens the same new file, or a lock upgrade in a deferred transaction) report SQLITE_BUSY at once.
function retryBusy<T>(action: () => T): T {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return action();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 5 * 2 ** Math.min(attempt, 5)));
    }
  }
}
