// Lift a model's default-domain opset (e.g. 9 → 11 or 13) so that a variant's ops exist, rewriting every node whose
// operator changed signature or semantics on the way. The table follows the ONNX operator changelog
// (onnx/onnx docs/Changelog.md) and the version converter's adapters (onnx/version_converter/convert.h and
// adapters/*.h: remove_consumed_inputs, broadcast_forward_compatibility, gemm_6_7, batch_normalization_6_7/8_9,
// dropout_6_7/11_12, upsample_6_7/8_9, slice_9_10, topk_9_10, clip_10_11, pad_10_11, resize_10_11, scatter_10_11,
// split_12_13, axes_attribute_to_input, softmax_12_13, resize_12_13). Operators whose later versions only added types
// or optional attributes with the old default keep their node unchanged. onnxruntime's quantizer does the same lift
// (models below opset 10 are converted to 11 with a warning) with onnx.version_converter.
import { ModelError } from '../errors.js';
import { toFloat16Bits } from '../onnx/float16.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import {
  AttributeType, DataType, decodeModel, defaultOpset, dimsOf, encodeModel, makeNode, NameScope, readInts, toNumber,
  type Attribute, type Graph, type Model, type Node, type Tensor,
} from '../onnx/proto.js';

/** What an upgrade did (recorded in the variant sidecar and result.json's conversion record). */
export interface OpsetUpgrade {
  from: number;
  to: number;
  /** Nodes rewritten, by op type and the step taken (e.g. `Slice: attributes → inputs (10)`). */
  rewritten: Record<string, number>;
  irVersionFrom: number;
  irVersionTo: number;
}

/** The default-domain opset a variant needs: FP16 7 (Cast to float16), dynamic INT8 11 (DynamicQuantizeLinear), static QDQ INT8 11 (QuantizeLinear is 10, onnxruntime lifts below 10 to 11) or 13 for per-channel scales. */
export function requiredOpset(mode: 'fp16' | 'int8-dynamic' | 'int8-static', perChannel: boolean): number {
  if (mode === 'fp16') return 7;
  if (mode === 'int8-dynamic') return 11;
  return perChannel ? 13 : 11;
}

// The lowest IR version each opset was released with (onnx/helper.py VERSION_TABLE): opset 7 → IR 3, 10 → 5, 11 → 6, 12–13 → 7.
function irVersionFor(opset: number): number {
  if (opset >= 12) return 7;
  if (opset === 11) return 6;
  if (opset === 10) return 5;
  if (opset >= 9) return 4;
  return 3;
}

// Ops that were experimental in opset 1 and removed from the standard at 10 (ONNX 1.5).
const experimentalGone = new Set(['GivenTensorFill', 'ConstantFill', 'GRUUnit', 'ATen', 'DynamicSlice', 'Crop']);

// Old binary ops with the `broadcast` / `axis` attributes (limited broadcasting) before opset 7.
const limitedBroadcast = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less']);

// Ops whose output has the rank of their first input (for the small rank propagation below).
const sameRank = new Set([
  'Abs', 'Acos', 'Asin', 'Atan', 'AveragePool', 'BatchNormalization', 'Cast', 'Ceil', 'Clip', 'Conv', 'ConvTranspose', 'Cos',
  'Dropout', 'Elu', 'Erf', 'Exp', 'Floor', 'GlobalAveragePool', 'GlobalLpPool', 'GlobalMaxPool', 'HardSigmoid', 'Hardmax',
  'Identity', 'InstanceNormalization', 'LRN', 'LeakyRelu', 'Log', 'LogSoftmax', 'LpNormalization', 'LpPool', 'MaxPool', 'Neg',
  'Not', 'PRelu', 'Pad', 'Reciprocal', 'Relu', 'Resize', 'Selu', 'Sigmoid', 'Sign', 'Sin', 'Softmax', 'Softplus', 'Softsign',
  'Sqrt', 'Tan', 'Tanh', 'ThresholdedRelu', 'Transpose', 'Upsample', 'ImageScaler', 'Affine', 'ScaledTanh', 'Scale',
  'ParametricSoftplus', 'MeanVarianceNormalization', 'DepthToSpace', 'SpaceToDepth', 'Tile', 'Slice', 'LpNormalization',
]);
const maxRank = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less', 'Max', 'Min', 'Mean', 'Sum', 'Where', 'Expand']);

// Cast-1 named the target type with a string (onnx TensorProto.DataType names).
const castNames: Record<string, number> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
};

interface Scope {
  graph: Graph;
  names: NameScope;
  from: number;
  to: number;
  ranks: Map<string, number>;
  types: Map<string, number>;
  constants: Map<string, Tensor>;
  consumers: Set<string>;
  /** How many node inputs read each name (subgraphs included). */
  readers: Map<string, number>;
  rewritten: Record<string, number>;
  /** Nodes that replace the current node (the current node included, possibly changed). */
  out: Node[];
}

