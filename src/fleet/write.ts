// The merged run folder: result.json (atomic, written last), every report, and the shards' power traces. One machine:
// all of it in the output folder. Several: one such folder per machine under it, and the side-by-side reports (the
// procurement view of `joulebench report`) with machines.json at its top.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { analyseRuns } from '../report/analysis.js';
import { writeReports } from '../report/formats.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { MachineMerge, MergeOutcome } from './merge.js';

/** What was written where. */
export interface MergeWritten {
  /** result.json of each machine (one: `<out>/result.json`). */
  results: string[];
  /** Folders holding reports. */
  reportDirs: string[];
}

/** The folder of a machine's pooled result when several machines are merged. */
export function machineFolder(machine: MachineMerge): string {
  return `machine-${machine.fingerprint.machineSha256.slice(0, 12)}`;
}

/** Write the merge into `outDir` (see the file comment). Inputs are only read. */
export async function writeMerge(outcome: MergeOutcome, outDir: string): Promise<MergeWritten> {
  const single = outcome.machines.length === 1;
  const written: MergeWritten = { results: [], reportDirs: [] };
  for (const machine of outcome.machines) {
    const dir = single ? outDir : path.join(outDir, machineFolder(machine));
    await mkdir(dir, { recursive: true });
    await copyTraces(machine, dir);
    await writeReports(analyseRuns([machine.result]), dir);
    const file = path.join(dir, 'result.json');
    await writeFileAtomic(file, `${JSON.stringify(machine.result, null, 2)}\n`);
    written.results.push(file);
    written.reportDirs.push(dir);
  }
  if (!single) {
    await writeReports(analyseRuns(outcome.machines.map((machine) => machine.result)), outDir);
    const index = outcome.machines.map((machine) => ({ folder: machineFolder(machine), runId: machine.result.runId, status: machine.result.status, fingerprint: machine.fingerprint }));
    await writeFileAtomic(path.join(outDir, 'machines.json'), `${JSON.stringify(index, null, 2)}\n`);
    written.reportDirs.unshift(outDir);
  }
  return written;
}

// Each measurement's trace, from the run folder of the shard that measured it (absent traces are left absent).
async function copyTraces(machine: MachineMerge, dir: string): Promise<void> {
  for (const input of machine.used) {
    for (const measurement of input.result.measurements) {
      if (!measurement.trace || measurement.trace.includes('..') || path.isAbsolute(measurement.trace)) continue;
      const bytes = await readFile(path.join(path.dirname(input.file), measurement.trace)).catch(() => null);
      if (!bytes) continue;
      const target = path.join(dir, measurement.trace);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFileAtomic(target, bytes);
    }
  }
}
