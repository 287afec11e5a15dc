// The child process of an isolated group (see runtime/session-host.ts): one session, driven over IPC by the parent. It
// never prints or exits: replies go over IPC, and it ends when the channel closes (docs/design.md).
// Ctrl-C reaches the whole terminal process group: the child ignores SIGINT/SIGTERM and stops when the parent
// says so (or when the parent is gone).
import { JoulebenchError } from '../errors.js';
import { monotonicOriginMs, SessionRunner, type HostReply, type HostRequest } from './session-host.js';
import { applyOrtLogLevel } from '../onnx/ort-logging.js';

// onnxruntime's own log lines as the parent asked (JOULEBENCH_VERBOSE is inherited: set by --verbose).
applyOrtLogLevel();

const runner = new SessionRunner();
const originMs = monotonicOriginMs();
const mono = (tMs: number) => tMs + originMs;
const send = (message: HostReply) => process.send?.(message);

// Test hooks (no GPU in tests): make a configuration abort natively or hang when it begins.
const crashKey = process.env.JOULEBENCH_TEST_CRASH_KEY;
const hangKey = process.env.JOULEBENCH_TEST_HANG_KEY;

process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// The parent is gone (it closed the group, or died): stop any window in flight and release the session; with the IPC
// channel closed nothing else holds the event loop, so the process ends by itself.
process.on('disconnect', () => {
  runner.stopped = true;
  void runner.close();
});

async function handle(message: Extract<HostRequest, { id: number }>): Promise<unknown> {
  switch (message.type) {
    case 'open': {
      const reply = await runner.open(message.request);
      return { ...reply, t0Ms: mono(reply.t0Ms), t1Ms: mono(reply.t1Ms) };
    }
    case 'begin': {
      if (crashKey && message.request.key === crashKey) {
        process.abort();
      }
      // Block the event loop as a hung native call would (sleeping, not spinning).
      if (hangKey && message.request.key === hangKey) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      const reply = await runner.begin(message.request);
      return { firstStartMs: mono(reply.firstStartMs), firstEndMs: mono(reply.firstEndMs) };
    }
    case 'window': {
      const reply = await runner.window(message.key, message.minRuns, message.minSeconds);
      return { ...reply, t0Ms: mono(reply.t0Ms), t1Ms: mono(reply.t1Ms) };
    }
    case 'rewarm':
      return runner.rewarm(message.key, message.runs);
    case 'close':
      await runner.close();
      return null;
  }
}

process.on('message', (message: HostRequest) => {
  if (!('id' in message)) {
    if (message.type === 'stop') runner.stopped = true;
    return;
  }
  handle(message).then(
    (value) => send({ id: message.id, ok: true, value }),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      send({
        id: message.id, ok: false,
        error: {
          name: e.name, message: e.message,
          code: e instanceof JoulebenchError ? e.code : null,
          exitCode: e instanceof JoulebenchError ? e.exitCode : null,
          hint: e instanceof JoulebenchError ? (e.hint ?? null) : null,
        },
      });
    },
  );
});
send({ type: 'ready' });