const attr = (node: Node, name: string): Attribute | undefined => (node.attribute ?? []).find((a) => a.name === name);
const dropAttr = (node: Node, name: string): Attribute | undefined => {
  const found = attr(node, name);
  if (found) node.attribute = (node.attribute ?? []).filter((a) => a !== found);
  return found;
};
const setAttr = (node: Node, attribute: Attribute) => {
  dropAttr(node, attribute.name ?? '');
  (node.attribute ??= []).push(attribute);
};
const intsOf = (a: Attribute | undefined): number[] | undefined => (a ? (a.ints ?? []).map(toNumber) : undefined);
const floatsOf = (a: Attribute | undefined): number[] | undefined => (a ? Array.from(a.floats ?? []) : undefined);
const stringOf = (a: Attribute | undefined): string | undefined => (a?.s ? Buffer.from(a.s).toString('utf8') : undefined);
const nodeLabel = (node: Node) => `${node.opType}${node.name ? ` node "${node.name}"` : ` node writing "${(node.output ?? [])[0] ?? '?'}"`}`;

function refuse(scope: Scope, node: Node, why: string): never {
  throw new ModelError('VARIANT_OPSET_UPGRADE', `cannot lift the model from opset ${scope.from} to ${scope.to}: ${nodeLabel(node)} ${why}`, {
    hint: 're-export the model at a newer opset, or give a ready-made variant file under `variants:` in the scenario',
  });
}

function note(scope: Scope, node: Node, step: string) {
  const key = `${node.opType}: ${step}`;
  scope.rewritten[key] = (scope.rewritten[key] ?? 0) + 1;
}

/** True when the step introduced at `version` lies in (from, to]. */
const crosses = (scope: Scope, version: number) => scope.from < version && scope.to >= version;

// A constant input of the graph (INT64 / float of a given type) with a fresh name.
function addConstant(scope: Scope, base: string, dataType: number, dims: number[], values: number[]): string {
  const name = scope.names.fresh(base);
  let raw: Uint8Array;
  if (dataType === DataType.INT64) raw = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v)))).buffer);
  else if (dataType === DataType.DOUBLE) raw = new Uint8Array(Float64Array.from(values).buffer);
  else if (dataType === DataType.FLOAT16) {
    const bits = Uint16Array.from(values.map(toFloat16Bits));
    raw = new Uint8Array(bits.buffer);
  } else raw = new Uint8Array(Float32Array.from(values).buffer);
  const tensor: Tensor = { name, dims, dataType, rawData: raw };
  (scope.graph.initializer ??= []).push(tensor);
  scope.constants.set(name, tensor);
  scope.ranks.set(name, dims.length);
  return name;
}

const int64Input = (scope: Scope, node: Node, what: string, values: number[]) =>
  addConstant(scope, `${node.name || (node.output ?? [])[0] || node.opType}_${what}`, DataType.INT64, [values.length], values);

function floatTypeOf(scope: Scope, name: string): number {
  const type = scope.types.get(name);
  return type === DataType.FLOAT16 || type === DataType.DOUBLE ? type : DataType.FLOAT;
}

// Set input `index`, padding with '' (an absent optional input) in between.
function setInput(node: Node, index: number, name: string) {
  const inputs = [...(node.input ?? [])];
  while (inputs.length < index) inputs.push('');
  inputs[index] = name;
  node.input = inputs;
}

// Remove trailing outputs nobody reads (BatchNormalization's training statistics, Dropout's mask).
function trimUnusedOutputs(scope: Scope, node: Node) {
  const outputs = [...(node.output ?? [])];
  while (outputs.length > 1 && !scope.consumers.has(outputs[outputs.length - 1]!)) outputs.pop();
  if (outputs.length !== (node.output ?? []).length) node.output = outputs;
}

// Fresh name for an intermediate tensor that takes over `output`'s producer side.
function splitOutput(scope: Scope, node: Node, suffix: string): string {
  const original = node.output![0]!;
  const intermediate = scope.names.fresh(`${original}_${suffix}`);
  node.output = [intermediate, ...(node.output ?? []).slice(1)];
  return intermediate;
}

