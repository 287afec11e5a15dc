// Where a (model variant, EP) group's session lives: in this process, or in a child process of its own so that a
// native crash, an abort or an out-of-memory in onnxruntime kills only that group. The child does the timing
// (the same timedWindow as in-process); only requests and results cross the process boundary, with times on the
// shared monotonic clock so that the parent integrates its meters over the child's windows.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as ort from 'onnxruntime-node';
import { InputError, JoulebenchError, RuntimeFailure, type ExitCodeValue } from '../errors.js';
import type { InputLayout } from '../onnx/batch-axis.js';
import { synthesiseFeeds } from '../onnx/feeds.js';
import { providerModulesFor } from './providers/catalog.js';
import { requireProvider } from './providers/registry.js';
import { LatencyRecorder, openSession, preallocateOutputs, timedWindow, type OpenSession } from './session.js';

/** Open the group's session. */
export interface OpenRequest {
  modelPath: string;
  provider: string;
  providerOptions: Record<string, string | number | boolean>;
  threads: number | null;
  /** Modules to import first, each registering a provider (src/runtime/providers/catalog.ts): set by the child host. */
  providerModules?: string[];
}

/** Start a configuration: first run (cold start), output pre-allocation, warm-up. */
export interface BeginRequest {
  key: string;
  batchSize: number;
  inputs: InputLayout[];
  warmupRuns: number;
  warmupS: number;
}

/** Times are in this process's performance.now() frame. */
export interface OpenReply {
  sessionCreateMs: number;
  t0Ms: number;
  t1Ms: number;
}

export interface BeginReply {
  firstStartMs: number;
  firstEndMs: number;
}

export interface WindowReply {
  t0Ms: number;
  t1Ms: number;
  runs: number;
  latenciesMs: Float64Array;
}

/** One group's session, wherever it runs. Every call after a crash rejects with the crash. */
export interface SessionHost {
  readonly isolated: boolean;
  open(request: OpenRequest): Promise<OpenReply>;
  begin(request: BeginRequest): Promise<BeginReply>;
  /** A timed window of `key` (begun before): at least minRuns runs and minSeconds. */
  window(key: string, minRuns: number, minSeconds: number): Promise<WindowReply>;
  /** A few untimed runs of `key` (after the session ran another batch size). */
  rewarm(key: string, runs: number): Promise<void>;
  /** Make the loop in flight return early (interrupt). */
  stop(): void;
  close(): Promise<void>;
}

// What a begun configuration keeps next to the session.
interface Prepared {
  feeds: Record<string, ort.Tensor>;
  fetches: Record<string, ort.Tensor> | undefined;
}

/** The session code both hosts run: in-process directly, in the child behind IPC. */
export class SessionRunner {
  private open_: OpenSession | null = null;
  private readonly prepared = new Map<string, Prepared>();
  stopped = false;

  constructor(private readonly stopAlso: () => boolean = () => false) {}

  private readonly shouldStop = () => this.stopped || this.stopAlso();

  private session(): ort.InferenceSession {
    if (!this.open_) throw new RuntimeFailure('NO_SESSION', 'the group has no open session');
    return this.open_.session;
  }

  private state(key: string): Prepared {
    const prepared = this.prepared.get(key);
    if (!prepared) throw new RuntimeFailure('NOT_BEGUN', `configuration ${key} was not begun`);
    return prepared;
  }

  async open(request: OpenRequest): Promise<OpenReply> {
    for (const module of request.providerModules ?? []) await import(module);
    const t0Ms = performance.now();
    this.open_ = await openSession(request.modelPath, requireProvider(request.provider, 'executionProviders'), request.providerOptions, request.threads);
    return { sessionCreateMs: this.open_.sessionCreateMs, t0Ms, t1Ms: performance.now() };
  }

  async begin(request: BeginRequest): Promise<BeginReply> {
    const session = this.session();
    const feeds = synthesiseFeeds(request.inputs, request.batchSize);
    const firstStartMs = performance.now();
    const firstOutputs = await session.run(feeds);
    const firstEndMs = performance.now();
    let fetches: Record<string, ort.Tensor> | undefined = preallocateOutputs(firstOutputs);
    if (fetches) {
      try {
        await session.run(feeds, fetches);
      } catch {
        fetches = undefined; // dynamic outputs this build cannot write into: let onnxruntime allocate
      }
    }
    this.prepared.set(request.key, { feeds, fetches });
    // Warm-up: not timed, not counted.
    if (!this.shouldStop()) await timedWindow(session, feeds, fetches, request.warmupRuns, request.warmupS, new LatencyRecorder(), this.shouldStop);
    return { firstStartMs, firstEndMs };
  }

