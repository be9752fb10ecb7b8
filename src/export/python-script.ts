/**
 * Writes the PyTorch script for a captured experiment: readable top to bottom (data, models, runs, the
 * training loop, metrics), with the same layers, hyper-parameters, batch order and metrics as the
 * engine's runs. The distributed variant adds DistributedDataParallel for torchrun and, for batch norms,
 * SyncBatchNorm (CUDA) or its CPU equivalent written out below (PyTorch's SyncBatchNorm runs on CUDA only).
 */
import type { CapturedRun } from './capture';
import { ExportError, isBatchNorm, pythonLayer, type LayerSpec } from './layers';
import { pyLiteral, pyNumber, pyString } from './python-values';

export interface ScriptOptions {
  /** File name of the script without `.py`; its data folder is `<stem>_data`. */
  stem: string;
  experimentId: string;
  experimentTitle: string;
  params: Record<string, unknown>;
  /** Where the experiment came from, e.g. "02-internal-covariate-shift.bnnb, cell 3". */
  origin: string;
  weights: boolean;
  distributed: boolean;
  /** Default of the distributed script's --sync-bn flag. */
  syncBn: boolean;
}

export interface ScriptDataset {
  key: string;
  x: string;
  dtype: 'uint8/255' | 'float32';
  shape: number[];
  y: string;
}

export interface ScriptRun {
  run: CapturedRun;
  order: string;
  weights: string | null;
  train: string;
  test: string | null;
}

export function pythonScript(options: ScriptOptions, datasets: ScriptDataset[], runs: ScriptRun[]): string {
  const architectures = distinctArchitectures(runs.map((r) => r.run.layers));
  const hasBatchNorm = runs.some((r) => r.run.layers.some(isBatchNorm));
  const d = options.distributed;
  const parts = [
    header(options, hasBatchNorm),
    imports(d),
    constants(options, datasets),
    architectures.map(([name, layers]) => builder(name, layers)).join('\n\n\n'),
    runsSection(runs, architectures, options.weights),
    HELPERS,
    d ? DISTRIBUTED : SINGLE,
    d && hasBatchNorm ? GLOBAL_BATCH_NORM : '',
    trainLoop(d),
    mainSection(options, d, hasBatchNorm),
  ];
  return parts.filter((p) => p !== '').join('\n\n\n') + '\n';
}

