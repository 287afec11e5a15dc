// Shards of a sweep: which configurations each of N machines (a Slurm array task, a Kubernetes Indexed Job pod)
// runs. A model's competing configurations stay together, so its decision is made on one machine.
import { InputError } from '../errors.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';

/** Which shard of how many (0-based index, as Slurm's `--array=0-3` and an Indexed Job's completion index count). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** What a shard is cut along: whole models, or (model, execution provider) groups when models are too few. */
export type ShardUnit = 'model' | 'model-ep';

/** One shard's part of the plan. */
export interface Shard {
  index: number;
  /** The models (or model/EP groups) it runs, in plan order. */
  units: string[];
  /** Its configuration keys, in plan order. */
  keys: string[];
}

/** The whole assignment. */
export interface ShardPlan {
  count: number;
  unit: ShardUnit;
  shards: Shard[];
  /** Indices of shards with nothing to run. */
  empty: number[];
  /** Why the plan is cut as it is (fewer models than shards), in words; null when every shard has work. */
  note: string | null;
}

/** Upper bound on `--shards N` / `--shard I/N`: more shards than this is a typo, not a fleet. */
export const maxShards = 10_000;

/** Environment variables `--shard auto/N` reads, in order: Slurm job arrays, then Kubernetes Indexed Jobs. */
export const shardIndexVariables = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

/** A shard count (`--shards N`, the N of `--shard I/N`): an integer from 1 to maxShards. */
export function parseShardCount(flag: string, text: string): number {
  const count = Number(text.trim());
  if (!/^-?\d+$/.test(text.trim()) || count < 1 || count > maxShards) {
    throw new InputError('SHARD_COUNT_INVALID', `${flag}: the number of shards must be an integer from 1 to ${maxShards}, got "${text}"`, {
      hint: `${flag === '--shards' ? '--shards 4' : '--shard 0/4'} splits the sweep in four`,
    });
  }
  return count;
}

/**
 * `--shard I/N` or `--shard auto/N` (I from SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX). I counts from 0.
 */
export function parseShardSpec(text: string, env: NodeJS.ProcessEnv = process.env): ShardSpec {
  const match = /^\s*([^/]+)\/([^/]+)\s*$/.exec(text);
  if (!match) {
    throw new InputError('SHARD_INVALID', `--shard: expected I/N (shard I of N, I from 0) or auto/N, got "${text}"`, { hint: '--shard 0/4 … --shard 3/4, or --shard auto/4 in a Slurm job array or an Indexed Job' });
  }
  const count = parseShardCount('--shard', match[2]!);
  let indexText = match[1]!.trim();
  let from = '';
  if (indexText === 'auto') {
    const variable = shardIndexVariables.find((name) => env[name] !== undefined && env[name]!.trim() !== '');
    if (!variable) {
      throw new InputError('SHARD_INDEX_UNSET', `--shard auto/${count}: neither ${shardIndexVariables.join(' nor ')} is set, so the shard index is unknown`, {
        hint: `run it as a Slurm array task (sbatch --array=0-${count - 1}) or in an Indexed Job (completionMode: Indexed), or give the index: --shard 0/${count}`,
      });
    }
    indexText = env[variable]!.trim();
    from = ` (${variable}=${indexText})`;
  }
  const index = Number(indexText);
  if (!/^-?\d+$/.test(indexText) || index < 0 || index >= count) {
    throw new InputError('SHARD_OUT_OF_RANGE', `--shard ${match[1]!.trim()}/${count}${from}: the shard index must be an integer from 0 to ${count - 1}, got "${indexText}"`, {
      hint: count === 1 ? '--shard 0/1 is the only shard of one' : `shards of ${count} are numbered 0 to ${count - 1} (sbatch --array=0-${count - 1})`,
    });
  }
  return { index, count };
}

// The EP part of a configuration: its group key less the model name and the precision (`cuda:0`, `cpu/t4` → cpu).
function providerLabelOf(config: PlannedConfig): string {
  return config.groupKey.slice(config.model.name.length + 1).split('/')[1] ?? '';
}

