#!/usr/bin/python3
"""Generates PyTorch reference fixtures for the engine's tests.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/torch-reference/generate.py
Writes test/fixtures/torch/*.json. Every float32 value is written as the Python float of that
float32 (float32 -> float64 is exact, and json writes repr), so the tests read back the exact
float32 PyTorch produced. Inputs are stored too, so the engine never needs torch's RNG.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'torch')
torch.set_num_threads(1)  # deterministic reductions
torch.manual_seed(1234)


def f32(v):
    """Shortest decimal that rounds back to the same float32 (checked), to keep fixtures small.
    Readers must round to float32 (Float32Array / Math.fround) to get PyTorch's exact value."""
    x = np.float32(v)
    if not np.isfinite(x):
        return float(x)
    short = float(np.format_float_scientific(x, unique=True))
    assert np.float32(short) == x, (v, short)
    return short


def T(t):
    """Tensor -> {shape, data} with exact float32 values."""
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [f32(v) for v in t.reshape(-1).tolist()]}


def D(t):
    """float64 tensor -> {shape, data}."""
    t = t.detach().to(torch.float64).contiguous()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def randn(*shape, scale=1.0, shift=0.0):
    return (torch.randn(tuple(shape)) * scale + shift).to(torch.float32)


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record whatever PyTorch raises
        return f'{type(e).__name__}: {e}'
    return None


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + '.json')
    with open(path, 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
    print(f'{path}: {os.path.getsize(path)} bytes')


def snake_state(module):
    out = {}
    for k, v in module.state_dict().items():
        out[k] = int(v.item()) if k.endswith('num_batches_tracked') else T(v)
    return out


# ---------------------------------------------------------------- norm layers

def randomize_affine(m):
    with torch.no_grad():
        if getattr(m, 'weight', None) is not None:
            m.weight.copy_(1 + 0.5 * torch.randn_like(m.weight))
        if getattr(m, 'bias', None) is not None:
            m.bias.copy_(0.5 * torch.randn_like(m.bias))


def run_layer_case(name, ctor, kind, args, kwargs, inputs, modes, init_affine=True):
    """Runs `module` over `inputs` (one per step) in the given modes, recording forward
    outputs, backward grads (for a random upstream grad) and the state after each step."""
    m = ctor(*args, **kwargs)
    if init_affine:
        randomize_affine(m)
    case = {'name': name, 'kind': kind, 'args': args, 'kwargs': kwargs, 'initial': snake_state(m), 'steps': []}
    for x, mode in zip(inputs, modes):
        m.train(mode == 'train')
        xi = x.clone().requires_grad_(True)
        for p in m.parameters():
            p.grad = None
        y = m(xi)
        g = torch.randn_like(y)
        y.backward(g)
        step = {'mode': mode, 'input': T(x), 'output': T(y), 'gradOutput': T(g), 'gradInput': T(xi.grad)}
        if getattr(m, 'weight', None) is not None:
            step['gradWeight'] = T(m.weight.grad)
        if getattr(m, 'bias', None) is not None:
            step['gradBias'] = T(m.bias.grad)
        step['state'] = snake_state(m)
        case['steps'].append(step)
    return case


def norm_layers():
    cases = []
    # BatchNorm1d on (N, C): three training steps (running stats), then eval.
    xs = [randn(8, 3, scale=2, shift=1), randn(8, 3, scale=0.5, shift=-2), randn(8, 3, scale=3), randn(5, 3)]
    cases.append(run_layer_case('BatchNorm1d (N,C) train x3 then eval', nn.BatchNorm1d, 'BatchNorm1d', [3], {},
                                xs, ['train', 'train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm1d momentum=None (cumulative average)', nn.BatchNorm1d, 'BatchNorm1d', [3],
                                {'momentum': None}, xs, ['train', 'train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm1d momentum=0.3 eps=1e-3', nn.BatchNorm1d, 'BatchNorm1d', [3],
                                {'momentum': 0.3, 'eps': 1e-3}, xs[:2] + [xs[3]], ['train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm1d affine=False', nn.BatchNorm1d, 'BatchNorm1d', [3],
                                {'affine': False}, xs[:2] + [xs[3]], ['train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm1d trackRunningStats=False (batch stats in eval)', nn.BatchNorm1d,
                                'BatchNorm1d', [3], {'track_running_stats': False}, xs[:1] + [xs[3]], ['train', 'eval']))
    x3 = [randn(4, 3, 5), randn(4, 3, 5, shift=1), randn(2, 3, 5)]
    cases.append(run_layer_case('BatchNorm1d (N,C,L)', nn.BatchNorm1d, 'BatchNorm1d', [3], {}, x3,
                                ['train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm1d two samples', nn.BatchNorm1d, 'BatchNorm1d', [4], {},
                                [randn(2, 4), randn(3, 4)], ['train', 'eval']))
    x4 = [randn(3, 3, 2, 2, scale=2), randn(3, 3, 2, 2, shift=-1), randn(2, 3, 2, 2)]
    cases.append(run_layer_case('BatchNorm2d (N,C,H,W)', nn.BatchNorm2d, 'BatchNorm2d', [3], {}, x4,
                                ['train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm2d momentum=None affine=False', nn.BatchNorm2d, 'BatchNorm2d', [3],
                                {'momentum': None, 'affine': False}, x4, ['train', 'train', 'eval']))
    cases.append(run_layer_case('BatchNorm2d one sample, 2x2 spatial', nn.BatchNorm2d, 'BatchNorm2d', [2], {},
                                [randn(1, 2, 2, 2)], ['train']))

    cases.append(run_layer_case('LayerNorm(6)', nn.LayerNorm, 'LayerNorm', [6], {}, [randn(4, 6, scale=3, shift=2)],
                                ['train']))
    cases.append(run_layer_case('LayerNorm([4,4]) on (2,2,4,4)', nn.LayerNorm, 'LayerNorm', [[4, 4]], {},
                                [randn(2, 2, 4, 4)], ['train']))
    cases.append(run_layer_case('LayerNorm(5) elementwiseAffine=False eps=1e-3', nn.LayerNorm, 'LayerNorm', [5],
                                {'elementwise_affine': False, 'eps': 1e-3}, [randn(3, 5)], ['eval']))

    xg = randn(2, 6, 2, 2, scale=2, shift=1)
    for groups in (1, 2, 3, 6):
        cases.append(run_layer_case(f'GroupNorm({groups}, 6)', nn.GroupNorm, 'GroupNorm', [groups, 6], {}, [xg],
                                    ['train']))
    cases.append(run_layer_case('GroupNorm(2, 4) affine=False on (3,4,5)', nn.GroupNorm, 'GroupNorm', [2, 4],
                                {'affine': False}, [randn(3, 4, 5)], ['train']))

    cases.append(run_layer_case('InstanceNorm1d(3) default', nn.InstanceNorm1d, 'InstanceNorm1d', [3], {},
                                [randn(4, 3, 5, scale=2), randn(2, 3, 5)], ['train', 'eval']))
    cases.append(run_layer_case('InstanceNorm1d(3) affine trackRunningStats', nn.InstanceNorm1d, 'InstanceNorm1d',
                                [3], {'affine': True, 'track_running_stats': True},
                                [randn(4, 3, 5, scale=2), randn(4, 3, 5, shift=1), randn(2, 3, 5)],
                                ['train', 'train', 'eval']))
    cases.append(run_layer_case('InstanceNorm2d(3) affine', nn.InstanceNorm2d, 'InstanceNorm2d', [3],
                                {'affine': True}, [randn(2, 3, 3, 3, shift=3)], ['train']))
    cases.append(run_layer_case('InstanceNorm2d(2) trackRunningStats momentum=0.5', nn.InstanceNorm2d,
                                'InstanceNorm2d', [2], {'track_running_stats': True, 'momentum': 0.5},
                                [randn(3, 2, 3, 3), randn(2, 2, 3, 3)], ['train', 'eval']))
    cases.append(run_layer_case('InstanceNorm2d(3) unbatched (C,H,W)', nn.InstanceNorm2d, 'InstanceNorm2d', [3],
                                {'affine': True}, [randn(3, 3, 3)], ['train']))
    return cases


def big_offset():
    """1e4 + small noise: the engine must match the float64 result (torch float32 is recorded too)."""
    x = (1e4 + 0.01 * torch.randn(64, 2, dtype=torch.float64)).to(torch.float32)
    out = {}
    for name, ctor in (('BatchNorm1d', lambda: nn.BatchNorm1d(2)), ('LayerNorm', lambda: nn.LayerNorm(2))):
        m64 = ctor().double()
        m32 = ctor()
        x64 = x.double().requires_grad_(True)
        y64 = m64(x64)
        g = torch.randn_like(y64)
        y64.backward(g)
        out[name] = {'input': T(x), 'output64': D(y64), 'output32': T(m32(x)), 'gradOutput': D(g),
                     'gradInput64': D(x64.grad)}
        if name == 'BatchNorm1d':
            out[name]['runningMean64'] = D(m64.running_mean)
            out[name]['runningVar64'] = D(m64.running_var)
    return out


def errors():
    def bn1(n):
        return nn.BatchNorm1d(n)
    cases = {
        'bn1d_one_value_per_channel': error_of(lambda: bn1(4)(torch.randn(1, 4))),
        'bn1d_rank': error_of(lambda: bn1(4)(torch.randn(4))),
        'bn1d_features': error_of(lambda: bn1(4)(torch.randn(2, 3))),
        'bn2d_rank': error_of(lambda: nn.BatchNorm2d(3)(torch.randn(2, 3, 4))),
        'bn2d_one_value_per_channel': error_of(lambda: nn.BatchNorm2d(3)(torch.randn(1, 3, 1, 1))),
        'groupnorm_ctor': error_of(lambda: nn.GroupNorm(4, 6)),
        'groupnorm_divisible': error_of(lambda: nn.GroupNorm(2, 6, affine=False)(torch.randn(2, 3, 3))),
        'layernorm_shape': error_of(lambda: nn.LayerNorm(4)(torch.randn(2, 3))),
        'instancenorm_spatial': error_of(lambda: nn.InstanceNorm1d(3)(torch.randn(2, 3, 1))),
        'instancenorm1d_rank': error_of(lambda: nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 4))),
        'instancenorm2d_rank': error_of(lambda: nn.InstanceNorm2d(3)(torch.randn(2, 3))),
        'linear_shape': error_of(lambda: nn.Linear(4, 5)(torch.randn(2, 3))),
        'conv_channels': error_of(lambda: nn.Conv2d(3, 8, 3)(torch.randn(2, 4, 5, 5))),
        'cross_entropy_target': error_of(lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 3]))),
        'broadcast': error_of(lambda: torch.randn(2, 3) + torch.randn(4)),
        'matmul': error_of(lambda: torch.randn(2, 3) @ torch.randn(4, 5)),
    }
    # After a refused training batch PyTorch has already counted it.
    m = bn1(4)
    error_of(lambda: m(torch.randn(1, 4)))
    cases['bn1d_counter_after_refusal'] = int(m.num_batches_tracked.item())
    return cases


# ---------------------------------------------------------------- other layers

def other_layers():
    cases = []

    def lin(*a, **k):
        return nn.Linear(*a, **k)
    cases.append(run_layer_case('Linear(5, 3)', lin, 'Linear', [5, 3], {}, [randn(4, 5)], ['train'], False))
    cases.append(run_layer_case('Linear(4, 2) bias=False on (2,3,4)', lin, 'Linear', [4, 2], {'bias': False},
                                [randn(2, 3, 4)], ['train'], False))
    cases.append(run_layer_case('Conv2d(2, 3, 3)', nn.Conv2d, 'Conv2d', [2, 3, 3], {}, [randn(2, 2, 5, 5)], ['train'],
                                False))
    cases.append(run_layer_case('Conv2d(2, 4, 3, stride=2, padding=1)', nn.Conv2d, 'Conv2d', [2, 4, 3],
                                {'stride': 2, 'padding': 1}, [randn(2, 2, 6, 5)], ['train'], False))
    cases.append(run_layer_case('Conv2d(3, 2, [2,3], padding=[1,0], bias=False)', nn.Conv2d, 'Conv2d', [3, 2, [2, 3]],
                                {'padding': [1, 0], 'bias': False}, [randn(1, 3, 4, 4)], ['train'], False))
    cases.append(run_layer_case('Conv2d(1, 2, 3, dilation=2) unbatched', nn.Conv2d, 'Conv2d', [1, 2, 3],
                                {'dilation': 2}, [randn(1, 6, 6)], ['train'], False))
    for kind in ('ReLU', 'Sigmoid', 'Tanh', 'Flatten'):
        cases.append(run_layer_case(kind, getattr(nn, kind), kind, [], {}, [randn(3, 2, 2, 2)], ['train'], False))
    cases.append(run_layer_case('Dropout eval is identity', nn.Dropout, 'Dropout', [0.5], {}, [randn(4, 3)],
                                ['eval'], False))
    return cases


# ---------------------------------------------------------------- ops

def op_case(name, fn, inputs, ref64=False, **meta):
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    g = torch.randn_like(y)
    y.backward(g)
    case = {'name': name, 'inputs': [T(x) for x in inputs], 'output': T(y), 'gradOutput': T(g),
            'grads': [T(x.grad) for x in xs], **meta}
    if ref64:
        # Where float32 PyTorch loses digits (large offsets), the float64 result is the reference.
        x64 = [x.double().requires_grad_(True) for x in inputs]
        y64 = fn(*x64)
        y64.backward(g.double())
        case['output64'] = D(y64)
        case['grads64'] = [D(x.grad) for x in x64]
    return case


def ops():
    pos = lambda *s: (torch.rand(*s) + 0.5).to(torch.float32)  # noqa: E731
    c = []
    c.append(op_case('add', torch.add, [randn(2, 3), randn(2, 3)]))
    c.append(op_case('add broadcast row', torch.add, [randn(4, 3), randn(3)]))
    c.append(op_case('add broadcast col', torch.add, [randn(4, 1), randn(1, 3)]))
    c.append(op_case('sub broadcast', torch.sub, [randn(2, 3, 4), randn(3, 1)]))
    c.append(op_case('mul broadcast channel', torch.mul, [randn(2, 3, 2, 2), randn(1, 3, 1, 1)]))
    c.append(op_case('div broadcast', torch.div, [randn(3, 4), pos(4)]))
    c.append(op_case('add scalar tensor', torch.add, [randn(3, 2), randn()]))
    c.append(op_case('mul scalar 0.1', lambda a: a * 0.1, [randn(5)]))
    c.append(op_case('rsub scalar', lambda a: 2.5 - a, [randn(5)]))
    c.append(op_case('rdiv scalar', lambda a: 3.0 / a, [pos(5)]))
    c.append(op_case('neg', torch.neg, [randn(4)]))
    c.append(op_case('exp', torch.exp, [randn(3, 3)]))
    c.append(op_case('log', torch.log, [pos(3, 3)]))
    c.append(op_case('sqrt', torch.sqrt, [pos(3, 3)]))
    c.append(op_case('pow 3', lambda a: a.pow(3), [randn(6)], exponent=3))
    c.append(op_case('pow -0.5', lambda a: a.pow(-0.5), [pos(6)], exponent=-0.5))
    c.append(op_case('pow tensor', torch.pow, [pos(2, 3), randn(2, 3)]))
    c.append(op_case('abs', torch.abs, [randn(6)]))
    c.append(op_case('relu', torch.relu, [randn(3, 4)]))
    c.append(op_case('sigmoid', torch.sigmoid, [randn(3, 4, scale=3)]))
    c.append(op_case('tanh', torch.tanh, [randn(3, 4, scale=2)]))
    c.append(op_case('softmax dim 1', lambda a: torch.softmax(a, 1), [randn(3, 5, scale=3)], dim=1))
    c.append(op_case('softmax dim 0', lambda a: torch.softmax(a, 0), [randn(3, 2, 2)], dim=0))
    c.append(op_case('logSoftmax dim -1', lambda a: torch.log_softmax(a, -1), [randn(4, 5, scale=5)], dim=-1))
    c.append(op_case('matmul 2d', torch.matmul, [randn(3, 4), randn(4, 5)]))
    c.append(op_case('matmul batched broadcast', torch.matmul, [randn(2, 3, 4), randn(4, 2)]))
    c.append(op_case('matmul batch x batch', torch.matmul, [randn(2, 1, 3, 4), randn(3, 4, 2)]))
    c.append(op_case('matmul 1d x 2d', torch.matmul, [randn(4), randn(4, 3)]))
    c.append(op_case('matmul 2d x 1d', torch.matmul, [randn(3, 4), randn(4)]))
    c.append(op_case('matmul 1d x 1d', torch.matmul, [randn(4), randn(4)]))
    c.append(op_case('sum all', torch.sum, [randn(3, 4)]))
    c.append(op_case('sum dim 1', lambda a: a.sum(1), [randn(3, 4, 2)], dim=1, keepdim=False))
    c.append(op_case('sum dims [0,2] keepdim', lambda a: a.sum([0, 2], keepdim=True), [randn(3, 4, 2)], dim=[0, 2],
                     keepdim=True))
    c.append(op_case('mean all', torch.mean, [randn(3, 4)]))
    c.append(op_case('mean dim -1 keepdim', lambda a: a.mean(-1, keepdim=True), [randn(3, 4)], dim=-1, keepdim=True))
    c.append(op_case('mean dims [0,2,3]', lambda a: a.mean([0, 2, 3]), [randn(2, 3, 2, 2)], dim=[0, 2, 3],
                     keepdim=False))
    c.append(op_case('var dim 0 unbiased', lambda a: a.var(0), [randn(5, 3)], dim=0))
    c.append(op_case('var all biased', lambda a: a.var(unbiased=False), [randn(5, 3, shift=1e4)], unbiased=False,
                     ref64=True))
    c.append(op_case('std dim 1', lambda a: a.std(1), [randn(3, 6)], dim=1))
    c.append(op_case('reshape', lambda a: a.reshape(4, -1), [randn(2, 3, 2)], shape=[4, -1]))
    c.append(op_case('transpose', lambda a: a.transpose(0, 2), [randn(2, 3, 4)], dims=[0, 2]))
    c.append(op_case('permute', lambda a: a.permute(2, 0, 1), [randn(2, 3, 4)], dims=[2, 0, 1]))
    c.append(op_case('t', lambda a: a.t(), [randn(3, 5)]))
    c.append(op_case('flatten 1', lambda a: a.flatten(1), [randn(2, 3, 2)]))
    c.append(op_case('unsqueeze 1', lambda a: a.unsqueeze(1), [randn(3, 2)]))
    c.append(op_case('max all', torch.max, [randn(3, 4)]))
    c.append(op_case('clamp', lambda a: a.clamp(-0.5, 0.5), [randn(3, 4)]))
    c.append(op_case('linear', F.linear, [randn(4, 3), randn(2, 3), randn(2)]))
    c.append(op_case('conv2d stride 2 padding 1', lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                     [randn(2, 3, 5, 5), randn(4, 3, 3, 3), randn(4)]))
    return c


def losses():
    c = []
    logits = randn(6, 4, scale=2)
    tgt = torch.tensor([0, 3, 1, 1, 2, 3])
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}, {'ignore_index': 1}, {'label_smoothing': 0.1}):
        x = logits.clone().requires_grad_(True)
        y = F.cross_entropy(x, tgt, **kw)
        g = torch.randn_like(y)
        y.backward(g)
        c.append({'name': 'crossEntropy', 'kwargs': kw, 'inputs': [T(logits)], 'targets': tgt.tolist(),
                  'output': T(y), 'gradOutput': T(g), 'grads': [T(x.grad)]})
    a = randn(4, 3)
    b = randn(4, 3)
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}):
        xa = a.clone().requires_grad_(True)
        xb = b.clone().requires_grad_(True)
        y = F.mse_loss(xa, xb, **kw)
        g = torch.randn_like(y)
        y.backward(g)
        c.append({'name': 'mseLoss', 'kwargs': kw, 'inputs': [T(a), T(b)], 'output': T(y), 'gradOutput': T(g),
                  'grads': [T(xa.grad), T(xb.grad)]})
    return c