  async window(key: string, minRuns: number, minSeconds: number): Promise<WindowReply> {
    const { feeds, fetches } = this.state(key);
    const latencies = new LatencyRecorder();
    const timing = await timedWindow(this.session(), feeds, fetches, minRuns, minSeconds, latencies, this.shouldStop);
    return { ...timing, latenciesMs: latencies.view() };
  }

  async rewarm(key: string, runs: number): Promise<void> {
    const { feeds, fetches } = this.state(key);
    await timedWindow(this.session(), feeds, fetches, runs, 0, new LatencyRecorder(), this.shouldStop);
  }

  async close(): Promise<void> {
    this.prepared.clear();
    await this.open_?.session.release().catch(() => {});
    this.open_ = null;
  }
}

/** Today's behaviour (`--no-isolate`): the session in this process. */
export class InProcessHost implements SessionHost {
  readonly isolated = false;
  private readonly runner: SessionRunner;

  constructor(stopped: () => boolean) {
    this.runner = new SessionRunner(stopped);
  }

  open(request: OpenRequest) {
    return this.runner.open(request);
  }
  begin(request: BeginRequest) {
    return this.runner.begin(request);
  }
  window(key: string, minRuns: number, minSeconds: number) {
    return this.runner.window(key, minRuns, minSeconds);
  }
  rewarm(key: string, runs: number) {
    return this.runner.rewarm(key, runs);
  }
  stop() {
    this.runner.stopped = true;
  }
  close() {
    return this.runner.close();
  }
}

/** This process's performance.now() origin on the monotonic clock (CLOCK_MONOTONIC, shared by all processes). */
export function monotonicOriginMs(): number {
  let best = Number.POSITIVE_INFINITY;
  let origin = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const hrMs = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      origin = hrMs - (before + after) / 2;
    }
  }
  return origin;
}

/** Messages from parent to child. */
export type HostRequest =
  | { id: number; type: 'open'; request: OpenRequest }
  | { id: number; type: 'begin'; request: BeginRequest }
  | { id: number; type: 'window'; key: string; minRuns: number; minSeconds: number }
  | { id: number; type: 'rewarm'; key: string; runs: number }
  | { id: number; type: 'close' }
  | { type: 'stop' };

/** Messages from child to parent; times on the monotonic clock. */
export type HostReply =
  | { type: 'ready' }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; code: string | null; message: string; exitCode: number | null; hint: string | null } };

/** The worker entry (dist/runtime/session-worker.js, or the .ts source under tsx). */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./session-worker.js', import.meta.url));
  if (existsSync(js)) return { file: js, execArgv: process.execArgv };
  const ts = fileURLToPath(new URL('./session-worker.ts', import.meta.url));
  const hasTsx = process.execArgv.some((arg) => arg.includes('tsx'));
  return { file: ts, execArgv: hasTsx ? process.execArgv : [...process.execArgv, '--import', 'tsx'] };
}

const stderrTailBytes = 4096;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

// Children still running when this process exits (a second Ctrl-C, process.exit): killed, never orphaned, even
// when blocked in a native call where they would not see the IPC channel close.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const running of liveChildren) running.kill('SIGKILL');
  });
}

/** A group's failure: its process crashed, was killed, or ran past the time limit. */
export class GroupFailure extends RuntimeFailure {}

/**
 * The group in a child process of its own. `configTimeoutS` bounds each configuration's time (the sum of its
 * requests; the session's creation counts for the first): past it the child is killed and the group fails.
 */
export class ChildProcessHost implements SessionHost {
  readonly isolated = true;
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private dead: GroupFailure | null = null;
  private closing = false;
  private stderrTail = '';
  private timeoutReason: string | null = null;
  private readonly spentMs = new Map<string, number>();
  private readonly originMs = monotonicOriginMs();

