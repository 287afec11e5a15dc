// @integration — spawns small shell scripts (npm run test:unit skips it; npm test runs it)
// How meters run vendor tools: runTool's result, streamTool's lines and end, stopTool's grace period, and
// firstVerdict on simulated time. Process groups, killing a wrapper's children and argument passing without a shell
// are covered by test/power/process-group.test.ts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { firstVerdict, runTool, spawnTool, stopTool, streamTool } from '../../../src/power/core/child.js';
import { settle, SimClock } from '../sim-clock.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-child-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** An executable /bin/sh script in the temp folder; returns its path. */
async function script(name: string, ...lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, ['#!/bin/sh', ...lines].join('\n') + '\n');
  await chmod(file, 0o755);
  return file;
}

/**
 * Waits on `promise` holding a timer, as every caller of these functions does: spawnTool's children and pipes do not
 * keep Node alive by themselves.
 */
async function keptAlive<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

describe('runTool', () => {
  test('returns the exit code, stdout, stderr and the time of the first output on `now`', async () => {
    const tool = await script('answers', 'printf "power: %s W\\n" "$JB_WATTS"', 'echo "a warning" >&2', 'exit 3');
    let child: ChildProcess | null = null;
    const result = await runTool(tool, [], { env: { ...process.env, JB_WATTS: '42.5' }, timeoutMs: 10_000, onChild: (c) => (child = c), now: () => 1234 });
    assert.deepEqual(result, { code: 3, signal: null, stdout: 'power: 42.5 W\n', stderr: 'a warning\n', firstOutputMs: 1234, spawnError: null, timedOut: false });
    assert.equal(typeof child!.pid, 'number', 'onChild gets the running process');
  });

  test('a tool that prints nothing has no first-output time', async () => {
    const tool = await script('silent', 'exit 0');
    const result = await runTool(tool, [], { env: process.env, timeoutMs: 10_000, now: () => 1234 });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.firstOutputMs, null);
  });

  test('a tool that runs past timeoutMs is killed and marked timedOut', async () => {
    const tool = await script('hangs', 'echo started', 'exec sleep 30');
    const result = await keptAlive(runTool(tool, [], { env: process.env, timeoutMs: 200 }));
    assert.equal(result.timedOut, true);
    assert.equal(result.code, null);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.stdout, 'started\n', 'what it printed before is kept');
  });

  test('a missing or non-executable tool is a spawnError in the result, never a rejection', async () => {
    const missing = await runTool(path.join(dir, 'no-such-tool'), [], { env: process.env, timeoutMs: 10_000 });
    assert.equal(missing.spawnError?.code, 'ENOENT');
    assert.equal(missing.code, null); // never started: no exit status (node's close event says -2)
    assert.equal(missing.timedOut, false);
    assert.equal(missing.stdout, '');
    const plain = path.join(dir, 'not-executable');
    await writeFile(plain, '#!/bin/sh\necho hi\n');
    const denied = await runTool(plain, [], { env: process.env, timeoutMs: 10_000 });
    assert.equal(denied.spawnError?.code, 'EACCES');
  });
});

describe('streamTool', () => {
  test('lines are split across chunks, \\r\\n is trimmed, and a trailing partial line is kept for the tail', async () => {
    // `b` and `2` arrive in different chunks; `tail` never gets its newline.
    const tool = await script('streams', 'printf "a1\\nb"', 'sleep 0.1', 'printf "2\\r\\nc3\\n"', 'sleep 0.1', 'printf tail', 'echo oops >&2', 'exit 4');
    const lines: string[] = [];
    let tailAtEnd = '';
    const end = await keptAlive(new Promise((resolve) => {
      const stream = streamTool(tool, [], process.env, {
        onLines: (batch) => lines.push(...batch),
        onEnd: (e) => ((tailAtEnd = stream.stderrTail()), resolve(e)),
      });
    }));
    assert.deepEqual(lines, ['a1', 'b2', 'c3']);
    assert.deepEqual(end, { code: 4, signal: null, error: null });
    // stderr has been read to the end when onEnd runs; the unfinished stdout line follows it.
    assert.equal(tailAtEnd, 'oops\n\ntail');
  });

  test('the stderr tail keeps the last 500 characters', async () => {
    // 700 × "x" then "END": 703 characters, of which the last 500 are 497 × "x" + "END".
    const tool = await script('noisy', "head -c 700 /dev/zero | tr '\\0' x >&2", 'printf END >&2', 'exit 1');
    const stream = streamTool(tool, [], process.env, { onLines: () => {}, onEnd: () => {} });
    await keptAlive(once(stream.child, 'close'));
    assert.equal(stream.stderrTail(), `${'x'.repeat(497)}END`);
  });

  test('a missing tool ends once, with the spawn error', async () => {
    const ends: Array<{ code: number | null; signal: NodeJS.Signals | null; error: NodeJS.ErrnoException | null }> = [];
    const stream = streamTool(path.join(dir, 'no-such-stream'), [], process.env, { onLines: () => {}, onEnd: (end) => ends.push(end) });
    await keptAlive(new Promise((resolve) => stream.child.once('close', resolve))); // (events.once would reject on 'error')
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.code, null);
    assert.equal(ends[0]!.signal, null);
    assert.equal(ends[0]!.error?.code, 'ENOENT');
  });

  test('stop() ends a running stream with SIGTERM, and onEnd reports the signal', async () => {
    const tool = await script('forever', 'echo ready', 'while :; do sleep 0.05; done');
    let ended: (end: unknown) => void = () => {};
    const end = new Promise((resolve) => (ended = resolve));
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => (ready = resolve));
    const stream = streamTool(tool, [], process.env, { onLines: (batch) => batch.includes('ready') && ready(), onEnd: (e) => ended(e) });
    await keptAlive(started);
    await keptAlive(stream.stop());
    assert.deepEqual(await keptAlive(end), { code: null, signal: 'SIGTERM', error: null });
  });
});

