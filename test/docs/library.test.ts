// docs/library.md lists what `import … from 'joulebench'` gives; src/index.ts is the authority. Every name
// src/index.ts exports must appear in the page (in backticks), and the page must name nothing it does not export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './help-blocks.js';

/** The names an index file exports: `export { a, b as c, type D } from …` and `export type { E } from …`. */
function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)!.trim();
      if (name !== '') names.push(name);
    }
  }
  for (const match of source.matchAll(/^export\s+(?:async\s+)?(?:function|const|class|interface|type)\s+([A-Za-z_$][\w$]*)/gm)) names.push(match[1]!);
  return [...new Set(names)];
}

test('docs/library.md names every export of src/index.ts', async () => {
  const index = await readFile(path.join(repoRoot, 'src', 'index.ts'), 'utf8');
  const page = await readFile(path.join(repoRoot, 'docs', 'library.md'), 'utf8');
  const missing = exportedNames(index).filter((name) => !page.includes(`\`${name}\``));
  assert.deepEqual(missing, [], 'exports of src/index.ts that docs/library.md does not list: add them to its table');
});

test('the export table of docs/library.md names only what src/index.ts exports', async () => {
  const exported = new Set(exportedNames(await readFile(path.join(repoRoot, 'src', 'index.ts'), 'utf8')));
  const page = await readFile(path.join(repoRoot, 'docs', 'library.md'), 'utf8');
  const table = page.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| area'));
  const named = table.flatMap((line) => line.split('|').slice(2).flatMap((cell) => [...cell.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]!)));
  assert.deepEqual(named.filter((name) => !exported.has(name)), [], 'names in docs/library.md\'s table that src/index.ts does not export');
});

test('exportedNames reads export lists, renames and type-only exports', () => {
  const source = [
    "export { a, b as c, type D } from './x.js';",
    "export type { E, F } from './y.js';",
    'export function g() {}',
    "// export { not } from './comment.js';",
  ].join('\n');
  assert.deepEqual(exportedNames(source), ['a', 'c', 'D', 'E', 'F', 'g']);
});