function rewriteBroadcast(scope: Scope, node: Node) {
  const broadcast = dropAttr(node, 'broadcast');
  const axisAttr = dropAttr(node, 'axis');
  if (!broadcast) return;
  if (toNumber(broadcast.i ?? 0) !== 1 || !axisAttr) {
    note(scope, node, 'broadcast attribute removed (7)');
    return;
  }
  const [a = '', b = ''] = node.input ?? [];
  const rankA = scope.ranks.get(a);
  const rankB = scope.ranks.get(b);
  if (rankA === undefined || rankB === undefined) refuse(scope, node, `broadcasts its second input from axis ${toNumber(axisAttr.i ?? 0)}, and the ranks of its inputs cannot be told from the graph`);
  const axis = toNumber(axisAttr.i ?? 0) < 0 ? toNumber(axisAttr.i ?? 0) + rankA : toNumber(axisAttr.i ?? 0);
  const trailing = rankA - axis - rankB;
  if (trailing <= 0) {
    note(scope, node, 'broadcast/axis attributes removed (7)');
    return;
  }
  // Old semantics align B at `axis` of A; numpy broadcasting aligns trailing dims: append `trailing` ones to B.
  appendOnes(scope, node, 1, rankB, trailing);
  note(scope, node, `broadcast from axis ${axis} → numpy broadcasting (7)`);
}

// Give input `index` of `node` `count` trailing dims of 1 (in place for an initializer only it reads, else Unsqueeze).
function appendOnes(scope: Scope, node: Node, index: number, rank: number, count: number) {
  const name = (node.input ?? [])[index]!;
  const constant = scope.constants.get(name);
  const axes = Array.from({ length: count }, (_, i) => rank + i);
  const listedAsInput = (scope.graph.input ?? []).some((input) => input.name === name);
  if (constant && (scope.graph.initializer ?? []).includes(constant) && !listedAsInput && scope.readers.get(name) === 1) {
    constant.dims = [...dimsOf(constant), ...axes.map(() => 1)];
    scope.ranks.set(name, rank + count);
    return;
  }
  const reshaped = scope.names.fresh(`${name}_aligned`);
  const unsqueeze = scope.to >= 13
    ? makeNode('Unsqueeze', [name, int64Input(scope, node, 'axes', axes)], [reshaped], scope.names.fresh(`${node.name || 'node'}_align`))
    : makeNode('Unsqueeze', [name], [reshaped], scope.names.fresh(`${node.name || 'node'}_align`), [{ name: 'axes', type: AttributeType.INTS, ints: axes }]);
  scope.out.unshift(unsqueeze);
  const inputs = [...(node.input ?? [])];
  inputs[index] = reshaped;
  node.input = inputs;
}

function rewriteUpsample(scope: Scope, node: Node) {
  let scalesName: string | undefined;
  let scales = floatsOf(dropAttr(node, 'scales'));
  const width = dropAttr(node, 'width_scale');
  const height = dropAttr(node, 'height_scale');
  if (width || height) scales = [1, 1, height?.f ?? 1, width?.f ?? 1];
  if (!scales) scalesName = (node.input ?? [])[1];
  let mode = stringOf(attr(node, 'mode')) ?? 'nearest';
  if (mode === 'bilinear') mode = 'linear';
  if (scope.to < 10) {
    // 7..9: Upsample stays; scales move from attribute (7, 8) to input (9).
    setAttr(node, { name: 'mode', type: AttributeType.STRING, s: Buffer.from(mode) });
    if (scope.to >= 9 && scales) {
      node.input = [(node.input ?? [])[0]!, addConstant(scope, `${node.name || 'upsample'}_scales`, DataType.FLOAT, [scales.length], scales)];
      note(scope, node, 'scales attribute → input (9)');
    } else if (scales) {
      setAttr(node, { name: 'scales', type: AttributeType.FLOATS, floats: scales });
      if (width || height) note(scope, node, 'width_scale/height_scale → scales (7)');
    }
    return;
  }
  // Upsample is deprecated at 10: Resize with Upsample's coordinate mapping (asymmetric; nearest rounds down, which is
  // Upsample's for scales ≥ 1). onnx's resize_10_11 adapter only inserts the empty roi and leaves Resize-11's default
  // half_pixel, which moves every sample; we set the mapping explicitly.
  const scalesInput = scalesName ?? addConstant(scope, `${node.name || 'upsample'}_scales`, DataType.FLOAT, [scales!.length], scales!);
  node.opType = 'Resize';
  node.attribute = [{ name: 'mode', type: AttributeType.STRING, s: Buffer.from(mode) }];
  if (scope.to >= 11) {
    node.input = [(node.input ?? [])[0]!, emptyRoi(scope, node), scalesInput];
    node.attribute.push({ name: 'coordinate_transformation_mode', type: AttributeType.STRING, s: Buffer.from('asymmetric') });
    if (mode === 'nearest') node.attribute.push({ name: 'nearest_mode', type: AttributeType.STRING, s: Buffer.from('floor') });
  } else {
    node.input = [(node.input ?? [])[0]!, scalesInput];
  }
  note(scope, node, 'Upsample → Resize (10)');
}

