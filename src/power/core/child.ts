// The one way meters run vendor tools (nvidia-smi, amd-smi, rocm-smi, tegrastats, …): each tool in a process group
// of its own, so stopping it kills what it started too (the AMD tools are Python scripts; sites wrap nvidia-smi in
// shell scripts), and so the terminal's Ctrl-C reaches joulebench, not the tool, mid-window. Arguments go as an
// array, never through a shell. ONE reaper kills every tool still running when Node exits, so a crashed sweep
// leaves no orphan behind.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from './clock.js';

/** POSIX process groups; Windows has none (the tool alone is signalled there). */
const ownGroup = process.platform !== 'win32';
const live = new Set<ChildProcess>();
let reaperInstalled = false;

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (ownGroup) {
    try {
      process.kill(-child.pid, sig);
      return;
    } catch {
      // The group is gone already: fall back to the process itself.
    }
  }
  child.kill(sig);
}

const exited = (child: ChildProcess) => child.pid === undefined || child.exitCode !== null || child.signalCode !== null;

/**
 * Start a tool in its own process group, tracked by the reaper. stdout/stderr are piped as utf8 text. The child
 * does not keep Node alive by itself (whoever waits on it holds a timer that does).
 */
export function spawnTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: ownGroup });
  live.add(child);
  child.once('close', () => live.delete(child));
  child.once('error', () => live.delete(child));
  if (!reaperInstalled) {
    reaperInstalled = true;
    process.once('exit', () => {
      for (const running of live) signal(running, 'SIGKILL');
    });
  }
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) {
    pipe?.setEncoding('utf8');
    (pipe as unknown as { unref?: () => void } | null)?.unref?.();
  }
  return child;
}

// The tool and its pipes do not hold Node open (spawnTool): whoever awaits its end holds this until then, or Node
// could exit with the promise still pending once a kill timer has fired.
const holdOpen = () => setInterval(() => {}, 60_000);

/** Stop a tool: SIGTERM to its group, SIGKILL after `graceMs` if it is still there. Resolves once it has exited. */
export function stopTool(child: ChildProcess, graceMs = 1000): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const hold = holdOpen();
    const force = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
    const done = () => {
      clearTimeout(force);
      clearInterval(hold);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
    signal(child, 'SIGTERM');
  });
}

/** What one run of a tool came back with. */
export interface ToolResult {
  /** Exit status (null when killed or never started). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** When the first stdout byte came (tools print after reading their sensors), on `now`; null if none. */
  firstOutputMs: number | null;
  /** The tool could not be started (ENOENT, EACCES, …). */
  spawnError: NodeJS.ErrnoException | null;
  /** Killed for running longer than timeoutMs. */
  timedOut: boolean;
}

/**
 * Run a tool once to completion (a probe query, one poll). `onChild` receives the process, so a stopping meter can
 * stopTool() a run in flight. Never rejects: every failure is in the result.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number; onChild?: (child: ChildProcess) => void; now?: () => number },
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const result: ToolResult = { code: null, signal: null, stdout: '', stderr: '', firstOutputMs: null, spawnError: null, timedOut: false };
    const child = spawnTool(command, args, options.env);
    options.onChild?.(child);
    const hold = holdOpen();
    const timer = setTimeout(() => {
      result.timedOut = true;
      signal(child, 'SIGKILL');
    }, options.timeoutMs);
    child.stdout!.on('data', (chunk: string) => {
      result.firstOutputMs ??= (options.now ?? performance.now.bind(performance))();
      result.stdout += chunk;
    });
    child.stderr!.on('data', (chunk: string) => (result.stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => (result.spawnError = error));
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearInterval(hold);
      // A tool that never started has no exit status (node reports the negated errno there).
      resolve({ ...result, code: result.spawnError ? null : code, signal: sig });
    });
  });
}

/** A long-running tool whose stdout is read line by line (nvidia-smi -lms, tegrastats, powermetrics). */
export interface ToolStream {
  readonly child: ChildProcess;
  /** The last ~500 characters of stderr (and an unfinished stdout line), for messages. */
  stderrTail(): string;
  /** stopTool() on it. */
  stop(): Promise<void>;
}

/**
 * Start a streaming tool. `onLines` gets every batch of complete lines with the time the chunk arrived (performance.now();
 * a meter with an injected clock stamps with its own); `onEnd`
 * gets the exit (after stderr has been read to the end, so a message can quote it) or the spawn error.
 */
export function streamTool(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  handlers: { onLines(lines: string[], receivedMs: number): void; onEnd(end: { code: number | null; signal: NodeJS.Signals | null; error: NodeJS.ErrnoException | null }): void },
): ToolStream {
  const child = spawnTool(command, args, env);
  let partial = '';
  let stderr = '';
  let error: NodeJS.ErrnoException | null = null;
  child.stdout!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    handlers.onLines(lines.map((line) => line.replace(/\r$/, '')), performance.now());
  });
  child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-500)));
  child.on('error', (e: NodeJS.ErrnoException) => {
    error = e;
    if (child.pid === undefined) handlers.onEnd({ code: null, signal: null, error: e });
  });
  child.on('close', (code, sig) => {
    if (child.pid !== undefined) handlers.onEnd({ code, signal: sig, error });
  });
  return { child, stderrTail: () => `${stderr}${partial ? `\n${partial}` : ''}`, stop: () => stopTool(child) };
}

/**
 * Wait for a streaming tool's first verdict: `start` launches it and calls `settle(null)` once a sample was taken or
 * `settle(error)` on the first failure; nothing within `startupMs` settles with `silent()`. Only the first settle
 * counts; a failure runs `abandon` (stop the tool, and mark the feed stopping so its exit is not reported twice).
 */
export function firstVerdict(
  clock: Clock,
  startupMs: number,
  silent: () => Error,
  start: (settle: (error: Error | null) => void) => void,
  abandon: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      if (error) {
        abandon();
        reject(error);
      } else resolve();
    };
    const timer = clock.after(startupMs, () => settle(silent()), true);
    start(settle);
  });
}
