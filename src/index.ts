// joulebench as a library: load a scenario, prepare its models, pick meters, run the sweep, render reports.
export { ExitCode, InputError, JoulebenchError, MeterError, ModelError, RuntimeFailure } from './errors.js';
export { loadScenarioFile, parseScenarioYaml } from './scenario/load.js';
export { parseScenario, scenarioDefaults } from './scenario/schema.js';
export { expandPlan } from './scenario/expand.js';
export type { ModelSpec, PlannedConfig, Precision, Scenario } from './scenario/types.js';
export { inspectModelFile, describeModel, type ModelInfo } from './model/inspect.js';
export { resolveBatchLayout, type BatchLayout, type InputLayout } from './model/batch-axis.js';
export { ensureBuiltinModel, buildAllBuiltinModels } from './model/builtin.js';
export { zoo, zooNames } from './model/zoo/index.js';
export { prepareModels, scenarioNaming } from './measure/prepare.js';
export { runSweep, type SweepEvent, type SweepOptions, type SweepOutcome } from './measure/sweep.js';
export { meterRegistry, resolveMeters } from './power/registry.js';
export { integrateEnergy } from './power/integrate.js';
export type { MeterFactory, MeterInfo, PowerMeter, PowerSample } from './power/types.js';
export { executionProviders, registerExecutionProvider } from './runtime/providers/registry.js';
export { reportFormats, writeReports } from './report/formats.js';
export type { Measurement, RunResult } from './results/types.js';