# ---------------------------------------------------------------- optimizers and training

def optimizer_cases():
    """Optimizers on a fixed parameter with a fixed gradient sequence (no model)."""
    out = []
    p0 = randn(7)
    grads = [randn(7) for _ in range(4)]
    configs = [
        ('SGD', {'lr': 0.1}),
        ('SGD', {'lr': 0.1, 'momentum': 0.9}),
        ('SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3, 'weight_decay': 0.01}),
        ('SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'weight_decay': 0.1}),
        ('Adam', {'lr': 0.01}),
        ('Adam', {'lr': 0.1, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.05}),
        ('Adam', {'lr': 0.01, 'amsgrad': True}),
    ]
    for kind, kw in configs:
        p = p0.clone().requires_grad_(True)
        opt = getattr(torch.optim, kind)([p], **kw)
        after = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            after.append(T(p))
        out.append({'kind': kind, 'kwargs': {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
                    'initial': T(p0), 'grads': [T(g) for g in grads], 'after': after})
    return out


def train_case(name, model, opt_kind, opt_kwargs, xs, ys, loss='cross_entropy'):
    initial = snake_state(model)
    opt = getattr(torch.optim, opt_kind)(model.parameters(), **opt_kwargs)
    steps = []
    for x, y in zip(xs, ys):
        model.train()
        opt.zero_grad()
        out = model(x)
        l = F.cross_entropy(out, y) if loss == 'cross_entropy' else F.mse_loss(out, y)
        l.backward()
        grads = {n: T(p.grad) for n, p in model.named_parameters()}
        opt.step()
        steps.append({'loss': f32(l.item()), 'grads': grads, 'state': snake_state(model)})
    model.eval()
    x_eval = xs[0]
    return {'name': name, 'optimizer': opt_kind,
            'optimizerKwargs': {k: list(v) if isinstance(v, tuple) else v for k, v in opt_kwargs.items()},
            'initial': initial, 'inputs': [T(x) for x in xs],
            'targets': [y.tolist() if loss == 'cross_entropy' else T(y) for y in ys], 'loss': loss, 'steps': steps,
            'evalInput': T(x_eval), 'evalOutput': T(model(x_eval))}


def training():
    cases = []

    def mlp():
        # No bias before BatchNorm: its true gradient is 0, so its float32 gradient is rounding
        # noise that Adam (which normalizes the step) turns into ±lr steps: not reproducible.
        return nn.Sequential(nn.Linear(4, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    xs = [randn(16, 4, scale=2, shift=0.5) for _ in range(5)]
    ys = [torch.randint(0, 3, (16,)) for _ in range(5)]
    for opt_kind, kw in (('SGD', {'lr': 0.1, 'momentum': 0.9}),
                         ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 1e-3}),
                         ('Adam', {'lr': 0.01}),
                         ('Adam', {'lr': 0.005, 'weight_decay': 0.01})):
        torch.manual_seed(7)
        cases.append(train_case(f'MLP with BatchNorm1d, {opt_kind} {kw}', mlp(), opt_kind, kw, xs, ys))

    def cnn():
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                             nn.Linear(4 * 5 * 5, 3))
    torch.manual_seed(8)
    xc = [randn(6, 1, 5, 5) for _ in range(3)]
    yc = [torch.randint(0, 3, (6,)) for _ in range(3)]
    cases.append(train_case('CNN with BatchNorm2d, SGD momentum', cnn(), 'SGD', {'lr': 0.05, 'momentum': 0.9}, xc, yc))

    def ln_mlp():
        return nn.Sequential(nn.Linear(3, 6), nn.LayerNorm(6), nn.Tanh(), nn.Linear(6, 2))
    torch.manual_seed(9)
    xr = [randn(8, 3) for _ in range(3)]
    yr = [randn(8, 2) for _ in range(3)]
    cases.append(train_case('MLP with LayerNorm, Adam, MSE', ln_mlp(), 'Adam', {'lr': 0.02}, xr, yr, loss='mse'))
    return cases


def main():
    print('torch', torch.__version__, file=sys.stderr)
    write('norm_layers', {'torch': torch.__version__, 'cases': norm_layers(), 'bigOffset': big_offset(),
                          'errors': errors()})
    write('layers', {'torch': torch.__version__, 'cases': other_layers()})
    write('ops', {'torch': torch.__version__, 'cases': ops()})
    write('losses', {'torch': torch.__version__, 'cases': losses()})
    write('optim', {'torch': torch.__version__, 'cases': optimizer_cases()})
    write('training', {'torch': torch.__version__, 'cases': training()})


if __name__ == '__main__':
    main()
