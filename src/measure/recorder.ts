// The run folder: result.json rewritten atomically after every configuration (a crash loses at most the one in
// flight), the synchronous emergency write of a second Ctrl-C, and the per-configuration power traces.
import path from 'node:path';
import { samplesBetween } from './integrate.js';
import type { PowerMeter } from '../power/types.js';
import { writeFileAtomic, writeFileAtomicSync } from '../common/atomic.js';
import { recommend } from '../results/recommend.js';
import type { Measurement, RunResult } from '../results/types.js';

// RFC 4180: a field with a comma, a double quote or a line break is quoted, its quotes doubled (tool context values
// are free text: rocm-smi's "Card vendor" is "Advanced Micro Devices, Inc. [AMD/ATI]").
const csvCell = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The trace file name of a configuration key. */
export function traceFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, '__')}.csv`;
}

/** Owns result.json of one run. */
export class RunRecorder {
  readonly resultPath: string;

  /** `planKeys`: measurements are kept in this order whatever order they finished in (the whole plan's, with --resume). */
  constructor(readonly runDir: string, readonly result: RunResult, private readonly judging: { sloP99Ms: number | null; equivalencePercent: number }, private readonly planKeys: string[]) {
    this.resultPath = path.join(runDir, 'result.json');
  }

  /** Write result.json as it is now. */
  save(): Promise<void> {
    const rank = new Map(this.planKeys.map((key, i) => [key, i]));
    this.result.measurements.sort((a, b) => (rank.get(a.key) ?? Infinity) - (rank.get(b.key) ?? Infinity));
    return writeFileAtomic(this.resultPath, `${JSON.stringify(this.result, null, 2)}\n`);
  }

  /** Append a finished configuration and save. */
  async add(measurement: Measurement): Promise<void> {
    this.result.measurements.push(measurement);
    await this.save();
  }

  /** The synchronous write of a run stopped at once: status "interrupted", recommendations from what is there. */
  writeEmergency(reason: string): void {
    const snapshot: RunResult = { ...this.result, status: 'interrupted', stopReason: reason, finishedAt: new Date().toISOString() };
    snapshot.recommendations = recommend(snapshot.measurements, this.judging.sloP99Ms, undefined, this.judging.equivalencePercent);
    writeFileAtomicSync(this.resultPath, `${JSON.stringify(snapshot, null, 2)}\n`);
  }

  /** Write a configuration's power trace (its own spans of wall time) and return its path relative to the run. */
  async writeTrace(key: string, meters: PowerMeter[], spans: Array<[number, number]>, relativeS: (tMs: number) => number): Promise<string> {
    const relative = `traces/${traceFileName(key)}`;
    const lines = ['t_s,meter,device,watts,context'];
    for (const meter of meters) {
      for (const sample of spans.flatMap(([t0Ms, t1Ms]) => samplesBetween(meter.samples(), t0Ms, t1Ms))) {
        const context = sample.context ? Object.entries(sample.context).map(([name, value]) => `${name}=${value}`).join(';') : '';
        lines.push(`${relativeS(sample.tMs).toFixed(4)},${meter.info.id},${meter.info.device ?? ''},${sample.powerW.toFixed(3)},${csvCell(context)}`);
      }
    }
    await writeFileAtomic(path.join(this.runDir, relative), `${lines.join('\n')}\n`);
    return relative;
  }
}
