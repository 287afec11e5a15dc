// writeMerge in temp folders: one machine writes a run folder in place, several a folder each plus the side-by-side
// reports and machines.json; traces are copied from the shard that measured them, and only from inside its folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprintOf } from '../../src/fleet/fingerprint.js';
import type { MachineMerge } from '../../src/fleet/merge.js';
import { machineFolder, writeMerge } from '../../src/fleet/write.js';
import type { RunResult } from '../../src/results/types.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const temp = () => mkdtempSync(path.join(os.tmpdir(), 'jb-merge-write-'));

function machine(runId: string, cpuModel: string, used: MachineMerge['used'] = []): MachineMerge {
  const result = syntheticResult({ runId, cpuModel, measurements: [{ samplesPerJoule: [10, 10] }, { batch: 8, samplesPerJoule: [20, 20] }] });
  return { fingerprint: fingerprintOf(result.environment, result.tool.version, null), result, used };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;

describe('machineFolder', () => {
  it('"machine-" and the first 12 hex digits of the machine class hash', () => {
    const m = machine('r', 'CPU A');
    assert.equal(machineFolder(m), `machine-${m.fingerprint.machineSha256.slice(0, 12)}`);
    assert.match(machineFolder(m), /^machine-[0-9a-f]{12}$/);
    assert.notEqual(machineFolder(m), machineFolder(machine('r', 'CPU B')));
  });
});

describe('writeMerge', () => {
  it('one machine: result.json and every report straight in the output folder, the folder made if needed', async () => {
    const out = path.join(temp(), 'merged', 'deeper');
    const m = machine('pooled', 'CPU A');
    const written = await writeMerge({ machines: [m], notes: [], complete: true }, out);
    assert.deepEqual(written, { results: [path.join(out, 'result.json')], reportDirs: [out] });
    assert.deepEqual(readJson(path.join(out, 'result.json')), m.result);
    assert.ok(readFileSync(path.join(out, 'result.json'), 'utf8').endsWith('}\n'));
    for (const report of ['report.md', 'report.html', 'measurements.csv']) assert.ok(existsSync(path.join(out, report)), report);
    assert.ok(readdirSync(path.join(out, 'charts')).every((name) => name.endsWith('.png')));
    assert.equal(existsSync(path.join(out, 'machines.json')), false);
  });

  it('two machines: a folder each, then the side-by-side reports and machines.json at the top', async () => {
    const out = temp();
    const a = machine('run-a', 'CPU A');
    const b = machine('run-b', 'CPU B');
    const written = await writeMerge({ machines: [a, b], notes: [], complete: true }, out);
    const [dirA, dirB] = [path.join(out, machineFolder(a)), path.join(out, machineFolder(b))];
    assert.deepEqual(written, { results: [path.join(dirA, 'result.json'), path.join(dirB, 'result.json')], reportDirs: [out, dirA, dirB] });
    assert.equal((readJson(path.join(dirB, 'result.json')) as RunResult).runId, 'run-b');
    assert.deepEqual(readJson(path.join(out, 'machines.json')), [
      { folder: machineFolder(a), runId: 'run-a', status: 'complete', fingerprint: a.fingerprint },
      { folder: machineFolder(b), runId: 'run-b', status: 'complete', fingerprint: b.fingerprint },
    ]);
    assert.ok(existsSync(path.join(out, 'report.md')));
    assert.equal(existsSync(path.join(out, 'result.json')), false, 'no pooled result across machines');
  });

  it('traces come from the run folder of the shard that measured them; absent, escaping or absolute ones are left out', async () => {
    const shardDir = path.join(temp(), 'shard-0');
    mkdirSync(path.join(shardDir, 'traces'), { recursive: true });
    writeFileSync(path.join(shardDir, 'traces', 'b1.csv'), 't_ms,power_w\n0,10\n');
    writeFileSync(path.join(path.dirname(shardDir), 'secret.csv'), 'outside');
    const shard = syntheticResult({ runId: 's0', measurements: [{ samplesPerJoule: [1] }, { batch: 2, samplesPerJoule: [1] }, { batch: 4, samplesPerJoule: [1] }, { batch: 8, samplesPerJoule: [1] }] });
    const traces = ['traces/b1.csv', 'traces/missing.csv', '../secret.csv', path.join(shardDir, 'traces', 'b1.csv')];
    shard.measurements.forEach((m, i) => { m.trace = traces[i]!; });
    const out = temp();
    await writeMerge({ machines: [machine('pooled', 'CPU A', [{ file: path.join(shardDir, 'result.json'), result: shard }])], notes: [], complete: false }, out);
    assert.equal(readFileSync(path.join(out, 'traces', 'b1.csv'), 'utf8'), 't_ms,power_w\n0,10\n');
    assert.deepEqual(readdirSync(path.join(out, 'traces')), ['b1.csv']);
    assert.equal(existsSync(path.join(out, 'secret.csv')), false);
  });
});
