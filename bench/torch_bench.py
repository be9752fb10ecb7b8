"""PyTorch peer of the engine benchmark (bench/index.ts runs it with /usr/bin/python3).

Same workloads, sizes and timing rule as bench/engine-runner.ts: warm up, then time single
iterations until the time budget is spent (at least MIN_REPS, at most MAX_REPS) and report the
median. One thread (torch.set_num_threads(1)); prints one JSON object on stdout.
Usage: /usr/bin/python3 bench/torch_bench.py [budget_seconds] [workload ...]
"""
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

HERE = os.path.dirname(os.path.abspath(__file__))
# bench/index.ts passes the build step's cached copy (dist/ ships it gzipped and may be rebuilt concurrently).
MNIST_BIN = os.environ.get('BNLAB_MNIST') or os.path.join(HERE, '..', 'node_modules', '.cache', 'batchnorm-lab', 'mnist.bin')
MIN_REPS = 5
MAX_REPS = 2000


def measure(fn, budget):
    # Warm-up: at least 3 calls and ~20% of the budget.
    t_end = time.perf_counter() + 0.2 * budget
    for _ in range(3):
        fn()
    while time.perf_counter() < t_end:
        fn()
    samples = []
    t_end = time.perf_counter() + budget
    while len(samples) < MIN_REPS or (time.perf_counter() < t_end and len(samples) < MAX_REPS):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1e3)
    return {'median_us': statistics.median(samples), 'min_us': min(samples), 'reps': len(samples)}


def bn_workload(shape):
    C = shape[1]
    bn = (nn.BatchNorm1d if len(shape) == 2 else nn.BatchNorm2d)(C)
    bn.train()
    x = torch.randn(*shape, requires_grad=True)
    gy = torch.randn(*shape)

    def step():
        x.grad = None
        bn.weight.grad = None
        bn.bias.grad = None
        y = bn(x)
        y.backward(gy)
    return step


def mnist_batches(batch, count):
    with open(MNIST_BIN, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[8:12], 'little')
    px = np.frombuffer(raw, dtype=np.uint8, count=n * 784, offset=16).reshape(n, 784)
    labels = np.frombuffer(raw, dtype=np.uint8, count=n, offset=16 + n * 784)
    rng = np.random.default_rng(0)
    idx = rng.permutation(n)
    out = []
    for b in range(count):
        sel = idx[b * batch:(b + 1) * batch]
        out.append((torch.from_numpy(px[sel].astype(np.float32) / 255), torch.from_numpy(labels[sel].astype(np.int64))))
    return out


def mlp_workload(with_bn):
    layers = []
    sizes = [784, 100, 100, 100]
    for i in range(3):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if with_bn:
            layers.append(nn.BatchNorm1d(sizes[i + 1]))
        layers.append(nn.Sigmoid())
    layers.append(nn.Linear(100, 10))
    model = nn.Sequential(*layers)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = mnist_batches(60, 20)
    state = {'i': 0}

    def step():
        x, y = batches[state['i'] % len(batches)]
        state['i'] += 1
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


WORKLOADS = {
    'bn1d': lambda: bn_workload((256, 512)),
    'bn2d': lambda: bn_workload((64, 64, 32, 32)),
    'mlp': lambda: mlp_workload(False),
    'mlp_bn': lambda: mlp_workload(True),
}


def main():
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    names = sys.argv[2:] or list(WORKLOADS)
    results = {}
    for name in names:
        results[name] = measure(WORKLOADS[name](), budget)
    print(json.dumps({
        'runner': 'pytorch',
        'version': torch.__version__,
        'threads': torch.get_num_threads(),
        'results': results,
        'peak_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == '__main__':
    main()
