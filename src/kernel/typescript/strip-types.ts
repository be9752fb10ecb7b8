/**
 * Strips a TypeScript cell's types with Sucrase: a pure-JavaScript transpiler of a few hundred KB, the same
 * in Node and in a Web Worker, with a token-level source map. (esbuild-wasm did the same job in a 10 MB
 * WebAssembly binary, most of the package's size.) Only types go: the JavaScript is left as written, for
 * runtimes that run ES2022; imports are kept so that compile.ts can report them, not silently drop them.
 */
import { transform } from 'sucrase';
import type { Transform } from './compile';

export const stripTypes: Transform = async (source, filename) => {
  try {
    const result = transform(source, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
      filePath: filename.replace(/\.js$/, '.ts'),
      sourceMapOptions: { compiledFilename: filename },
    });
    return { code: result.code, map: JSON.stringify({ ...result.sourceMap, sources: [filename] }) };
  } catch (error) {
    throw syntaxError(error, source);
  }
};

/** A transpiler error as compile.ts reports it: Sucrase's message without its file prefix and "(line:column)" suffix, and a 1-based position. */
export class TypeScriptSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

function syntaxError(error: unknown, source: string): unknown {
  const pos = (error as { pos?: unknown }).pos;
  if (!(error instanceof Error) || typeof pos !== 'number') return error;
  const before = source.slice(0, pos).split('\n');
  return new TypeScriptSyntaxError(error.message.replace(/^Error transforming [^:]*: /, '').replace(/\s*\(\d+:\d+\)$/, ''), before.length, before[before.length - 1]!.length + 1);
}
