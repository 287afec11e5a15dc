#!/usr/bin/env node
// `npm run layers`: the import-layer picture of src/ — each layer (top first), its folders, and which lower folders
// each one imports; an upward import or a cycle is listed under it. The same rules fail `npm test`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const layers = require('./import-layers.cjs');
const config = require(path.join(root, '.dependency-cruiser.cjs'));

process.chdir(root);
const reporting = await cruise(['src'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, outputType: 'json' });
const result = typeof reporting.output === 'string' ? JSON.parse(reporting.output) : reporting.output;

const folderOf = (file) => file.match(/^src\/([^/]+)/)?.[1] ?? null;
const imports = new Map();
for (const module of result.modules) {
  const from = folderOf(module.source);
  if (!from) continue;
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (!to || to === from) continue;
    if (!imports.has(from)) imports.set(from, new Set());
    imports.get(from).add(to);
  }
}

const lines = [];
for (let i = layers.length - 1; i >= 0; i -= 1) {
  lines.push(`layer ${String(i).padStart(2)}  ${layers[i].join(', ')}`);
  for (const folder of layers[i]) {
    const used = [...(imports.get(folder) ?? [])].sort();
    if (used.length > 0) lines.push(`            ${folder.padEnd(10)} → ${used.join(', ')}`);
  }
}
const violations = result.summary.violations.map((v) => `  ${v.rule.name}: ${v.from} → ${v.to}`);
lines.push('', violations.length === 0 ? 'no upward import, no cycle' : `violations:\n${violations.join('\n')}`);
console.log(lines.join('\n'));
process.exitCode = violations.length === 0 ? 0 : 1;
