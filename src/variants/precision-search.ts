// What a mixed-precision search found: recorded in the variant's sidecar and result.json's conversion. Its own module
// so that make.ts (which records it) and mixed-precision.ts (which runs the search and makes variants) do not import each other.

/** A node the search kept in FP32 (FP16) or left out of quantization (INT8), and why. */
export interface KeptNode {
  node: string;
  op: string;
  /** "sensitive op: Exp", "feeds Softmax", "variance pattern (LayerNorm)", "produces a graph output", "bisection". */
  reason: string;
}

/** What the search found and what it cost (recorded in the variant sidecar and result.json's conversion). */
export interface PrecisionSearch {
  /** fp16: nodes kept in FP32; int8-static: nodes excluded from quantization. */
  kind: 'fp16-keep-fp32' | 'int8-exclude';
  /** True when the returned set met the bound (false: no set short of every candidate — the FP32 model — did). */
  met: boolean;
  kept: KeptNode[];
  /** Nodes the search could choose from (n in the bound). */
  candidates: number;
  /** Fidelity checks spent, counting the plain variant's, and the most allowed: ⌊2·log2(n)⌋ + 5. */
  evaluations: number;
  budget: number;
  seconds: number;
  /** The bound the search aimed at. */
  bound: string;
}
