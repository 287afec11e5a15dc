// `--resume RUN_DIR`: pick up an interrupted (or killed) run where it stopped. Only configurations with a record in
// result.json are finished; the one in flight when the run stopped has none and is re-run whole, never stitched.
// Resuming is refused when the scenario, a model file, the host or the meters differ from the run's: the numbers
// of the two halves would not be comparable.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { PowerMeter } from '../power/types.js';
import { readResultFile } from '../results/read.js';
import type { Environment, Measurement, RunResult } from '../results/types.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import type { PreparedModel } from './prepare.js';

/** What runSweep needs to append to an existing run. */
export interface ResumeState {
  runDir: string;
  /** The run as it was on disk, minus records that must be measured again. */
  result: RunResult;
  /** Every key of the full plan, in plan order (the result's measurements are kept in this order). */
  planKeys: string[];
}

// Records that do not count as finished: the run stopped under them (a meter died), so they are measured again.
const rerunCodes = new Set(['METER_FAILED', 'INTERRUPTED']);

const hint = (runDir: string) => `resume with the same scenario, flags and models on the same machine, or start a new run (drop --resume ${runDir})`;

function mismatch(runDir: string, what: string): InputError {
  return new InputError('RESUME_MISMATCH', `cannot resume ${runDir}: ${what}`, { hint: hint(runDir) });
}

/** Read RUN_DIR/result.json as a run to resume; throws InputError naming the folder when it is not one. */
export async function readRunToResume(runDir: string): Promise<RunResult> {
  let result: RunResult;
  try {
    result = await readResultFile(path.join(runDir, 'result.json'));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const notThere = error.code === 'RESULT_NOT_FOUND';
    throw new InputError('RESUME_NOT_A_RUN', `--resume ${runDir}: ${notThere ? 'no result.json in this folder' : error.message}`, {
      hint: notThere ? 'give the run folder that `joulebench run` printed (results/<runId>), the one holding result.json' : error.hint,
      cause: error,
    });
  }
  if (result.status === 'complete') {
    throw new InputError('RESUME_COMPLETE', `--resume ${runDir}: the run is complete; there is nothing left to measure`, {
      hint: 'start a new run to measure again',
    });
  }
  return result;
}

// The scenario as it decides what is measured: everything but where the run folder goes.
function comparable(scenario: unknown): string {
  const { outDir: _outDir, ...rest } = (scenario ?? {}) as Record<string, unknown>;
  return JSON.stringify(rest);
}

function hostFacts(environment: Environment): Record<string, unknown> {
  const { host, accelerators } = environment;
  return {
    hostname: host.hostname,
    os: host.os,
    arch: host.arch,
    'cpu model': host.cpu.model,
    'logical CPUs': host.cpu.cores,
    'memory bytes': host.memoryBytes,
    accelerators: accelerators.map((a) => `${a.vendor} ${a.name}`).join(', '),
  };
}

/**
 * Check that a run can be resumed with this scenario, these models, this host and these meters, and return what is
 * left to measure. Throws InputError (RESUME_MISMATCH) naming the first difference.
 */
export function planResume(input: {
  runDir: string;
  previous: RunResult;
  scenario: Scenario;
  scenarioSha256: string | null;
  plan: PlannedConfig[];
  models: PreparedModel[];
  meters: PowerMeter[];
  environment: Environment;
}): { state: ResumeState; remaining: PlannedConfig[] } {
  const { runDir, previous, scenario, plan } = input;
  if (previous.scenario.sha256 !== null && input.scenarioSha256 !== null && previous.scenario.sha256 !== input.scenarioSha256) {
    throw mismatch(runDir, `the scenario file changed since the run (sha256 ${previous.scenario.sha256.slice(0, 12)}… then, ${input.scenarioSha256.slice(0, 12)}… now)`);
  }
  if (comparable(previous.scenario.resolved) !== comparable(scenario)) {
    throw mismatch(runDir, 'the scenario (or the flags that set it: --quick, --meter, --batch, …) differs from the run\'s');
  }
  const then = hostFacts(previous.environment);
  const now = hostFacts(input.environment);
  for (const [fact, value] of Object.entries(now)) {
    if (JSON.stringify(then[fact]) !== JSON.stringify(value)) {
      throw mismatch(runDir, `the run was measured on another machine (${fact}: ${JSON.stringify(then[fact])} then, ${JSON.stringify(value)} now)`);
    }
  }
  const meterIds = (list: Array<{ id: string }>) => list.map((m) => m.id).sort().join(', ');
  if (meterIds(previous.meters) !== meterIds(input.meters.map((m) => m.info))) {
    throw mismatch(runDir, `the meters differ (${meterIds(previous.meters) || 'none'} then, ${meterIds(input.meters.map((m) => m.info)) || 'none'} now)`);
  }
  for (const measurement of previous.measurements) {
    if (!measurement.model.sha256) continue;
    const variant = input.models.find((model) => model.spec.name === measurement.model.name)?.variants[measurement.model.precision];
    if (variant && variant.info.sha256 !== measurement.model.sha256) {
      throw mismatch(
        runDir,
        `model ${measurement.model.name} (${measurement.model.precision}) changed since the run: ${variant.path} has sha256 ${variant.info.sha256.slice(0, 12)}…, the run measured ${measurement.model.sha256.slice(0, 12)}…`,
      );
    }
  }
  const planKeys = plan.map((config) => config.key);
  // Finished = has a record that is not to be re-run; one record per key (the last, should a file hold two).
  const finished = new Map<string, Measurement>();
  for (const measurement of previous.measurements) {
    if (!planKeys.includes(measurement.key)) throw mismatch(runDir, `the run has a configuration (${measurement.key}) this scenario does not plan`);
    if (measurement.status === 'failed' && rerunCodes.has(measurement.error?.code ?? '')) finished.delete(measurement.key);
    else finished.set(measurement.key, measurement);
  }
  const result: RunResult = {
    ...previous,
    status: 'running',
    stopReason: null,
    finishedAt: null,
    measurements: planKeys.flatMap((key) => (finished.has(key) ? [finished.get(key)!] : [])),
    resumedAt: [...(previous.resumedAt ?? []), new Date().toISOString()],
  };
  return { state: { runDir, result, planKeys }, remaining: plan.filter((config) => !finished.has(config.key)) };
}

/** Remove temp files a killed run left behind (`.result.json.<pid>.<n>.tmp`, the same for traces). */
export async function removeStaleTempFiles(runDir: string): Promise<void> {
  for (const dir of [runDir, path.join(runDir, 'traces')]) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries) if (/^\..+\.\d+\.\d+\.tmp$/.test(name)) await rm(path.join(dir, name), { force: true });
  }
}
