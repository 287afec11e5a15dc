// The CLI: parse the command, call the library, turn errors into one clear message and an exit code.
import { ExitCode, JoulebenchError, type ExitCodeValue } from '../errors.js';
import { joinNegativeValues } from './args.js';
import { benchCommand, benchHelp } from './bench.js';
import { compareCommand, compareHelp } from './compare.js';
import { devicesCommand, devicesHelp } from './devices.js';
import { historyCommand, historyHelp } from './history.js';
import { initCommand, initHelp } from './init.js';
import { inspectCommand, inspectHelp } from './inspect.js';
import { loadCommand, loadHelp } from './load.js';
import { mergeCommand, mergeHelp } from './merge.js';
import { modelsCommand, modelsHelp } from './models.js';
import { planCommand, planHelp } from './plan.js';
import { applyOrtLogLevel } from '../onnx/ort-logging.js';
import { reportCommand, reportHelp } from './report.js';
import { runCommand, runHelp } from './run.js';
import { variantsCommand, variantsHelp } from './variants.js';
import { closest } from '../common/suggest.js';
import { toolVersion } from './version.js';

const commands: Record<string, { run: (argv: string[]) => Promise<ExitCodeValue>; help: string }> = {
  init: { run: initCommand, help: initHelp },
  run: { run: runCommand, help: runHelp },
  bench: { run: benchCommand, help: benchHelp },
  inspect: { run: inspectCommand, help: inspectHelp },
  devices: { run: devicesCommand, help: devicesHelp },
  models: { run: modelsCommand, help: modelsHelp },
  report: { run: reportCommand, help: reportHelp },
  compare: { run: compareCommand, help: compareHelp },
  history: { run: historyCommand, help: historyHelp },
  variants: { run: variantsCommand, help: variantsHelp },
  plan: { run: planCommand, help: planHelp },
  merge: { run: mergeCommand, help: mergeHelp },
  load: { run: loadCommand, help: loadHelp },
};

const usage = `joulebench — which precision and batch size gives the most ONNX inferences per joule on this machine

usage: joulebench <command> [options]

  init <model|builtin>       write a commented scenario for a model, with the shapes it needs (-o FILE)
  run <scenario.yaml>        run a scenario file (try: joulebench run scenarios/quick.yaml; --dry-run: the plan)
  bench <model|builtin>      sweep one model from flags (try: joulebench bench mlp --batch 1,8,32)
  inspect <model|builtin>    inputs, outputs, symbolic dims, batch axis, ops, parameters, FLOPs
  variants <model|builtin>   make FP16/INT8 variants and measure their fidelity to FP32
  load <model|builtin>       energy per request under load: request rates, dynamic batching, idle (docs/load.md)
  devices                    execution providers, accelerators, power meters here
  models build|list          build the built-in models (mlp, cnn, transformer)
  report <result.json>…      re-render a run's report.md, report.html (charts), measurements.csv and charts/*.png;
                             several runs (one per machine): one side-by-side comparison with procurement costs
  compare <base> <cand>      regression gate: compare two result.json files (exit 1 on a regression)
  history <DIR>              trends and change points of the runs recorded with --history DIR
  plan <scenario> --shards N which configurations each of N shards runs (run --shard I/N; docs/fleet.md)
  merge <run dirs…> --out D  join a sharded sweep's run folders: one ranking per machine, every report

  --verbose                  with any command: also show onnxruntime's own log lines (provider load failures,
                             warnings), which are hidden otherwise

exit codes: 0 ok, 1 a gate failed, 2 bad input or usage, 3 runtime failure, 130 interrupted
joulebench <command> --help for a command's options`;

/** Run the CLI with arguments (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // CUDA numbers GPUs fastest-first by default; nvidia-smi and NVML use PCI bus order. Make cuda:N mean the same
  // GPU to the execution provider and to the power meter (set before any CUDA library initialises).
  process.env.CUDA_DEVICE_ORDER ??= 'PCI_BUS_ID';
  // `--verbose` anywhere: onnxruntime's own log lines (warnings and errors) are shown; isolated workers inherit it.
  if (argv.includes('--verbose')) {
    process.env.JOULEBENCH_VERBOSE = '1';
    argv = argv.filter((arg) => arg !== '--verbose');
  }
  applyOrtLogLevel();
  const [name, ...rest] = argv;
  const topic = name === 'help' && rest[0] !== undefined ? commands[rest[0]] : undefined;
  if (topic) {
    process.stdout.write(`${topic.help}\n`);
    return ExitCode.ok;
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? ExitCode.badInput : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${toolVersion()}\n`);
    return ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    const suggestion = closest(name, Object.keys(commands));
    process.stderr.write(suggestion
      ? `joulebench: unknown command "${name}" — did you mean "${suggestion}"?\n  fix: joulebench ${suggestion} ${argv.slice(1).join(' ')}`.trimEnd() + '\n'
      : `joulebench: unknown command "${name}"\n  fix: one of ${Object.keys(commands).join(', ')}; joulebench --help describes each\n`);
    return ExitCode.badInput;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${command.help}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(joinNegativeValues(rest));
  } catch (error) {
    if (error instanceof JoulebenchError) {
      process.stderr.write(`joulebench: ${error.message}\n${error.hint ? `  fix: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    process.stderr.write(`joulebench: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.runtimeFailure;
  }
}
