// Names of the built-in models (src/model/zoo builds them); a scenario may name these instead of a file.
import { isZooName, zooNames, type ZooName } from '../model/zoo/index.js';

/** Built-in model names a scenario's `model:` may use instead of a path. */
export const builtinModelNames: readonly ZooName[] = zooNames;
export type BuiltinModelName = ZooName;

/** True when `value` is the bare name of a built-in model. */
export const isBuiltinModelName: (value: string) => value is BuiltinModelName = isZooName;
