// The worker thread of one load-mode session (an entry point, like src/runtime/session-worker.ts): it owns an
// onnxruntime session and runs the batches the main thread sends. onnxruntime-node runs a session synchronously on
// the calling thread (its async run() is a setImmediate around the native call), so a session on the main thread
// would stop the request generator for the whole batch and serialise every "concurrent" session.
import { parentPort, workerData } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { synthesiseFeeds } from '../onnx/feeds.js';
import { applyOrtLogLevel } from '../onnx/ort-logging.js';
import { requireProvider } from '../runtime/providers/registry.js';
import { LatencyRecorder, openSession, preallocateOutputs, timedWindow } from '../runtime/session.js';
import type { ThreadReply, ThreadRequest, ThreadSetup } from './thread-session.js';

applyOrtLogLevel();
const setup = workerData as ThreadSetup;
const port = parentPort!;
// Times go back on the epoch scale (performance.now() has a different origin in each thread).
const epochMs = (tMs: number) => tMs + performance.timeOrigin;

async function main(): Promise<void> {
  const provider = requireProvider(setup.provider, '--ep');
  const { session } = await openSession(setup.modelPath, provider, setup.providerOptions, setup.threads);
  const feeds: Array<Record<string, ort.Tensor>> = [];
  const fetches: Array<Record<string, ort.Tensor> | undefined> = [];
  for (let batch = 1; batch <= setup.maxBatch; batch++) {
    feeds[batch] = synthesiseFeeds(setup.inputs, batch);
    // Warm-up: each batch size a few times (the first run of a shape allocates and plans).
    const outputs = await session.run(feeds[batch]!);
    fetches[batch] = preallocateOutputs(outputs);
    for (let i = 0; i < setup.warmupRuns; i++) await run(session, batch, feeds, fetches);
  }
  port.on('message', (message: ThreadRequest) => {
    if (message.type === 'run') {
      run(session, message.batch, feeds, fetches).then(
        () => port.postMessage({ type: 'done', id: message.id } satisfies ThreadReply),
        (error: unknown) => port.postMessage({ type: 'error', id: message.id, message: String(error instanceof Error ? error.message : error) } satisfies ThreadReply),
      );
    } else if (message.type === 'flat-out') {
      const batch = message.batch;
      timedWindow(session, feeds[batch]!, fetches[batch], message.minRuns, message.minSeconds, new LatencyRecorder(), () => false).then(
        (window) => port.postMessage({ type: 'flat-out', id: message.id, t0EpochMs: epochMs(window.t0Ms), t1EpochMs: epochMs(window.t1Ms), runs: window.runs } satisfies ThreadReply),
        (error: unknown) => port.postMessage({ type: 'error', id: message.id, message: String(error instanceof Error ? error.message : error) } satisfies ThreadReply),
      );
    } else {
      // Released, and with the port closed nothing holds the thread: it ends by itself (the host waits for 'exit').
      void session.release().finally(() => port.close());
    }
  });
  port.postMessage({ type: 'ready' } satisfies ThreadReply);
}

function run(session: ort.InferenceSession, batch: number, feeds: Array<Record<string, ort.Tensor>>, fetches: Array<Record<string, ort.Tensor> | undefined>): Promise<unknown> {
  const out = fetches[batch];
  return out ? session.run(feeds[batch]!, out) : session.run(feeds[batch]!);
}

main().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : null;
  port.postMessage({ type: 'failed', code, message: error instanceof Error ? error.message : String(error) } satisfies ThreadReply);
});