// Resize-11/12 require the roi input (optional only from 13, where '' is allowed): an empty float tensor.
const emptyRoi = (scope: Scope, node: Node) => (scope.to >= 13 ? '' : addConstant(scope, `${node.name || 'resize'}_roi`, DataType.FLOAT, [0], []));

function rewriteSoftmax(scope: Scope, node: Node) {
  const axisAttr = attr(node, 'axis');
  const input = (node.input ?? [])[0]!;
  const rank = scope.ranks.get(input);
  let axis = axisAttr ? toNumber(axisAttr.i ?? 1) : 1;
  if (axis < 0 && rank !== undefined) axis += rank;
  if (axis === -1 || (rank !== undefined && axis === rank - 1)) {
    setAttr(node, { name: 'axis', type: AttributeType.INT, i: -1 });
    return;
  }
  // Before 13 the input was coerced to 2-D at `axis` (softmax over every dim from `axis` on); 13 normalises one axis.
  const base = node.name || node.opType!;
  const shape = scope.names.fresh(`${input}_shape`);
  const flat = scope.names.fresh(`${input}_2d`);
  scope.out.unshift(
    makeNode('Shape', [input], [shape], scope.names.fresh(`${base}_shape`)),
    makeNode('Flatten', [input], [flat], scope.names.fresh(`${base}_flatten`), [{ name: 'axis', type: AttributeType.INT, i: axis }]),
  );
  const original = node.output![0]!;
  const inner = splitOutput(scope, node, '2d');
  node.input = [flat];
  setAttr(node, { name: 'axis', type: AttributeType.INT, i: -1 });
  scope.out.push(makeNode('Reshape', [inner, shape], [original], scope.names.fresh(`${base}_reshape`)));
  note(scope, node, `coerced-to-2D from axis ${axis} → Flatten/${node.opType}/Reshape (13)`);
}

function rewriteElementwiseExperimental(scope: Scope, node: Node) {
  const op = node.opType!;
  const [x = ''] = node.input ?? [];
  const y = node.output![0]!;
  const type = floatTypeOf(scope, x);
  const base = node.name || op;
  const scalar = (what: string, value: number) => addConstant(scope, `${base}_${what}`, type, [], [value]);
  const f = (name: string, fallback: number) => attr(node, name)?.f ?? fallback;
  const fresh = (what: string) => scope.names.fresh(`${y}_${what}`);
  const mk = (o: string, inputs: string[], output: string) => makeNode(o, inputs, [output], scope.names.fresh(`${base}_${o.toLowerCase()}`));
  const nodes: Node[] = [];
  if (op === 'ImageScaler') {
    const bias = floatsOf(attr(node, 'bias')) ?? [];
    const scaled = fresh('scaled');
    nodes.push(mk('Mul', [x, scalar('scale', f('scale', 1))], scaled));
    nodes.push(mk('Add', [scaled, addConstant(scope, `${base}_bias`, type, [1, bias.length, 1, 1], bias)], y));
  } else if (op === 'Scale') {
    nodes.push(mk('Mul', [x, scalar('scale', f('scale', 1))], y));
  } else if (op === 'Affine') {
    const scaled = fresh('scaled');
    nodes.push(mk('Mul', [x, scalar('alpha', f('alpha', 1))], scaled), mk('Add', [scaled, scalar('beta', f('beta', 0))], y));
  } else if (op === 'ScaledTanh' || op === 'ParametricSoftplus') {
    const inner = fresh('inner');
    const activated = fresh('activated');
    nodes.push(mk('Mul', [x, scalar('beta', f('beta', 1))], inner), mk(op === 'ScaledTanh' ? 'Tanh' : 'Softplus', [inner], activated), mk('Mul', [activated, scalar('alpha', f('alpha', 1))], y));
  }
  scope.out.splice(scope.out.indexOf(node), 1, ...nodes);
  note(scope, node, 'experimental op → standard ops (10)');
}

