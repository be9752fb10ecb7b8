// One esbuild script for every bundle: the extension (CommonJS, `vscode` external) for the Node extension
// host (`main`) and for the web worker extension host of vscode.dev / github.dev (`browser`), the kernel
// workers of both, the notebook renderer (ES module; plotly in a lazily imported chunk) and the in-host
// test suites. Type-checking is tsc's job (`npm run typecheck`); esbuild only strips types.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCellTypes } from './build-cell-types.mjs';
import { buildMnist } from './build-mnist.mjs';
import { buildWasm } from './build-wasm.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'linked',
};

/**
 * The web build's platform seam: an import of `./x` that has a `./x.web.ts` beside it gets that file
 * (src/notebook/platform/host.web.ts, src/kernel/platform/node-worker.web.ts, …). Everything else is shared.
 * @type {esbuild.Plugin}
 */
const webVariants = {
  name: 'web-variants',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const variant = path.resolve(args.resolveDir, `${args.path.replace(/\.ts$/, '')}.web.ts`);
      return existsSync(variant) ? { path: variant } : undefined;
    });
  },
};

/** The web worker extension host and the Web Workers it starts: no Node built-ins, no `process`. */
/** @type {esbuild.BuildOptions} */
const web = {
  ...common,
  platform: 'browser',
  target: 'es2022',
  mainFields: ['browser', 'module', 'main'],
  plugins: [webVariants],
  define: { global: 'globalThis' },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...web,
    entryPoints: { 'web/extension': 'src/extension.ts' },
    outdir: 'dist',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // A classic script (not a module): the web host's Worker shim loads it with importScripts, from a blob: URL.
    ...web,
    entryPoints: { 'web/kernel-worker': 'src/kernel/worker-web.ts' },
    outdir: 'dist',
    format: 'iife',
  },
  {
    // The web test suite: mocha's browser build and everything else bundled, only `vscode` left to the host.
    ...web,
    entryPoints: { 'test/web/index': 'test/web/index.ts' },
    outdir: 'dist',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', cli: 'src/cli/bnlab.ts', 'kernel-worker': 'src/kernel/worker.ts', 'pool-worker': 'src/kernel/pool-worker.ts', 'export-worker': 'src/kernel/export-worker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // Prefer ES module builds: jsonc-parser's UMD build hides its requires from the bundler.
    mainFields: ['module', 'main'],
  },
  {
    // The TypeScript server plugin, loaded by VS Code's TypeScript server (a Node process of its own).
    ...common,
    entryPoints: { 'ts-plugin': 'src/ts-plugin/index.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
  },
  {
    ...common,
    entryPoints: { renderer: 'renderers/index.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    splitting: true,
    chunkNames: 'renderer-chunks/[name]-[hash]',
    minify: true,
  },
  {
    // plotly.js, once: a classic script that sets globalThis.Plotly, loaded by the renderer when it first
    // draws and inlined into each HTML report before the report's script. Always minified.
    ...common,
    entryPoints: { plotly: 'node_modules/plotly.js-dist/plotly.js' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2022',
    minify: true,
    sourcemap: false,
  },
  {
    // The headless runner's HTML report: the renderer in one classic script (plotly comes before it, see above).
    ...common,
    entryPoints: { 'report-assets/report': 'renderers/report-page.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    // plotly is inlined before the script, so the renderer never computes where to fetch it from.
    define: { 'import.meta.url': 'location.href' },
  },
  {
    ...common,
    entryPoints: { 'test/integration/index': 'test/integration/index.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    mainFields: ['module', 'main'],
  },
];

await rm('dist', { recursive: true, force: true });
// The kernel worker compiles TypeScript cells with esbuild's WebAssembly build, the same on every platform.
await mkdir('dist', { recursive: true });
// MNIST digits → dist/data/mnist.bin.gz (cached conversion, gzipped; see build-mnist.mjs).
await buildMnist({ log: (message) => console.log(message) });
// The declarations TypeScript cells are checked against (dist/types/), generated from src/kernel/cell-scope.ts.
await buildCellTypes({ log: (message) => console.log(message) });
// VS Code's TypeScript server loads plugins by package name from the extension's node_modules/.
await mkdir('node_modules/bnlab-ts-plugin', { recursive: true });
await writeFile('node_modules/bnlab-ts-plugin/package.json', `${JSON.stringify({ name: 'bnlab-ts-plugin', private: true, main: '../../dist/ts-plugin.js' }, null, 2)}\n`);
// Engine WebAssembly: src/engine/wasm/*.wat → the committed *.generated.ts (rewritten only if stale).
await buildWasm({ log: (message) => console.log(message) });
if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
