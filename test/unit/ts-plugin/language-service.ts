// A TypeScript language service over in-memory notebook cells, decorated as the tsserver plugin does:
// what the unit tests ask instead of a real TypeScript server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { NotebookCells } from '../../../src/ts-plugin/cells';
import { decorateHost, decorateService } from '../../../src/ts-plugin/decorate';

const typesDir = path.resolve('dist/types');

export interface CellService {
  service: ts.LanguageService;
  cells: NotebookCells;
  files: string[];
  setText(index: number, text: string): void;
  /** Offset of the first occurrence of `marker` in cell `index`, plus `delta`. */
  at(index: number, marker: string, delta?: number): number;
}

/** Cells of one notebook (names like the client's in-memory files), in order. */
export function cellService(sources: string[], notebook = '/work/nb.bnnb'): CellService {
  const scope = JSON.parse(readFileSync(path.join(typesDir, 'cell-scope.json'), 'utf8')) as { module: string; names: string[] };
  const cells = new NotebookCells(ts, { file: path.join(typesDir, scope.module), names: scope.names });
  const files = sources.map((_, i) => `^/vscode-notebook-cell/ts-nul-authority${notebook}#cell${i}`);
  const texts = new Map(files.map((file, i) => [file, sources[i]!]));
  const versions = new Map(files.map((file) => [file, 1]));
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => ({ target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10, strictNullChecks: true, strictFunctionTypes: true, skipLibCheck: true, allowJs: true, allowNonTsExtensions: true } as ts.CompilerOptions),
    getScriptFileNames: () => files,
    getScriptVersion: (file) => String(versions.get(file) ?? 0),
    getScriptSnapshot: (file) => {
      const text = texts.get(file) ?? (ts.sys.fileExists(file) ? ts.sys.readFile(file) : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getScriptKind: (file) => (texts.has(file) ? ts.ScriptKind.TS : ts.ScriptKind.Unknown),
    getCurrentDirectory: () => '/work',
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => texts.has(file) || ts.sys.fileExists(file),
    readFile: (file) => texts.get(file) ?? ts.sys.readFile(file),
  };
  cells.setOrder(notebook, files);
  const ownText = decorateHost(ts, host, cells);
  const service = decorateService(ts, ts.createLanguageService(host), ownText, cells);
  return {
    service,
    cells,
    files,
    setText(index, text) {
      texts.set(files[index]!, text);
      versions.set(files[index]!, (versions.get(files[index]!) ?? 0) + 1);
    },
    at(index, marker, delta = 0) {
      const offset = texts.get(files[index]!)!.indexOf(marker);
      if (offset < 0) throw new Error(`"${marker}" is not in cell ${index}`);
      return offset + delta;
    },
  };
}

export function messages(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
