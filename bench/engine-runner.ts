// Engine side of the benchmark: the workloads of torch_bench.py on the engine's public API.
// Prints one JSON object (RunnerOutput) on stdout. Each call runs inside `tidy` and disposes the
// gradients it is about to drop, the engine's way to write a training loop (intermediates and old
// gradients go back to the storage pool, as PyTorch's reference counting frees them);
// BNLAB_BENCH_NO_TIDY=1 measures without either.
import '../src/kernel/platform/node-relaxed-simd'; // as in the kernel's workers: the fused gemm
import { dispose, F, Generator, nn, optim, randn, tidy, type Tensor } from '../src/engine/index';
import { measure, parseArgs, peakRssKb, type RunnerOutput } from './harness';
import { loadMnist } from './mnist-node';

const useTidy = process.env.BNLAB_BENCH_NO_TIDY !== '1';

/** `step` inside a tidy scope (unless BNLAB_BENCH_NO_TIDY=1). */
function scoped(step: () => void): () => void {
  return useTidy ? () => tidy(step) : step;
}

/** The gradients a step is about to drop (zeroGrad, x.grad = null), disposed first (unless BNLAB_BENCH_NO_TIDY=1). */
function disposeGrads(tensors: readonly Tensor[]): void {
  if (useTidy) for (const t of tensors) if (t.grad) dispose(t.grad);
}

function bnWorkload(shape: number[]): () => void {
  const g = new Generator(0);
  const C = shape[1];
  const bn = shape.length === 2 ? new nn.BatchNorm1d(C) : new nn.BatchNorm2d(C);
  bn.train();
  const x = randn(shape, { generator: g }).requiresGrad_();
  const gy = randn(shape, { generator: g });
  const all = [x, ...bn.parameters()];
  return scoped(() => {
    disposeGrads(all);
    x.grad = null;
    bn.zeroGrad();
    const y = bn.forward(x);
    y.backward(gy);
  });
}

async function mlpWorkload(withBn: boolean): Promise<() => void> {
  const g = new Generator(0);
  const sizes = [784, 100, 100, 100];
  const layers: nn.Module[] = [];
  for (let i = 0; i < 3; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1], { generator: g }));
    if (withBn) layers.push(new nn.BatchNorm1d(sizes[i + 1]));
    layers.push(new nn.Sigmoid());
  }
  layers.push(new nn.Linear(100, 10, { generator: g }));
  const model = new nn.Sequential(...layers);
  model.train();
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const ds = await loadMnist();
  const batches: { x: Tensor; y: Tensor }[] = [];
  for (const b of ds.batches(60, { shuffle: true, generator: new Generator(0) })) {
    batches.push(b);
    if (batches.length === 20) break;
  }
  let i = 0;
  return scoped(() => {
    const { x, y } = batches[i++ % batches.length];
    disposeGrads(opt.params);
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  });
}

const WORKLOADS: Record<string, () => Promise<() => void> | (() => void)> = {
  bn1d: () => bnWorkload([256, 512]),
  bn2d: () => bnWorkload([64, 64, 32, 32]),
  mlp: () => mlpWorkload(false),
  mlp_bn: () => mlpWorkload(true),
};

async function main(): Promise<void> {
  const { budget, names } = parseArgs(Object.keys(WORKLOADS));
  const out: RunnerOutput = { runner: 'engine', version: `node ${process.version}${useTidy ? '' : ', no tidy'}`, threads: 1, results: {}, peak_rss_kb: 0 };
  for (const name of names) out.results[name] = measure(await WORKLOADS[name](), budget);
  out.peak_rss_kb = peakRssKb();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
