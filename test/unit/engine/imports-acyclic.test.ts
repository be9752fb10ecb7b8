// The engine's modules import each other without a loop: a loop makes the load order decide which
// bindings are still undefined while a module initializes, and ties every module in it to all
// the others. Type-only imports are erased by TypeScript and do not count.
import assert from 'node:assert/strict';
import test from 'node:test';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ENGINE = resolve(__dirname, '..', '..', '..', 'src', 'engine');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers a file imports or re-exports at run time (not `import type`, not all-`type` lists). */
export function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gms;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const names = m[3].trim();
    const list = /^\{([\s\S]*)\}$/.exec(names);
    if (list && list[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    out.push(m[4]);
  }
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]);
  return out;
}

function resolveModule(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(c).isFile()) return c;
    } catch { /* next candidate */ }
  }
  return null;
}

test('runtimeImports skips type-only imports', () => {
  assert.deepEqual(runtimeImports("import type { A } from './a';\nimport { type B, type C } from './b';\nimport { D, type E } from './d';\nexport * as f from './f';\nimport './g';"), ['./d', './f', './g']);
});

test('no import loop among the engine modules', () => {
  const graph = new Map<string, string[]>();
  for (const file of sources(ENGINE)) {
    const deps = runtimeImports(readFileSync(file, 'utf8')).map((s) => resolveModule(file, s)).filter((d): d is string => d !== null);
    graph.set(file, deps);
  }
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const loops: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'active');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'active') loops.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(ENGINE, p)).join(' → '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(loops, [], `import loops:\n${loops.join('\n')}`);
});
