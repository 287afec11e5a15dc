// The shape vocabulary shared by the model reader, the scenario and the runtime: what a model declares and what a
// user overrides. It sits in onnx/ so that none of those layers imports another for a type.

/** One dimension as the model declares it. */
export type ModelDim = { kind: 'fixed'; size: number } | { kind: 'symbolic'; name: string } | { kind: 'unknown' };

/** A graph input or output. */
export interface TensorInfo {
  name: string;
  /** `float32`, `float16`, `int64`, … (`unsupported:<n>` for types joulebench cannot synthesise). */
  elemType: string;
  /** null when the model declares no shape at all. */
  dims: ModelDim[] | null;
}

/** What batch-axis detection and feed synthesis need from an inspected model. */
export interface GraphSignature {
  inputs: TensorInfo[];
  /** For integer inputs used as Gather indices into a constant table: the table's size (valid ids are [0, bound)). */
  indexBounds: Record<string, number>;
}

/** One dimension of an input shape as the user gives it: a size, or 'N' for the batch size. */
export type DimSpec = number | 'N';

/** Per-input settings for one model. */
export interface InputSpec {
  /** Full shape with 'N' where the batch goes (overrides batch-axis detection and fixes symbolic dims). */
  shape?: DimSpec[];
  /** Fill the input with this value instead of synthesising it (scalar or filled tensor). */
  feed?: number;
  /** Synthesise integers in [lo, hi) for integer inputs. */
  range?: [number, number];
}
