// The declarations that TypeScript cells are checked against in the editor, generated from the sources:
// src/kernel/cell-scope.ts (the engine's API and the lab's helpers) → dist/types/**/*.d.ts, with the doc
// comments that hover and completion show, plus dist/types/cell-scope.json: the names a cell sees (what
// the TypeScript server plugin puts in scope of every cell; see src/ts-plugin/).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const ENTRY = 'src/kernel/cell-scope.ts';
const OUT_DIR = 'dist/types';

export async function buildCellTypes({ log = () => {} } = {}) {
  const started = Date.now();
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    removeComments: false,
    rootDir: 'src',
    outDir: OUT_DIR,
  };
  const program = ts.createProgram([ENTRY], options);
  const result = program.emit();
  const problems = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) {
    throw new Error(`cell declarations: ${ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' })}`);
  }
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(ENTRY));
  // Reserved words (the engine's `var`) cannot be names in a cell.
  const exported = checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => ts.isIdentifierText(symbol.name, ts.ScriptTarget.ES2022) && !isReservedWord(symbol.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const names = exported.map((symbol) => symbol.name);
  // Values exist at run time (the worker's globals); the other names are types only.
  const resolve = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const values = exported.filter((symbol) => resolve(symbol).flags & ts.SymbolFlags.Value).map((symbol) => symbol.name);
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(path.join(OUT_DIR, 'cell-scope.json'), `${JSON.stringify({ module: 'kernel/cell-scope.d.ts', names, values }, null, 2)}\n`);
  log(`cell declarations: ${names.length} names in scope → ${OUT_DIR}/ (${Date.now() - started} ms)`);
  return names;
}

/** `var`, `class`, …: no binding can have these names (contextual keywords such as `any` can). */
function isReservedWord(name) {
  const kind = ts.identifierToKeywordKind(ts.factory.createIdentifier(name));
  return kind !== undefined && kind >= ts.SyntaxKind.FirstReservedWord && kind <= ts.SyntaxKind.LastReservedWord;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCellTypes({ log: console.log });