// The table: each entry runs for nodes of its op and applies every step whose version lies in (from, to].
const rewrites: Record<string, (scope: Scope, node: Node) => void> = {
  Pad(scope, node) {
    if (crosses(scope, 2)) {
      const paddings = dropAttr(node, 'paddings');
      if (paddings) setAttr(node, { name: 'pads', type: AttributeType.INTS, ints: paddings.ints ?? [] });
    }
    if (crosses(scope, 11)) {
      const pads = intsOf(dropAttr(node, 'pads')) ?? [];
      const value = dropAttr(node, 'value');
      const x = (node.input ?? [])[0]!;
      node.input = [x, int64Input(scope, node, 'pads', pads)];
      if (value && (value.f ?? 0) !== 0) node.input.push(addConstant(scope, `${node.name || 'pad'}_value`, floatTypeOf(scope, x), [], [value.f ?? 0]));
      note(scope, node, 'pads/value attributes → inputs (11)');
    }
  },
  Split(scope, node) {
    if (crosses(scope, 2) && (node.input ?? []).length > 1 && (node.input ?? [])[1]) {
      const tensor = scope.constants.get(node.input![1]!);
      if (!tensor) refuse(scope, node, 'takes its split sizes from a computed input (Split-1); later versions need them constant');
      setAttr(node, { name: 'split', type: AttributeType.INTS, ints: readInts(tensor) });
      node.input = [node.input![0]!];
    }
    if (crosses(scope, 13)) {
      const split = intsOf(dropAttr(node, 'split'));
      if (split) {
        node.input = [(node.input ?? [])[0]!, int64Input(scope, node, 'split', split)];
        note(scope, node, 'split attribute → input (13)');
      }
    }
  },
  LpPool(scope, node) { pIntoInt(scope, node); },
  GlobalLpPool(scope, node) { pIntoInt(scope, node); },
  Concat(scope, node) {
    if (crosses(scope, 4) && !attr(node, 'axis')) {
      setAttr(node, { name: 'axis', type: AttributeType.INT, i: 1 });
      note(scope, node, 'default axis 1 made explicit (4)');
    }
  },
  Reshape(scope, node) {
    if (crosses(scope, 5)) {
      const shape = intsOf(dropAttr(node, 'shape'));
      if (shape) {
        node.input = [(node.input ?? [])[0]!, int64Input(scope, node, 'shape', shape)];
        note(scope, node, 'shape attribute → input (5)');
      }
    }
  },
  Tile(scope, node) {
    if (!crosses(scope, 6) || (node.input ?? []).length < 3) return;
    const [x = '', tiles = '', axis = ''] = node.input ?? [];
    const rank = scope.ranks.get(x);
    const tilesT = scope.constants.get(tiles);
    const axisT = scope.constants.get(axis);
    if (rank === undefined || !tilesT || !axisT) refuse(scope, node, 'is Tile-1 (tiles, axis inputs) with a computed count or an input of unknown rank; Tile-6 needs one repeat per axis');
    const repeats = Array.from({ length: rank }, () => 1);
    repeats[readInts(axisT)[0] ?? 0] = readInts(tilesT)[0] ?? 1;
    node.input = [x, int64Input(scope, node, 'repeats', repeats)];
    note(scope, node, 'tiles/axis → repeats (6)');
  },
  Cast(scope, node) {
    const to = attr(node, 'to');
    if (to && to.s && to.s.length > 0) {
      const name = stringOf(to)?.toUpperCase() ?? '';
      const code = castNames[name];
      if (code === undefined) refuse(scope, node, `casts to "${name}", which is not an ONNX data type`);
      setAttr(node, { name: 'to', type: AttributeType.INT, i: code });
      note(scope, node, 'to: type name → type code (6)');
    }
  },
  PRelu(scope, node) {
    // Before 7 a 1-D slope of C values ran along the channel axis (1); from 7 it broadcasts numpy-style (trailing).
    // onnx's adapter calls this compatible; ONNX's own test_PReLU_*_multiparam models show it is not.
    if (!crosses(scope, 7)) return;
    const [x = '', slope = ''] = node.input ?? [];
    const rankX = scope.ranks.get(x);
    const rankSlope = scope.ranks.get(slope);
    const size = scope.constants.get(slope) ? dimsOf(scope.constants.get(slope)!)[0] : undefined;
    if (rankSlope !== 1 || size === 1) return;
    if (rankX === undefined) refuse(scope, node, 'has a 1-D slope and an input of unknown rank; PRelu-7 broadcasts the slope along the last axis instead of the channels');
    if (rankX <= 2) return;
    appendOnes(scope, node, 1, 1, rankX - 2);
    note(scope, node, 'per-channel slope aligned to axis 1 (7)');
  },
  Gemm(scope, node) {
    if (crosses(scope, 7) && dropAttr(node, 'broadcast')) note(scope, node, 'broadcast attribute removed (7)');
  },
  BatchNormalization(scope, node) {
    if (crosses(scope, 7)) dropAttr(node, 'is_test');
    if (crosses(scope, 9)) {
      const spatial = dropAttr(node, 'spatial');
      if (spatial && toNumber(spatial.i ?? 1) !== 1) refuse(scope, node, 'normalises per activation (spatial=0), which BatchNormalization-9 removed');
    }
    trimUnusedOutputs(scope, node);
  },
  Dropout(scope, node) {
    if (crosses(scope, 7)) dropAttr(node, 'is_test');
    if (crosses(scope, 12)) {
      const ratio = dropAttr(node, 'ratio');
      // Inference ignores the ratio (Dropout is the identity there); carry it over as the optional input.
      if (ratio) node.input = [(node.input ?? [])[0]!, addConstant(scope, `${node.name || 'dropout'}_ratio`, DataType.FLOAT, [], [ratio.f ?? 0.5])];
      if (ratio) note(scope, node, 'ratio attribute → input (12)');
    }
    trimUnusedOutputs(scope, node);
  },
  Upsample(scope, node) {
    if (scope.from < 10 && (crosses(scope, 7) || crosses(scope, 9) || crosses(scope, 10))) rewriteUpsample(scope, node);
  },
  Resize(scope, node) {
    if (crosses(scope, 11)) {
      const [x = '', scales = ''] = node.input ?? [];
      node.input = [x, emptyRoi(scope, node), scales];
      const mode = stringOf(attr(node, 'mode')) ?? 'nearest';
      setAttr(node, { name: 'coordinate_transformation_mode', type: AttributeType.STRING, s: Buffer.from('asymmetric') });
      if (mode === 'nearest') setAttr(node, { name: 'nearest_mode', type: AttributeType.STRING, s: Buffer.from('floor') });
      note(scope, node, 'Resize-10 → Resize-11 with its asymmetric mapping (11)');
    }
    if (crosses(scope, 13) && stringOf(attr(node, 'coordinate_transformation_mode')) === 'tf_half_pixel_for_nn') {
      refuse(scope, node, "uses coordinate_transformation_mode 'tf_half_pixel_for_nn', which Resize-13 removed");
    }
  },
  Slice(scope, node) {
    if (!crosses(scope, 10)) return;
    const starts = intsOf(dropAttr(node, 'starts')) ?? [];
    const ends = intsOf(dropAttr(node, 'ends')) ?? [];
    const axes = intsOf(dropAttr(node, 'axes'));
    node.input = [(node.input ?? [])[0]!, int64Input(scope, node, 'starts', starts), int64Input(scope, node, 'ends', ends)];
    if (axes) node.input.push(int64Input(scope, node, 'axes', axes));
    note(scope, node, 'starts/ends/axes attributes → inputs (10)');
  },
  TopK(scope, node) {
    if (!crosses(scope, 10)) return;
    const k = dropAttr(node, 'k');
    if (!k) return;
    node.input = [(node.input ?? [])[0]!, int64Input(scope, node, 'k', [toNumber(k.i ?? 0)])];
    note(scope, node, 'k attribute → input (10)');
  },
  Scatter(scope, node) {
    if (!crosses(scope, 11)) return;
    node.opType = 'ScatterElements';
    note(scope, node, 'Scatter → ScatterElements (11)');
  },
  Clip(scope, node) {
    if (!crosses(scope, 11)) return;
    const min = dropAttr(node, 'min');
    const max = dropAttr(node, 'max');
    const x = (node.input ?? [])[0]!;
    const type = floatTypeOf(scope, x);
    node.input = [x];
    if (min) setInput(node, 1, addConstant(scope, `${node.name || 'clip'}_min`, type, [], [min.f ?? 0]));
    if (max) setInput(node, 2, addConstant(scope, `${node.name || 'clip'}_max`, type, [], [max.f ?? 0]));
    note(scope, node, 'min/max attributes → inputs (11)');
  },
  Softmax(scope, node) { if (crosses(scope, 13)) rewriteSoftmax(scope, node); },
  LogSoftmax(scope, node) { if (crosses(scope, 13)) rewriteSoftmax(scope, node); },
  Hardmax(scope, node) { if (crosses(scope, 13)) rewriteSoftmax(scope, node); },
  Squeeze(scope, node) { axesToInput(scope, node); },
  Unsqueeze(scope, node) { axesToInput(scope, node); },
  ReduceSum(scope, node) { axesToInput(scope, node); },
  RNN(scope, node) { if (crosses(scope, 7)) dropAttr(node, 'output_sequence'); },
  GRU(scope, node) { if (crosses(scope, 7)) dropAttr(node, 'output_sequence'); },
  LSTM(scope, node) { if (crosses(scope, 7)) dropAttr(node, 'output_sequence'); },
  Scan(scope, node) {
    if (crosses(scope, 9)) refuse(scope, node, 'is Scan-8 (a batch axis and sequence_lens input), whose bodies Scan-9 runs differently');
  },
  MeanVarianceNormalization(scope, node) {
    if (!crosses(scope, 9)) return;
    const across = toNumber(dropAttr(node, 'across_channels')?.i ?? 0);
    const normalise = toNumber(dropAttr(node, 'normalize_variance')?.i ?? 1);
    if (normalise !== 1) refuse(scope, node, 'subtracts the mean only (normalize_variance=0), which MeanVarianceNormalization-9 cannot');
    setAttr(node, { name: 'axes', type: AttributeType.INTS, ints: across ? [1, 2, 3] : [2, 3] });
    note(scope, node, 'experimental attributes → axes (9)');
  },
  ImageScaler(scope, node) { if (crosses(scope, 10)) rewriteElementwiseExperimental(scope, node); },
  Scale(scope, node) { if (crosses(scope, 10)) rewriteElementwiseExperimental(scope, node); },
  Affine(scope, node) { if (crosses(scope, 10)) rewriteElementwiseExperimental(scope, node); },
  ScaledTanh(scope, node) { if (crosses(scope, 10)) rewriteElementwiseExperimental(scope, node); },
  ParametricSoftplus(scope, node) { if (crosses(scope, 10)) rewriteElementwiseExperimental(scope, node); },
};