  constructor(private readonly options: { configTimeoutS?: number | null; env?: NodeJS.ProcessEnv } = {}) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], {
      execArgv, serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: this.options.env ?? process.env,
    });
    this.child = child;
    track(child);
    const keep = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-stderrTailBytes);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let readyReject: (error: unknown) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      readyReject = reject;
      child.on('message', (message: HostReply) => {
        if ('type' in message && message.type === 'ready') resolve();
      });
    });
    child.on('message', (message: HostReply) => {
      if (!('id' in message)) return;
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(remoteError(message.error));
    });
    child.on('error', () => {}); // a failed send is seen as the exit that follows
    child.once('exit', (code, signal) => {
      // Read the rest of the pipes before describing the crash.
      const settle = () => {
        if (!this.dead) this.dead = this.failure(code, signal);
        readyReject(this.dead);
        for (const waiting of this.pending.values()) waiting.reject(this.dead);
        this.pending.clear();
      };
      setTimeout(settle, 50);
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): GroupFailure {
    const lines = this.stderrTail.split('\n').map((line) => line.trim()).filter(Boolean).slice(-5).join(' | ');
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const last = lines ? `; last stderr: ${lines}` : '; no stderr';
    if (this.timeoutReason) return new GroupFailure('CONFIG_TIMEOUT', `${this.timeoutReason}; the group's process was killed${last}`);
    if (this.closing) return new GroupFailure('GROUP_CLOSED', 'the group was closed');
    return new GroupFailure('GROUP_CRASHED', `the group's process died (${how})${last}`, {
      hint: 'onnxruntime crashed natively or ran out of memory in this (model variant, EP) group; the other groups ran on',
    });
  }

  private async call<T>(key: string | null, message: WithoutId<Extract<HostRequest, { id: number }>>): Promise<T> {
    if (this.dead) throw this.dead;
    await this.start();
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    const child = this.child!;
    const limitS = this.options.configTimeoutS ?? null;
    const startedMs = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...message, id } as HostRequest);
        if (limitS !== null && key !== null) {
          const leftMs = limitS * 1000 - (this.spentMs.get(key) ?? 0);
          timer = setTimeout(() => {
            this.timeoutReason = `configuration ${key} ran past --config-timeout ${limitS} s`;
            child.kill('SIGKILL');
          }, Math.max(0, leftMs));
        }
      });
    } finally {
      clearTimeout(timer);
      if (key !== null) this.spentMs.set(key, (this.spentMs.get(key) ?? 0) + performance.now() - startedMs);
    }
  }

  // The child's monotonic times in this process's frame.
  private local(monotonicMs: number): number {
    return monotonicMs - this.originMs;
  }

  private openKey: string | null = null;

  /** The first configuration's key, so that session creation counts against its time limit. */
  chargeOpenTo(key: string): void {
    this.openKey = key;
  }

  async open(request: OpenRequest): Promise<OpenReply> {
    const providerModules = providerModulesFor(request.provider);
    if (providerModules === null) {
      throw new InputError('EP_NOT_IN_CHILD', `execution provider "${request.provider}" was registered without its module, so an isolated session (a child process) cannot load it`, {
        hint: 'register it with registerExecutionProvider(provider, { module: import.meta.url }) from a module that registers it when imported, or run the sweep in-process (isolate: false)',
      });
    }
    const reply = await this.call<OpenReply>(this.openKey, { type: 'open', request: { ...request, providerModules } });
    return { sessionCreateMs: reply.sessionCreateMs, t0Ms: this.local(reply.t0Ms), t1Ms: this.local(reply.t1Ms) };
  }

  async begin(request: BeginRequest): Promise<BeginReply> {
    const reply = await this.call<BeginReply>(request.key, { type: 'begin', request });
    return { firstStartMs: this.local(reply.firstStartMs), firstEndMs: this.local(reply.firstEndMs) };
  }

  async window(key: string, minRuns: number, minSeconds: number): Promise<WindowReply> {
    const reply = await this.call<WindowReply>(key, { type: 'window', key, minRuns, minSeconds });
    return { ...reply, t0Ms: this.local(reply.t0Ms), t1Ms: this.local(reply.t1Ms) };
  }

  async rewarm(key: string, runs: number): Promise<void> {
    await this.call<void>(key, { type: 'rewarm', key, runs });
  }

  stop(): void {
    if (this.child?.connected) this.child.send({ type: 'stop' } satisfies HostRequest, () => {});
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.dead) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      try {
        if (child.connected) await this.call<void>(null, { type: 'close' }).catch(() => {});
        child.disconnect?.();
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
      clearTimeout(killer);
    }
  }
}

function remoteError(error: Extract<HostReply, { ok: false }>['error']): Error {
  if (error.code !== null && error.exitCode !== null) {
    const rebuilt = new JoulebenchError(error.code, error.message, { exitCode: error.exitCode as ExitCodeValue, ...(error.hint ? { hint: error.hint } : {}) });
    rebuilt.name = error.name;
    return rebuilt;
  }
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

/** A host of the chosen kind. */
export function createSessionHost(isolate: boolean, options: { stopped: () => boolean; configTimeoutS?: number | null }): SessionHost {
  return isolate ? new ChildProcessHost({ configTimeoutS: options.configTimeoutS ?? null }) : new InProcessHost(options.stopped);
}
