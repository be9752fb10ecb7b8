// The architecture's layers, bottom to top: the one table that ESLint enforces (./architecture.mjs) and
// that docs/architecture.md shows (test/unit/architecture.test.ts checks that both say the same).

/**
 * @typedef {object} Layer
 * @property {string} name
 * @property {number} level  A layer imports only layers of lower levels (layers of one level don't import each other).
 * @property {string[]} paths  Folders (or single files) of the repository, relative to its root.
 * @property {string[]} [imports]  When given, the only layers it may import (instead of every lower level).
 * @property {boolean} [noPackages]  Imports no npm package and no Node built-in: nothing outside its own folders.
 * @property {boolean} [vscode]  May import `vscode` (only the extension, which runs in VS Code's extension host).
 */

/** @type {Layer[]} */
export const LAYERS = [
  { name: 'shared', level: 0, paths: ['src/shared'] },
  { name: 'engine', level: 1, paths: ['src/engine'], imports: [], noPackages: true },
  { name: 'experiments', level: 2, paths: ['src/experiments'] },
  { name: 'export', level: 3, paths: ['src/export'] },
  { name: 'host', level: 4, paths: ['src/kernel'] },
  { name: 'extension', level: 5, paths: ['src/extension.ts', 'src/notebook'], vscode: true },
  { name: 'cli', level: 5, paths: ['src/cli'] },
  { name: 'ts-plugin', level: 5, paths: ['src/ts-plugin'], imports: ['shared'] },
  { name: 'renderer', level: 5, paths: ['renderers'], imports: ['shared'] },
];

/** Layers whose files may not import one another in a cycle (type-only imports, erased by the compiler, don't count). */
export const ACYCLIC = ['engine'];

/** The names of the layers that `layer` may import, bottom to top. */
export function allowedImports(layer) {
  if (layer.imports) return [...layer.imports];
  return LAYERS.filter((other) => other.level < layer.level).map((other) => other.name);
}

/** The layer of a repository-relative path (with or without its `.ts`), or undefined. */
export function layerOf(relativePath) {
  const p = relativePath.split('\\').join('/');
  const candidates = p.endsWith('.ts') ? [p] : [p, `${p}.ts`];
  return LAYERS.find((layer) => layer.paths.some((root) => candidates.some((c) => c === root || c.startsWith(`${root}/`))));
}