function pIntoInt(scope: Scope, node: Node) {
  const p = attr(node, 'p');
  if (crosses(scope, 2) && p && p.type === AttributeType.FLOAT) {
    setAttr(node, { name: 'p', type: AttributeType.INT, i: Math.round(p.f ?? 2) });
    note(scope, node, 'p: float → int (2)');
  }
}

function axesToInput(scope: Scope, node: Node) {
  if (!crosses(scope, 13)) return;
  const axes = intsOf(dropAttr(node, 'axes'));
  if (!axes) return;
  node.input = [(node.input ?? [])[0]!, int64Input(scope, node, 'axes', axes)];
  note(scope, node, 'axes attribute → input (13)');
}

// Ranks known from declarations, then propagated through the common ops (enough for Softmax's axis and old broadcasts).
function seedRanks(graph: Graph, outer: Map<string, number>): Map<string, number> {
  const ranks = new Map(outer);
  for (const info of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const shape = info.type?.tensorType?.shape;
    if (shape && info.name) ranks.set(info.name, (shape.dim ?? []).length);
  }
  for (const tensor of graph.initializer ?? []) ranks.set(tensor.name ?? '', (tensor.dims ?? []).length);
  return ranks;
}

function propagateRank(node: Node, ranks: Map<string, number>, constants: Map<string, Tensor>) {
  const op = node.opType ?? '';
  const inputs = (node.input ?? []).map((name) => (name ? ranks.get(name) : undefined));
  const first = inputs[0];
  let rank: number | undefined;
  if (op === 'Constant') {
    const value = attr(node, 'value')?.t;
    rank = value ? (value.dims ?? []).length : undefined;
  } else if (sameRank.has(op)) rank = first;
  else if (maxRank.has(op)) rank = inputs.every((r) => r !== undefined) ? Math.max(...(inputs as number[])) : undefined;
  else if (op === 'Gemm' || op === 'Flatten') rank = 2;
  else if (op === 'MatMul') rank = inputs[0] !== undefined && inputs[1] !== undefined ? Math.max(inputs[0], inputs[1]) : undefined;
  else if (op === 'Concat') rank = inputs.find((r) => r !== undefined);
  else if (op === 'Shape') rank = 1;
  else if (op === 'Reshape') {
    const shape = intsOf(attr(node, 'shape')) ?? (constants.get((node.input ?? [])[1] ?? '') ? readInts(constants.get(node.input![1]!)!) : undefined);
    rank = shape?.length;
  } else if (op === 'Unsqueeze' || op === 'Squeeze') {
    const axes = intsOf(attr(node, 'axes')) ?? (constants.get((node.input ?? [])[1] ?? '') ? readInts(constants.get(node.input![1]!)!) : undefined);
    rank = first !== undefined && axes ? first + (op === 'Unsqueeze' ? axes.length : -axes.length) : undefined;
  } else if (op === 'Gather') rank = first !== undefined && inputs[1] !== undefined ? first + inputs[1] - 1 : undefined;
  else if (op.startsWith('Reduce') || op === 'ArgMax' || op === 'ArgMin') {
    const keep = toNumber(attr(node, 'keepdims')?.i ?? 1) === 1;
    const axes = intsOf(attr(node, 'axes'));
    rank = first === undefined ? undefined : keep ? first : axes ? first - axes.length : op.startsWith('Arg') ? first - 1 : 0;
  }
  const output = (node.output ?? [])[0];
  if (rank !== undefined && output && !ranks.has(output)) ranks.set(output, rank);
  if ((op === 'Split' || op === 'TopK') && first !== undefined) for (const name of node.output ?? []) if (!ranks.has(name)) ranks.set(name, first);
}

