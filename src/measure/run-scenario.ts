// A validated scenario end to end, as a library call: the run to resume, the plan, the models and their variants,
// the meters, the sweep and the report files. The CLI (`run`, `bench`), bench/ and the tests all come through here;
// only what is printed, and the exit code, stay in src/cli/.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolveMeters, type MeterChoice } from '../power/registry.js';
import type { MeterSettings } from '../power/types.js';
import { analyseRuns } from '../report/analysis.js';
import { writeReports, type WrittenReport } from '../report/formats.js';
import { captureEnvironment } from '../results/environment.js';
import { selectShard, type ShardSpec } from '../fleet/shards.js';
import { expandPlan } from '../scenario/expand.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import { prepareModels, type OverrideNaming, type PrepareEvent } from './prepare.js';
import { planResume, readRunToResume, removeStaleTempFiles } from './resume.js';
import { runSweep, type SweepEvent, type SweepOutcome } from './sweep.js';

/** What runScenario needs beyond the scenario. */
export interface RunScenarioOptions {
  toolVersion: string;
  /** How user settings are named in messages (scenario fields, or bench's flags). */
  naming: OverrideNaming;
  /** `--resume RUN_DIR` (absolute): measure only the unfinished configurations of that run, into it. */
  resumeDir?: string;
  /** Values of the meters' own flags (`--powercap-root`, `--hwmon`, …; MeterFactory.flags). */
  meterSettings?: MeterSettings;
  /** Each (model variant, EP) group in a child process (default true). */
  isolate?: boolean;
  configTimeoutS?: number | null;
  signal?: AbortSignal;
  /** Filled in once result.json exists: the synchronous write for a second Ctrl-C. */
  emergency?: { write?: (reason: string) => void };
  /** Write report.md, report.html, CSV and charts next to result.json (default true). */
  reports?: boolean;
  onPrepare?: (event: PrepareEvent) => void;
  /** The plan is known and the models prepared; nothing is measured yet (the CLI checks its gates here). */
  onPlanned?: (plan: PlannedConfig[]) => Promise<void> | void;
  /** The meters were chosen (each with why). */
  onMeters?: (choices: MeterChoice[], estimated: boolean) => void;
  /** With --resume: how much of the run was already finished. */
  onResume?: (done: number, total: number, remaining: number) => void;
  onEvent?: (event: SweepEvent) => void;
  /** `run --shard I/N`: measure only that shard's configurations (src/fleet/shards.ts). */
  shard?: ShardSpec;
}

/** Run a validated scenario and write its run folder; returns the sweep's outcome and the report files written. */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<SweepOutcome & { reports: WrittenReport[] }> {
  // Read the run to resume first: a wrong folder is reported before models are read or meters probed.
  const previous = options.resumeDir ? await readRunToResume(options.resumeDir) : null;
  // The plan first: a provider pinned outside the devices (`--gpus`) is reported before models are prepared.
  let plan = expandPlan(scenario);
  let shard: { index: number; count: number; keys: string[] } | undefined;
  if (options.shard) {
    plan = selectShard(plan, scenario.stopping, options.shard).configs;
    shard = { ...options.shard, keys: plan.map((config) => config.key) };
  }
  const models = await prepareModels(scenario, options.naming, { toolVersion: options.toolVersion, ...(options.onPrepare ? { onEvent: options.onPrepare } : {}) });
  await options.onPlanned?.(plan);
  const { meters, choices } = await resolveMeters(scenario.meters, {
    cpuTdpWatts: scenario.cpuTdpWatts,
    baseDir: process.cwd(),
    gpus: scenario.devices,
    ...(options.meterSettings ? { settings: options.meterSettings } : {}),
  });
  let resume;
  if (previous && options.resumeDir) {
    const scenarioSha256 = scenario.file ? createHash('sha256').update(await readFile(scenario.file)).digest('hex') : null;
    const planned = planResume({ runDir: options.resumeDir, previous, scenario, scenarioSha256, plan, models, meters, environment: await captureEnvironment() });
    resume = planned.state;
    options.onResume?.(plan.length - planned.remaining.length, plan.length, planned.remaining.length);
    plan = planned.remaining;
    await removeStaleTempFiles(options.resumeDir);
  }
  options.onMeters?.(choices, meters.some((meter) => meter.info.estimated));
  const outcome = await runSweep({
    scenario, plan, models, meters, meterChoices: choices, toolVersion: options.toolVersion,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}), ...(options.signal ? { signal: options.signal } : {}),
    ...(options.emergency ? { emergency: options.emergency } : {}), ...(resume ? { resume } : {}),
    isolate: options.isolate ?? true, configTimeoutS: options.configTimeoutS ?? null, ...(shard ? { shard } : {}),
  });
  const reports = options.reports !== false ? await writeReports(analyseRuns([outcome.result]), outcome.runDir) : [];
  return { ...outcome, reports };
}
