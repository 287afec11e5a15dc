// @integration — loads onnxruntime and lets systeminformation run its probes (lspci and the like) on this machine
// captureEnvironment on the machine the tests run on: what Node itself knows is copied exactly, the execution
// providers are listed with a reason for each one that is not available, and the record fits result.schema.json.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { captureEnvironment } from '../../src/results/environment.js';
import { executionProviders } from '../../src/runtime/providers/registry.js';

const environment = await captureEnvironment();

test('host: architecture, hostname, logical CPUs and the first CPU\'s model as Node sees them', () => {
  const { host } = environment;
  assert.equal(host.arch, os.arch());
  assert.equal(host.hostname, os.hostname());
  assert.equal(host.cpu.cores, os.cpus().length);
  assert.equal(host.cpu.model, os.cpus()[0]?.model ?? host.cpu.model);
  assert.ok(host.cpu.physicalCores >= 1 && host.cpu.physicalCores <= host.cpu.cores, `${host.cpu.physicalCores} physical of ${host.cpu.cores}`);
  assert.ok(Number.isInteger(host.cpu.sockets) && host.cpu.sockets >= 1);
  assert.ok(host.memoryBytes > 0);
  assert.ok(host.os.length > 0 && host.os === host.os.trim());
  assert.ok(host.kernel.length > 0);
});

test('runtime: this Node, the onnxruntime-node version, every registered provider once', () => {
  const { runtime } = environment;
  assert.equal(runtime.node, process.versions.node);
  assert.match(runtime.onnxruntime, /^\d+\.\d+\.\d+/);
  assert.deepEqual(runtime.executionProviders.map((p) => p.name), Object.values(executionProviders).map((p) => p.name));
  const cpu = runtime.executionProviders.find((p) => p.name === 'cpu');
  assert.deepEqual(cpu, { name: 'cpu', available: true, reason: null });
  for (const provider of runtime.executionProviders) {
    if (provider.available) assert.equal(provider.reason, null, provider.name);
    else assert.ok(provider.reason && provider.reason.length > 0, `${provider.name} says why it is not available`);
  }
});

test('accelerators: numbered from 0, a known vendor in lower case, sizes in bytes or null', () => {
  environment.accelerators.forEach((accelerator, index) => {
    assert.equal(accelerator.index, index);
    assert.equal(accelerator.vendor, accelerator.vendor.toLowerCase());
    assert.equal(accelerator.uuid, null);
    assert.ok(accelerator.memoryBytes === null || accelerator.memoryBytes % (1024 * 1024) === 0);
  });
});

test('the record is valid against the environment part of result.schema.json', async () => {
  const schema = JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile({ ...schema.properties.environment, definitions: schema.definitions });
  assert.ok(validate(JSON.parse(JSON.stringify(environment))), JSON.stringify(validate.errors, null, 2));
});
