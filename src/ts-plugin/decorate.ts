/**
 * Teaches a TypeScript language service the notebook's cells (see cells.ts): the host gives each cell its
 * suffix and resolves the suffix's imports; the service's answers lose what lies in a suffix.
 */
import type * as ts from 'typescript';
import { MODULE_SYNTAX_MESSAGE, type NotebookCells } from './cells';
import { MODULE_SYNTAX_CODE } from '../shared/ts-plugin-protocol';

type Ts = typeof import('typescript');

/** A cell's own text, without its suffix. */
export type OwnText = (file: string) => string | undefined;

/** Gives the host's cells their suffixes; returns how to read a cell's own text. */
export function decorateHost(tsModule: Ts, host: ts.LanguageServiceHost, cells: NotebookCells): OwnText {
  const getSnapshot = host.getScriptSnapshot.bind(host);
  const getVersion = host.getScriptVersion.bind(host);
  const ownText = (file: string): string | undefined => {
    const snapshot = getSnapshot(file);
    return snapshot?.getText(0, snapshot.getLength());
  };
  host.getScriptSnapshot = (file) => {
    if (!cells.isCell(file)) return getSnapshot(file);
    const text = ownText(file);
    return text === undefined ? undefined : tsModule.ScriptSnapshot.fromString(text + cells.suffix(file, ownText));
  };
  // A cell's suffix changes with the cells above it: its version says so, so that it is parsed again.
  host.getScriptVersion = (file) => (cells.isCell(file) ? `${getVersion(file)}|${hash(cells.suffix(file, ownText))}` : getVersion(file));

  const resolveLiterals = host.resolveModuleNameLiterals?.bind(host);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options, containingSource, reused) => {
    const ours = literals.map((literal) => cells.resolve(literal.text));
    const others = literals.filter((_, i) => ours[i] === undefined);
    const resolvedOthers = resolveLiterals
      ? [...resolveLiterals(others, containingFile, redirected, options, containingSource, reused)]
      : others.map((literal) => tsModule.resolveModuleName(literal.text, containingFile, options, moduleHost(tsModule, host)));
    return ours.map((file) => {
      if (file === undefined) return resolvedOthers.shift()!;
      const extension = file.endsWith('.d.ts') ? tsModule.Extension.Dts : tsModule.Extension.Ts;
      return { resolvedModule: { resolvedFileName: file, extension, isExternalLibraryImport: false } };
    });
  };
  return ownText;
}

/** Wraps a language service so that nothing it reports points into a cell's suffix. */
export function decorateService(tsModule: Ts, service: ts.LanguageService, ownText: OwnText, cells: NotebookCells): ts.LanguageService {
  const ownLength = (file: string): number => ownText(file)?.length ?? 0;
  const inOwnText = (file: string) => (d: ts.Diagnostic) => d.file?.fileName !== file || d.start === undefined || d.start < ownLength(file);
  const proxy: ts.LanguageService = Object.create(null);
  for (const key of Object.keys(service) as (keyof ts.LanguageService)[]) {
    const member = service[key];
    (proxy as unknown as Record<string, unknown>)[key] = typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(service) : member;
  }

  proxy.getSemanticDiagnostics = (file) => {
    const found = service.getSemanticDiagnostics(file);
    if (!cells.isCell(file)) return found;
    const text = ownText(file) ?? '';
    const sourceFile = service.getProgram()?.getSourceFile(file);
    const refused = cells.moduleSyntax(file, text).map(({ start, length }) => ({
      category: tsModule.DiagnosticCategory.Error,
      code: MODULE_SYNTAX_CODE,
      messageText: MODULE_SYNTAX_MESSAGE,
      file: sourceFile,
      start,
      length,
      source: 'bnlab',
    }));
    return [...found.filter(inOwnText(file)), ...refused];
  };
  proxy.getSuggestionDiagnostics = (file) => {
    const found = service.getSuggestionDiagnostics(file);
    return cells.isCell(file) ? found.filter(inOwnText(file)) : found;
  };
  // A syntax error the suffix runs into (an unclosed brace) belongs at the end of the cell's own text.
  proxy.getSyntacticDiagnostics = (file) => {
    const found = service.getSyntacticDiagnostics(file);
    if (!cells.isCell(file)) return found;
    const end = ownLength(file);
    return found.map((d) => (d.start !== undefined && d.start >= end ? { ...d, start: end, length: 0 } : d));
  };
  proxy.getCompletionsAtPosition = (file, position, options, formatting) => {
    const found = service.getCompletionsAtPosition(file, position, options, formatting);
    if (!found || !cells.isCell(file)) return found;
    // Auto-imports would add import statements, which the kernel refuses.
    return { ...found, entries: found.entries.filter((entry) => !entry.hasAction && entry.source === undefined) };
  };
  return proxy;
}

function moduleHost(tsModule: Ts, host: ts.LanguageServiceHost): ts.ModuleResolutionHost {
  return {
    fileExists: (file) => host.fileExists?.(file) ?? tsModule.sys.fileExists(file),
    readFile: (file) => host.readFile?.(file) ?? tsModule.sys.readFile(file),
  };
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
