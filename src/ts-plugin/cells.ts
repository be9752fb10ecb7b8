/**
 * How the editor's TypeScript sees a notebook's TypeScript cells, with the kernel's semantics:
 *
 * - every cell has the engine's API and the lab's helpers in scope (dist/types, from src/kernel/cell-scope.ts);
 * - a cell sees the top-level declarations of the cells above it (the latest one of a name wins), not
 *   those below it, and may declare a name again.
 *
 * Each cell becomes a module whose text is the cell's own text followed by a suffix that imports what it
 * sees and exports what it declares. The suffix comes after the cell's text, so every position the editor
 * knows stays where it is; what the TypeScript server reports inside the suffix is dropped or moved to the
 * end of the cell's text.
 */
import type * as ts from 'typescript';

/** Module specifiers of the suffix: resolved by the plugin, never by the file system. */
export const SCOPE_SPECIFIER = 'bnlab:cell-scope';
export const CELL_SPECIFIER_PREFIX = 'bnlab:cell:';

/** The kernel's message for import/export in a cell (src/kernel/typescript/compile.ts says the same at run time). */
export { MODULE_SYNTAX_MESSAGE } from '../shared/typescript-cell-messages';

export interface CellScope {
  /** The declaration file of the cells' scope. */
  file: string;
  /** The names it exports that a cell can use. */
  names: readonly string[];
}

interface Declared {
  text: string;
  names: string[];
}

export class NotebookCells {
  /** Each notebook's TypeScript cells (file names), in notebook order. */
  private readonly notebooks = new Map<string, string[]>();
  private readonly notebookOf = new Map<string, string>();
  private readonly declared = new Map<string, Declared>();

  constructor(
    private readonly ts: typeof import('typescript'),
    readonly scope: CellScope,
  ) {}

  /** Sets a notebook's TypeScript cells, in order. Returns true if anything changed. */
  setOrder(notebook: string, files: readonly string[]): boolean {
    const before = this.notebooks.get(notebook);
    if (before && before.length === files.length && before.every((file, i) => file === files[i])) return false;
    for (const file of before ?? []) this.notebookOf.delete(file);
    this.notebooks.set(notebook, [...files]);
    for (const file of files) this.notebookOf.set(file, notebook);
    return true;
  }

  forget(notebook: string): void {
    for (const file of this.notebooks.get(notebook) ?? []) this.notebookOf.delete(file);
    this.notebooks.delete(notebook);
  }

  isCell(file: string): boolean {
    return this.notebookOf.has(file);
  }

  /**
   * The text appended to a cell: imports of what it sees (from the scope and from the cells above) and
   * an export of what it declares. `readText` gives the current text of any cell.
   */
  suffix(file: string, readText: (file: string) => string | undefined): string {
    const cells = this.notebooks.get(this.notebookOf.get(file) ?? '') ?? [];
    const index = cells.indexOf(file);
    if (index < 0) return '';
    const own = new Set(this.namesOf(file, readText(file) ?? ''));
    // For each name, the latest cell above that declares it.
    const fromCell = new Map<string, string>();
    for (const above of cells.slice(0, index)) {
      for (const name of this.namesOf(above, readText(above) ?? '')) fromCell.set(name, above);
    }
    const lines = ['', ';'];
    const scopeNames = this.scope.names.filter((name) => !own.has(name) && !fromCell.has(name));
    if (scopeNames.length > 0) lines.push(`import { ${scopeNames.join(', ')} } from ${JSON.stringify(SCOPE_SPECIFIER)};`);
    const byCell = new Map<string, string[]>();
    for (const [name, cell] of fromCell) if (!own.has(name)) byCell.set(cell, [...(byCell.get(cell) ?? []), name]);
    for (const [cell, names] of byCell) lines.push(`import { ${names.join(', ')} } from ${JSON.stringify(CELL_SPECIFIER_PREFIX + cell)};`);
    // Names the cell exports itself (which the kernel refuses, with a message) are not exported twice.
    const exportedByCell = new Set(this.moduleSyntax(file, readText(file) ?? '').flatMap((found) => found.names));
    lines.push(`export { ${[...own].filter((name) => !exportedByCell.has(name)).join(', ')} };`);
    return lines.join('\n');
  }

  /** The file a suffix's module specifier names, or undefined for any other specifier. */
  resolve(specifier: string): string | undefined {
    if (specifier === SCOPE_SPECIFIER) return this.scope.file;
    return specifier.startsWith(CELL_SPECIFIER_PREFIX) ? specifier.slice(CELL_SPECIFIER_PREFIX.length) : undefined;
  }

  /** The names a cell declares at top level, as the kernel makes them globals (types too: they are erased). */
  namesOf(file: string, text: string): string[] {
    const cached = this.declared.get(file);
    if (cached?.text === text) return cached.names;
    const ts = this.ts;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const names = new Set<string>();
    const bind = (name: ts.BindingName) => {
      if (ts.isIdentifier(name)) names.add(name.text);
      else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
    };
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((d) => bind(d.name));
      else if (
        (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
        statement.name
      ) {
        names.add(statement.name.text);
      } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) names.add(statement.name.text);
    }
    const result = [...names];
    this.declared.set(file, { text, names: result });
    return result;
  }

  /** Where import and export statements are in a cell's own text: the kernel refuses them. */
  moduleSyntax(file: string, text: string): { start: number; length: number; names: string[] }[] {
    const ts = this.ts;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const found: { start: number; length: number; names: string[] }[] = [];
    for (const statement of source.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || exported) {
        const start = statement.getStart(source);
        const names = exported ? this.namesOf(`${file}#export`, statement.getText(source).replace(/^export\s+(default\s+)?/, '')) : [];
        found.push({ start, length: Math.min(statement.end, text.length) - start, names });
      }
    }
    return found;
  }
}
