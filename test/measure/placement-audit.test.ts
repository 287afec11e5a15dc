// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { describeModel } from '../../src/model/inspect.js';
import { zoo } from '../../src/model/zoo/index.js';
import { auditPlacementOf } from '../../src/measure/placement-audit.js';
import { findProvider } from '../../src/runtime/providers/registry.js';

test('placement audit runs onnxruntime\'s profiler for real and reads which provider ran each node', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-placement-'));
  try {
    const bytes = zoo.mlp.build();
    const modelPath = path.join(dir, 'mlp.onnx');
    await writeFile(modelPath, bytes);
    const layout = resolveBatchLayout(describeModel(bytes, modelPath), {}, { shape: (i) => i });
    const folder = path.join(dir, 'profiles', 'mlp');
    const audit = await auditPlacementOf({ modelPath, provider: findProvider('cpu')!, providerOptions: {}, layout, batchSize: 2, folder });
    assert.equal(audit.ok, true, JSON.stringify(audit));
    if (!audit.ok) return;
    assert.deepEqual(Object.keys(audit.providers), ['CPUExecutionProvider']);
    assert.ok(audit.providers.CPUExecutionProvider!.nodes >= 5, JSON.stringify(audit.providers));
    assert.ok(audit.providers.CPUExecutionProvider!.kernelTimeUs > 0);
    assert.equal(audit.cpuFallback, false, 'the CPU provider cannot fall back to itself');
    assert.equal(existsSync(folder), false, 'the profile is removed once read');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a model that cannot be loaded gives a reason, not an exception', async () => {
  const layout = { inputs: [], batchSymbol: null, fixedBatch: null };
  const audit = await auditPlacementOf({ modelPath: '/nonexistent.onnx', provider: findProvider('cpu')!, providerOptions: {}, layout, batchSize: 1, folder: path.join(os.tmpdir(), `jb-placement-missing-${process.pid}`) });
  assert.equal(audit.ok, false);
});
