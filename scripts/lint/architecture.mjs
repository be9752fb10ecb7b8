// ESLint rules for the layers of ./layers.mjs (docs/architecture.md): every import resolved to the file it
// names, so that a rule holds at any depth of a folder (a pattern on the import's text cannot say "outside
// src/engine" for files three folders down).
//   architecture/layers    an import goes only to the importing layer itself or a layer it may import;
//                          no package in a layer that takes none; `vscode` only in the extension.
//   architecture/no-cycle  no cycle of run-time imports among the files of an acyclic layer.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ACYCLIC, allowedImports, LAYERS, layerOf } from './layers.mjs';

const toPosix = (p) => p.split(path.sep).join('/');
const isRelative = (spec) => spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';

/** The string literal an import-like node names, with the node to report on. */
function importSources(visit) {
  const literal = (node) => (node && node.type === 'Literal' && typeof node.value === 'string' ? node : undefined);
  const on = (node, source, runtime) => {
    const lit = literal(source);
    if (lit) visit(node, lit, lit.value, runtime);
  };
  const allTypes = (specifiers) => specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
  return {
    ImportDeclaration: (node) => on(node, node.source, node.importKind !== 'type' && !allTypes(node.specifiers)),
    ExportNamedDeclaration: (node) => node.source && on(node, node.source, node.exportKind !== 'type' && !allTypes(node.specifiers)),
    ExportAllDeclaration: (node) => on(node, node.source, node.exportKind !== 'type'),
    ImportExpression: (node) => on(node, node.source, true),
    // `import('../x').T` in a type: a dependency for the layers, none at run time.
    TSImportType: (node) => on(node, node.argument?.literal ?? node.source ?? node.argument, false),
    TSExternalModuleReference: (node) => on(node, node.expression, true),
  };
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go down the layers of docs/architecture.md (scripts/lint/layers.mjs).' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      unplaced: '{{file}} is in no layer: add its folder to a layer in scripts/lint/layers.mjs and docs/architecture.md.',
      upward: "The {{from}} layer imports '{{spec}}' ({{to}} layer): {{from}} may import only {{allowed}}.",
      outside: "The {{from}} layer imports '{{spec}}', which is in no layer.",
      noPackages: "The {{from}} layer imports no packages or Node built-ins: '{{spec}}' is outside it.",
      vscode: "Only the extension layer imports 'vscode': the {{from}} layer runs without VS Code.",
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = toPosix(path.relative(root, context.filename));
    const layer = layerOf(file);
    if (!layer) {
      return { Program: (node) => context.report({ node, messageId: 'unplaced', data: { file } }) };
    }
    const allowed = allowedImports(layer);
    const describe = allowed.length === 0 ? 'its own files' : allowed.join(', ');
    return importSources((node, literal, spec) => {
      const data = { from: layer.name, spec };
      if (!isRelative(spec)) {
        if (layer.noPackages) context.report({ node: literal, messageId: 'noPackages', data });
        else if ((spec === 'vscode' || spec.startsWith('vscode/')) && !layer.vscode) context.report({ node: literal, messageId: 'vscode', data });
        return;
      }
      const target = toPosix(path.relative(root, path.resolve(path.dirname(context.filename), spec)));
      const to = layerOf(target);
      if (!to) context.report({ node: literal, messageId: 'outside', data });
      else if (to !== layer && !allowed.includes(to.name)) context.report({ node: literal, messageId: 'upward', data: { ...data, to: to.name, allowed: describe } });
    });
  },
};

/** Run-time imports of a file on disk (relative specifiers only), parsed once per version of the file. */
const runtimeImportCache = new Map();
function runtimeImportsOnDisk(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = runtimeImportCache.get(file);
  if (cached && cached.mtime === mtime) return cached.specs;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specs = [];
  const typeOnly = (elements) => elements.length > 0 && elements.every((e) => e.isTypeOnly);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
      if (clause?.isTypeOnly || (clause && !clause.name && typeOnly(named))) continue;
      specs.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const named = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : [];
      if (statement.isTypeOnly || typeOnly(named)) continue;
      specs.push(statement.moduleSpecifier.text);
    }
  }
  // Dynamic imports anywhere in the file.
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specs.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const relative = specs.filter(isRelative);
  runtimeImportCache.set(file, { mtime, specs: relative });
  return relative;
}

/** The TypeScript file a relative import names, if it exists. */
function resolveFile(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (candidate.endsWith('.ts') && statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const noCycleRule = {
  meta: {
    type: 'problem',
    docs: { description: 'No cycle of run-time imports among the files of an acyclic layer (scripts/lint/layers.mjs).' },
    schema: [{ type: 'object', properties: { root: { type: 'string' }, layers: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: { cycle: 'Import cycle in the {{layer}} layer: {{cycle}}.' },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const acyclic = context.options[0]?.layers ?? ACYCLIC;
    const self = path.resolve(context.filename);
    const layer = layerOf(toPosix(path.relative(root, self)));
    if (!layer || !acyclic.includes(layer.name)) return {};
    const inLayer = (file) => layerOf(toPosix(path.relative(root, file))) === layer;
    const name = (file) => toPosix(path.relative(root, file));

    /** A path of run-time imports from `start` back to this file, or undefined. */
    const pathBack = (start) => {
      const seen = new Set([self]);
      const stack = [[start, [start]]];
      while (stack.length > 0) {
        const [file, trail] = stack.pop();
        if (seen.has(file)) continue;
        seen.add(file);
        for (const spec of runtimeImportsOnDisk(file)) {
          const next = resolveFile(file, spec);
          if (!next || !inLayer(next)) continue;
          if (next === self) return trail;
          if (!seen.has(next)) stack.push([next, [...trail, next]]);
        }
      }
      return undefined;
    };

    return importSources((node, literal, spec, runtime) => {
      if (!runtime || !isRelative(spec)) return;
      const target = resolveFile(self, spec);
      if (!target || target === self || !inLayer(target)) return;
      const trail = pathBack(target);
      if (trail) context.report({ node: literal, messageId: 'cycle', data: { layer: layer.name, cycle: [self, ...trail, self].map(name).join(' → ') } });
    });
  },
};

export const plugin = { meta: { name: 'architecture' }, rules: { layers: layersRule, 'no-cycle': noCycleRule } };

/** The flat-config entries that enforce the layers, for every file of every layer. */
export function architectureConfig() {
  const files = LAYERS.flatMap((layer) => layer.paths.map((p) => (p.endsWith('.ts') ? p : `${p}/**/*.ts`)));
  return [
    {
      files,
      plugins: { architecture: plugin },
      rules: { 'architecture/layers': 'error', 'architecture/no-cycle': 'error' },
    },
    {
      // Files of src/ outside every layer are reported too, so that a new folder gets placed.
      files: ['src/**/*.ts'],
      ignores: files,
      plugins: { architecture: plugin },
      rules: { 'architecture/layers': 'error' },
    },
  ];
}