function unitsOf(plan: PlannedConfig[], unit: ShardUnit): Array<{ name: string; keys: string[]; first: number }> {
  const units = new Map<string, { name: string; keys: string[]; first: number }>();
  plan.forEach((config, i) => {
    const name = unit === 'model' ? config.model.name : `${config.model.name}/${providerLabelOf(config)}`;
    const entry = units.get(name) ?? { name, keys: [], first: i };
    entry.keys.push(config.key);
    units.set(name, entry);
  });
  return [...units.values()];
}

/**
 * Cut a plan into `count` shards. Units are whole models; only when there are fewer models than shards and the
 * scenario does not race (a race decides among all of a model's configurations together, in rounds on one machine) are
 * models cut into (model, EP) groups, whose configurations are each measured to their own stopping rule so the merge
 * can still rank them. Units go largest first (most configurations; ties by plan order) to the shard with the fewest
 * configurations so far (ties: the lowest index): deterministic, and the same while the scenario is unchanged.
 */
export function planShards(plan: PlannedConfig[], stopping: Scenario['stopping'], count: number): ShardPlan {
  const models = unitsOf(plan, 'model');
  const races = stopping?.rule === 'race';
  const groups = models.length < count && !races ? unitsOf(plan, 'model-ep') : models;
  // Cutting by provider only when it cuts something (one provider per model leaves the models whole).
  const unit: ShardUnit = groups.length > models.length ? 'model-ep' : 'model';
  const units = unit === 'model' ? models : groups;
  const shards: Array<Shard & { firsts: number[] }> = Array.from({ length: count }, (_, index) => ({ index, units: [], keys: [], firsts: [] }));
  const order = [...units].sort((a, b) => b.keys.length - a.keys.length || a.first - b.first);
  for (const entry of order) {
    const target = shards.reduce((best, shard) => (shard.keys.length < best.keys.length ? shard : best));
    target.units.push(entry.name);
    target.keys.push(...entry.keys);
    target.firsts.push(entry.first);
  }
  const rank = new Map(plan.map((config, i) => [config.key, i]));
  const out: Shard[] = shards.map((shard) => ({
    index: shard.index,
    units: shard.units.map((name, i) => ({ name, first: shard.firsts[i]! })).sort((a, b) => a.first - b.first).map((u) => u.name),
    keys: [...shard.keys].sort((a, b) => rank.get(a)! - rank.get(b)!),
  }));
  const empty = out.filter((shard) => shard.keys.length === 0).map((shard) => shard.index);
  return { count, unit, shards: out, empty, note: noteFor(unit, models.length, units.length, count, races, empty) };
}

function noteFor(unit: ShardUnit, models: number, units: number, count: number, races: boolean, empty: number[]): string | null {
  if (empty.length === 0) {
    return unit === 'model-ep' ? `${models} model(s) for ${count} shards: each model is cut by execution provider (${units} groups); the merge ranks each model's groups together` : null;
  }
  const why = unit === 'model'
    ? races
      ? `${models} model(s) for ${count} shards, and each model's configurations race together on one machine (stopping: race)`
      : `${models} model(s) for ${count} shards`
    : `${models} model(s) cut into ${units} (model, execution provider) groups for ${count} shards`;
  return `${why}: shard${empty.length > 1 ? 's' : ''} ${empty.join(', ')} ${empty.length > 1 ? 'have' : 'has'} nothing to run`;
}

/** The configurations shard `spec` runs, in plan order. */
export function selectShard(plan: PlannedConfig[], stopping: Scenario['stopping'], spec: ShardSpec): { configs: PlannedConfig[]; shardPlan: ShardPlan } {
  const shardPlan = planShards(plan, stopping, spec.count);
  const keys = new Set(shardPlan.shards[spec.index]!.keys);
  return { configs: plan.filter((config) => keys.has(config.key)), shardPlan };
}

/** Why shard `spec` has nothing to run, or null when it has configurations (`run --shard` then exits 0 at once). */
export function emptyShardMessage(plan: PlannedConfig[], stopping: Scenario['stopping'], spec: ShardSpec): string | null {
  const shardPlan = planShards(plan, stopping, spec.count);
  if (!shardPlan.empty.includes(spec.index)) return null;
  return `shard ${spec.index}/${spec.count} has nothing to run (${shardPlan.note}); no run folder is written and merge expects none`;
}
