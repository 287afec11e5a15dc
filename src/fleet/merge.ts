// `joulebench merge`: shards' results → one ranking per machine. Same machine class (fingerprint): pooled, the
// recommendation recomputed over every configuration; different machines: one pooled result each, side by side.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { recommend } from '../results/recommend.js';
import type { MergeRecord, RunFingerprint, RunResult } from '../results/types.js';
import { expandPlan } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import { defaultEquivalencePercent } from '../stats/interval.js';
import { fingerprintOfResult } from './fingerprint.js';
import type { MergeInput } from './inputs.js';
import { planShards } from './shards.js';

/** One machine's pooled result. */
export interface MachineMerge {
  fingerprint: RunFingerprint;
  result: RunResult;
  /** The inputs whose measurements it holds (their run folders hold the traces). */
  used: MergeInput[];
}

/** What merging gives: one pooled result per machine class, and what is missing. */
export interface MergeOutcome {
  machines: MachineMerge[];
  /** Inputs left out (a merge output, a retried shard's older result), in words. */
  notes: string[];
  /** true when every machine has every shard and configuration. */
  complete: boolean;
}

interface Candidate extends MergeInput {
  shard: number;
  fingerprint: RunFingerprint;
}

/** Merge results of one scenario's shards (see the file comment). Throws InputError on inputs that cannot go together. */
export function mergeResults(inputs: MergeInput[]): MergeOutcome {
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  for (const input of inputs) {
    if (input.result.merge) {
      notes.push(`${input.file}: a merge output, left out (its inputs are merged instead)`);
      continue;
    }
    candidates.push({ ...input, shard: input.result.shard?.index ?? 0, fingerprint: fingerprintOfResult(input.result) });
  }
  if (candidates.length === 0) {
    throw new InputError('MERGE_NOTHING', 'merge: every input is itself a merge output; nothing to merge', { hint: 'give the shards\' run folders' });
  }
  checkSameScenario(candidates);
  const count = shardCountOf(candidates);
  const byMachine = new Map<string, Candidate[]>();
  for (const candidate of candidates) byMachine.set(candidate.fingerprint.machineSha256, [...(byMachine.get(candidate.fingerprint.machineSha256) ?? []), candidate]);
  const machines = [...byMachine.values()].map((group) => mergeMachine(group, count, notes));
  machines.sort((a, b) => a.result.runId.localeCompare(b.result.runId));
  return { machines, notes, complete: machines.every((machine) => machine.result.status === 'complete') };
}

function checkSameScenario(candidates: Candidate[]): void {
  const first = candidates[0]!;
  const other = candidates.find((candidate) => candidate.result.scenario.sha256 !== first.result.scenario.sha256);
  if (other) {
    const sha = (c: Candidate) => (c.result.scenario.sha256 ? `sha256 ${c.result.scenario.sha256.slice(0, 12)}…` : 'no scenario file');
    throw new InputError('MERGE_SCENARIO_MISMATCH', `merge: ${first.file} (${sha(first)}) and ${other.file} (${sha(other)}) ran different scenarios; nothing was merged or written`, {
      hint: 'merge only the shards of one scenario file (results of another scenario belong in their own merge, or side by side with joulebench report)',
    });
  }
}

function shardCountOf(candidates: Candidate[]): number {
  const counts = [...new Set(candidates.map((candidate) => candidate.result.shard?.count ?? 1))];
  if (counts.length > 1) {
    const example = (count: number) => candidates.find((c) => (c.result.shard?.count ?? 1) === count)!.file;
    throw new InputError('MERGE_SHARD_COUNT_MISMATCH', `merge: the inputs were cut into different numbers of shards (${counts.map((count) => `${count} in ${example(count)}`).join('; ')}); nothing was merged or written`, {
      hint: 'merge the shards of one --shard I/N sweep (an unsharded run counts as 1 shard)',
    });
  }
  return counts[0]!;
}

