import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Progress } from '../../../src/experiments/experiment';
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME } from '../../../src/kernel/outputs';
import { KernelSession, type RunResult } from '../../../src/kernel/session';
import { buildWorker } from './build-worker';

let workerPath: string;
const sessions: KernelSession[] = [];

function session(options: Partial<ConstructorParameters<typeof KernelSession>[0]> = {}): KernelSession {
  const s = new KernelSession({ workerPath, interruptGraceMs: 500, ...options });
  sessions.push(s);
  return s;
}

let cellCount = 0;
function ts(s: KernelSession, source: string, onProgress?: (p: Progress) => void): Promise<RunResult> {
  return s.run({ language: 'typescript', source, label: `Cell ${++cellCount}` }, { onProgress });
}

function text(result: RunResult): string {
  return result.outputs.flatMap((o) => o.items).map((item) => (typeof item.data === 'string' ? item.data : JSON.stringify(item.data))).join('');
}

function error(result: RunResult): { name: string; message: string; stack: string } {
  const item = result.outputs.flatMap((o) => o.items).find((i) => i.mime === ERROR_MIME);
  assert.ok(item, `expected an error output, got ${JSON.stringify(result.outputs)}`);
  return item.data as { name: string; message: string; stack: string };
}

describe('kernel session (a worker per notebook)', () => {
  before(async () => {
    workerPath = await buildWorker();
  });
  after(() => sessions.forEach((s) => s.dispose()));

  it('shares declarations between cells and lets a cell that declares const run again', async () => {
    const s = session();
    const declare = 'const x: number = 2;\nlet list = [1];\nfunction double(n: number) { return 2 * n; }\nclass Box { constructor(public v: number) {} }';
    assert.equal((await ts(s, declare)).success, true);
    assert.equal(text(await ts(s, 'list.push(double(x)); new Box(list.length).v + list[1]')), '6');
    assert.equal((await ts(s, declare)).success, true, 're-running a cell with const x works');
    assert.equal(text(await ts(s, 'list')), '[ 1 ]', 'and re-binds its names');
  });

  it('supports top-level await and shows the last expression', async () => {
    const s = session();
    assert.equal(text(await ts(s, 'const v = await new Promise<number>((r) => setTimeout(() => r(7), 10));\nv * 6')), '42');
    assert.equal(text(await ts(s, '({ v, list: [1, "two"] })')), "{ v: 7, list: [ 1, 'two' ] }", 'a parenthesized last expression');
  });

  it('prints engine tensors as PyTorch does', async () => {
    const s = session();
    assert.equal(text(await ts(s, 'tensor([1, 2, 3, 4], [2, 2])')), 'tensor([[1., 2.],\n        [3., 4.]])');
  });

  it('routes console.log and console.error to stdout and stderr, in order with show()', async () => {
    const s = session();
    const result = await ts(s, "console.log('a', 1);\nconsole.log('b');\nconsole.error('oops');\nshow.markdown('**m**');\nconsole.log('c');");
    assert.deepEqual(
      result.outputs.map((o) => [o.items[0]!.mime, o.items[0]!.data]),
      [
        [STDOUT_MIME, 'a 1\nb\n'],
        [STDERR_MIME, 'oops\n'],
        ['text/markdown', '**m**'],
        [STDOUT_MIME, 'c\n'],
      ],
    );
  });

  it("points a runtime error at the cell's own line and column, with a stack of cell frames", async () => {
    const s = session();
    cellCount = 9;
    const result = await ts(s, '// a comment\ninterface P { a: number }\nfunction f(p?: P): number {\n  return p!.a;\n}\nf();');
    assert.equal(result.success, false);
    const e = error(result);
    assert.equal(e.name, 'TypeError');
    assert.match(e.message, /reading 'a'\) \(Cell 10, line 4, column 13\)$/);
    assert.deepEqual(e.stack.split('\n').slice(1), ['    at f (Cell 10:4:13)', '    at Cell 10:6:1']);
  });

  it('reports a syntax error with its line before running anything', async () => {
    const s = session();
    await ts(s, 'let ran = false;');
    const result = await ts(s, 'ran = true;\nconst y: number = ;');
    const e = error(result);
    assert.equal(e.name, 'CellCompileError');
    assert.match(e.message, /^Line 2, column 19: /);
    assert.equal(text(await ts(s, 'ran')), 'false', 'nothing of the cell ran');
  });

  it('refuses import and export with a reason', async () => {
    const e = error(await ts(session(), "import fs from 'node:fs';"));
    assert.match(e.message, /^Line 1, column 1: import and export are not available in notebook cells/);
  });

  it('stops a cooperative loop within a second of an interrupt and keeps the state', async () => {
    const s = session();
    await ts(s, 'let kept = 41;');
    const running = ts(s, 'for (let i = 0; ; i++) { progress({ step: i, total: 1e12 }); }');
    await new Promise((r) => setTimeout(r, 300));
    const start = Date.now();
    s.interrupt();
    const result = await running;
    assert.ok(Date.now() - start < 1000, `stopped after ${Date.now() - start} ms`);
    assert.equal(error(result).name, 'InterruptedError');
    assert.doesNotMatch(error(result).message, /state was lost/);
    assert.equal(text(await ts(s, 'kept + 1')), '42', 'the state survived');
  });

  it('stops an awaiting cell at once and keeps the state', async () => {
    const s = session();
    await ts(s, 'const kept = 1;');
    const running = ts(s, 'await new Promise(() => {});');
    await new Promise((r) => setTimeout(r, 100));
    s.interrupt();
    assert.equal(error(await running).name, 'InterruptedError');
    assert.equal(text(await ts(s, 'kept')), '1');
  });

  it('terminates a cell that never yields after the grace period; a fresh worker follows, without the state', async () => {
    const s = session({ interruptGraceMs: 300 });
    await ts(s, 'const lost = 1;');
    const running = ts(s, 'while (true) {}');
    await new Promise((r) => setTimeout(r, 200));
    const start = Date.now();
    s.interrupt();
    const result = await running;
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 300 && elapsed < 1000, `stopped after ${elapsed} ms`);
    assert.match(error(result).message, /did not stop within 0\.3 s .* The notebook's state was lost/);
    assert.equal(text(await ts(s, 'typeof lost')), "'undefined'", 'a fresh worker, without the old state');
  });

  it('restart throws the state away', async () => {
    const s = session();
    await ts(s, 'const before = 1;');
    await s.restart();
    assert.equal(text(await ts(s, 'typeof before')), "'undefined'");
  });

  it('caps the worker memory: a clear error, then a fresh worker', async () => {
    const s = session({ memoryLimitMb: 64 });
    const result = await ts(s, 'const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e6).fill(1.5));');
    const e = error(result);
    assert.equal(e.name, 'OutOfMemory');
    assert.match(e.message, /more than the kernel's memory limit \(64 MB, setting "batchnormLab\.kernel\.memoryLimitMb"\)/);
    assert.equal(text(await ts(s, '1 + 1')), '2');
  });

  it('forwards progress a few times a second, always with the last step', async () => {
    const s = session();
    const seen: Progress[] = [];
    const result = await ts(s, 'const end = Date.now() + 700;\nlet i = 0;\nwhile (Date.now() < end) progress({ step: ++i, total: 1e9, metrics: { loss: 1 / i } });\nprogress({ step: 10, total: 10 });', (p) => seen.push(p));
    assert.equal(result.success, true);
    assert.ok(seen.length >= 3 && seen.length <= 8, `${seen.length} progress reports in 0.7 s`);
    assert.deepEqual(seen.at(-1), { step: 10, total: 10 });
    assert.ok(seen[0]!.metrics && typeof seen[0]!.metrics.loss === 'number');
  });

  it('in Restricted Mode, refuses TypeScript cells with a reason and still runs experiment cells', async () => {
    const s = session({ isTrusted: () => false });
    const e = error(await ts(s, '1 + 1'));
    assert.equal(e.name, 'RestrictedMode');
    assert.match(e.message, /Restricted Mode.*Manage Workspace Trust/);
    const experiment = await s.run({ language: 'bnlab', source: 'experiment: normalize-features', label: 'Cell 2' });
    assert.equal(experiment.success, true);
  });

  it('stops training at a NaN activation with the step and the layer', async () => {
    const s = session();
    cellCount = 19;
    const source = [
      'manualSeed(0);',
      'const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));',
      'const opt = new optim.SGD(model.parameters(), { lr: 0.1 });',
      'const x = randn([16, 4]);',
      'const y = tensor(Array.from({ length: 16 }, (_, i) => i % 2), [16]);',
      'for (let step = 1; step <= 10; step++) {',
      '  if (step === 4) (model.at(2) as nn.Linear).weight.data[3] = NaN;',
      '  opt.zeroGrad();',
      '  const loss = F.crossEntropy(forwardChecked(model, x, step), y);',
      '  checkLoss(loss, step);',
      '  loss.backward();',
      '  opt.step();',
      '}',
    ].join('\n');
    const e = error(await ts(s, source));
    assert.equal(e.name, 'DivergenceError');
    assert.match(e.message, /^Training diverged at step 4: the output of layer 2 \(Linear\) became NaN\. \(Cell 20, line 9, column \d+\)$/);
  });

  it('runs experiment cells in the worker and reports their parameter errors', async () => {
    const s = session();
    const bad = await s.run({ language: 'bnlab', source: 'experiment: normalize-features\nseed: -1', label: 'Cell 1' });
    assert.equal(error(bad).message, 'Line 2, column 7: "seed" must be an integer from 0 to 2147483647; got -1');
  });
});
