// The import layers of src/ (see docs/design.md "Layers"). A folder may import its own layer and the layers below it,
// never one above: test/architecture/layers.test.ts runs this on every `npm test`, and `npm run layers` draws it.
const layers = require('./scripts/import-layers.cjs');

const folderPattern = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})(/|$)`;

const upward = layers.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-imports-up`,
  comment: `${layer.join(', ')} may not import a higher layer (${layers.slice(i + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: folderPattern(layer) },
  to: { path: folderPattern(layers.slice(i + 1).flat()) },
}));

module.exports = {

  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'Modules that import each other (directly or through others) cannot be read or tested alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: {
      archi: { collapsePattern: '^src/[^/]+' },
      text: { highlightFocused: true },
    },
  },
};
