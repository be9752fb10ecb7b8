// Completion latency in a TypeScript cell of a 20-cell notebook, through a real TypeScript server
// (typescript/lib/tsserver.js, the program VS Code runs) with the lab's plugin loaded as VS Code loads it
// (--globalPlugins, probing the repository's node_modules/). Each warm sample is what typing does: an
// edit of the last cell, then a completion request; the time is from request to answer. VS Code's own
// client adds its IPC on top. Needs `npm run build` (dist/ts-plugin.js, dist/types/).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');
const CELLS = 20;

export interface CompletionBench {
  cells: number;
  cold_ms: number;
  warm_median_ms: number;
  warm_p95_ms: number;
  samples: number;
  /** Whether the answer held the engine's names (the plugin was in effect). */
  sawEngineNames: boolean;
}

/** Cells like a notebook's: data, a model, a training loop, plots; the last one ends in `bn.`. */
function cellSources(): string[] {
  const cells = [
    'manualSeed(0);\nconst x = randn([256, 4]).mul(tensor([1000, 1, 0.001, 1], [4]));',
    'const bn = new nn.BatchNorm1d(4);\nconst y = bn.forward(x);',
  ];
  for (let i = cells.length; i < CELLS - 1; i++) {
    cells.push(`const model${i} = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));\nconst opt${i} = new optim.SGD(model${i}.parameters(), { lr: 0.1 });\nfor (let step = 0; step < 10; step++) {\n  const loss = F.crossEntropy(model${i}.forward(x), randint(0, 2, [256]));\n  opt${i}.zeroGrad();\n  loss.backward();\n  opt${i}.step();\n}`);
  }
  cells.push('bn.');
  return cells;
}

class TsServer {
  private seq = 0;
  private buffer = '';
  private readonly waiting = new Map<number, (body: unknown) => void>();
  private readonly child;

  /** `perProjectRoot`: one inferred project per folder, as VS Code runs it; without, a project per file. */
  constructor(perProjectRoot: boolean) {
    const log = process.env.BNLAB_TSSERVER_LOG ? ['--logVerbosity', 'verbose', '--logFile', process.env.BNLAB_TSSERVER_LOG] : [];
    const args = ['--globalPlugins', 'bnlab-ts-plugin', '--pluginProbeLocations', root, '--disableAutomaticTypingAcquisition', ...(perProjectRoot ? ['--useInferredProjectPerProjectRoot'] : []), ...log];
    this.child = spawn(process.execPath, [resolve(root, 'node_modules/typescript/lib/tsserver.js'), ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      // Messages are "Content-Length: N\r\n\r\n{json}".
      for (;;) {
        const header = /Content-Length: (\d+)\r\n\r\n/.exec(this.buffer);
        if (!header) return;
        const start = header.index + header[0].length;
        const length = Number(header[1]);
        if (Buffer.byteLength(this.buffer.slice(start)) < length) return;
        const body = Buffer.from(this.buffer.slice(start)).subarray(0, length).toString();
        this.buffer = Buffer.from(this.buffer.slice(start)).subarray(length).toString();
        const message = JSON.parse(body) as { type: string; request_seq?: number; body?: unknown };
        if (message.type === 'response' && message.request_seq !== undefined) this.waiting.get(message.request_seq)?.(message.body);
      }
    });
  }

  send(command: string, args: object): void {
    this.child.stdin.write(`${JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args })}\n`);
  }

  request<T>(command: string, args: object): Promise<T> {
    const seq = ++this.seq;
    return new Promise((done) => {
      this.waiting.set(seq, (body) => done(body as T));
      this.child.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`);
    });
  }

  stop(): void {
    this.child.kill();
  }
}

export async function benchCellCompletions({ samples = 30, perProjectRoot = true } = {}): Promise<CompletionBench> {
  const server = new TsServer(perProjectRoot);
  try {
    const sources = cellSources();
    const files = sources.map((_, i) => `^/vscode-notebook-cell/ts-nul-authority/bench/notebook.bnnb#cell${i}`);
    files.forEach((file, i) => server.send('open', { file, fileContent: sources[i], scriptKindName: 'TS', projectRootPath: root }));
    for (const [index, file] of files.entries()) await server.request('_bnlab.cellOrder', { file, notebook: 'bench', index, count: files.length });
    const last = files[files.length - 1]!;
    const at = { file: last, line: 1, offset: 4 };
    let started = performance.now();
    const first = await server.request<{ entries?: { name: string }[] }>('completionInfo', at);
    const cold = performance.now() - started;
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      // Type a character in an earlier cell and take it back: later cells see it, as in a notebook.
      server.send('change', { file: files[1], line: 2, offset: 1, endLine: 2, endOffset: 1, insertString: i % 2 ? '' : ' ' });
      started = performance.now();
      await server.request('completionInfo', at);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const names = (first?.entries ?? []).map((e) => e.name);
    return {
      cells: files.length,
      cold_ms: cold,
      warm_median_ms: times[times.length >> 1]!,
      warm_p95_ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!,
      samples,
      sawEngineNames: names.includes('runningMean') && names.includes('forward'),
    };
  } finally {
    server.stop();
  }
}

export function formatCompletionBench(result: CompletionBench): string {
  const plugin = result.sawEngineNames ? '' : '  (the answer lacked BatchNorm1d\'s members: the plugin was not in effect)';
  return `completion in cell ${result.cells} of a ${result.cells}-cell notebook: cold ${result.cold_ms.toFixed(0)} ms, warm median ${result.warm_median_ms.toFixed(1)} ms, p95 ${result.warm_p95_ms.toFixed(1)} ms over ${result.samples} edits (target < 300 ms warm)${plugin}`;
}

if (require.main === module) {
  benchCellCompletions().then((r) => console.log(formatCompletionBench(r)));
}