function graphConstants(graph: Graph, outer: Map<string, Tensor>): Map<string, Tensor> {
  const constants = new Map(outer);
  for (const tensor of graph.initializer ?? []) constants.set(tensor.name ?? '', tensor);
  for (const node of graph.node ?? []) {
    const value = node.opType === 'Constant' ? attr(node, 'value')?.t : undefined;
    if (value && node.output?.[0]) constants.set(node.output[0], value);
  }
  return constants;
}

function upgradeGraph(graph: Graph, names: NameScope, from: number, to: number, rewritten: Record<string, number>, outerRanks: Map<string, number>, outerConstants: Map<string, Tensor>, outerTypes: Map<string, number>) {
  const types = new Map([...outerTypes, ...inferElemTypes(graph)]);
  const constants = graphConstants(graph, outerConstants);
  const ranks = seedRanks(graph, outerRanks);
  const consumers = new Set<string>();
  const readers = new Map<string, number>();
  const read = (name: string) => {
    consumers.add(name);
    readers.set(name, (readers.get(name) ?? 0) + 1);
  };
  const visitReads = (g: Graph) => {
    for (const node of g.node ?? []) {
      for (const name of node.input ?? []) if (name) read(name);
      for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) visitReads(sub);
    }
    for (const output of g.output ?? []) read(output.name ?? '');
  };
  visitReads(graph);
  const nodes: Node[] = [];
  for (const node of graph.node ?? []) {
    const domain = node.domain ?? '';
    const scope: Scope = { graph, names, from, to, ranks, types, constants, consumers, readers, rewritten, out: [node] };
    if (domain === '' || domain === 'ai.onnx') {
      const op = node.opType ?? '';
      if (experimentalGone.has(op) && to >= 10) refuse(scope, node, 'is an experimental operator that ONNX removed at opset 10 and that has no standard equivalent here');
      if (crosses(scope, 6) && dropAttr(node, 'consumed_inputs')) note(scope, node, 'consumed_inputs removed (6)');
      if (limitedBroadcast.has(op) && crosses(scope, 7)) rewriteBroadcast(scope, node);
      rewrites[op]?.(scope, node);
    }
    for (const a of node.attribute ?? []) {
      for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) upgradeGraph(sub, names, from, to, rewritten, ranks, constants, types);
    }
    for (const produced of scope.out) propagateRank(produced, ranks, constants);
    nodes.push(...scope.out);
  }
  graph.node = nodes;
}

