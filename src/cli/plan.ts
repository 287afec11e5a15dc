// `joulebench plan <scenario.yaml> --shards N`: which configurations each shard of a fleet run measures.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { parseShardCount, planShards, type ShardPlan } from '../fleet/shards.js';
import { expandPlan } from '../scenario/expand.js';
import { withUsage } from './args.js';
import { scenarioWithFlags } from './run.js';
import { scenarioFlagHelp, scenarioFlagOptions } from './scenario-flags.js';

/** Help text for `plan`. */
export const planHelp = `joulebench plan <scenario.yaml> --shards N [options]

Print which configurations each of N shards measures (joulebench run <scenario.yaml> --shard I/N, I from 0).
Whole models go to one shard each, largest first, so a model's decision is made on one machine; with fewer models
than shards and a scenario that does not race, models are cut by execution provider. The plan is the same every
time while the scenario is unchanged. docs/fleet.md: Slurm job arrays, Kubernetes Indexed Jobs, merge.

  --shards N             how many shards (1 to 10000)
  --json                 the plan as JSON
  -h, --help             this help

Give the same flags as every shard's \`run\`: --quick (fixed repetitions, so models may be cut by provider) and the
scenario overrides below change the plan.
  --quick                the plan of \`run --quick\`
${scenarioFlagHelp('run', 25)}`;

/** The plan as text: one block per shard. */
export function renderShardPlan(shardPlan: ShardPlan, total: number): string {
  const lines = [`${total} configuration(s) in ${shardPlan.count} shard(s), cut by ${shardPlan.unit === 'model' ? 'model' : '(model, execution provider)'}`];
  if (shardPlan.note) lines.push(`note: ${shardPlan.note}`);
  for (const shard of shardPlan.shards) {
    lines.push('', `shard ${shard.index}/${shardPlan.count}: ${shard.keys.length === 0 ? 'nothing to run' : `${shard.keys.length} configuration(s) of ${shard.units.join(', ')}`}`);
    for (const key of shard.keys) lines.push(`  ${key}`);
  }
  return lines.join('\n');
}

/** Entry point of `plan`. */
export async function planCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('plan', planHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { shards: { type: 'string' }, quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, ...scenarioFlagOptions('run') },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `plan: expected one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, { hint: 'joulebench plan scenarios/quick.yaml --shards 4' });
  }
  if (values.shards === undefined) throw new InputError('USAGE', 'plan: --shards N is required', { hint: `joulebench plan ${positionals[0]} --shards 4` });
  const count = parseShardCount('--shards', values.shards);
  // The scenario exactly as `run` with these flags reads it (src/cli/run.ts), so the plan is the one the shards run.
  const scenario = await scenarioWithFlags(path.resolve(positionals[0]!), values);
  const plan = expandPlan(scenario);
  const shardPlan = planShards(plan, scenario.stopping, count);
  process.stdout.write(values.json ? `${JSON.stringify(shardPlan, null, 2)}\n` : `${renderShardPlan(shardPlan, plan.length)}\n`);
  return ExitCode.ok;
}
