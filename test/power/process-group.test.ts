// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Vendor tools run in their own process group: stopping a meter kills what the tool started too (a wrapper script's
// child), and the tool is spawned without a shell (arguments with shell metacharacters arrive verbatim).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createNvidiaSmiMeterFactory } from '../../src/power/nvidia-smi.js';
import type { MeterContext } from '../../src/power/types.js';
import { MeterError } from '../../src/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fakeNvidiaSmi = path.resolve(here, '..', 'fixtures', 'bin', 'nvidia', 'nvidia-smi');
const context: MeterContext = { cpuTdpWatts: null, baseDir: process.cwd(), settings: { 'powercap-root': '/nonexistent' }, gpus: null };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'stat=', '-p', String(pid)], (_error, stdout) => resolve(stdout.trim() !== '' && !stdout.trim().startsWith('Z'))),
  );
}

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-pgroup-'));
  // A wrapper like the ones sites put around nvidia-smi: it runs the real tool as its child (no exec) and waits.
  // It records its own arguments and the child's pid.
  await writeFile(
    path.join(dir, 'nvidia-smi'),
    [
      '#!/bin/sh',
      `printf '%s\\n' "$@" >> "${dir}/args"`,
      `"${process.execPath}" "${fakeNvidiaSmi}" "$@" &`,
      `echo $! >> "${dir}/pids"`,
      'wait',
    ].join('\n'),
  );
  await chmod(path.join(dir, 'nvidia-smi'), 0o755);
});
after(() => rm(dir, { recursive: true, force: true }));

test('stop() kills the tool and what it started (its process group); no orphan is left', async () => {
  const env = { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVSMI_WATTS: '250' };
  const [meter] = await createNvidiaSmiMeterFactory({ env }).create(context, null);
  await meter!.start();
  await meter!.sampleAfter(performance.now());
  assert.ok(meter!.samples().length > 0, 'the wrapped fake streams samples');
  const pids = (await readFile(path.join(dir, 'pids'), 'utf8')).trim().split('\n').map(Number);
  const streamPid = pids.at(-1)!;
  assert.equal(await alive(streamPid), true, 'the wrapped tool runs');
  await meter!.stop();
  let running = true;
  for (let i = 0; i < 40 && running; i++) {
    running = await alive(streamPid);
    if (running) await sleep(50);
  }
  assert.equal(running, false, `the wrapped nvidia-smi (pid ${streamPid}) outlived stop()`);
});

test('arguments reach the tool as an array, never through a shell', async () => {
  const args = (await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n');
  // The query is one argument with commas, exactly as passed; a shell would have been free to split or expand it.
  assert.ok(args.some((arg) => /^--query-gpu=index,timestamp,power\.draw/.test(arg)), args.join(' | '));
  assert.ok(args.includes('-lms'));
});

test('a tool that prints only garbage is a meter failure quoting it (not a hang)', async () => {
  const garbage = path.join(dir, 'garbage');
  await mkdir(garbage, { recursive: true });
  await writeFile(path.join(garbage, 'nvidia-smi'), [
    '#!/bin/sh',
    // Discovery queries (no -lms) get valid answers from the fake; the stream prints garbage instead of readings.
    `case "$*" in *-lms*) while :; do echo 'Segmentation fault in libnvidia-ml.so; GPU is lost'; sleep 0.05; done ;; esac`,
    `exec "${process.execPath}" "${fakeNvidiaSmi}" "$@"`,
  ].join('\n'));
  await chmod(path.join(garbage, 'nvidia-smi'), 0o755);
  const env = { ...process.env, PATH: `${garbage}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVSMI_WATTS: '250' };
  const [meter] = await createNvidiaSmiMeterFactory({ env, startupTimeoutMs: 800 }).create(context, null);
  const t0 = performance.now();
  await assert.rejects(meter!.start(), (error: Error) => {
    assert.ok(error instanceof MeterError, String(error));
    assert.match(error.message, /nvidia-smi stopped answering \(no output within 800 ms of starting\); it printed instead: ".*GPU is lost"/);
    return true;
  });
  assert.ok(performance.now() - t0 < 5000);
  await meter!.stop();
});