describe('stopTool and spawnTool', () => {
  test('a tool that ignores SIGTERM is killed after graceMs; stopping an exited tool resolves at once', async () => {
    const tool = await script('stubborn', "trap '' TERM", 'echo ready', 'while :; do sleep 0.05; done');
    const child = spawnTool(tool, [], process.env);
    const [first] = (await keptAlive(once(child.stdout!, 'data'))) as [string];
    assert.equal(first, 'ready\n'); // the trap is set
    await keptAlive(stopTool(child, 100));
    assert.equal(child.signalCode, 'SIGKILL');
    await stopTool(child, 100);
  });

  test('spawnTool pipes stdout and stderr as utf8 text and passes the environment given', async () => {
    const tool = await script('env', 'printf "%s|%s" "$JB_A" "$1"', 'printf "é" >&2');
    const child = spawnTool(tool, ['x y'], { PATH: process.env.PATH, JB_A: 'ü' });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout!.on('data', (chunk: unknown) => out.push(chunk as string));
    child.stderr!.on('data', (chunk: unknown) => err.push(chunk as string));
    await keptAlive(once(child, 'close'));
    assert.equal(out.join(''), 'ü|x y');
    assert.equal(err.join(''), 'é');
  });
});

describe('firstVerdict (simulated time)', () => {
  const silent = () => new Error('no output within 800 ms');

  function verdict(start: (settle: (error: Error | null) => void) => void) {
    const clock = new SimClock();
    const calls = { abandon: 0, silent: 0 };
    const promise = firstVerdict(clock, 800, () => (calls.silent++, silent()), start, () => calls.abandon++);
    const state = { done: false, error: null as Error | null };
    promise.then(() => (state.done = true), (error: Error) => ((state.done = true), (state.error = error)));
    return { clock, calls, state };
  }

  test('a sample first: resolves; a later failure or the startup timer change nothing', async () => {
    let settleNow: (error: Error | null) => void = () => {};
    const { clock, calls, state } = verdict((settle) => (settleNow = settle));
    await clock.advance(300);
    assert.equal(state.done, false);
    settleNow(null);
    settleNow(new Error('exited'));
    await clock.advance(1000);
    assert.deepEqual(state, { done: true, error: null });
    assert.deepEqual(calls, { abandon: 0, silent: 0 });
  });

  test('a failure first: rejects with it and abandons once; a later sample changes nothing', async () => {
    let settleNow: (error: Error | null) => void = () => {};
    const { clock, calls, state } = verdict((settle) => (settleNow = settle));
    const exited = new Error('tool exited with code 9');
    settleNow(exited);
    settleNow(null);
    await clock.advance(1000);
    assert.equal(state.error, exited);
    assert.deepEqual(calls, { abandon: 1, silent: 0 });
  });

  test('nothing within startupMs: rejects with silent() at startupMs and abandons', async () => {
    const { clock, calls, state } = verdict(() => {});
    await clock.advance(799);
    assert.equal(state.done, false);
    await clock.advance(1); // 800 ms after start
    assert.equal(state.error?.message, 'no output within 800 ms');
    assert.deepEqual(calls, { abandon: 1, silent: 1 });
  });

  test('a verdict given inside start() settles it before any timer', async () => {
    const { clock, calls, state } = verdict((settle) => settle(null));
    await settle();
    assert.deepEqual(state, { done: true, error: null });
    await clock.advance(1000);
    assert.deepEqual(calls, { abandon: 0, silent: 0 });
  });
});