function header(o: ScriptOptions, hasBatchNorm: boolean): string {
  const run = o.distributed
    ? [
        `    torchrun --standalone --nproc_per_node=2 ${o.stem}.py${o.syncBn ? ' [--no-sync-bn]' : ' [--sync-bn]'}`,
        '        2 processes (gloo on CPU, nccl with one GPU each); Debian 12\'s PyTorch 1.13 needs',
        '        --redirects 1 --tee 1 after torchrun (its default is misparsed under Python 3.11).',
        `    python3 ${o.stem}.py    one process (--device cpu|cuda|auto)`,
      ]
    : [`    python3 ${o.stem}.py            # CPU, or the first GPU if there is one (--device cpu|cuda)`];
  const weights = o.weights
    ? `the engine's own initial weights (${o.stem}_data/run*-weights.bin), so both start identically.`
    : "drawn by PyTorch with the engine's init scheme (same distributions, PyTorch's random numbers).";
  const lines = [
    '#!/usr/bin/env python3',
    '"""' + o.experimentTitle.replace(/"""/g, "'''"),
    '',
    `Exported by BatchNorm Lab from ${o.origin} (experiment "${o.experimentId}").`,
    'It rebuilds the cell\'s training runs in PyTorch: the same layers and hyper-parameters, the same data',
    `(in ${o.stem}_data/ next to this script) in the same batch order, the same optimizer and number of steps,`,
    'and it writes the same metrics as JSON: the loss of every step, and the mean loss and test accuracy at',
    'the same checkpoints. The lab plots that file beside its own run (experiment "pytorch-comparison").',
    `Initial weights: ${weights}`,
    '',
    'Run:',
    ...run,
  ];
  if (o.distributed) {
    lines.push(
      '',
      'Under torchrun every process takes its share of each global batch (the batch sizes below are global,',
      'so the optimizer sees the same gradient as one process would). Batch norms then see only their',
      "process's share: with --sync-bn their statistics are taken over the global batch instead",
      '(nn.SyncBatchNorm on CUDA; GlobalBatchNorm below on CPU), which reproduces the single-process run.',
    );
    if (!hasBatchNorm) lines.push('(These runs have no batch norm, so --sync-bn changes nothing.)');
  }
  lines.push('Needs Python 3.9+ and PyTorch 1.10+ only.', '"""');
  return lines.join('\n');
}

function imports(distributed: boolean): string {
  return [
    'import argparse',
    'import functools',
    'import json',
    'import math',
    'import os',
    'import time',
    'from dataclasses import dataclass',
    'from pathlib import Path',
    'from typing import Optional',
    '',
    'import torch',
    ...(distributed ? ['import torch.distributed as dist'] : []),
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    ...(distributed ? ['from torch.nn.parallel import DistributedDataParallel'] : []),
  ].join('\n');
}

function constants(o: ScriptOptions, datasets: ScriptDataset[]): string {
  const sets = datasets.map((s) => `    ${pyString(s.key)}: dict(x=${pyString(s.x)}, dtype=${pyString(s.dtype)}, shape=(${s.shape.join(', ')}), y=${pyString(s.y)}),`);
  return [
    'HERE = Path(__file__).resolve().parent',
    `STEM = ${pyString(o.stem)}`,
    'DATA = HERE / f"{STEM}_data"',
    `EXPERIMENT = ${pyString(o.experimentId)}`,
    '# The cell\'s parameters, for the record: RUNS below is what they produced.',
    `PARAMS = ${pyLiteral(o.params)}`,
    '',
    '# Input sets, little-endian: x as bytes holding round(255 * pixel) ("uint8/255") or as float32,',
    '# y as int32 class indices.',
    'DATASETS = {',
    ...sets,
    '}',
  ].join('\n');
}

function distinctArchitectures(all: LayerSpec[][]): [string, LayerSpec[]][] {
  const seen = new Map<string, [string, LayerSpec[]]>();
  for (const layers of all) {
    const key = JSON.stringify(layers.map(withoutInit));
    if (!seen.has(key)) seen.set(key, [`model_${seen.size + 1}`, layers]);
  }
  return [...seen.values()];
}

function withoutInit(spec: LayerSpec): LayerSpec {
  if (spec.type !== 'Linear') return spec;
  const { init: _init, ...rest } = spec;
  return rest;
}

function architectureKey(layers: LayerSpec[]): string {
  return JSON.stringify(layers.map(withoutInit));
}

function builder(name: string, layers: LayerSpec[]): string {
  const widths = layers.filter((l): l is Extract<LayerSpec, { type: 'Linear' }> => l.type === 'Linear');
  const chain = widths.length ? [widths[0]!.inFeatures, ...widths.map((l) => l.outFeatures)].join('-') : 'no Linear layers';
  const norms = [...new Set(layers.filter((l) => /Norm/.test(l.type)).map((l) => l.type))];
  const doc = `${chain} MLP, ${norms.length ? norms.join(', ') : 'no normalization'}.`;
  return [`def ${name}():`, `    """${doc}"""`, '    return nn.Sequential(', ...layers.map((l) => `        ${pythonLayer(l)},`), '    )'].join('\n');
}

function runsSection(runs: ScriptRun[], architectures: [string, LayerSpec[]][], weights: boolean): string {
  const builderOf = new Map(architectures.map(([name, layers]) => [architectureKey(layers), name]));
  const entries = runs.map(({ run, order, weights: weightsFile, train, test }, index) => {
    const linears = run.layers.filter((l): l is Extract<LayerSpec, { type: 'Linear' }> => l.type === 'Linear');
    if (!weights) {
      const unknown = linears.findIndex((l) => l.init === undefined);
      if (unknown >= 0) throw new ExportError(`run "${run.name}": the initial weights of its Linear layer ${unknown + 1} were set in a way the exporter cannot describe; export with --weights to use the engine's weights`);
    }
    const initStd = linears.map((l) => (l.init?.kind === 'normal' ? pyNumber(l.init.std) : 'None'));
    const fields = [
      `name=${pyString(run.name)}`,
      `arm=${pyString(run.arm)}`,
      `build=${builderOf.get(architectureKey(run.layers))}`,
      `torch_seed=${index}`,
      `train=${pyString(train)}`,
      `test=${test === null ? 'None' : pyString(test)}`,
      `steps=${run.steps}`,
      `batch_size=${run.batchSize}`,
      `optimizer=${optimizerLiteral(run)}`,
      `eval_every=${run.evalEvery}`,
      `init_std=[${initStd.join(', ')}]`,
      `order=${pyString(order)}`,
      `weights=${weightsFile === null ? 'None' : pyString(weightsFile)}`,
    ];
    return `    Run(${fields.join(', ')}),`;
  });
  return [
    '@dataclass',
    'class Run:',
    '    name: str',
    '    arm: str',
    '    build: object',
    '    torch_seed: int  # seeds PyTorch for the init (without engine weights) and for dropout',
    '    train: str',
    '    test: Optional[str]',
    '    steps: int',
    '    batch_size: int  # the global batch',
    '    optimizer: tuple',
    '    eval_every: int  # checkpoints: every this many steps, and the last step',
    '    init_std: list  # per nn.Linear: N(0, std²) weights and zero bias, or None for PyTorch\'s default init',
    '    order: str  # rows of the training set in each step\'s batch, int32, in the engine\'s order',
    '    weights: Optional[str]  # the engine\'s initial parameters, float32, in named_parameters() order',
    '',
    '',
    'RUNS = [',
    ...entries,
    ']',
  ].join('\n');
}

function optimizerLiteral(run: CapturedRun): string {
  const o = run.optimizer;
  if (o.kind === 'sgd') return `("sgd", dict(lr=${pyNumber(o.lr)}, momentum=${pyNumber(o.momentum ?? 0)}, weight_decay=${pyNumber(o.weightDecay ?? 0)}))`;
  return `("adam", dict(lr=${pyNumber(o.lr)}, weight_decay=${pyNumber(o.weightDecay ?? 0)}))`;
}

const HELPERS = `@functools.lru_cache(maxsize=None)
def load_set(key):
    spec = DATASETS[key]
    raw = bytearray((DATA / spec["x"]).read_bytes())
    if spec["dtype"] == "uint8/255":
        x = torch.frombuffer(raw, dtype=torch.uint8).float() / 255
    else:
        x = torch.frombuffer(raw, dtype=torch.float32)
    y = torch.frombuffer(bytearray((DATA / spec["y"]).read_bytes()), dtype=torch.int32).long()
    return x.reshape(spec["shape"]), y


def initialize(model, run):
    """The engine's initial weights (exported with --weights), or the same init drawn by PyTorch."""
    if run.weights is not None:
        flat = torch.frombuffer(bytearray((DATA / run.weights).read_bytes()), dtype=torch.float32)
        params = list(model.parameters())
        if flat.numel() != sum(p.numel() for p in params):
            raise SystemExit(f"{run.weights}: {flat.numel()} values, but the model has {sum(p.numel() for p in params)} parameters")
        offset = 0
        with torch.no_grad():
            for p in params:
                p.copy_(flat[offset:offset + p.numel()].view_as(p))
                offset += p.numel()
        return
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for linear, std in zip(linears, run.init_std):
        if std is not None:
            nn.init.normal_(linear.weight, 0.0, std)
            if linear.bias is not None:
                nn.init.zeros_(linear.bias)


def make_optimizer(params, spec):
    kind, options = spec
    return torch.optim.SGD(params, **options) if kind == "sgd" else torch.optim.Adam(params, **options)


def batch_rows(run):
    """The rows of the training set in each step's batch, as the engine drew them: (steps, batch_size)."""
    rows = torch.frombuffer(bytearray((DATA / run.order).read_bytes()), dtype=torch.int32).long()
    return rows.view(-1, run.batch_size)


def accuracy(model, x, y):
    """Test accuracy in eval mode (batch norms use their running statistics), in chunks of 1000."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), 1000):
            correct += (model(x[start:start + 1000]).argmax(1) == y[start:start + 1000]).sum().item()
    model.train()
    return correct / len(x)`;

const SINGLE = `@dataclass
class Setup:
    device: torch.device
    world: int = 1
    rank: int = 0


def make_setup(args):
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    return Setup(torch.device("cuda") if use_cuda else torch.device("cpu"))`;

const DISTRIBUTED = `@dataclass
class Setup:
    device: torch.device
    world: int
    rank: int


def make_setup(args):
    """One process, or one per rank under torchrun: gloo on CPU, nccl on CUDA (one GPU per process)."""
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return Setup(device, world, rank)`;

const GLOBAL_BATCH_NORM = `class _GlobalBatchNormFunction(torch.autograd.Function):
    """Batch norm over the global batch: statistics and their gradients all-reduced over the processes."""

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        sums = torch.cat([x.new_tensor([x.numel() // x.shape[1]], dtype=torch.float64), x.sum(dims, dtype=torch.float64)])
        dist.all_reduce(sums)
        count, mean = sums[0], sums[1:] / sums[0]
        centered = x.double() - mean.view(shape)
        var = (centered * centered).sum(dims)
        dist.all_reduce(var)
        var /= count
        invstd = torch.rsqrt(var + eps)
        xhat = (centered * invstd.view(shape)).to(x.dtype)
        y = xhat if weight is None else xhat * weight.view(shape) + bias.view(shape)
        ctx.save_for_backward(xhat, weight, invstd.to(x.dtype))
        ctx.count = count
        return y, mean.to(x.dtype), var.to(x.dtype), count

    @staticmethod
    def backward(ctx, dy, _mean, _var, _count):
        xhat, weight, invstd = ctx.saved_tensors
        dims = [0] + list(range(2, dy.dim()))
        shape = [1, -1] + [1] * (dy.dim() - 2)
        g = dy if weight is None else dy * weight.view(shape)
        sums = torch.cat([g.sum(dims, dtype=torch.float64), (g * xhat).sum(dims, dtype=torch.float64)])
        dist.all_reduce(sums)
        channels = xhat.shape[1]
        mean_g = (sums[:channels] / ctx.count).to(dy.dtype)
        mean_gx = (sums[channels:] / ctx.count).to(dy.dtype)
        dx = (g - mean_g.view(shape) - xhat * mean_gx.view(shape)) * invstd.view(shape)
        if weight is None:
            return dx, None, None, None
        return dx, (dy * xhat).sum(dims), dy.sum(dims), None


class GlobalBatchNorm(nn.modules.batchnorm._BatchNorm):
    """nn.SyncBatchNorm for CPU processes (PyTorch's own runs on CUDA only): in training mode the mean and
    variance are those of the global batch, as one process would compute them; in eval mode it is a plain
    batch norm with the running statistics (which every process then holds identically)."""

    def _check_input_dim(self, x):
        if x.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {x.dim()}D input)")

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        y, mean, var, count = _GlobalBatchNormFunction.apply(x, self.weight, self.bias, self.eps)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                self.running_mean.mul_(1 - factor).add_(mean, alpha=factor)
                self.running_var.mul_(1 - factor).add_(var * (count / (count - 1)).to(var.dtype), alpha=factor)
        return y

    @classmethod
    def convert(cls, module):
        """Replaces every batch norm in \`module\` (like nn.SyncBatchNorm.convert_sync_batchnorm)."""
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, cls):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats)
            if module.affine:
                converted.weight, converted.bias = module.weight, module.bias
            if module.track_running_stats:
                converted.running_mean, converted.running_var = module.running_mean, module.running_var
                converted.num_batches_tracked = module.num_batches_tracked
            return converted
        for name, child in module.named_children():
            module.add_module(name, cls.convert(child))
        return module


def synchronize_batch_norms(model, device):
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(model)
    return GlobalBatchNorm.convert(model)`;

function trainLoop(distributed: boolean): string {
  const wrap = distributed
    ? `    net = model
    if setup.world > 1:
        if sync_bn:
            model = synchronize_batch_norms(model, setup.device)
        net = DistributedDataParallel(model, device_ids=[setup.device.index] if setup.device.type == "cuda" else None)
        if run.batch_size % setup.world:
            raise SystemExit(f"run {run.name!r}: its batch of {run.batch_size} does not split evenly over {setup.world} processes")
    optimizer = make_optimizer(net.parameters(), run.optimizer)`
    : `    net = model
    optimizer = make_optimizer(net.parameters(), run.optimizer)`;
  const share = distributed
    ? `
        if setup.world > 1:
            rows = rows.view(setup.world, -1)[setup.rank]  # this process's share of the global batch`
    : '';
  const reduce = distributed
    ? `
        if setup.world > 1:
            dist.all_reduce(value)
            value /= setup.world  # the mean loss over the global batch`
    : '';
  return `def train(run, setup, sync_bn, log):
    torch.manual_seed(run.torch_seed)
    model = run.build()
    initialize(model, run)
    model.to(setup.device)
${wrap}
    x, y = (t.to(setup.device) for t in load_set(run.train))
    test = tuple(t.to(setup.device) for t in load_set(run.test)) if run.test else None
    order = batch_rows(run).to(setup.device)
    record = dict(name=run.name, arm=run.arm, steps=[], loss=[], test_accuracy=[], step_loss=[], final_test_accuracy=None, diverged=None)
    loss_sum, loss_count = 0.0, 0
    model.train()
    for step in range(1, run.steps + 1):
        if step > len(order):
            record["stopped"] = f"the engine's run diverged at step {step}, where its exported batch order ends"
            break
        rows = order[step - 1]${share}
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x[rows]), y[rows])
        value = loss.detach().clone()${reduce}
        value = value.item()
        if not math.isfinite(value):
            record["diverged"] = dict(step=step, reason=f"the training loss became {value} at step {step}")
            break
        loss.backward()
        optimizer.step()
        record["step_loss"].append(value)
        loss_sum, loss_count = loss_sum + value, loss_count + 1
        if step % run.eval_every == 0 or step == run.steps:
            acc = accuracy(model, *test) if test else None
            record["steps"].append(step)
            record["loss"].append(loss_sum / loss_count)
            record["test_accuracy"].append(acc)
            loss_sum, loss_count = 0.0, 0
            log(f"{run.name}: step {step}/{run.steps}, loss {record['loss'][-1]:.4f}" + (f", test accuracy {100 * acc:.2f} %" if acc is not None else ""))
    if record["diverged"] is None and "stopped" not in record and record["test_accuracy"]:
        record["final_test_accuracy"] = record["test_accuracy"][-1]
    return record`;
}

function mainSection(o: ScriptOptions, distributed: boolean, hasBatchNorm: boolean): string {
  const syncFlag = distributed
    ? `
    parser.add_argument("--sync-bn", action=argparse.BooleanOptionalAction, default=${o.syncBn ? 'True' : 'False'},
                        help="batch norm statistics over the global batch (SyncBatchNorm) under torchrun")`
    : '';
  const syncValue = distributed ? 'args.sync_bn and setup.world > 1' : 'False';
  const tag = distributed
    ? `f"{setup.world}proc" + ("-syncbn" if sync_bn and setup.world > 1 and HAS_BATCH_NORM else "")`
    : '"1proc"';
  const label = distributed
    ? `f"PyTorch, {setup.world} process{'es' if setup.world > 1 else ''}" + ((", SyncBatchNorm" if sync_bn else ", BatchNorm per process") if setup.world > 1 and HAS_BATCH_NORM else "")`
    : '"PyTorch, 1 process"';
  const finish = distributed
    ? `
    if setup.world > 1:
        dist.destroy_process_group()`
    : '';
  return `HAS_BATCH_NORM = ${hasBatchNorm ? 'True' : 'False'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="metrics file (default: <script>.pytorch-<setup>.json next to this script)")
    parser.add_argument("--runs", help="only the runs whose name contains this text")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")${syncFlag}
    args = parser.parse_args()
    setup = make_setup(args)
    sync_bn = ${syncValue}
    runs = [r for r in RUNS if not args.runs or args.runs in r.name]
    if not runs:
        raise SystemExit(f"no run's name contains {args.runs!r}; runs: {', '.join(r.name for r in RUNS)}")
    started = time.time()

    def log(text):
        if setup.rank == 0:
            print(f"[{time.time() - started:6.1f} s] {text}", flush=True)

    results = [train(run, setup, sync_bn, log) for run in runs]
    if setup.rank == 0:
        tag = ${tag}
        out = Path(args.out) if args.out else HERE / f"{STEM}.pytorch-{tag}.json"
        metrics = dict(
            format="bnlab-metrics",
            version=1,
            source="pytorch",
            label=${label},
            experiment=EXPERIMENT,
            setup=dict(torch=torch.__version__, device=str(setup.device), processes=setup.world, sync_bn=sync_bn,
                       ${distributed ? 'backend=dist.get_backend() if setup.world > 1 else None, ' : ''}seconds=round(time.time() - started, 2)),
            runs=results,
        )
        out.write_text(json.dumps(metrics, indent=1) + "\\n")
        print(f"wrote {out}", flush=True)${finish}


if __name__ == "__main__":
    main()`;
}