// The scenario as run: its plan, and each shard's keys, from the newest input's resolved scenario.
function expectedShards(newest: RunResult, count: number): Array<{ index: number; keys: string[] }> | null {
  try {
    const scenario = newest.scenario.resolved as Scenario;
    return planShards(expandPlan(scenario), scenario.stopping, count).shards;
  } catch {
    // A result from an older or hand-edited scenario the current expansion cannot read: use what the shards recorded.
    return null;
  }
}

function newestFirst(a: Candidate, b: Candidate): number {
  return b.result.createdAt.localeCompare(a.result.createdAt) || a.file.localeCompare(b.file);
}

// Per shard index the newest complete result, else the newest; every other result with why it was left out.
function newestCompletePerShard(sorted: Candidate[]): { chosen: Map<number, Candidate>; why: Map<Candidate, string> } {
  const chosen = new Map<number, Candidate>();
  const why = new Map<Candidate, string>();
  for (const candidate of sorted) {
    const held = chosen.get(candidate.shard);
    if (!held) chosen.set(candidate.shard, candidate);
    else if (held.result.status !== 'complete' && candidate.result.status === 'complete') {
      why.set(held, `shard ${candidate.shard}: not complete (${held.result.status}); ${candidate.result.runId} is`);
      chosen.set(candidate.shard, candidate);
    } else why.set(candidate, `shard ${candidate.shard}: superseded by ${held.result.runId} (a newer${held.result.status === 'complete' ? ' complete' : ''} result of the same shard)`);
  }
  return { chosen, why };
}

// A shard run with other flags than the rest measured other configurations than the plan gives it.
function checkShardPlans(chosen: Iterable<Candidate>, expected: Array<{ keys: string[] }> | null, count: number): void {
  for (const candidate of chosen) {
    const keys = expected?.[candidate.shard]?.keys;
    const recorded = candidate.result.shard?.keys;
    if (keys && recorded && (keys.length !== recorded.length || keys.some((key, i) => key !== recorded[i]))) {
      throw new InputError('MERGE_SHARD_PLAN_MISMATCH', `merge: ${candidate.file}: shard ${candidate.shard}/${count} measured other configurations than the newest result's scenario gives it (${recorded.length} vs ${keys.length}); nothing was merged or written`, {
        hint: 'run every shard with the same flags (--quick, stopping, --gpus change the plan)',
      });
    }
  }
}

// One machine: per shard the newest complete result (else the newest, named), pooled in plan order.
function mergeMachine(group: Candidate[], count: number, notes: string[]): MachineMerge {
  const sorted = [...group].sort(newestFirst);
  const expected = expectedShards(sorted[0]!.result, count);
  const { chosen, why } = newestCompletePerShard(sorted);
  checkShardPlans(chosen.values(), expected, count);
  const used = [...chosen.values()].sort((a, b) => a.shard - b.shard);
  for (const candidate of used) if (candidate.result.status !== 'complete') notes.push(`${candidate.file}: shard ${candidate.shard} is ${candidate.result.status} and has no complete retry; its finished configurations are merged`);
  for (const [candidate, reason] of why) notes.push(`${candidate.file}: left out — ${reason}`);

  const planKeys = expected ? expected.flatMap((shard) => shard.keys) : used.flatMap((c) => c.result.shard?.keys ?? c.result.measurements.map((m) => m.key));
  const nonEmpty = expected ? expected.filter((shard) => shard.keys.length > 0).map((shard) => shard.index) : Array.from({ length: count }, (_, i) => i);
  const missingShards = nonEmpty.filter((index) => !chosen.has(index));
  const rank = new Map(planKeys.map((key, i) => [key, i]));
  const measurements = used.flatMap((c) => c.result.measurements).sort((a, b) => (rank.get(a.key) ?? Infinity) - (rank.get(b.key) ?? Infinity));
  const measured = new Set(measurements.map((m) => m.key));
  const missingConfigurations = planKeys.filter((key) => !measured.has(key));
  const merge: MergeRecord = {
    shardCount: count,
    inputs: [...group].sort((a, b) => a.shard - b.shard || newestFirst(a, b)).map((c) => ({
      path: c.file, runId: c.result.runId, shard: c.result.shard?.index ?? null, host: c.fingerprint.host, createdAt: c.result.createdAt,
      status: c.result.status, used: !why.has(c), why: why.get(c) ?? null,
    })),
    missingShards,
    missingConfigurations,
    idleByShard: used.map((c) => ({ shard: c.shard, runId: c.result.runId, watts: c.result.idle?.watts ?? {} })),
  };
  const result = pooledResult(used, measurements, merge);
  return { fingerprint: used[used.length - 1]!.fingerprint, result, used };
}

