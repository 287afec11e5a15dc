// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The webgpu probe runs in a child process (Dawn writes its Vulkan warnings straight to stderr): its verdict comes
// back as a working session (null) or onnxruntime's reason, as an in-process probe would give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeProviderSession } from '../../src/runtime/probe.js';
import type { ExecutionProvider } from '../../src/runtime/providers/types.js';

// A provider called webgpu whose session really goes to another backend, so the child path runs on any machine.
const posing = (backend: string) => ({ name: 'webgpu', settings: () => ({ session: {}, provider: backend }) }) as unknown as ExecutionProvider;

test('a session the child can create: null', async () => {
  assert.equal(await probeProviderSession(posing('cpu')), null);
});

test('a session the child cannot create: onnxruntime\'s reason, not the probe script', async () => {
  const reason = await probeProviderSession(posing('nosuch'));
  assert.match(reason ?? '', /backend not found/);
  assert.doesNotMatch(reason ?? '', /require\(process\.argv/);
});
