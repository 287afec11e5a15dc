// Names of the built-in models (src/model/zoo builds them); a scenario may name these instead of a file.

/** Built-in model names a scenario's `model:` may use instead of a path. */
export const builtinModelNames = ['mlp', 'cnn', 'transformer'] as const;
export type BuiltinModelName = (typeof builtinModelNames)[number];

/** True when `value` is the bare name of a built-in model. */
export function isBuiltinModelName(value: string): value is BuiltinModelName {
  return (builtinModelNames as readonly string[]).includes(value);
}
