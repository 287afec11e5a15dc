// The shape every built-in model shares; re-exported from ./index.js.
import type { ElemType } from '../../onnx/builder.js';

/** A built-in model: what it feeds on and how to build its ONNX bytes (identical on every call). */
export interface ZooModel {
  name: string;
  description: string;
  /** input name → dims with 'N' for batch */
  inputs: Record<string, { elemType: ElemType; dims: (number | 'N')[] }>;
  build(): Uint8Array;
}
