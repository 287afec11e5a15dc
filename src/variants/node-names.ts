// Stable node identities for the mixed-precision search: a node is kept in FP32 (or excluded from INT8) by name,
// and exporters often leave names empty. Every unnamed node of the main graph gets `<op>_<index>` (its position in
// the source file's node list; made unique if taken), so the same source always yields the same names.
import { NameScope, type Graph } from '../onnx/proto.js';

/** Name the unnamed nodes of `graph` in place, from their op type and index; returns how many were named. */
export function nameUnnamedNodes(graph: Graph): number {
  const names = new NameScope(graph);
  let named = 0;
  (graph.node ?? []).forEach((node, index) => {
    if (node.name) return;
    node.name = names.fresh(`${node.opType || 'node'}_${index}`);
    named++;
  });
  return named;
}
