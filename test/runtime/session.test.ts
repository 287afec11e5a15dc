// @integration — creates onnxruntime sessions on the built-in mlp model (CPU provider)
// Sessions and the timed loop (src/runtime/session.ts): what openSession returns, pre-allocated outputs, the latency
// record, and the window's stopping rule (at least minRuns runs and minSeconds, or stop()). Only structure and
// invariants are asserted, never how fast anything ran.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { InputError } from '../../src/errors.js';
import { ensureBuiltinModel } from '../../src/model/builtin.js';
import { builtinProviders } from '../../src/runtime/providers/catalog.js';
import { LatencyRecorder, openSession, preallocateOutputs, timedWindow, type OpenSession } from '../../src/runtime/session.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-session-'));
const context = { cacheDir: path.join(root, 'cache') };
let modelPath = '';
let open: OpenSession;
// One row of 1024 features: 0, 0.001, …
const feeds = () => ({ x: new ort.Tensor('float32', Float32Array.from({ length: 1024 }, (_, i) => i / 1000), [1, 1024]) });

before(async () => {
  modelPath = (await ensureBuiltinModel('mlp', path.join(root, 'models'))).path;
  open = await openSession(modelPath, builtinProviders.cpu, {}, 1, context);
});
after(async () => {
  await open?.session.release();
  rmSync(root, { recursive: true, force: true });
});

describe('openSession', () => {
  test('a session on the provider, its device and the time creation took', () => {
    assert.equal(open.provider, builtinProviders.cpu);
    assert.equal(open.device, 'cpu');
    assert.deepEqual(open.session.inputNames, ['x']);
    assert.deepEqual(open.session.outputNames, ['logits']);
    assert.ok(Number.isFinite(open.sessionCreateMs) && open.sessionCreateMs >= 0);
  });

  test('provider options are checked first: a bad one is an InputError naming it, before onnxruntime is asked', async () => {
    await assert.rejects(openSession('/no/such/model.onnx', builtinProviders.cpu, { threads: 2 }, null, context), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'EP_OPTION_UNKNOWN');
      assert.match(error.message, /^executionProviders: unknown option "threads" for execution provider "cpu"; valid options: /);
      return true;
    });
  });

  test('session options from provider options, threads null: a session all the same', async () => {
    const other = await openSession(modelPath, builtinProviders.cpu, { intra_op_num_threads: 1, graph_optimization_level: 'basic' }, null, context);
    try {
      assert.equal(other.device, 'cpu');
      const out = await other.session.run(feeds());
      assert.deepEqual(out.logits?.dims, [1, 10]);
    } finally {
      await other.session.release();
    }
  });
});

describe('preallocateOutputs', () => {
  test('tensors of the outputs\' type and dims, zeroed, not the run\'s own buffers', async () => {
    const outputs = await open.session.run(feeds());
    const fetches = preallocateOutputs(outputs)!;
    assert.deepEqual(Object.keys(fetches), ['logits']);
    assert.equal(fetches.logits!.type, 'float32');
    assert.deepEqual(fetches.logits!.dims, [1, 10]);
    assert.ok(fetches.logits!.data instanceof Float32Array);
    assert.ok((fetches.logits!.data as Float32Array).every((v) => v === 0));
    assert.notEqual(fetches.logits!.data, outputs.logits!.data);
  });

  test('a run into them fills them with what a plain run returns', async () => {
    const plain = await open.session.run(feeds());
    const fetches = preallocateOutputs(plain)!;
    await open.session.run(feeds(), fetches);
    assert.deepEqual(fetches.logits!.data, plain.logits!.data);
  });

  test('outputs that cannot be pre-allocated (strings, non-tensors): undefined', () => {
    const numbers = new ort.Tensor('int64', BigInt64Array.of(1n, 2n), [2]);
    assert.equal(preallocateOutputs({ n: numbers, s: new ort.Tensor('string', ['a'], [1]) }), undefined);
    assert.equal(preallocateOutputs({ n: numbers, seq: [] as unknown as ort.Tensor }), undefined);
    const ints = preallocateOutputs({ n: numbers })!;
    assert.ok(ints.n!.data instanceof BigInt64Array);
    assert.deepEqual(ints.n!.dims, [2]);
  });
});

test('LatencyRecorder: keeps every value in order past its first 1024, as a view of the recorded length', () => {
  const recorder = new LatencyRecorder();
  assert.equal(recorder.view().length, 0);
  for (let i = 0; i < 3000; i++) recorder.push(i / 4);
  assert.equal(recorder.length, 3000);
  const view = recorder.view();
  assert.ok(view instanceof Float64Array);
  assert.equal(view.length, 3000);
  // Values 0, 0.25, …, 749.75 kept across two growths (1024 → 2048 → 4096).
  assert.equal(view[0], 0);
  assert.equal(view[1023], 255.75);
  assert.equal(view[1024], 256);
  assert.equal(view[2999], 749.75);
});

describe('timedWindow', () => {
  test('minSeconds 0: exactly minRuns runs; one latency per run, summing to the window', async () => {
    const latencies = new LatencyRecorder();
    const window = await timedWindow(open.session, feeds(), undefined, 5, 0, latencies, () => false);
    assert.equal(window.runs, 5);
    assert.equal(latencies.length, 5);
    assert.ok(window.t1Ms >= window.t0Ms);
    assert.ok(latencies.view().every((latencyMs) => latencyMs >= 0));
    // Each run starts where the previous one ended: the latencies add up to t1 − t0.
    const sum = latencies.view().reduce((total, v) => total + v, 0);
    assert.ok(Math.abs(sum - (window.t1Ms - window.t0Ms)) < 1e-6, `${sum} vs ${window.t1Ms - window.t0Ms}`);
  });

  test('minSeconds: the window lasts at least that long, however many runs it takes', async () => {
    const latencies = new LatencyRecorder();
    const window = await timedWindow(open.session, feeds(), undefined, 1, 0.05, latencies, () => false);
    assert.ok(window.t1Ms - window.t0Ms >= 50, `${window.t1Ms - window.t0Ms} ms`);
    assert.ok(window.runs >= 1);
    assert.equal(latencies.length, window.runs);
  });

  test('stop() ends the window early; stopped before it starts, no run at all', async () => {
    let calls = 0;
    const latencies = new LatencyRecorder();
    const stopped = await timedWindow(open.session, feeds(), undefined, 1000, 60, latencies, () => ++calls > 3);
    assert.equal(stopped.runs, 3);
    assert.equal(latencies.length, 3);
    const none = await timedWindow(open.session, feeds(), undefined, 10, 0, new LatencyRecorder(), () => true);
    assert.deepEqual(none, { t0Ms: none.t0Ms, t1Ms: none.t0Ms, runs: 0 });
  });

  test('with pre-allocated outputs the runs write into them; latencies append to what the recorder holds', async () => {
    const fetches = preallocateOutputs(await open.session.run(feeds()))!;
    const latencies = new LatencyRecorder();
    latencies.push(123);
    const window = await timedWindow(open.session, feeds(), fetches, 2, 0, latencies, () => false);
    assert.equal(window.runs, 2);
    assert.equal(latencies.length, 3);
    assert.equal(latencies.view()[0], 123);
    assert.ok((fetches.logits!.data as Float32Array).some((v) => v !== 0));
  });
});
