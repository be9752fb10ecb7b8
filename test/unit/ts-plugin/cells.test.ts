// The editor's model of TypeScript cells (src/ts-plugin): a real TypeScript language service over
// in-memory cells, decorated as the TypeScript server plugin decorates VS Code's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import ts from 'typescript';
import { cellGlobals } from '../../../src/kernel/cell-runner';
import { MODULE_SYNTAX_MESSAGE } from '../../../src/shared/typescript-cell-messages';
import { cellService, messages } from './language-service';

const scopeFile = 'dist/types/cell-scope.json';

describe('TypeScript cells in the editor', () => {
  before(() => {
    assert.ok(readFileSync(scopeFile, 'utf8'), `${scopeFile} is missing: run npm run build first`);
  });

  it('declares exactly the globals the kernel installs', () => {
    const declared = JSON.parse(readFileSync(scopeFile, 'utf8')) as { names: string[]; values: string[] };
    const installed = Object.keys(cellGlobals({ show: (() => {}) as never, progress() {}, checkInterrupt() {} })).sort();
    assert.deepEqual(installed, [...declared.values].sort());
    for (const name of ['tensor', 'nn', 'F', 'optim', 'init', 'data', 'stats', 'show', 'progress', 'randn', 'manualSeed', 'Tensor']) assert.ok(declared.names.includes(name), name);
  });

  it('completes the engine API after nn. and a tensor\'s methods', () => {
    const s = cellService(['nn.', 'const t = randn([2, 3]);\nt.']);
    const names = s.service.getCompletionsAtPosition(s.files[0]!, 3, {})!.entries.map((e) => e.name);
    for (const name of ['BatchNorm1d', 'BatchNorm2d', 'LayerNorm', 'GroupNorm', 'InstanceNorm2d', 'Linear', 'Sequential']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    const methods = s.service.getCompletionsAtPosition(s.files[1]!, s.at(1, 't.', 2), {})!.entries.map((e) => e.name);
    for (const name of ['mean', 'backward', 'reshape', 'data', 'shape']) assert.ok(methods.includes(name), name);
  });

  it('types the engine: hover shows the signature, definition goes to the engine\'s declarations', () => {
    const s = cellService(['const bn = new nn.BatchNorm1d(4);']);
    const info = s.service.getQuickInfoAtPosition(s.files[0]!, s.at(0, 'BatchNorm1d', 3))!;
    assert.match(ts.displayPartsToString(info.displayParts), /BatchNorm1d\(numFeatures: number/);
    assert.match(ts.displayPartsToString(info.documentation), /Batch normalization over a \(N, C\)/);
    const definition = s.service.getDefinitionAtPosition(s.files[0]!, s.at(0, 'BatchNorm1d', 3))!;
    assert.ok(definition.some((d) => d.fileName.endsWith('dist/types/engine/nn/batchnorm.d.ts')), JSON.stringify(definition));
    const bn = s.service.getQuickInfoAtPosition(s.files[0]!, s.at(0, 'bn', 1))!;
    assert.match(ts.displayPartsToString(bn.displayParts), /const bn: .*BatchNorm1d/);
  });

  it('reports type errors and unknown names on their lines, and nothing else', () => {
    const s = cellService(['const bn = new nn.BatchNorm1d(4);\nconst n: number = "text";\nundefinedFunction(n);\nawait Promise.resolve(1);']);
    const found = s.service.getSemanticDiagnostics(s.files[0]!);
    const source = 'const bn = new nn.BatchNorm1d(4);\nconst n: number = "text";\nundefinedFunction(n);\nawait Promise.resolve(1);';
    const lines = found.map((d) => source.slice(0, d.start).split('\n').length);
    assert.deepEqual(messages(found), ["Type 'string' is not assignable to type 'number'.", "Cannot find name 'undefinedFunction'."]);
    assert.deepEqual(lines, [2, 3]);
    assert.deepEqual(s.service.getSyntacticDiagnostics(s.files[0]!), []);
    assert.deepEqual(messages(s.service.getSuggestionDiagnostics(s.files[0]!)), [], 'the scope\'s unused imports are not suggestions');
  });

  it('shows earlier cells\' declarations in later cells, in notebook order, not the other way', () => {
    const s = cellService(['const early = laterName;', 'const bn = new nn.BatchNorm1d(4);\nfunction helper(x: number) { return x * 2; }\ntype Pair = [number, number];', 'bn.\nconst laterName = helper(1);\nconst p: Pair = [1, 2];']);
    const completions = s.service.getCompletionsAtPosition(s.files[2]!, 3, {})!.entries.map((e) => e.name);
    assert.ok(completions.includes('runningMean'), completions.join(', '));
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[2]!)), []);
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[0]!)), ["Cannot find name 'laterName'."]);
    // Go to definition of an earlier cell's name lands in that cell.
    const definition = s.service.getDefinitionAtPosition(s.files[2]!, 0)!;
    assert.deepEqual(definition.map((d) => [d.fileName, d.textSpan.start]), [[s.files[1], 6]]);
  });

  it('lets a cell declare a name again, and the latest declaration above wins', () => {
    const s = cellService(['let x = 1;', 'const x = "text";', 'const n: number = x;', 'const data = 3;', 'data.toFixed(1);']);
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[1]!)), [], 'a cell may declare a name that a cell above declared');
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[2]!)), ["Type 'string' is not assignable to type 'number'."]);
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[4]!)), [], 'a cell\'s `data` shadows the engine\'s for the cells below');
  });

  it('follows edits of the cells above', () => {
    const s = cellService(['const a = 1;', 'a.toFixed(1);']);
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[1]!)), []);
    s.setText(0, 'const b = 1;');
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[1]!)), ["Cannot find name 'a'."]);
    s.cells.setOrder('/work/nb.bnnb', [s.files[1]!, s.files[0]!]);
    s.setText(0, 'const a = 1;');
    assert.deepEqual(messages(s.service.getSemanticDiagnostics(s.files[1]!)), ["Cannot find name 'a'."], 'moved above its declaration');
  });

  it('gives import and export the kernel\'s message, at the statement', () => {
    const s = cellService(['import { x } from "y";\nexport const z = 1;\nconst ok = 2;']);
    const found = s.service.getSemanticDiagnostics(s.files[0]!).filter((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') === MODULE_SYNTAX_MESSAGE);
    assert.deepEqual(found.map((d) => [d.start, d.length]), [[0, 22], [23, 19]]);
  });

  it('keeps a syntax error the suffix runs into at the end of the cell\'s own text', () => {
    const source = 'function f() {\n  return 1;';
    const s = cellService([source]);
    const found = s.service.getSyntacticDiagnostics(s.files[0]!);
    assert.ok(found.length > 0);
    for (const d of found) assert.ok(d.start! <= source.length, `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} at ${d.start}`);
  });

  it('offers no auto-imports (a cell cannot import)', () => {
    const s = cellService(['const a = 1;', 'Batch']);
    const entries = s.service.getCompletionsAtPosition(s.files[1]!, 5, { includeCompletionsForModuleExports: true })!.entries;
    assert.ok(entries.every((e) => !e.hasAction && e.source === undefined));
  });
});