function pooledResult(used: Candidate[], measurements: RunResult['measurements'], merge: MergeRecord): RunResult {
  const first = used[0]!.result;
  const newest = [...used].sort(newestFirst)[0]!.result;
  const scenario = newest.scenario.resolved as Partial<Scenario> | null;
  const equivalence = scenario?.stopping?.rule === 'race' ? scenario.stopping.equivalencePercent : defaultEquivalencePercent;
  const sloP99Ms = scenario?.slo?.p99Ms ?? null;
  const complete = merge.missingShards.length === 0 && merge.missingConfigurations.length === 0 && used.every((c) => c.result.status === 'complete');
  const finished = used.map((c) => c.result.finishedAt);
  const name = String(scenario?.name ?? 'run').replace(/[^A-Za-z0-9._-]/g, '_');
  const identity = createHash('sha256').update(used.map((c) => c.result.runId).join('\n')).digest('hex').slice(0, 8);
  const prefixed = (c: Candidate, lines: string[] | undefined) => (lines ?? []).map((line) => (used.length > 1 ? `shard ${c.shard}: ${line}` : line));
  const carbon = { ...first.carbon };
  if (used.length > 1) delete carbon.hourly;
  const meters: RunResult['meters'] = [];
  for (const c of used) for (const meter of c.result.meters) if (!meters.some((m) => m.id === meter.id)) meters.push(meter);
  const stopReason = complete ? null : [
    merge.missingShards.length > 0 ? `missing shard${merge.missingShards.length > 1 ? 's' : ''} ${merge.missingShards.join(', ')} of ${merge.shardCount}` : '',
    merge.missingConfigurations.length > 0 ? `${merge.missingConfigurations.length} configuration(s) not measured: ${merge.missingConfigurations.join(', ')}` : '',
    ...used.filter((c) => c.result.status !== 'complete').map((c) => `shard ${c.shard} ${c.result.status}${c.result.stopReason ? ` (${c.result.stopReason})` : ''}`),
  ].filter(Boolean).join('; ');
  const scheduleNotes = used.flatMap((c) => prefixed(c, c.result.scheduleNotes));
  const meterWarnings = used.flatMap((c) => prefixed(c, c.result.meterWarnings));
  const idle = first.idle ? { ...first.idle, warnings: [...used.flatMap((c) => prefixed(c, c.result.idle?.warnings)), ...(used.length > 1 ? ['each shard measured its own idle baseline and its configurations subtract their own (merge.idleByShard); idle here is the first shard\'s'] : [])] } : null;
  return {
    schema: first.schema,
    runId: `merged-${name}-${identity}`,
    createdAt: used.map((c) => c.result.createdAt).sort()[0]!,
    finishedAt: finished.some((t) => t === null) ? null : (finished as string[]).sort().at(-1)!,
    status: complete ? 'complete' : 'interrupted',
    stopReason,
    tool: newest.tool,
    scenario: newest.scenario,
    environment: newest.environment,
    fingerprint: fingerprintOfResult(newest),
    meters,
    meterSelection: newest.meterSelection,
    ...(meterWarnings.length > 0 ? { meterWarnings } : {}),
    idle,
    carbon,
    measurements,
    ...(scheduleNotes.length > 0 ? { scheduleNotes } : {}),
    recommendations: recommend(measurements, sloP99Ms, undefined, equivalence),
    merge,
  };
}
