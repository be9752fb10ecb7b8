// The layers of docs/architecture.md: the lint rules catch an import that breaks them at any depth, and the
// document's table is the table the rules enforce (scripts/lint/layers.mjs).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

interface Layer {
  name: string;
  level: number;
  paths: string[];
  imports?: string[];
  noPackages?: boolean;
  vscode?: boolean;
}
interface LayersModule {
  LAYERS: Layer[];
  allowedImports(layer: Layer): string[];
}
interface ArchitectureModule {
  architectureConfig(): Linter.Config[];
}

const root = path.resolve(__dirname, '../..');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(root, file)).href)) as T;

describe('architecture: the lint rules catch imports that break the layers', () => {
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  /** The messages of the repository's own lint config for `code` planted at `file` (nothing is written). */
  const lint = async (file: string, code: string): Promise<Linter.LintMessage[]> => (await eslint.lintText(code, { filePath: path.join(root, file) }))[0]!.messages;
  const layerErrors = (messages: Linter.LintMessage[]) => messages.filter((m) => m.ruleId === 'architecture/layers').map((m) => m.message);

  it('an engine file three folders down that imports the experiments', async () => {
    const messages = await lint('src/engine/ops/deeper/__planted.ts', "import { catalog } from '../../../experiments/catalog';\nexport const planted = catalog;\n");
    assert.deepEqual(layerErrors(messages), ["The engine layer imports '../../../experiments/catalog' (experiments layer): engine may import only its own files."]);
  });

  it('an engine file that imports shared code, a Node built-in or a package', async () => {
    const messages = await lint('src/engine/ops/__planted.ts', "import type { PlotPayload } from '../../shared/payload';\nimport fs from 'node:fs';\nimport YAML from 'yaml';\nexport type P = PlotPayload;\nexport const planted = [fs, YAML];\n");
    assert.equal(layerErrors(messages).length, 3);
    assert.match(layerErrors(messages)[0]!, /engine layer imports '\.\.\/\.\.\/shared\/payload' \(shared layer\)/);
    assert.match(layerErrors(messages)[1]!, /engine layer imports no packages or Node built-ins: 'node:fs'/);
    assert.match(layerErrors(messages)[2]!, /'yaml' is outside it/);
  });

  it('a type-only import upward counts too (the host reading the extension\'s types)', async () => {
    const messages = await lint('src/kernel/platform/__planted.ts', "import type { BnlabController } from '../../notebook/controller';\nexport type C = BnlabController;\n");
    assert.deepEqual(layerErrors(messages), ["The host layer imports '../../notebook/controller' (extension layer): host may import only shared, engine, experiments, export."]);
  });

  it('layers of one level do not import each other (the extension and the CLI)', async () => {
    const messages = await lint('src/notebook/language/__planted.ts', "import { renderReport } from '../../cli/bnlab';\nexport const planted = renderReport;\n");
    assert.match(layerErrors(messages).join('\n'), /extension layer imports '\.\.\/\.\.\/cli\/bnlab' \(cli layer\)/);
  });

  it('the renderer imports only shared code', async () => {
    const messages = await lint('renderers/figures/__planted.ts', "import { tensor } from '../../src/engine';\nimport type { PlotPayload } from '../../src/shared/payload';\nexport const planted: [unknown, PlotPayload?] = [tensor];\n");
    assert.deepEqual(layerErrors(messages), ["The renderer layer imports '../../src/engine' (engine layer): renderer may import only shared."]);
  });

  it('vscode only in the extension, and a new folder of src/ must be placed in a layer', async () => {
    assert.match(layerErrors(await lint('src/export/__planted.ts', "import * as vscode from 'vscode';\nexport const planted = vscode;\n")).join(), /Only the extension layer imports 'vscode'/);
    assert.deepEqual(layerErrors(await lint('src/notebook/__planted.ts', "import * as vscode from 'vscode';\nexport const planted = vscode;\n")), []);
    assert.match(layerErrors(await lint('src/newfolder/__planted.ts', 'export const planted = 1;\n')).join(), /src\/newfolder\/__planted\.ts is in no layer/);
  });

  it('imports that go down pass', async () => {
    const messages = await lint('src/kernel/__planted.ts', "import { catalog } from '../experiments/catalog';\nimport { tensor } from '../engine';\nimport { exportExperimentCell } from '../export/bundle';\nexport const planted = [catalog, tensor, exportExperimentCell];\n");
    assert.deepEqual(layerErrors(messages), []);
  });
});

describe('architecture: no import cycle inside the engine', () => {
  let dir: string;
  let eslint: ESLint;
  before(async () => {
    // A fixture tree of its own, linted with the same rules: a → b → nested/c → a at run time, and a
    // type-only loop d ⇄ e (erased by the compiler), which is allowed.
    dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-architecture-'));
    const files: Record<string, string> = {
      'src/engine/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'src/engine/b.ts': "import { c } from './nested/c';\nexport const b = (): number => c();\n",
      'src/engine/nested/c.ts': "import { a } from '../a';\nexport const c = (): number => (a.length > 0 ? 0 : 1);\n",
      'src/engine/d.ts': "import type { E } from './e';\nexport interface D { e?: E }\n",
      'src/engine/e.ts': "import { type D } from './d';\nexport interface E { d?: D }\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const { architectureConfig } = await load<ArchitectureModule>('scripts/lint/architecture.mjs');
    eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } }, ...architectureConfig()],
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the cycle at each of its imports, with its path, and not the type-only loop', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const cycles = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'architecture/no-cycle').map((m) => `${path.relative(dir, r.filePath)}: ${m.message}`));
    assert.deepEqual(cycles.sort(), [
      'src/engine/a.ts: Import cycle in the engine layer: src/engine/a.ts → src/engine/b.ts → src/engine/nested/c.ts → src/engine/a.ts.',
      'src/engine/b.ts: Import cycle in the engine layer: src/engine/b.ts → src/engine/nested/c.ts → src/engine/a.ts → src/engine/b.ts.',
      'src/engine/nested/c.ts: Import cycle in the engine layer: src/engine/nested/c.ts → src/engine/a.ts → src/engine/b.ts → src/engine/nested/c.ts.',
    ]);
  });
});

describe('architecture: docs/architecture.md shows the layers the rules enforce', () => {
  it('its layer table equals scripts/lint/layers.mjs', async () => {
    const { LAYERS, allowedImports } = await load<LayersModule>('scripts/lint/layers.mjs');
    const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const section = doc.split(/^## /m).find((s) => s.startsWith('Layers'));
    assert.ok(section, 'docs/architecture.md has a "## Layers" section');
    const rows = section
      .split('\n')
      .filter((line) => /^\|\s*\d+\s*\|/.test(line))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    const list = (cell: string): string[] => (cell === '—' ? [] : cell.split(',').map((item) => item.trim().replace(/^`|`$/g, '')));
    const documented = rows.map(([level, name, paths, imports, packages]) => ({ level: Number(level), name, paths: list(paths!), imports: list(imports!), packages }));
    const configured = LAYERS.map((layer) => ({
      level: layer.level,
      name: layer.name,
      paths: layer.paths,
      imports: allowedImports(layer),
      packages: layer.noPackages ? 'none' : layer.vscode ? 'any, with `vscode`' : 'any but `vscode`',
    }));
    assert.deepEqual(documented, configured);
  });
});
