// The main-thread side of a load-mode session: a worker thread (session-thread.ts) that runs batches on request.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RuntimeFailure } from '../errors.js';
import type { InputLayout } from '../onnx/batch-axis.js';
import type { BatchSession } from './runner.js';

/** What a session thread is started with. */
export interface ThreadSetup {
  modelPath: string;
  provider: string;
  providerOptions: Record<string, string | number | boolean>;
  threads: number | null;
  inputs: InputLayout[];
  maxBatch: number;
  warmupRuns: number;
}

/** Messages to a session thread. */
export type ThreadRequest =
  | { type: 'run'; id: number; batch: number }
  | { type: 'flat-out'; id: number; batch: number; minRuns: number; minSeconds: number }
  | { type: 'close' };

/** Messages from a session thread (flat-out times on the epoch scale). */
export type ThreadReply =
  | { type: 'ready' }
  | { type: 'failed'; code: string | null; message: string }
  | { type: 'done'; id: number }
  | { type: 'flat-out'; id: number; t0EpochMs: number; t1EpochMs: number; runs: number }
  | { type: 'error'; id: number; message: string };

// The thread's entry: the compiled .js; from the .ts source (under tsx) a bootstrap that registers tsx's loader in
// the thread first (a worker does not apply the --import hooks to its own entry file).
function startThread(setup: ThreadSetup): Worker {
  const js = new URL('./session-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: setup });
  const ts = new URL('./session-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}

/** A session in a worker thread: `run(batch)` resolves when the batch is done. */
export class ThreadSession implements BatchSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ThreadReply) => void; reject: (error: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ThreadReply) => {
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'error') waiter?.reject(new RuntimeFailure('LOAD_RUN_FAILED', `a batch failed in its session: ${reply.message}`));
      else waiter?.resolve(reply);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('the session thread exited')));
  }

  /** Start a thread, open its session and warm every batch size up. */
  static async open(setup: ThreadSetup): Promise<ThreadSession> {
    const worker = startThread(setup);
    const first = await new Promise<ThreadReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (first.type !== 'ready') {
      await worker.terminate();
      const message = first.type === 'failed' ? first.message : `unexpected ${first.type}`;
      throw new RuntimeFailure('LOAD_SESSION_FAILED', `could not open a session of ${setup.modelPath} on ${setup.provider}: ${message}`);
    }
    return new ThreadSession(worker);
  }

  run(batch: number): Promise<void> {
    return this.request({ type: 'run', batch }).then(() => undefined);
  }

  /** Back-to-back batches for at least minRuns and minSeconds; the span in this thread's performance.now(). */
  async flatOut(batch: number, minRuns: number, minSeconds: number): Promise<{ t0Ms: number; t1Ms: number; runs: number }> {
    const reply = await this.request({ type: 'flat-out', batch, minRuns, minSeconds });
    if (reply.type !== 'flat-out') throw new RuntimeFailure('LOAD_RUN_FAILED', `unexpected reply ${reply.type}`);
    return { t0Ms: reply.t0EpochMs - performance.timeOrigin, t1Ms: reply.t1EpochMs - performance.timeOrigin, runs: reply.runs };
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ThreadRequest);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([exited, timeout]);
    await this.worker.terminate();
  }

  private request(message: { type: 'run'; batch: number } | { type: 'flat-out'; batch: number; minRuns: number; minSeconds: number }): Promise<ThreadReply> {
    const id = this.nextId++;
    return new Promise<ThreadReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } satisfies ThreadRequest);
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(new RuntimeFailure('LOAD_SESSION_FAILED', `the session thread failed: ${error.message}`, { cause: error }));
    this.pending.clear();
  }
}
