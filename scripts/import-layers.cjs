// The import layers of src/, bottom first (docs/design.md "Layers"): a folder may import its own layer and those
// below it. Read by .dependency-cruiser.cjs (the rules, checked by test/architecture/layers.test.ts) and by
// scripts/layers.mjs (`npm run layers`, the picture).
/** Bottom first. Same-layer folders may import each other only without a cycle (no-circular below). */
module.exports = [
  ['errors.ts', 'common', 'stats'],
  ['onnx', 'carbon', 'power'],
  ['model'],
  ['runtime'],
  ['scenario'],
  ['results'],
  ['variants'],
  ['report'],
  ['history'],
  ['compare', 'fleet'],
  ['measure'],
  ['load', 'metrics'],
  ['cli', 'index.ts'],
];