/**
 * Lift the default-domain opset of `model` to `target` in place when it is older, rewriting the nodes that changed
 * (subgraphs included). Returns what was done, or null when the model already is at `target` or newer. Throws
 * ModelError VARIANT_OPSET_UPGRADE naming the node and op when an operator cannot be carried over.
 */
export function upgradeOpset(model: Model, target: number): OpsetUpgrade | null {
  const from = defaultOpset(model);
  if (from === 0 || from >= target) return null;
  const graph = model.graph!;
  const rewritten: Record<string, number> = {};
  upgradeGraph(graph, new NameScope(graph), from, target, rewritten, new Map(), new Map(), new Map());
  for (const entry of model.opsetImport ?? []) if (!entry.domain || entry.domain === 'ai.onnx') entry.version = target;
  const irVersionFrom = toNumber(model.irVersion ?? 0);
  const irVersionTo = Math.max(irVersionFrom, irVersionFor(target));
  if (irVersionFrom < 4 && irVersionTo >= 4) {
    // From IR 4 an initializer listed among the inputs is an overridable input, no longer a constant: drop those listings.
    const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
    graph.input = (graph.input ?? []).filter((input) => !initializers.has(input.name ?? ''));
  }
  model.irVersion = irVersionTo;
  return { from, to: target, rewritten: Object.fromEntries(Object.entries(rewritten).sort(([a], [b]) => a.localeCompare(b))), irVersionFrom, irVersionTo };
}

/**
 * Lift `model` to what a variant mode needs. Static INT8 asks for 13 when per-channel scales are on; when 13 cannot be
 * reached it settles for 11 (per-tensor scales, as before) and says so in `warning`.
 */
export function upgradeForVariant(model: Model, mode: 'fp16' | 'int8-dynamic' | 'int8-static', perChannel: boolean): { upgrade: OpsetUpgrade | null; warning: string | null } {
  const target = requiredOpset(mode, perChannel);
  if (target !== 13 || defaultOpset(model) >= 13) return { upgrade: upgradeOpset(model, target), warning: null };
  // Try 13 on a copy first so that a refusal leaves the model untouched for the fallback.
  const trial = decodeModel(encodeModel(model), 'model');
  try {
    const upgrade = upgradeOpset(trial, 13);
    Object.assign(model, trial);
    return { upgrade, warning: null };
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    const upgrade = defaultOpset(model) < 11 ? upgradeOpset(model, 11) : null;
    return { upgrade, warning: `per-channel INT8 scales need opset 13 and ${error.message}; weights get one scale per tensor` };
  }
}
