/**
 * Compiles a TypeScript cell into a script that runs in the notebook's worker with notebook semantics:
 *
 * - top-level declarations (`const`, `let`, `var`, `function`, `class`) become globals of the worker, so
 *   later cells see them and re-running a cell that declares `const x` works;
 * - top-level `await` works (the body runs in an async function);
 * - the value of a last expression statement is returned, to be shown like a REPL would.
 *
 * Sucrase strips the types (./strip-types.ts); acorn finds the top-level statements; magic-string rewrites them and keeps a
 * source map, which is composed with the stripper's so that errors point at the cell's own line and column.
 */
import remapping from '@jridgewell/remapping';
import { parse, type Node, type Pattern, type Program, type Statement } from 'acorn';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import MagicString from 'magic-string';
import { MODULE_SYNTAX_MESSAGE } from '../../shared/typescript-cell-messages';
import { stripTypes, TypeScriptSyntaxError } from './strip-types';

/** Strips a cell's types: JavaScript and a source map back to the cell (./strip-types.ts). */
export type Transform = (source: string, filename: string) => Promise<{ code: string; map: string }>;

export interface CompiledCell {
  /** A script for `vm.runInThisContext`; its completion value is a Promise of the cell's last value. */
  code: string;
  /** Source map from `code` back to the cell's TypeScript source. */
  map: string;
  /** Names the cell declares at top level. */
  declared: string[];
}

/** A problem found before running: a syntax error or an unsupported statement, with its position. */
export class CellCompileError extends Error {
  override readonly name = 'CellCompileError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`Line ${line}, column ${column}: ${message}`);
  }
}

export async function compileCell(source: string, filename: string, transform: Transform = stripTypes): Promise<CompiledCell> {
  let js: { code: string; map: string };
  try {
    js = await transform(source, filename);
  } catch (error) {
    if (error instanceof TypeScriptSyntaxError) throw new CellCompileError(error.message, error.line, error.column);
    throw error;
  }

  let program: Program;
  try {
    program = parse(js.code, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true });
  } catch (error) {
    // The type stripper accepted it, so this is rare (e.g. a construct acorn doesn't know yet): report it as is.
    throw new CellCompileError((error as Error).message.replace(/ \(\d+:\d+\)$/, ''), 1, 1);
  }

  const s = new MagicString(js.code);
  const declared = new Set<string>();
  const functions: string[] = [];
  const body = program.body as (Statement | Node)[];
  const last = body[body.length - 1];

  for (const node of body) {
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration': {
        const { line, column } = originalPosition(js, node.start);
        throw new CellCompileError(MODULE_SYNTAX_MESSAGE, line, column);
      }
      case 'VariableDeclaration':
        rewriteDeclaration(s, node as unknown as VariableDeclarationNode, declared);
        break;
      case 'FunctionDeclaration': {
        // Functions stay declarations (hoisted within the cell) and are published as globals on entry.
        const name = (node as unknown as { id: { name: string } }).id.name;
        declared.add(name);
        functions.push(name);
        break;
      }
      case 'ClassDeclaration': {
        const name = (node as unknown as { id: { name: string } }).id.name;
        declared.add(name);
        s.appendLeft(node.start, `;${name} = `);
        s.appendRight(node.end, ';');
        break;
      }
      case 'ExpressionStatement':
        if (node === last) {
          const expression = (node as unknown as { expression: Node }).expression;
          // From the statement's start: a parenthesized expression (`({ a: 1 })`) starts inside its parentheses.
          s.appendLeft(node.start, 'return (');
          s.appendRight(expression.end, ')');
        }
        break;
    }
  }

  const hoisted = declared.size > 0 ? `var ${[...declared].join(', ')};\n` : '';
  const published = functions.map((name) => `globalThis.${name} = ${name}; `).join('');
  s.prepend(`${hoisted}(async () => {${published}\n`);
  s.append('\n})()');
  const rewriteMap = s.generateMap({ hires: true, source: filename, includeContent: false });
  const map = remapping([rewriteMap.toString(), js.map], () => null);
  return { code: s.toString(), map: map.toString(), declared: [...declared] };
}

interface VariableDeclarationNode extends Node {
  kind: 'var' | 'let' | 'const';
  declarations: (Node & { id: Pattern; init: Node | null })[];
}

/** `const a = 1, { b } = o;` becomes `;(a = 1), ({ b } = o);` with `a` and `b` hoisted as globals. */
function rewriteDeclaration(s: MagicString, node: VariableDeclarationNode, declared: Set<string>): void {
  const first = node.declarations[0]!;
  s.overwrite(node.start, first.start, ';');
  for (const declarator of node.declarations) {
    for (const name of bindingNames(declarator.id)) declared.add(name);
    if (declarator.init) {
      s.appendLeft(declarator.start, '(');
      s.appendRight(declarator.end, ')');
    } else if (node.kind === 'var') {
      s.overwrite(declarator.start, declarator.end, 'void 0');
    } else {
      s.appendLeft(declarator.start, '(');
      s.appendRight(declarator.end, ' = undefined)');
    }
  }
}

function bindingNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p) => (p.type === 'RestElement' ? bindingNames(p.argument) : bindingNames(p.value)));
    case 'ArrayPattern':
      return pattern.elements.flatMap((e) => (e ? bindingNames(e) : []));
    case 'RestElement':
      return bindingNames(pattern.argument);
    case 'AssignmentPattern':
      return bindingNames(pattern.left);
    default:
      return [];
  }
}

/** Line and column in the TypeScript source of an offset in the stripped output (for compile errors). */
function originalPosition(js: { code: string; map: string }, offset: number): { line: number; column: number } {
  const before = js.code.slice(0, offset).split('\n');
  const generated = { line: before.length, column: before[before.length - 1]!.length };
  const mapped = remapOne(js.map, generated);
  return mapped ?? { line: generated.line, column: generated.column + 1 };
}

function remapOne(map: string, position: { line: number; column: number }): { line: number; column: number } | undefined {
  const original = originalPositionFor(new TraceMap(map), position);
  return original.line === null ? undefined : { line: original.line, column: original.column + 1 };
}
