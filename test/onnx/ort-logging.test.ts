// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// onnxruntime's own log level comes from one place: fatal only unless JOULEBENCH_VERBOSE (the CLI's --verbose).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { applyOrtLogLevel, ortLogSeverity, ortVerboseRequested } from '../../src/onnx/ort-logging.js';

test('JOULEBENCH_VERBOSE asks for the log lines; unset, empty or 0 does not', () => {
  assert.equal(ortVerboseRequested({}), false);
  assert.equal(ortVerboseRequested({ JOULEBENCH_VERBOSE: '' }), false);
  assert.equal(ortVerboseRequested({ JOULEBENCH_VERBOSE: '0' }), false);
  assert.equal(ortVerboseRequested({ JOULEBENCH_VERBOSE: '1' }), true);
  assert.equal(ortVerboseRequested({ JOULEBENCH_VERBOSE: 'true' }), true);
});

test('quiet by default: sessions at fatal (4) and the environment at "fatal"; verbose: warnings', () => {
  const saved = process.env.JOULEBENCH_VERBOSE;
  try {
    delete process.env.JOULEBENCH_VERBOSE;
    applyOrtLogLevel();
    assert.equal(ortLogSeverity(), 4);
    assert.equal(ort.env.logLevel, 'fatal');
    process.env.JOULEBENCH_VERBOSE = '1';
    applyOrtLogLevel();
    assert.equal(ortLogSeverity(), 2);
    assert.equal(ort.env.logLevel, 'warning');
  } finally {
    if (saved === undefined) delete process.env.JOULEBENCH_VERBOSE;
    else process.env.JOULEBENCH_VERBOSE = saved;
    applyOrtLogLevel();
  }
});

test('every session in src/ takes its log level from ortLogSeverity(), none hard-codes one', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const root = path.join(import.meta.dirname, '..', '..', 'src');
  const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.ts')).map((file) => path.join(root, file));
  let creating = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, /logSeverityLevel:\s*\d/, `${file} hard-codes a log level`);
    if (!file.endsWith('ort-logging.ts')) assert.doesNotMatch(text, /env\.logLevel\s*=\s*['"]/, `${file} hard-codes ort.env.logLevel outside runtime/ort-logging.ts`);
    if (text.includes('InferenceSession.create(')) {
      creating++;
      assert.match(text, /logSeverityLevel: ortLogSeverity\(\)/, `${file} creates a session without ortLogSeverity()`);
    }
  }
  assert.ok(creating >= 5, `found the session-creating files (${creating})`);
});
