// The built-in model zoo: models joulebench can benchmark without any file, by name.
import { cnn } from './cnn.js';
import { mlp } from './mlp.js';
import { transformer } from './transformer.js';
import type { ZooModel } from './types.js';

export type { ZooModel } from './types.js';

/** Every built-in model by name; adding one is one file and one line here. */
export const zoo = { mlp, cnn, transformer } satisfies Record<string, ZooModel>;

/** The name of a built-in model. */
export type ZooName = keyof typeof zoo;

/** The built-in model names, in registry order. */
export const zooNames: ZooName[] = Object.keys(zoo) as ZooName[];

/** Whether a string names a built-in model (rather than a model file). */
export function isZooName(name: string): name is ZooName {
  return Object.hasOwn(zoo, name);
}
