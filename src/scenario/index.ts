// Public surface of scenario/: load and validate scenario files, expand them into a plan.
export { builtinModelNames, isBuiltinModelName, type BuiltinModelName } from './builtins.js';
export { expandPlan, labelProviders } from './expand.js';
export { loadScenarioFile, maxScenarioBytes, maxYamlAliasCount, parseScenarioYaml } from './load.js';
export {
  defaultModelName,
  isModelPath,
  labelPattern,
  parseScenario,
  scenarioDefaults,
  scenarioLimits,
} from './schema.js';
export * from './types.js';
