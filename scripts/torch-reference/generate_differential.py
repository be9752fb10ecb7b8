#!/usr/bin/python3
"""Differential PyTorch references for the engine's public API, on cases the other fixtures miss.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/torch-reference/generate_differential.py
Writes test/fixtures/torch/differential.json, read by test/unit/engine/torch-differential.test.ts.
Same conventions as generate.py (whose helpers it reuses): exact float32 values, inputs stored,
one thread, fixed seeds. Where float32 PyTorch itself loses digits (large offsets), the reference
is PyTorch in float64 on the same float32 inputs (the engine computes statistics in float64).
"""
import copy
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import D, T, randn, randomize_affine, run_layer_case, snake_state, train_case, write  # noqa: E402

torch.set_num_threads(1)  # deterministic reductions
SEED = 20240611


def kw_json(kw):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}


# ---------------------------------------------------------------- layers (float32 PyTorch reference)

def layers():
    c = []

    def add(name, ctor, kind, args, kwargs, xs, modes, init_affine=True):
        c.append(run_layer_case(name, ctor, kind, args, kwargs, xs, modes, init_affine))

    # BatchNorm1d. C = 7 and 9 leave remainders after the 4-channel blocks of the (N, C) kernels.
    xs = [randn(6, 7, scale=2, shift=1), randn(6, 7, scale=0.5, shift=-3), randn(9, 7, scale=3), randn(4, 7)]
    add('BN1d (N,C) C=7 train x3 eval', nn.BatchNorm1d, 'BatchNorm1d', [7], {}, xs, ['train'] * 3 + ['eval'])
    xs = [randn(11, 9, scale=1.5), randn(5, 9, shift=2), randn(3, 9)]
    add('BN1d (N,C) C=9 momentum=None', nn.BatchNorm1d, 'BatchNorm1d', [9], {'momentum': None}, xs,
        ['train', 'train', 'eval'])
    xs = [randn(5, 4, 7, scale=2, shift=-1), randn(3, 4, 7, scale=0.3, shift=4), randn(6, 4, 7), randn(2, 4, 7)]
    add('BN1d (N,C,L) momentum=None train x3 eval', nn.BatchNorm1d, 'BatchNorm1d', [4], {'momentum': None}, xs,
        ['train'] * 3 + ['eval'])
    add('BN1d (N,C,L) affine=False eps=1e-3 momentum=0.5', nn.BatchNorm1d, 'BatchNorm1d', [4],
        {'affine': False, 'eps': 1e-3, 'momentum': 0.5}, xs, ['train', 'train', 'eval', 'train'])
    add('BN1d (N,C,L) trackRunningStats=False train/eval', nn.BatchNorm1d, 'BatchNorm1d', [4],
        {'track_running_stats': False}, xs[:2], ['train', 'eval'])
    add('BN1d (N,C,L) affine=False trackRunningStats=False eval', nn.BatchNorm1d, 'BatchNorm1d', [4],
        {'affine': False, 'track_running_stats': False}, xs[2:], ['eval', 'eval'])
    add('BN1d (N,C,1)', nn.BatchNorm1d, 'BatchNorm1d', [5], {}, [randn(6, 5, 1, scale=2), randn(3, 5, 1)],
        ['train', 'eval'])
    add('BN1d (1,C,L) single sample', nn.BatchNorm1d, 'BatchNorm1d', [3], {}, [randn(1, 3, 6), randn(1, 3, 6)],
        ['train', 'eval'])
    add('BN1d eval on a single sample (1,C) after training', nn.BatchNorm1d, 'BatchNorm1d', [4], {},
        [randn(6, 4, scale=2), randn(1, 4)], ['train', 'eval'])
    add('BN1d eval before any training', nn.BatchNorm1d, 'BatchNorm1d', [5], {}, [randn(4, 5, scale=3), randn(4, 5)],
        ['eval', 'train'])
    add('BN1d momentum=1 (running = last batch)', nn.BatchNorm1d, 'BatchNorm1d', [3], {'momentum': 1.0},
        [randn(5, 3, scale=2), randn(4, 3)], ['train', 'eval'])
    add('BN1d momentum=0 (running frozen)', nn.BatchNorm1d, 'BatchNorm1d', [3], {'momentum': 0.0},
        [randn(5, 3, scale=2), randn(4, 3)], ['train', 'eval'])
    # Tiny variance, tiny eps and constant channels are float64-referenced cases (precision()):
    # PyTorch's float32 x·α + β cancels there.
    # BatchNorm2d / 3d
    add('BN2d larger (8,5,7,9) train x2 eval', nn.BatchNorm2d, 'BatchNorm2d', [5], {},
        [randn(8, 5, 7, 9, scale=2, shift=1), randn(8, 5, 7, 9), randn(3, 5, 7, 9)], ['train', 'train', 'eval'])
    add('BN1d larger (130,33) train eval', nn.BatchNorm1d, 'BatchNorm1d', [33], {},
        [randn(130, 33, scale=3, shift=-1), randn(7, 33)], ['train', 'eval'])
    add('BN2d N=1, 3x5 spatial, C=5', nn.BatchNorm2d, 'BatchNorm2d', [5], {},
        [randn(1, 5, 3, 5, scale=2, shift=1), randn(1, 5, 3, 5), randn(2, 5, 3, 5)], ['train', 'train', 'eval'])
    xs = [randn(4, 6, 3, 3, scale=s, shift=m) for s, m in ((1, 0), (2, 1), (0.5, -1), (3, 2))]
    add('BN2d momentum=None x4 then eval', nn.BatchNorm2d, 'BatchNorm2d', [6], {'momentum': None},
        xs + [randn(2, 6, 3, 3)], ['train'] * 4 + ['eval'])
    add('BN2d affine=False trackRunningStats=False', nn.BatchNorm2d, 'BatchNorm2d', [6],
        {'affine': False, 'track_running_stats': False}, xs[:2], ['train', 'eval'])
    add('BN2d eps=1e-2 momentum=0.25 train/eval/train', nn.BatchNorm2d, 'BatchNorm2d', [6],
        {'eps': 1e-2, 'momentum': 0.25}, xs[:3], ['train', 'eval', 'train'])
    add('BN3d (N,C,D,H,W)', nn.BatchNorm3d, 'BatchNorm3d', [3], {},
        [randn(2, 3, 2, 3, 2, scale=2), randn(2, 3, 2, 3, 2, shift=1), randn(1, 3, 2, 3, 2)], ['train', 'train', 'eval'])

    # LayerNorm
    add('LN([3,4]) no affine on (2,5,3,4)', nn.LayerNorm, 'LayerNorm', [[3, 4]], {'elementwise_affine': False},
        [randn(2, 5, 3, 4, scale=2, shift=1)], ['train'])
    add('LN([2,3,4]) affine on (3,2,3,4)', nn.LayerNorm, 'LayerNorm', [[2, 3, 4]], {},
        [randn(3, 2, 3, 4, scale=3, shift=-2)], ['train'])
    add('LN(7) eps=1e-3 on (2,3,7) eval', nn.LayerNorm, 'LayerNorm', [7], {'eps': 1e-3}, [randn(2, 3, 7)], ['eval'])
    add('LN(5) on 1-D input', nn.LayerNorm, 'LayerNorm', [5], {}, [randn(5, scale=2)], ['train'])
    xl = randn(4, 6)
    xl[1] = 4.0
    add('LN(6) constant row', nn.LayerNorm, 'LayerNorm', [6], {}, [xl], ['train'])

    # GroupNorm
    add('GN(1,6) on 3-D (4,6,5)', nn.GroupNorm, 'GroupNorm', [1, 6], {}, [randn(4, 6, 5, scale=2, shift=1)], ['train'])
    add('GN(4,4) on 3-D (3,4,5)', nn.GroupNorm, 'GroupNorm', [4, 4], {}, [randn(3, 4, 5)], ['train'])
    add('GN(2,8) eps=1e-3 on 4-D (2,8,3,3)', nn.GroupNorm, 'GroupNorm', [2, 8], {'eps': 1e-3},
        [randn(2, 8, 3, 3, scale=3)], ['eval'])
    add('GN(5,5) affine=False on 4-D (2,5,2,3)', nn.GroupNorm, 'GroupNorm', [5, 5], {'affine': False},
        [randn(2, 5, 2, 3)], ['train'])
    add('GN(2,6) on 2-D (4,6)', nn.GroupNorm, 'GroupNorm', [2, 6], {}, [randn(4, 6, scale=2)], ['train'])
    add('GN(1,3) on 4-D N=1', nn.GroupNorm, 'GroupNorm', [1, 3], {}, [randn(1, 3, 4, 4, shift=5)], ['train'])

    # InstanceNorm
    xs = [randn(3, 4, 6, scale=2), randn(3, 4, 6, shift=1), randn(2, 4, 6, scale=0.5), randn(2, 4, 6)]
    add('IN1d affine trackRunningStats momentum=0.3 x3 eval', nn.InstanceNorm1d, 'InstanceNorm1d', [4],
        {'affine': True, 'track_running_stats': True, 'momentum': 0.3}, xs, ['train'] * 3 + ['eval'])
    add('IN1d trackRunningStats, unbatched (C,L) train/eval', nn.InstanceNorm1d, 'InstanceNorm1d', [4],
        {'track_running_stats': True}, [randn(4, 6, scale=2), randn(4, 6)], ['train', 'eval'])
    add('IN1d affine, eval without running stats', nn.InstanceNorm1d, 'InstanceNorm1d', [4], {'affine': True},
        [randn(2, 4, 6)], ['eval'])
    add('IN2d affine trackRunningStats train x2 eval', nn.InstanceNorm2d, 'InstanceNorm2d', [3],
        {'affine': True, 'track_running_stats': True},
        [randn(2, 3, 4, 5, scale=2, shift=1), randn(2, 3, 4, 5), randn(1, 3, 4, 5)], ['train', 'train', 'eval'])
    add('IN2d N=1 eps=1e-3', nn.InstanceNorm2d, 'InstanceNorm2d', [2], {'eps': 1e-3}, [randn(1, 2, 3, 3)], ['train'])

    # Linear / Conv2d
    def lin(*a, **k):
        return nn.Linear(*a, **k)
    add('Linear(6,4) bias=False on (2,3,6)', lin, 'Linear', [6, 4], {'bias': False}, [randn(2, 3, 6)], ['train'], False)
    add('Linear(3,5) on 1-D input', lin, 'Linear', [3, 5], {}, [randn(3)], ['train'], False)
    add('Linear(4,2) on 4-D input', lin, 'Linear', [4, 2], {}, [randn(2, 2, 3, 4)], ['train'], False)
    add('Linear(20,9) wide', lin, 'Linear', [20, 9], {}, [randn(13, 20)], ['train'], False)
    add('Conv2d(3,5,3) stride2 pad2 dil2 no bias', nn.Conv2d, 'Conv2d', [3, 5, 3],
        {'stride': 2, 'padding': 2, 'dilation': 2, 'bias': False}, [randn(2, 3, 9, 8)], ['train'], False)
    add('Conv2d(2,3,[3,2]) stride[1,2] pad[2,1] dil[2,1]', nn.Conv2d, 'Conv2d', [2, 3, [3, 2]],
        {'stride': [1, 2], 'padding': [2, 1], 'dilation': [2, 1]}, [randn(2, 2, 7, 6)], ['train'], False)
    add('Conv2d(4,3,1) 1x1', nn.Conv2d, 'Conv2d', [4, 3, 1], {}, [randn(2, 4, 3, 3)], ['train'], False)
    add('Conv2d(1,2,2) stride3 > kernel, pad3', nn.Conv2d, 'Conv2d', [1, 2, 2], {'stride': 3, 'padding': 3},
        [randn(1, 1, 7, 5)], ['train'], False)
    add('Conv2d(2,2,3) unbatched, stride 2 no bias', nn.Conv2d, 'Conv2d', [2, 2, 3], {'stride': 2, 'bias': False},
        [randn(2, 6, 7)], ['train'], False)

    add("Conv2d(2,3,[4,3]) padding='same' dilation [1,2]", nn.Conv2d, 'Conv2d', [2, 3, [4, 3]],
        {'padding': 'same', 'dilation': [1, 2]}, [randn(2, 2, 5, 6)], ['train'], False)
    add("Conv2d(2,2,3) padding='valid' no bias", nn.Conv2d, 'Conv2d', [2, 2, 3], {'padding': 'valid', 'bias': False},
        [randn(1, 2, 4, 5)], ['train'], False)
    # groups: weight (out, in/groups, kh, kw), one GEMM per group
    add('Conv2d(4,6,3) groups=2 pad 1', nn.Conv2d, 'Conv2d', [4, 6, 3], {'groups': 2, 'padding': 1},
        [randn(2, 4, 5, 6)], ['train'], False)
    add('Conv2d(3,3,3) depthwise groups=3 stride 2 no bias', nn.Conv2d, 'Conv2d', [3, 3, 3],
        {'groups': 3, 'stride': 2, 'bias': False}, [randn(2, 3, 7, 6)], ['train'], False)
    add('Conv2d(6,9,[2,3]) groups=3 dil [2,1] pad [1,2] stride [1,2]', nn.Conv2d, 'Conv2d', [6, 9, [2, 3]],
        {'groups': 3, 'dilation': [2, 1], 'padding': [1, 2], 'stride': [1, 2]}, [randn(3, 6, 6, 7)], ['train'], False)
    add("Conv2d(4,8,3) groups=4 padding='same' unbatched", nn.Conv2d, 'Conv2d', [4, 8, 3],
        {'groups': 4, 'padding': 'same'}, [randn(4, 5, 5)], ['train'], False)
    add('Conv2d(4,2,1) groups=2 1x1', nn.Conv2d, 'Conv2d', [4, 2, 1], {'groups': 2}, [randn(2, 4, 3, 3)], ['train'], False)
    # Activation / shape modules
    add('MaxPool2d(2, stride 1)', nn.MaxPool2d, 'MaxPool2d', [2, 1], {}, [randn(2, 2, 4, 5)], ['train'], False)
    add('MaxPool2d(3, 2) padding 1 ceil_mode', nn.MaxPool2d, 'MaxPool2d', [3, 2], {'padding': 1, 'ceil_mode': True},
        [randn(2, 3, 6, 7)], ['train'], False)
    add('MaxPool2d(2, 2) padding 1 ceil_mode, last window dropped', nn.MaxPool2d, 'MaxPool2d', [2, 2],
        {'padding': 1, 'ceil_mode': True}, [randn(1, 2, 5, 5)], ['train'], False)
    add('MaxPool2d([3,2], [2,1]) dilation [1,2] padding [1,0] unbatched', nn.MaxPool2d, 'MaxPool2d', [[3, 2], [2, 1]],
        {'dilation': [1, 2], 'padding': [1, 0]}, [randn(2, 7, 6)], ['train'], False)
    add('MaxPool2d(2) dilation 2 ceil_mode', nn.MaxPool2d, 'MaxPool2d', [2], {'dilation': 2, 'ceil_mode': True},
        [randn(2, 2, 6, 7)], ['train'], False)
    add('MaxPool2d([2,3], stride [2,1]) unbatched', nn.MaxPool2d, 'MaxPool2d', [[2, 3], [2, 1]], {},
        [randn(3, 5, 6)], ['train'], False)
    add('MaxPool2d(3) default stride', nn.MaxPool2d, 'MaxPool2d', [3], {}, [randn(1, 2, 7, 8)], ['train'], False)
    add('LeakyReLU(0.2)', nn.LeakyReLU, 'LeakyReLU', [0.2], {}, [randn(3, 5)], ['train'], False)
    add('Softmax(dim=1) on 3-D', nn.Softmax, 'Softmax', [1], {}, [randn(2, 4, 3, scale=3)], ['train'], False)
    add('LogSoftmax(dim=0)', nn.LogSoftmax, 'LogSoftmax', [0], {}, [randn(4, 3, scale=3)], ['train'], False)
    add('Flatten(0, 1)', nn.Flatten, 'Flatten', [0, 1], {}, [randn(2, 3, 4)], ['train'], False)
    add('Identity', nn.Identity, 'Identity', [], {}, [randn(2, 3)], ['train'], False)
    return c


# ---------------------------------------------------------------- precision (float64 references)

def run_layer_case64(name, ctor, kind, args, kwargs, inputs, modes):
    """Like run_layer_case, but the reference runs in float64 on the same float32 inputs and state."""
    m = ctor(*args, **kwargs)
    randomize_affine(m)
    case = {'name': name, 'kind': kind, 'args': args, 'kwargs': kwargs, 'initial': snake_state(m), 'steps': []}
    m = copy.deepcopy(m).double()
    for x, mode in zip(inputs, modes):
        m.train(mode == 'train')
        xi = x.double().requires_grad_(True)
        for p in m.parameters():
            p.grad = None
        y = m(xi)
        g = torch.randn(y.shape)
        y.backward(g.double())
        step = {'mode': mode, 'input': T(x), 'output': D(y), 'gradOutput': T(g), 'gradInput': D(xi.grad)}
        if getattr(m, 'weight', None) is not None:
            step['gradWeight'] = D(m.weight.grad)
        if getattr(m, 'bias', None) is not None:
            step['gradBias'] = D(m.bias.grad)
        step['state'] = {k: (int(v.item()) if k.endswith('num_batches_tracked') else D(v))
                         for k, v in m.state_dict().items()}
        case['steps'].append(step)
        # A float32 module stores its running statistics in float32: round them, so that an eval
        # step after large-offset training normalizes with the same stored values.
        with torch.no_grad():
            for b in m.buffers():
                if b.is_floating_point():
                    b.copy_(b.float().double())
    return case


def precision():
    c = []

    def add(name, ctor, kind, args, kwargs, xs, modes):
        c.append(run_layer_case64(name, ctor, kind, args, kwargs, xs, modes))

    def off(shape, offset, noise):
        return (offset + noise * torch.randn(shape, dtype=torch.float64)).to(torch.float32)
    c.append(run_layer_case64('BN1d (N,C,L) 1e4 + 0.01 noise', nn.BatchNorm1d, 'BatchNorm1d', [3], {},
                              [off((6, 3, 5), 1e4, 0.01), off((6, 3, 5), 1e4, 0.01), off((2, 3, 5), 1e4, 0.01)],
                              ['train', 'train', 'eval']))
    c.append(run_layer_case64('BN1d (N,C) 1e6 + noise momentum=None', nn.BatchNorm1d, 'BatchNorm1d', [5],
                              {'momentum': None}, [off((16, 5), 1e6, 1.0), off((16, 5), 1e6, 1.0), off((4, 5), 1e6, 1.0)],
                              ['train', 'train', 'eval']))
    c.append(run_layer_case64('BN2d 1e6 + noise, N=1', nn.BatchNorm2d, 'BatchNorm2d', [3], {},
                              [off((1, 3, 4, 5), 1e6, 1.0), off((2, 3, 4, 5), 1e6, 1.0)], ['train', 'eval']))
    c.append(run_layer_case64('BN2d -1e4 + 1e-3 noise, eps=1e-10', nn.BatchNorm2d, 'BatchNorm2d', [2], {'eps': 1e-10},
                              [off((3, 2, 3, 3), -1e4, 1e-3)], ['train']))
    c.append(run_layer_case64('LN([2,5]) 1e4 + 0.01 noise', nn.LayerNorm, 'LayerNorm', [[2, 5]], {},
                              [off((3, 2, 5), 1e4, 0.01)], ['train']))
    c.append(run_layer_case64('GN(2,4) 1e6 + noise', nn.GroupNorm, 'GroupNorm', [2, 4], {},
                              [off((2, 4, 6), 1e6, 1.0)], ['train']))
    c.append(run_layer_case64('IN1d 1e4 + 0.01 noise, running stats', nn.InstanceNorm1d, 'InstanceNorm1d', [2],
                              {'affine': True, 'track_running_stats': True},
                              [off((3, 2, 8), 1e4, 0.01), off((2, 2, 8), 1e4, 0.01)], ['train', 'eval']))
    c.append(run_layer_case64('IN2d 1e6 + noise', nn.InstanceNorm2d, 'InstanceNorm2d', [2], {},
                              [off((2, 2, 3, 4), 1e6, 1.0)], ['train']))
    add('BN1d tiny eps=1e-10, tiny variance', nn.BatchNorm1d, 'BatchNorm1d', [3], {'eps': 1e-10},
        [randn(8, 3, scale=1e-3, shift=0.5), randn(4, 3, scale=1e-3, shift=0.5)], ['train', 'eval'])
    add('BN1d large eps=1.0', nn.BatchNorm1d, 'BatchNorm1d', [3], {'eps': 1.0},
        [randn(8, 3, scale=0.5), randn(4, 3)], ['train', 'eval'])
    xc = randn(6, 4, 5)
    xc[:, 1, :] = 2.5  # constant channels: zero variance
    xc[:, 3, :] = 0.0
    add('BN1d constant channels', nn.BatchNorm1d, 'BatchNorm1d', [4], {}, [xc, xc], ['train', 'eval'])
    xc2 = randn(8, 6)
    xc2[:, 0] = -7.0
    xc2[:, 5] = 1e-3
    add('BN1d (N,C) constant columns', nn.BatchNorm1d, 'BatchNorm1d', [6], {}, [xc2], ['train'])
    x4c = randn(3, 3, 2, 4)
    x4c[:, 2] = 3.0
    add('BN2d constant channel', nn.BatchNorm2d, 'BatchNorm2d', [3], {}, [x4c, x4c], ['train', 'eval'])
    xg = randn(2, 4, 3)
    xg[1, 2:] = -1.5  # sample 1, group 1 constant
    add('GN(2,4) constant group', nn.GroupNorm, 'GroupNorm', [2, 4], {}, [xg], ['train'])
    xi = randn(2, 3, 4)
    xi[0, 1] = 8.0
    add('IN1d constant instance, running stats', nn.InstanceNorm1d, 'InstanceNorm1d', [3],
        {'affine': True, 'track_running_stats': True}, [xi, xi], ['train', 'eval'])
    return c


# ---------------------------------------------------------------- ops

def op(name, fn, params, torch_fn, inputs, ref64=False, grad=True):
    """One op: `fn` and `params` tell the test which engine call to make."""
    xs = [x.clone().requires_grad_(grad) for x in inputs]
    y = torch_fn(*xs)
    case = {'name': name, 'fn': fn, 'params': params, 'inputs': [T(x) for x in inputs], 'output': T(y)}
    if grad:
        g = torch.randn(y.shape)
        y.backward(g)
        case['gradOutput'] = T(g)
        case['grads'] = [T(x.grad) if x.grad is not None else T(torch.zeros_like(x)) for x in xs]
    if ref64:
        x64 = [x.double().requires_grad_(grad) for x in inputs]
        y64 = torch_fn(*x64)
        case['output64'] = D(y64)
        if grad:
            y64.backward(g.double())
            case['grads64'] = [D(x.grad) for x in x64]
    return case


def ops():
    pos = lambda *s: (torch.rand(*s) + 0.5).to(torch.float32)  # noqa: E731
    c = []
    # broadcasting arithmetic (both operands need grads)
    c.append(op('add (2,1,4)+(3,1)', 'add', {}, torch.add, [randn(2, 1, 4), randn(3, 1)]))
    c.append(op('add alpha=0.5', 'add', {'alpha': 0.5}, lambda a, b: torch.add(a, b, alpha=0.5), [randn(3, 4), randn(4)]))
    c.append(op('sub alpha=2 (5)-(2,3,5)', 'sub', {'alpha': 2}, lambda a, b: torch.sub(a, b, alpha=2),
                [randn(5), randn(2, 3, 5)]))
    c.append(op('mul (1,3,1)*(2,1,5)', 'mul', {}, torch.mul, [randn(1, 3, 1), randn(2, 1, 5)]))
    c.append(op('mul by 0-d tensor', 'mul', {}, torch.mul, [randn(3, 2), randn()]))
    c.append(op('div (4,1)/(1,3)', 'div', {}, torch.div, [randn(4, 1), pos(1, 3)]))
    c.append(op('div 0-d / (2,3)', 'div', {}, torch.div, [randn(), pos(2, 3)]))
    c.append(op('pow (3,1)**(1,4)', 'pow', {}, torch.pow, [pos(3, 1), randn(1, 4)]))
    c.append(op('pow scalar 2.5', 'powScalar', {'exponent': 2.5}, lambda a: a.pow(2.5), [pos(6)]))
    c.append(op('pow scalar -2', 'powScalar', {'exponent': -2}, lambda a: a.pow(-2), [pos(6)]))
    c.append(op('pow scalar 0', 'powScalar', {'exponent': 0}, lambda a: a.pow(0), [randn(5)]))
    c.append(op('scalar base 2**x', 'rpow', {'base': 2.0}, lambda a: torch.pow(2.0, a), [randn(5)]))
    c.append(op('add scalar 0.3', 'addScalar', {'value': 0.3}, lambda a: a + 0.3, [randn(5)]))
    c.append(op('rsub scalar 1.7', 'rsub', {'value': 1.7}, lambda a: 1.7 - a, [randn(5)]))
    c.append(op('div by scalar 3', 'divScalar', {'value': 3.0}, lambda a: a / 3.0, [randn(5)]))
    # element-wise edge values
    z = torch.tensor([-2.0, -0.0, 0.0, 0.5, 3.0])
    c.append(op('abs with zeros', 'abs', {}, torch.abs, [z]))
    c.append(op('relu with zeros', 'relu', {}, torch.relu, [z]))
    c.append(op('leakyRelu 0.2 with zeros', 'leakyRelu', {'slope': 0.2}, lambda a: F.leaky_relu(a, 0.2), [z]))
    c.append(op('rsqrt', 'rsqrt', {}, torch.rsqrt, [pos(6)]))
    c.append(op('square', 'square', {}, torch.square, [randn(6)]))
    c.append(op('sigmoid large', 'sigmoid', {}, torch.sigmoid, [randn(8, scale=20)]))
    c.append(op('tanh large', 'tanh', {}, torch.tanh, [randn(8, scale=10)]))
    c.append(op('exp', 'exp', {}, torch.exp, [randn(6, scale=5)]))
    cl = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    c.append(op('clamp min only', 'clamp', {'min': 0.0, 'max': None}, lambda a: a.clamp(min=0.0), [cl]))
    c.append(op('clamp max only', 'clamp', {'min': None, 'max': 0.5}, lambda a: a.clamp(max=0.5), [cl]))
    c.append(op('clamp bounds hit exactly', 'clamp', {'min': -0.5, 'max': 1.0}, lambda a: a.clamp(-0.5, 1.0), [cl]))
    c.append(op('clamp min > max', 'clamp', {'min': 1.0, 'max': 0.0}, lambda a: a.clamp(1.0, 0.0), [cl]))
    # reductions
    c.append(op('sum dims [-1,0] keepdim', 'sum', {'dim': [-1, 0], 'keepdim': True},
                lambda a: a.sum([-1, 0], keepdim=True), [randn(2, 3, 4)]))
    c.append(op('sum dim=[] (all)', 'sum', {'dim': [], 'keepdim': False}, lambda a: a.sum(dim=[]), [randn(2, 3)]))
    c.append(op('mean dim=[] (all)', 'mean', {'dim': [], 'keepdim': False}, lambda a: a.mean(dim=[]), [randn(2, 3)]))
    c.append(op('mean dim -2', 'mean', {'dim': -2, 'keepdim': False}, lambda a: a.mean(-2), [randn(2, 5, 3)]))
    c.append(op('var dim 1 unbiased=False keepdim', 'var', {'dim': 1, 'unbiased': False, 'keepdim': True},
                lambda a: a.var(1, unbiased=False, keepdim=True), [randn(3, 5, 2)]))
    c.append(op('var dims [0,2] unbiased', 'var', {'dim': [0, 2]}, lambda a: a.var([0, 2]), [randn(3, 4, 2)]))
    c.append(op('var all unbiased', 'var', {}, lambda a: a.var(), [randn(4, 3)]))
    c.append(op('var dim 0 correction=0', 'var', {'dim': 0, 'correction': 0},
                lambda a: torch.var(a, 0, correction=0), [randn(6, 2)]))
    c.append(op('var dim 1 correction=2 keepdim', 'var', {'dim': 1, 'correction': 2, 'keepdim': True},
                lambda a: torch.var(a, 1, correction=2, keepdim=True), [randn(2, 5)]))
    c.append(op('var over size-1 dim (NaN)', 'var', {'dim': 1}, lambda a: a.var(1), [randn(3, 1)]))
    c.append(op('std all unbiased=False', 'std', {'unbiased': False}, lambda a: a.std(unbiased=False), [randn(4, 3)]))
    c.append(op('std dims [0,2] keepdim', 'std', {'dim': [0, 2], 'keepdim': True},
                lambda a: a.std([0, 2], keepdim=True), [randn(3, 4, 2)]))
    c.append(op('std dim 0 correction=0', 'std', {'dim': 0, 'correction': 0},
                lambda a: torch.std(a, 0, correction=0), [randn(5, 3)]))
    cr = randn(3, 4)
    cr[1] = 2.0
    c.append(op('std with a constant row', 'std', {'dim': 1}, lambda a: a.std(1), [cr]))
    c.append(op('var 1e6 offset', 'var', {'dim': 0, 'unbiased': False}, lambda a: a.var(0, unbiased=False),
                [randn(64, 2, scale=1, shift=1e6)], ref64=True))
    c.append(op('std 1e4 offset', 'std', {'dim': 1}, lambda a: a.std(1), [randn(2, 50, scale=0.01, shift=1e4)],
                ref64=True))
    c.append(op('mean 1e4 offset', 'mean', {'dim': 0}, lambda a: a.mean(0), [randn(100, 3, shift=1e4)], ref64=True))
    tie = torch.tensor([[1.0, 3.0, 3.0], [-1.0, 3.0, 0.0]])
    c.append(op('max with ties', 'max', {}, torch.max, [tie]))
    c.append(op('min with ties', 'min', {}, torch.min, [-tie]))
    # along a dim: the gradient goes to the first extreme (ties) or the first NaN
    tie3 = torch.tensor([[[1.0, 4.0], [4.0, 2.0], [4.0, 2.0]], [[0.0, -1.0], [0.0, -1.0], [3.0, -1.0]]])
    nan = torch.tensor([[1.0, float('nan'), 5.0, float('nan')], [2.0, 2.0, -1.0, 0.0]])
    for fn, f in (('maxDim', torch.max), ('minDim', torch.min)):
        for name, params, x in (
            ('dim 1 with ties', {'dim': 1}, tie3), ('dim -1 keepdim with ties', {'dim': -1, 'keepdim': True}, tie3),
            ('dim 0 keepdim', {'dim': 0, 'keepdim': True}, randn(3, 4, 2)), ('dim 2', {'dim': 2}, randn(2, 3, 5)),
            ('dim 1 with NaN', {'dim': 1}, nan), ('0-d dim 0', {'dim': 0}, randn()),
        ):
            kd = params.get('keepdim', False)
            c.append(op(f'{fn} {name}', fn, params, lambda a, f=f, d=params['dim'], kd=kd: f(a, d, keepdim=kd)[0], [x]))
    # softmax on non-last dims
    c.append(op('softmax dim 1 of 3-D', 'softmax', {'dim': 1}, lambda a: torch.softmax(a, 1), [randn(2, 4, 3, scale=3)]))
    c.append(op('softmax dim -3 of 4-D', 'softmax', {'dim': -3}, lambda a: torch.softmax(a, -3),
                [randn(2, 3, 2, 2, scale=3)]))
    c.append(op('logSoftmax dim 0', 'logSoftmax', {'dim': 0}, lambda a: torch.log_softmax(a, 0), [randn(5, 3, scale=4)]))
    c.append(op('logSoftmax dim 1 of 3-D, large logits', 'logSoftmax', {'dim': 1},
                lambda a: torch.log_softmax(a, 1), [randn(2, 4, 3, scale=50)]))
    c.append(op('softmax with -inf', 'softmax', {'dim': 1}, lambda a: torch.softmax(a, 1),
                [torch.tensor([[0.0, float('-inf'), 1.0], [2.0, 2.0, float('-inf')]])]))
    # matmul / linear / conv
    c.append(op('matmul (2,3,4,5)@(5,2)', 'matmul', {}, torch.matmul, [randn(2, 3, 4, 5), randn(5, 2)]))
    c.append(op('matmul (5)@(2,5,3)', 'matmul', {}, torch.matmul, [randn(5), randn(2, 5, 3)]))
    c.append(op('matmul (2,4,3)@(3)', 'matmul', {}, torch.matmul, [randn(2, 4, 3), randn(3)]))
    c.append(op('matmul (2,1,4,3)@(1,3,3,2)', 'matmul', {}, torch.matmul, [randn(2, 1, 4, 3), randn(1, 3, 3, 2)]))
    c.append(op('matmul (17,33)@(33,19)', 'matmul', {}, torch.matmul, [randn(17, 33), randn(33, 19)]))
    c.append(op('linear 3-D no bias', 'linear', {'bias': False}, lambda x, w: F.linear(x, w), [randn(2, 3, 4), randn(5, 4)]))
    c.append(op('linear 1-D input', 'linear', {'bias': True}, F.linear, [randn(4), randn(3, 4), randn(3)]))
    c.append(op('conv2d stride [2,1] pad [1,2] dil [1,2]', 'conv2d',
                {'bias': True, 'stride': [2, 1], 'padding': [1, 2], 'dilation': [1, 2]},
                lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
                [randn(2, 3, 6, 5), randn(4, 3, 3, 2), randn(4)]))
    c.append(op('conv2d unbatched no bias', 'conv2d', {'bias': False},
                lambda x, w: F.conv2d(x, w), [randn(2, 5, 4), randn(3, 2, 2, 2)]))
    for name, kw, shapes in (
        ('groups=2', {'groups': 2}, [(2, 4, 5, 5), (6, 2, 3, 3), (6,)]),
        ('groups=3 stride 2 pad 1 no bias', {'groups': 3, 'stride': 2, 'padding': 1}, [(2, 6, 7, 6), (3, 2, 3, 2)]),
        ('depthwise groups=4, 2 per group, dil 2', {'groups': 4, 'dilation': 2}, [(1, 4, 6, 6), (8, 1, 2, 2), (8,)]),
        ("groups=2 padding='same' unbatched", {'groups': 2, 'padding': 'same'}, [(4, 5, 4), (2, 2, 2, 3), (2,)]),
        ('groups=2 large (gemm panels)', {'groups': 2, 'padding': 1}, [(2, 16, 9, 9), (24, 8, 3, 3), (24,)]),
    ):
        kwt = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
        c.append(op(f'conv2d {name}', 'conv2d', {'bias': len(shapes) == 3, **kw},
                    lambda x, w, b=None, kwt=kwt: F.conv2d(x, w, b, **kwt), [randn(*sh) for sh in shapes]))
    c.append(op('maxPool2d 2 stride 2', 'maxPool2d', {'kernel': 2, 'stride': None},
                lambda x: F.max_pool2d(x, 2), [randn(2, 3, 5, 4)]))
    for name, kw, shape in (
        ('3 stride 2 pad 1', {'kernel': 3, 'stride': 2, 'padding': 1}, (2, 2, 7, 6)),
        ('2 stride 2 pad 1 ceil (last window dropped)', {'kernel': 2, 'stride': 2, 'padding': 1, 'ceilMode': True}, (1, 2, 5, 5)),
        ('3 stride 2 ceil (partial window)', {'kernel': 3, 'stride': 2, 'ceilMode': True}, (2, 1, 6, 8)),
        ('[3,2] stride [1,2] dil [2,1] pad [1,1] ceil', {'kernel': [3, 2], 'stride': [1, 2], 'dilation': [2, 1],
                                                         'padding': [1, 1], 'ceilMode': True}, (1, 3, 7, 7)),
        ('4 stride 3 dil 2 pad 2 unbatched', {'kernel': 4, 'stride': 3, 'dilation': 2, 'padding': 2}, (2, 9, 10)),
        ('2 stride 1 dil 3', {'kernel': 2, 'stride': 1, 'dilation': 3}, (1, 2, 5, 6)),
    ):
        pk = {'padding': kw.get('padding', 0), 'dilation': kw.get('dilation', 1), 'ceil_mode': kw.get('ceilMode', False)}
        pk = {k: tuple(v) if isinstance(v, list) else v for k, v in pk.items()}
        st = tuple(kw['stride']) if isinstance(kw['stride'], list) else kw['stride']
        ks = tuple(kw['kernel']) if isinstance(kw['kernel'], list) else kw['kernel']
        c.append(op(f'maxPool2d {name}', 'maxPool2d', kw, lambda x, ks=ks, st=st, pk=pk: F.max_pool2d(x, ks, st, **pk),
                    [randn(*shape)]))
    # ties and -inf: PyTorch's loop keeps the first maximum, an all -inf window its first element
    ti = torch.tensor([[[[1.0, 1.0, 0.0], [1.0, float('-inf'), 2.0], [2.0, 2.0, float('-inf')]]]])
    c.append(op('maxPool2d 2 stride 1 pad 1, ties and -inf', 'maxPool2d', {'kernel': 2, 'stride': 1, 'padding': 1},
                lambda x: F.max_pool2d(x, 2, 1, 1), [ti]))
    # functional norms with explicit arguments
    rm, rv = randn(3, scale=0.3), pos(3)

    def fbn(x, w, b):
        return F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=True, momentum=0.2, eps=1e-4)
    c.append(op('F.batchNorm training momentum=0.2 eps=1e-4', 'batchNorm',
                {'runningMean': rm.tolist(), 'runningVar': rv.tolist(), 'training': True, 'momentum': 0.2, 'eps': 1e-4},
                fbn, [randn(4, 3, 2, scale=2), 1 + 0.3 * randn(3), randn(3)]))
    rm2, rv2 = rm.clone(), rv.clone()
    F.batch_norm(torch.tensor(c[-1]['inputs'][0]['data']).reshape(4, 3, 2), rm2, rv2, None, None, True, 0.2, 1e-4)
    c[-1]['runningMeanAfter'] = T(rm2)
    c[-1]['runningVarAfter'] = T(rv2)
    c.append(op('F.batchNorm eval with weight only', 'batchNorm',
                {'runningMean': rm.tolist(), 'runningVar': rv.tolist(), 'training': False, 'bias': False},
                lambda x, w: F.batch_norm(x, rm.clone(), rv.clone(), w, None, training=False),
                [randn(3, 3, scale=2), 1 + 0.3 * randn(3)]))
    c.append(op('F.layerNorm weight no bias', 'layerNorm', {'shape': [2, 3], 'bias': False},
                lambda x, w: F.layer_norm(x, [2, 3], w, None), [randn(4, 2, 3, scale=2), 1 + 0.3 * randn(2, 3)]))
    c.append(op('F.groupNorm no affine eps=1e-2', 'groupNorm', {'groups': 3, 'eps': 1e-2},
                lambda x: F.group_norm(x, 3, eps=1e-2), [randn(2, 6, 4)]))
    c.append(op('F.instanceNorm affine', 'instanceNorm', {},
                lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [randn(2, 3, 5), 1 + 0.3 * randn(3), randn(3)]))
    # graphs through batch norm: two calls in one graph (the wasm backend keeps only the last
    # forward's input), a weight used twice
    def bn_chain(x, w1, b1, w2, b2):
        h = F.batch_norm(x, None, None, w1, b1, training=True)
        return F.batch_norm(torch.relu(h) * 1.5, None, None, w2, b2, training=True)
    c.append(op('batch norm -> relu -> batch norm', 'bnChain', {}, bn_chain,
                [randn(6, 4, 3, scale=2), 1 + 0.3 * randn(4), randn(4), 1 + 0.3 * randn(4), randn(4)]))

    def bn_shared(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True) + F.batch_norm(x * 2 + 1, None, None, w, b, training=True)
    c.append(op('batch norm twice, shared weight', 'bnShared', {}, bn_shared, [randn(5, 3), 1 + 0.3 * randn(3), randn(3)]))
    # layout
    c.append(op('expand (3,1)->(2,3,4)', 'expand', {'shape': [2, 3, 4]}, lambda a: a.expand(2, 3, 4), [randn(3, 1)]))
    c.append(op('expand -1 keeps dims', 'expand', {'shape': [2, -1, 3]}, lambda a: a.expand(2, -1, 3), [randn(4, 1)]))
    c.append(op('permute 4-D', 'permute', {'dims': [3, 1, 0, 2]}, lambda a: a.permute(3, 1, 0, 2), [randn(2, 3, 4, 5)]))
    c.append(op('transpose negative dims', 'transpose', {'dims': [-1, -3]}, lambda a: a.transpose(-1, -3),
                [randn(2, 3, 4)]))
    c.append(op('flatten(1, 2)', 'flatten', {'start': 1, 'end': 2}, lambda a: a.flatten(1, 2), [randn(2, 3, 4, 2)]))
    c.append(op('squeeze dim 1', 'squeeze', {'dim': 1}, lambda a: a.squeeze(1), [randn(3, 1, 2)]))
    c.append(op('squeeze all', 'squeeze', {}, lambda a: a.squeeze(), [randn(1, 3, 1, 2)]))
    c.append(op('unsqueeze -1', 'unsqueeze', {'dim': -1}, lambda a: a.unsqueeze(-1), [randn(3, 2)]))
    c.append(op('reshape (-1, 2)', 'reshape', {'shape': [-1, 2]}, lambda a: a.reshape(-1, 2), [randn(3, 4)]))
    # graph: a tensor used twice (gradients accumulate)
    c.append(op('x*x + x (reuse)', 'reuse', {}, lambda a: a * a + a, [randn(5)]))
    c.append(op('softmax(x) * x (reuse)', 'reuseSoftmax', {}, lambda a: torch.softmax(a, -1) * a, [randn(2, 4)]))
    return c


def values():
    """Ops without gradients: argmax and tensor factories."""
    c = []
    x = torch.tensor([[1.0, 5.0, 5.0, -1.0], [7.0, 0.0, 7.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    for name, fn, params, f in (
        ('argmax all', 'argmax', {}, lambda a: a.argmax()),
        ('argmax all keepdim', 'argmax', {'keepdim': True}, lambda a: a.argmax(keepdim=True)),
        ('argmax dim 1 (ties: first)', 'argmax', {'dim': 1}, lambda a: a.argmax(1)),
        ('argmax dim 0 keepdim', 'argmax', {'dim': 0, 'keepdim': True}, lambda a: a.argmax(0, keepdim=True)),
    ):
        c.append({'name': name, 'fn': fn, 'params': params, 'inputs': [T(x)], 'output': T(f(x).float())})
    for fn, f in (('argmin', torch.argmin), ('maxIndices', lambda a, *r, **k: torch.max(a, *r, **k)[1]),
                  ('minIndices', lambda a, *r, **k: torch.min(a, *r, **k)[1])):
        cases = [({'dim': 1}, (1,), {}), ({'dim': 0, 'keepdim': True}, (0,), {'keepdim': True}), ({'dim': -1}, (-1,), {})]
        if fn == 'argmin':
            cases += [({}, (), {}), ({'keepdim': True}, (), {'keepdim': True})]
        for params, args, kw in cases:
            c.append({'name': f'{fn} {params}', 'fn': fn, 'params': params, 'inputs': [T(x)],
                      'output': T(f(x, *args, **kw).float())})
    xn = torch.tensor([[1.0, float('nan'), 3.0, float('nan')], [2.0, -1.0, -1.0, 5.0]])
    for fn, f in (('argmax', torch.argmax), ('argmin', torch.argmin), ('maxIndices', lambda a, d: torch.max(a, d)[1]),
                  ('minIndices', lambda a, d: torch.min(a, d)[1])):
        c.append({'name': f'{fn} dim 1 with NaN', 'fn': fn, 'params': {'dim': 1}, 'inputs': [T(xn)],
                  'output': T(f(xn, 1).float())})
    c.append({'name': 'argmin all with NaN', 'fn': 'argmin', 'params': {}, 'inputs': [T(xn)],
              'output': T(torch.argmin(xn).float())})
    # max_pool2d's indices: flat positions within each H×W plane
    for params, shape in (({'kernel': 3, 'stride': 2, 'padding': 1, 'ceilMode': True}, (2, 2, 6, 5)),
                          ({'kernel': [2, 3], 'stride': 1, 'dilation': [2, 1]}, (3, 5, 6))):
        xp = randn(*shape)
        ks = tuple(params['kernel']) if isinstance(params['kernel'], list) else params['kernel']
        dil = params.get('dilation', 1)
        _, idx = F.max_pool2d(xp, ks, params['stride'], params.get('padding', 0), tuple(dil) if isinstance(dil, list) else dil,
                              params.get('ceilMode', False), return_indices=True)
        c.append({'name': f'maxPool2d indices {params}', 'fn': 'maxPool2dIndices', 'params': params, 'inputs': [T(xp)],
                  'output': T(idx.float())})
    xi = torch.tensor([[[[float('-inf')] * 3] * 3], [[[float('nan'), 1.0, float('nan')], [0.0, 2.0, 2.0], [2.0, 2.0, 0.0]]]])
    c.append({'name': 'maxPool2d indices: all -inf windows, NaN, ties', 'fn': 'maxPool2dIndices',
              'params': {'kernel': 2, 'stride': 1, 'padding': 1}, 'inputs': [T(xi)],
              'output': T(F.max_pool2d(xi, 2, 1, 1, return_indices=True)[1].float())})
    for params, y in (
        ({'start': 5}, torch.arange(5.0)),
        ({'start': -1.5, 'end': 2.3, 'step': 0.4}, torch.arange(-1.5, 2.3, 0.4)),
        ({'start': 3, 'end': -2, 'step': -0.7}, torch.arange(3, -2, -0.7)),
        ({'start': 0.1, 'end': 0.9, 'step': 0.1}, torch.arange(0.1, 0.9, 0.1)),
    ):
        c.append({'name': f'arange {params}', 'fn': 'arange', 'params': params, 'inputs': [], 'output': T(y)})
    for params, y in (
        ({'start': -3.7, 'end': 2.9, 'steps': 11}, torch.linspace(-3.7, 2.9, 11)),
        ({'start': 0, 'end': 1, 'steps': 7}, torch.linspace(0, 1, 7)),
        ({'start': 2, 'end': 2, 'steps': 1}, torch.linspace(2, 2, 1)),
        ({'start': 1, 'end': -1, 'steps': 4}, torch.linspace(1, -1, 4)),
    ):
        c.append({'name': f'linspace {params}', 'fn': 'linspace', 'params': params, 'inputs': [], 'output': T(y)})
    c.append({'name': 'eye(3, 5)', 'fn': 'eye', 'params': {'n': 3, 'm': 5}, 'inputs': [], 'output': T(torch.eye(3, 5))})
    c.append({'name': 'eye(4)', 'fn': 'eye', 'params': {'n': 4}, 'inputs': [], 'output': T(torch.eye(4))})
    return c


# ---------------------------------------------------------------- losses

def kw_name(kw):
    return str({k: 'w' if isinstance(v, torch.Tensor) else v for k, v in kw.items()})


def losses():
    c = []

    def case(name, loss, kwargs, inputs, targets, torch_fn):
        xs = [x.clone().requires_grad_(True) for x in inputs]
        y = torch_fn(*xs)
        g = torch.randn(y.shape)
        y.backward(g)
        kwargs = {k: v.tolist() if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
        c.append({'name': name, 'loss': loss, 'kwargs': kwargs, 'inputs': [T(x) for x in inputs],
                  'targets': targets.tolist() if targets is not None else None, 'output': T(y), 'gradOutput': T(g),
                  'grads': [T(x.grad) for x in xs]})

    logits = randn(7, 5, scale=2)
    tgt = torch.tensor([0, 4, 2, 2, -100, 1, 3])
    tgt_ign = torch.tensor([0, 4, 2, 2, 3, 1, 3])
    for kw in ({'label_smoothing': 0.2, 'ignore_index': 2}, {'label_smoothing': 0.2, 'ignore_index': 2, 'reduction': 'sum'},
               {'label_smoothing': 0.2, 'ignore_index': 2, 'reduction': 'none'}, {'label_smoothing': 1.0},
               {'label_smoothing': 0.05, 'reduction': 'sum'}, {'ignore_index': 3, 'reduction': 'none'}):
        case(f'crossEntropy {kw}', 'crossEntropy', kw, [logits], tgt_ign,
             lambda x, kw=kw: F.cross_entropy(x, tgt_ign, **kw))
    case('crossEntropy default ignore_index -100 in targets', 'crossEntropy', {}, [logits], tgt,
         lambda x: F.cross_entropy(x, tgt))
    case('crossEntropy label_smoothing with -100 target', 'crossEntropy', {'label_smoothing': 0.3}, [logits], tgt,
         lambda x: F.cross_entropy(x, tgt, label_smoothing=0.3))
    case('crossEntropy large logits', 'crossEntropy', {}, [randn(4, 3, scale=80)], torch.tensor([1, 0, 2, 2]),
         lambda x: F.cross_entropy(x, torch.tensor([1, 0, 2, 2])))
    u = randn(6, scale=2)
    case('crossEntropy unbatched (C)', 'crossEntropy', {'label_smoothing': 0.1}, [u], torch.tensor(4),
         lambda x: F.cross_entropy(x, torch.tensor(4), label_smoothing=0.1))
    case('crossEntropy unbatched (C) reduction none', 'crossEntropy', {'reduction': 'none'}, [u], torch.tensor(1),
         lambda x: F.cross_entropy(x, torch.tensor(1), reduction='none'))
    kd = randn(2, 4, 3, scale=2)
    kt = torch.tensor([[0, 3, 1], [2, 2, -100]])
    case('crossEntropy K-dim (N,C,d)', 'crossEntropy', {}, [kd], kt, lambda x: F.cross_entropy(x, kt))
    case('crossEntropy K-dim (N,C,d) smoothing, none', 'crossEntropy', {'label_smoothing': 0.1, 'reduction': 'none'},
         [kd], kt, lambda x: F.cross_entropy(x, kt, label_smoothing=0.1, reduction='none'))
    # class-probability targets (a float target of the logits' shape); the target's gradient too
    probs = torch.softmax(randn(5, 4, scale=2), 1)
    sl = randn(5, 4, scale=2)
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none', 'label_smoothing': 0.2}, {'label_smoothing': 0.1}):
        case(f'crossEntropy probabilities {kw}', 'crossEntropy', kw, [sl, probs], None,
             lambda x, t, kw=kw: F.cross_entropy(x, t, **kw))
    kprobs = torch.softmax(randn(2, 3, 2, 2), 1)
    case('crossEntropy probabilities K-dim (N,C,d1,d2)', 'crossEntropy', {}, [randn(2, 3, 2, 2), kprobs], None,
         lambda x, t: F.cross_entropy(x, t))
    lp = torch.log_softmax(randn(6, 4, scale=2), 1)
    t6 = torch.tensor([3, 0, 1, 1, 2, 0])
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}, {'ignore_index': 1}):
        case(f'nllLoss {kw}', 'nllLoss', kw, [lp], t6, lambda x, kw=kw: F.nll_loss(x, t6, **kw))
    # class weights: a weighted mean divides by the weights of the non-ignored targets; with label
    # smoothing PyTorch 1.13 adds eps/C·(−Σ_c w_c·logp_c), normalized by the same weight sum
    w5 = torch.tensor([0.5, 2.0, 1.0, 0.25, 3.0])
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}, {'ignore_index': 2}, {'ignore_index': 2, 'reduction': 'none'},
               {'label_smoothing': 0.2}, {'label_smoothing': 0.2, 'reduction': 'sum'},
               {'label_smoothing': 0.3, 'reduction': 'none', 'ignore_index': 4},
               {'label_smoothing': 0.15, 'ignore_index': 2}, {'label_smoothing': 1.0}):
        kw = {'weight': w5, **kw}
        case(f'crossEntropy weight {kw_name(kw)}', 'crossEntropy', kw, [logits], tgt_ign,
             lambda x, kw=kw: F.cross_entropy(x, tgt_ign, **kw))
    case('crossEntropy weight, -100 targets, smoothing', 'crossEntropy', {'weight': w5, 'label_smoothing': 0.1}, [logits],
         tgt, lambda x: F.cross_entropy(x, tgt, weight=w5, label_smoothing=0.1))
    w4 = torch.tensor([1.5, 0.5, 2.0, 0.75])
    for kw in ({}, {'label_smoothing': 0.1, 'reduction': 'none'}, {'label_smoothing': 0.25}, {'reduction': 'sum', 'label_smoothing': 0.3}):
        kw = {'weight': w4, **kw}
        case(f'crossEntropy weight K-dim (N,C,d) {kw_name(kw)}', 'crossEntropy', kw, [kd], kt,
             lambda x, kw=kw: F.cross_entropy(x, kt, **kw))
    kd2 = randn(2, 3, 2, 3, scale=2)
    kt2 = torch.tensor([[[0, 2, 1], [2, -100, 0]], [[1, 1, 0], [2, 0, -100]]])
    w3 = torch.tensor([0.2, 1.0, 2.5])
    case('crossEntropy weight K-dim (N,C,d1,d2) smoothing', 'crossEntropy', {'weight': w3, 'label_smoothing': 0.2}, [kd2], kt2,
         lambda x: F.cross_entropy(x, kt2, weight=w3, label_smoothing=0.2))
    w6 = torch.tensor([1.0, 0.5, 2.0, 1.5, 0.1, 3.0])
    for kw in ({'reduction': 'none'}, {'label_smoothing': 0.1}):
        kw = {'weight': w6, **kw}
        case(f'crossEntropy weight unbatched (C) {kw_name(kw)}', 'crossEntropy', kw, [u], torch.tensor(4),
             lambda x, kw=kw: F.cross_entropy(x, torch.tensor(4), **kw))
    wz = torch.tensor([0.0, 1.0, 0.0, 2.0, 0.0])
    case('crossEntropy weight with zeros', 'crossEntropy', {'weight': wz, 'label_smoothing': 0.1}, [logits], tgt_ign,
         lambda x: F.cross_entropy(x, tgt_ign, weight=wz, label_smoothing=0.1))
    # class probabilities: the weight scales each class term, the mean still divides by N·d1·…
    w4p = torch.tensor([0.5, 1.0, 2.0, 1.5])
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none', 'label_smoothing': 0.2}, {'label_smoothing': 0.1}):
        kw = {'weight': w4p, **kw}
        case(f'crossEntropy probabilities weight {kw_name(kw)}', 'crossEntropy', kw, [sl, probs], None,
             lambda x, t, kw=kw: F.cross_entropy(x, t, **kw))
    case('crossEntropy probabilities weight K-dim (N,C,d1,d2)', 'crossEntropy', {'weight': w3, 'label_smoothing': 0.1},
         [randn(2, 3, 2, 2), kprobs], None, lambda x, t: F.cross_entropy(x, t, weight=w3, label_smoothing=0.1))
    case('crossEntropy probabilities weight unbatched (C)', 'crossEntropy', {'weight': w4p},
         [randn(4), torch.softmax(randn(4), 0)], None, lambda x, t: F.cross_entropy(x, t, weight=w4p))
    w4n = torch.tensor([0.3, 2.0, 1.0, 0.7])
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}, {'ignore_index': 1}, {'ignore_index': 0, 'reduction': 'none'}):
        kw = {'weight': w4n, **kw}
        case(f'nllLoss weight {kw_name(kw)}', 'nllLoss', kw, [lp], t6, lambda x, kw=kw: F.nll_loss(x, t6, **kw))
    lpk = torch.log_softmax(randn(2, 3, 2, 3), 1)
    case('nllLoss weight K-dim (N,C,d1,d2)', 'nllLoss', {'weight': w3}, [lpk], kt2, lambda x: F.nll_loss(x, kt2, weight=w3))
    a, b = randn(2, 3, 4), randn(2, 3, 4)
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}):
        case(f'mseLoss 3-D {kw}', 'mseLoss', kw, [a, b], None, lambda x, y, kw=kw: F.mse_loss(x, y, **kw))
    b2 = b.clone()
    b2[0, 0] = a[0, 0]  # zero difference: l1's gradient is sign(0) = 0
    for kw in ({}, {'reduction': 'sum'}, {'reduction': 'none'}):
        case(f'l1Loss {kw}', 'l1Loss', kw, [a, b2], None, lambda x, y, kw=kw: F.l1_loss(x, y, **kw))
    return c


# ---------------------------------------------------------------- errors

def error_case(c, name, fn, params, inputs, torch_fn):
    """Appends PyTorch's message for an invalid call; `fn` and `params` tell the test which engine call to make."""
    try:
        torch_fn(*inputs)
    except (RuntimeError, ValueError, IndexError) as e:
        c.append({'name': name, 'fn': fn, 'params': params, 'inputs': [T(x) for x in inputs],
                  'message': str(e).split('\n')[0]})
        return
    raise AssertionError(f'{name}: PyTorch did not raise')

def errors():
    """PyTorch's messages for invalid arguments; `fn` and `params` tell the test which engine call to make."""
    c = []

    def case(name, fn, params, inputs, torch_fn):
        error_case(c, name, fn, params, inputs, torch_fn)

    x4 = randn(1, 4, 5, 5)
    case('conv2d input channels != weight in·groups', 'conv2d', {'groups': 2}, [x4, randn(4, 3, 3, 3)],
         lambda x, w: F.conv2d(x, w, groups=2))
    case('conv2d out channels not divisible by groups', 'conv2d', {'groups': 2}, [x4, randn(3, 2, 3, 3)],
         lambda x, w: F.conv2d(x, w, groups=2))
    case('conv2d groups=0', 'conv2d', {'groups': 0}, [x4, randn(4, 2, 3, 3)], lambda x, w: F.conv2d(x, w, groups=0))
    case('conv2d bias size', 'conv2d', {'groups': 2}, [x4, randn(4, 2, 3, 3), randn(3)],
         lambda x, w, b: F.conv2d(x, w, b, groups=2))
    for args, kw in (([4, 6, 3], {'groups': 3}), ([6, 4, 3], {'groups': 3}), ([6, 6, 3], {'groups': 0})):
        case(f'Conv2d{tuple(args)} {kw}', 'Conv2dModule', {'args': args, 'kwargs': kw}, [],
             lambda args=args, kw=kw: nn.Conv2d(*args, **kw))
    x5 = randn(1, 2, 5, 5)
    for kw in ({'kernel': 3, 'padding': 2}, {'kernel': [3, 5], 'padding': [1, 3]}, {'kernel': 2, 'stride': 0},
               {'kernel': 0, 'stride': 1}, {'kernel': 2, 'dilation': 0}, {'kernel': 2, 'stride': -1},
               {'kernel': 2, 'padding': [0, -1]}, {'kernel': 7}, {'kernel': 3, 'dilation': 3},
               {'kernel': [1, 2, 3]}, {'kernel': 2, 'stride': [1, 2, 3]}, {'kernel': 2, 'padding': [1, 1, 1]},
               {'kernel': 2, 'dilation': [1, 2, 1]}):
        tk = {'kernel_size': kw['kernel'], 'stride': kw.get('stride'), 'padding': kw.get('padding', 0),
              'dilation': kw.get('dilation', 1)}
        case(f'max_pool2d {kw}', 'maxPool2d', kw, [x5], lambda x, tk=tk: F.max_pool2d(x, **tk))
    case('max_pool2d 2-D input', 'maxPool2d', {'kernel': 2}, [randn(5, 5)], lambda x: F.max_pool2d(x, 2))
    case('max_pool2d unbatched output too small', 'maxPool2d', {'kernel': 7}, [randn(2, 5, 5)], lambda x: F.max_pool2d(x, 7))
    xl, tl = randn(4, 3), torch.tensor([0, 2, 1, 1])
    for loss, fl in (('crossEntropy', F.cross_entropy), ('nllLoss', F.nll_loss)):
        for w in (torch.ones(4), torch.ones(3, 1)):
            case(f'{loss} weight of shape {list(w.shape)}', loss, {'weight': w.tolist()}, [xl],
                 lambda x, fl=fl, w=w: fl(x, tl, weight=w))
    xk, tk3 = randn(2, 3, 4), torch.zeros(2, 4, dtype=torch.long)
    case('crossEntropy K-dim weight of shape [4]', 'crossEntropy', {'weight': [1.0] * 4}, [xk],
         lambda x: F.cross_entropy(x, tk3, weight=torch.ones(4)))
    case('crossEntropy probabilities weight of shape [4]', 'crossEntropyProb', {'weight': [1.0] * 4},
         [xl, torch.softmax(xl, 1)], lambda x, t: F.cross_entropy(x, t, weight=torch.ones(4)))
    wg = torch.ones(3, requires_grad=True)
    case('crossEntropy weight requiring grad', 'crossEntropyWeightGrad', {}, [xl], lambda x: F.cross_entropy(x, tl, weight=wg))
    case('nllLoss K-dim weight requiring grad', 'nllLossWeightGrad', {}, [xk],
         lambda x: F.nll_loss(x, tk3, weight=torch.ones(3, requires_grad=True)))
    for f in ('max', 'min'):
        case(f'{f} dim out of range', f'{f}Dim', {'dim': 2}, [randn(2, 3)], lambda x, f=f: getattr(torch, f)(x, 2))
        case(f'{f} over an empty dim', f'{f}Dim', {'dim': 1}, [torch.zeros(2, 0)], lambda x, f=f: getattr(torch, f)(x, 1))
    case('argmin of an empty tensor', 'argmin', {}, [torch.zeros(0, 3)], lambda x: torch.argmin(x))
    case('argmin over an empty dim', 'argmin', {'dim': 0}, [torch.zeros(0, 3)], lambda x: torch.argmin(x, 0))
    case('argmax of an empty tensor', 'argmax', {}, [torch.zeros(0, 3)], lambda x: torch.argmax(x))
    return c


# ---------------------------------------------------------------- joining, slicing, indexing
# Generated after every other section (see main), so the older sections keep their random draws.

def L(*v):
    return torch.tensor(v, dtype=torch.long)


def indexing_ops():
    """cat/stack, narrow/select/slice, index_select/gather, maximum/minimum, where: values and grads."""
    c = []
    a, b, e = randn(2, 3), randn(2, 4), randn(2, 1)
    c.append(op('cat dim 1, three tensors', 'cat', {'dim': 1}, lambda *t: torch.cat(t, 1), [a, b, e]))
    c.append(op('cat dim -1', 'cat', {'dim': -1}, lambda *t: torch.cat(t, -1), [a, b]))
    c.append(op('cat dim 0 of 3-D', 'cat', {'dim': 0}, lambda *t: torch.cat(t, 0), [randn(1, 2, 3), randn(3, 2, 3)]))
    c.append(op('concat dim -2 of 3-D', 'concat', {'dim': -2}, lambda *t: torch.concat(t, -2),
                [randn(2, 1, 3), randn(2, 2, 3)]))
    c.append(op('cat same tensor twice', 'catSelf', {'dim': 0}, lambda t: torch.cat([t, t * 2, t], 0), [randn(2, 3)]))
    c.append(op('cat with an empty (2,0) piece', 'cat', {'dim': 1}, lambda *t: torch.cat(t, 1), [a, torch.zeros(2, 0)]))
    c.append(op('cat skips legacy 1-D empty tensors', 'cat', {'dim': 1}, lambda *t: torch.cat(t, 1),
                [torch.zeros(0), a, torch.zeros(0), b]))
    c.append(op('cat of 1-D empty tensors only', 'cat', {'dim': 0}, lambda *t: torch.cat(t, 0),
                [torch.zeros(0), torch.zeros(0)]))
    c.append(op('cat single tensor', 'cat', {'dim': 0}, lambda *t: torch.cat(t, 0), [randn(3)]))
    c.append(op('stack dim 0', 'stack', {'dim': 0}, lambda *t: torch.stack(t, 0), [randn(2, 3), randn(2, 3), randn(2, 3)]))
    c.append(op('stack dim -1', 'stack', {'dim': -1}, lambda *t: torch.stack(t, -1), [randn(2, 3), randn(2, 3)]))
    c.append(op('stack dim 1 of 3-D', 'stack', {'dim': 1}, lambda *t: torch.stack(t, 1), [randn(2, 3, 2), randn(2, 3, 2)]))
    c.append(op('stack 0-d tensors', 'stack', {'dim': 0}, lambda *t: torch.stack(t), [randn(), randn(), randn()]))
    c.append(op('stack empty (0,2) tensors dim 1', 'stack', {'dim': 1}, lambda *t: torch.stack(t, 1),
                [torch.zeros(0, 2), torch.zeros(0, 2)]))
    x = randn(3, 5, 2)
    for d, s, n in ((1, 1, 3), (-2, -4, 2), (0, 3, 0), (2, 0, 2), (1, -5, 5), (0, -1, 1)):
        c.append(op(f'narrow dim {d} start {s} length {n}', 'narrow', {'dim': d, 'start': s, 'length': n},
                    lambda t, d=d, s=s, n=n: torch.narrow(t, d, s, n), [x]))
    for d, i in ((0, 1), (1, -1), (-1, 0), (2, 1)):
        c.append(op(f'select dim {d} index {i}', 'select', {'dim': d, 'index': i},
                    lambda t, d=d, i=i: torch.select(t, d, i), [x]))
    c.append(op('select of a 1-D tensor (0-d result)', 'select', {'dim': 0, 'index': -2}, lambda t: t.select(0, -2),
                [randn(4)]))
    y = randn(4, 7)
    for d, start, end, step in ((1, 1, 5, 1), (1, None, None, 2), (-1, -3, None, 1), (1, -100, 3, 1), (1, 2, 100, 3),
                                (0, 3, 1, 1), (0, 10, 20, 1), (-2, None, -1, 2), (1, -1, -3, 1), (1, 0, 7, 7),
                                (0, -2, None, 5)):
        dd = d % 2
        sl = (slice(None),) * dd + (slice(start, end, step),)
        c.append(op(f'slice dim {d} [{start}:{end}:{step}]', 'slice', {'dim': d, 'start': start, 'end': end, 'step': step},
                    lambda t, sl=sl: t[sl], [y]))
    for d, idx in ((0, [2, 0, 2, 3]), (1, [6, 0]), (-1, [1, 1, 1]), (1, []), (0, [3])):
        c.append(op(f'indexSelect dim {d} {idx}', 'indexSelect', {'dim': d, 'index': idx},
                    lambda t, d=d, idx=idx: torch.index_select(t, d, torch.tensor(idx, dtype=torch.long)), [y]))
    c.append(op('indexSelect 3-D dim 1, repeated (tensor index)', 'indexSelectTensor', {'dim': 1, 'index': [4, 0, 4, 4]},
                lambda t: t.index_select(1, L(4, 0, 4, 4)), [x]))
    c.append(op('indexSelect with a 0-d index', 'indexSelectTensor', {'dim': -1, 'index': 1},
                lambda t: t.index_select(-1, torch.tensor(1)), [x]))
    c.append(op('indexSelect of a 0-d tensor', 'indexSelect', {'dim': 0, 'index': [0]},
                lambda t: t.index_select(0, L(0)), [randn()]))
    for d, idx in ((0, [[2, 0, 1], [0, 0, 0]]), (1, [[4, 4, 0, 1], [3, 2, 1, 0], [0, 0, 0, 0]]), (-1, [[1], [2]]),
                   (0, [[1, 2, 0, 2, 1]])):
        c.append(op(f'gather dim {d} {idx}', 'gather', {'dim': d, 'index': idx},
                    lambda t, d=d, idx=idx: torch.gather(t, d, torch.tensor(idx, dtype=torch.long)), [randn(3, 5)]))
    c.append(op('gather 3-D dim 1', 'gather', {'dim': 1, 'index': [[[0, 1], [2, 2]], [[1, 0], [0, 0]]]},
                lambda t: torch.gather(t, 1, torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 0]]])), [randn(2, 3, 2)]))
    c.append(op('gather empty index (0,2)', 'gatherShaped', {'dim': 1, 'index': [], 'indexShape': [0, 2]},
                lambda t: torch.gather(t, 1, torch.zeros(0, 2, dtype=torch.long)), [randn(3, 5)]))
    # ties split the gradient in half, a NaN on either side sends it whole to both
    ta = torch.tensor([1.0, 2.0, 3.0, float('nan'), 0.0, -1.0, 2.5])
    tb = torch.tensor([1.0, 3.0, 2.0, 1.0, float('nan'), -1.0, 2.5])
    for fn, f in (('maximum', torch.maximum), ('minimum', torch.minimum)):
        c.append(op(f'{fn} with ties and NaN', fn, {}, f, [ta, tb]))
        c.append(op(f'{fn} broadcast (2,1,3) vs (4,1)', fn, {}, f, [randn(2, 1, 3), randn(4, 1)]))
        c.append(op(f'{fn} broadcast with ties', fn, {}, f, [torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([2.0, 3.0])]))
        c.append(op(f'{fn} with a 0-d tensor', f'{fn}Method', {}, lambda p, q, f=f: f(p, q), [randn(3, 2), randn()]))
    cond = [[True, False, True], [False, False, True]]
    ct = torch.tensor(cond)
    c.append(op('where same shapes', 'where', {'cond': cond}, lambda p, q: torch.where(ct, p, q), [randn(2, 3), randn(2, 3)]))
    c.append(op('where broadcasting cond (3), a (2,1), b (1,3)', 'where', {'cond': [True, False, True]},
                lambda p, q: torch.where(torch.tensor([True, False, True]), p, q), [randn(2, 1), randn(1, 3)]))
    c.append(op('where cond (2,1,1) broadcast up', 'where', {'cond': [[[True]], [[False]]]},
                lambda p, q: torch.where(torch.tensor([[[True]], [[False]]]), p, q), [randn(3, 2), randn(2)]))
    c.append(op('where cond as a 0/1 tensor', 'whereTensor', {'cond': cond}, lambda p, q: torch.where(ct, p, q),
                [randn(2, 3), randn(3)]))
    c.append(op('where with a scalar other', 'whereScalar', {'cond': cond, 'other': 0.3},
                lambda p: torch.where(ct, p, 0.3), [randn(2, 3)]))
    c.append(op('Tensor.where(cond, other)', 'whereMethod', {'cond': cond}, lambda p, q: p.where(ct, q), [randn(2, 3), randn(1)]))
    return c


def pieces():
    """split / chunk: every piece's value and shape; gradients through the pieces given a gradOutput."""
    c = []

    def case(name, fn, params, x, f, used=None):
        xr = x.clone().requires_grad_(True)
        outs = f(xr)
        used = list(range(len(outs))) if used is None else used
        gs = [torch.randn(o.shape) if i in used else None for i, o in enumerate(outs)]
        if used:
            torch.autograd.backward([outs[i] for i in used], [gs[i] for i in used])
        c.append({'name': name, 'fn': fn, 'params': params, 'inputs': [T(x)], 'outputs': [T(o) for o in outs],
                  'gradOutputs': [None if g is None else T(g) for g in gs],
                  'grads': [T(xr.grad if xr.grad is not None else torch.zeros_like(x))]})
    x = randn(5, 4)
    case('split 2 (last piece shorter)', 'split', {'size': 2}, x, lambda t: torch.split(t, 2))
    case('split 3 dim -1', 'split', {'size': 3, 'dim': -1}, x, lambda t: torch.split(t, 3, -1))
    case('split 7 > size: one piece', 'split', {'size': 7}, x, lambda t: torch.split(t, 7))
    case('split sections [1, 0, 3] dim 1', 'split', {'size': [1, 0, 3], 'dim': 1}, x, lambda t: torch.split(t, [1, 0, 3], 1))
    case('split sections, only piece 1 used', 'split', {'size': [2, 3]}, x, lambda t: torch.split(t, [2, 3]), used=[1])
    case('split 0 on an empty dim', 'split', {'size': 0}, torch.zeros(0, 3), lambda t: torch.split(t, 0))
    case('split method 2 dim 1 of 3-D', 'splitMethod', {'size': 2, 'dim': 1}, randn(2, 5, 3), lambda t: t.split(2, 1))
    case('chunk 2', 'chunk', {'chunks': 2}, x, lambda t: torch.chunk(t, 2))
    case('chunk 4 dim 1 (6 entries in 4 chunks gives 3)', 'chunk', {'chunks': 4, 'dim': 1}, randn(2, 6),
         lambda t: torch.chunk(t, 4, 1))
    case('chunk 10 > size', 'chunk', {'chunks': 10}, x, lambda t: torch.chunk(t, 10))
    case('chunk 3 of an empty dim', 'chunk', {'chunks': 3}, torch.zeros(0, 2), lambda t: torch.chunk(t, 3))
    case('chunk method 3 dim -1, pieces 0 and 2 unused', 'chunkMethod', {'chunks': 3, 'dim': -1}, randn(3, 7),
         lambda t: t.chunk(3, -1), used=[1])
    return c


def indexing_errors():
    c = []

    def case(name, fn, params, inputs, torch_fn):
        error_case(c, name, fn, params, inputs, torch_fn)
    x, s = randn(2, 3), randn()
    case('cat of no tensors', 'cat', {'dim': 0}, [], lambda: torch.cat([]))
    case('cat sizes differ outside dim 0', 'cat', {'dim': 0}, [x, randn(2, 4)], lambda *t: torch.cat(t))
    case('cat sizes differ outside dim -1', 'cat', {'dim': -1}, [x, x, randn(3, 1)], lambda *t: torch.cat(t, -1))
    case('cat ranks differ', 'cat', {'dim': 0}, [x, randn(2, 3, 1)], lambda *t: torch.cat(t))
    case('cat ranks differ after a skipped 1-D empty tensor', 'cat', {'dim': 0}, [torch.zeros(0), x, randn(3)],
         lambda *t: torch.cat(t))
    case('cat a 0-d tensor', 'cat', {'dim': 0}, [x, s], lambda *t: torch.cat(t))
    case('cat dim out of range', 'cat', {'dim': 2}, [x, x], lambda *t: torch.cat(t, 2))
    case('stack of no tensors', 'stack', {'dim': 0}, [], lambda: torch.stack([]))
    case('stack unequal shapes', 'stack', {'dim': 1}, [x, x, randn(3, 2)], lambda *t: torch.stack(t, 1))
    case('stack dim out of range', 'stack', {'dim': -4}, [x, x], lambda *t: torch.stack(t, -4))
    y = randn(5, 4)
    case('split size 0 on a non-empty dim', 'split', {'size': 0}, [y], lambda t: torch.split(t, 0))
    case('split negative size', 'split', {'size': -1}, [y], lambda t: torch.split(t, -1))
    case('split sections not summing to the size', 'split', {'size': [2, 1], 'dim': -1}, [y], lambda t: torch.split(t, [2, 1], -1))
    case('split negative section', 'split', {'size': [6, -1]}, [y], lambda t: torch.split(t, [6, -1]))
    case('split a 0-d tensor', 'split', {'size': 1}, [s], lambda t: torch.split(t, 1))
    case('split dim out of range', 'split', {'size': 2, 'dim': 2}, [y], lambda t: torch.split(t, 2, 2))
    case('chunk 0 chunks', 'chunk', {'chunks': 0}, [y], lambda t: torch.chunk(t, 0))
    case('chunk a 0-d tensor', 'chunk', {'chunks': 2}, [s], lambda t: torch.chunk(t, 2))
    case('narrow start out of range', 'narrow', {'dim': 1, 'start': -4, 'length': 1}, [x], lambda t: t.narrow(1, -4, 1))
    case('narrow past the end', 'narrow', {'dim': 1, 'start': 2, 'length': 2}, [x], lambda t: t.narrow(1, 2, 2))
    case('narrow negative length', 'narrow', {'dim': 0, 'start': 0, 'length': -1}, [x], lambda t: t.narrow(0, 0, -1))
    case('narrow a 0-d tensor', 'narrow', {'dim': 0, 'start': 0, 'length': 1}, [s], lambda t: t.narrow(0, 0, 1))
    case('narrow dim out of range', 'narrow', {'dim': 2, 'start': 0, 'length': 1}, [x], lambda t: t.narrow(2, 0, 1))
    case('select index out of range', 'select', {'dim': -1, 'index': 3}, [x], lambda t: t.select(-1, 3))
    case('select negative index out of range', 'select', {'dim': 0, 'index': -3}, [x], lambda t: t.select(0, -3))
    case('select a 0-d tensor', 'select', {'dim': 0, 'index': 0}, [s], lambda t: t.select(0, 0))
    case('select on an empty dim', 'select', {'dim': 0, 'index': 0}, [torch.zeros(0, 2)], lambda t: t.select(0, 0))
    case('slice step 0', 'slice', {'dim': 0, 'step': 0}, [x], lambda t: t[::0])
    case('slice negative step', 'slice', {'dim': 0, 'step': -1}, [x], lambda t: t[::-1])
    case('slice a 0-d tensor', 'slice', {'dim': 0, 'start': 0, 'end': 1}, [s], lambda t: t[0:1])
    case('indexSelect 2-D index', 'indexSelect', {'dim': 1, 'index': [[0, 1]]}, [x], lambda t: t.index_select(1, L(0, 1)[None]))
    case('indexSelect dim 0 out of range', 'indexSelect', {'dim': 0, 'index': [0, 2]}, [x], lambda t: t.index_select(0, L(0, 2)))
    case('indexSelect negative index', 'indexSelect', {'dim': 0, 'index': [-1]}, [x], lambda t: t.index_select(0, L(-1)))
    case('indexSelect dim 1 out of range', 'indexSelect', {'dim': 1, 'index': [1, 3]}, [x], lambda t: t.index_select(1, L(1, 3)))
    case('indexSelect dim -1 of 3-D out of range', 'indexSelect', {'dim': -1, 'index': [2]}, [randn(2, 2, 2)],
         lambda t: t.index_select(-1, L(2)))
    case('indexSelect 1-D out of range', 'indexSelect', {'dim': 0, 'index': [4]}, [randn(4)], lambda t: t.index_select(0, L(4)))
    case('indexSelect 0-d out of range', 'indexSelect', {'dim': 0, 'index': [1]}, [s], lambda t: t.index_select(0, L(1)))
    case('indexSelect non-integer index', 'indexSelect', {'dim': 0, 'index': [0.5]}, [x],
         lambda t: t.index_select(0, torch.tensor([0.5])))
    case('indexSelect on an empty dim', 'indexSelect', {'dim': 0, 'index': [0]}, [torch.zeros(0, 3)],
         lambda t: t.index_select(0, L(0)))
    case('indexSelect dim out of range', 'indexSelect', {'dim': 2, 'index': [0]}, [x], lambda t: t.index_select(2, L(0)))
    case('gather index rank differs', 'gather', {'dim': 1, 'index': [0, 1]}, [x], lambda t: t.gather(1, L(0, 1)))
    case('gather index larger outside dim', 'gather', {'dim': -1, 'index': [[0], [0], [0]]}, [x],
         lambda t: t.gather(-1, L(0, 0, 0)[:, None]))
    case('gather index out of bounds', 'gather', {'dim': 1, 'index': [[0, 3]]}, [x], lambda t: t.gather(1, L(0, 3)[None]))
    case('gather negative index', 'gather', {'dim': 0, 'index': [[-1]]}, [x], lambda t: t.gather(0, L(-1)[None]))
    case('gather non-integer index', 'gather', {'dim': 0, 'index': [[0.5]]}, [x], lambda t: t.gather(0, torch.tensor([[0.5]])))
    case('gather dim out of range', 'gather', {'dim': -3, 'index': [[0]]}, [x], lambda t: t.gather(-3, L(0)[None]))
    case('maximum shapes do not broadcast', 'maximum', {}, [x, randn(2)], torch.maximum)
    case('minimum shapes do not broadcast', 'minimum', {}, [randn(4, 1, 2), randn(3, 3)], torch.minimum)
    case('where condition not boolean', 'whereTensor', {}, [torch.tensor([0.5, 1.0, 0.0]), x, x], torch.where)
    case('where condition does not broadcast', 'where', {'cond': [True, False, True, True]}, [x, x],
         lambda p, q: torch.where(torch.tensor([True, False, True, True]), p, q))
    case('where other does not broadcast', 'where', {'cond': [True, False, True]}, [x, randn(2, 2)],
         lambda p, q: torch.where(torch.tensor([True, False, True]), p, q))
    return c


# ---------------------------------------------------------------- optimizers

def optimizers():
    out = []
    shapes = [(5,), (2, 3)]
    p0 = [randn(*s) for s in shapes]
    nsteps = 6
    grads = [[randn(*s) * (1.5 if k % 2 else 0.4) for s in shapes] for k in range(nsteps)]
    grads[2][1] = None  # the second parameter has no gradient at step 2: it is skipped
    configs = [
        ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01}),
        ('SGD', {'lr': 0.1, 'momentum': 0.5, 'dampening': 0.5, 'weight_decay': 0.1}),
        ('SGD', {'lr': 0.2, 'weight_decay': 0.05}),
        ('SGD', {'lr': 0.1, 'momentum': 0.7, 'maximize': True, 'weight_decay': 0.02}),
        ('Adam', {'lr': 0.05, 'amsgrad': True, 'weight_decay': 0.1}),
        ('Adam', {'lr': 0.02, 'betas': (0.5, 0.9), 'eps': 1e-3}),
        ('Adam', {'lr': 0.01, 'amsgrad': True, 'maximize': True, 'betas': (0.8, 0.95)}),
        ('Adam', {'lr': 0.1, 'weight_decay': 0.5, 'eps': 1e-6}),
    ]
    for kind, kw in configs:
        ps = [p.clone().requires_grad_(True) for p in p0]
        opt = getattr(torch.optim, kind)(ps, **kw)
        after = []
        for gs in grads:
            for p, g in zip(ps, gs):
                p.grad = None if g is None else g.clone()
            opt.step()
            after.append([T(p) for p in ps])
        out.append({'kind': kind, 'kwargs': kw_json(kw), 'initial': [T(p) for p in p0],
                    'grads': [[None if g is None else T(g) for g in gs] for gs in grads], 'after': after})
    return out


# ---------------------------------------------------------------- init

def init_cases():
    gains = []
    for nl, param in (('linear', None), ('conv2d', None), ('sigmoid', None), ('tanh', None), ('relu', None),
                      ('leaky_relu', None), ('leaky_relu', 0.2), ('leaky_relu', math.sqrt(5)), ('selu', None)):
        gains.append({'nonlinearity': nl, 'param': param, 'value': nn.init.calculate_gain(nl, param)})
    fans = []
    for shape in ((7, 3), (8, 4, 3, 5), (2, 6, 4)):
        fi, fo = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        fans.append({'shape': list(shape), 'fanIn': fi, 'fanOut': fo})
    dists = []
    torch.manual_seed(SEED + 1)

    def dist(name, fn, params, shape, f, kind, mean, spread):
        """spread: the bound (uniform) or the std (normal) PyTorch documents; checked against a sample."""
        w = torch.empty(shape)
        f(w)
        n = w.numel()
        s_mean, s_std, s_max = w.mean().item(), w.std().item(), w.abs().max().item()
        expect_std = spread / math.sqrt(3) if kind == 'uniform' else spread
        assert abs(s_std - expect_std) < 5 * expect_std / math.sqrt(n), (name, s_std, expect_std)
        if kind == 'uniform':
            assert s_max <= abs(mean) + spread + 1e-6, (name, s_max, spread)
        dists.append({'name': name, 'fn': fn, 'params': params, 'shape': list(shape), 'kind': kind, 'mean': mean,
                      'spread': spread, 'torchSample': {'mean': s_mean, 'std': s_std, 'maxAbs': s_max}})
    shape = (64, 32, 3, 3)
    fi, fo = 32 * 9, 64 * 9
    g = nn.init.calculate_gain
    dist('uniform_(-2, 3)', 'uniform', {'a': -2, 'b': 3}, (200, 100), lambda w: nn.init.uniform_(w, -2, 3),
         'uniform', 0.5, 2.5)
    dist('normal_(1.5, 0.3)', 'normal', {'mean': 1.5, 'std': 0.3}, (200, 100), lambda w: nn.init.normal_(w, 1.5, 0.3),
         'normal', 1.5, 0.3)
    dist('xavierUniform_ gain tanh', 'xavierUniform', {'gain': g('tanh')}, shape,
         lambda w: nn.init.xavier_uniform_(w, g('tanh')), 'uniform', 0, g('tanh') * math.sqrt(6 / (fi + fo)))
    dist('xavierNormal_ gain 2', 'xavierNormal', {'gain': 2.0}, shape, lambda w: nn.init.xavier_normal_(w, 2.0),
         'normal', 0, 2.0 * math.sqrt(2 / (fi + fo)))
    dist('kaimingUniform_ default (a=0, fan_in, leaky_relu)', 'kaimingUniform', {}, shape,
         lambda w: nn.init.kaiming_uniform_(w), 'uniform', 0, math.sqrt(3) * math.sqrt(2) / math.sqrt(fi))
    dist('kaimingUniform_ fan_out relu', 'kaimingUniform', {'mode': 'fan_out', 'nonlinearity': 'relu'}, shape,
         lambda w: nn.init.kaiming_uniform_(w, mode='fan_out', nonlinearity='relu'), 'uniform', 0,
         math.sqrt(3) * math.sqrt(2) / math.sqrt(fo))
    dist('kaimingNormal_ a=0.2 fan_out', 'kaimingNormal', {'a': 0.2, 'mode': 'fan_out'}, shape,
         lambda w: nn.init.kaiming_normal_(w, a=0.2, mode='fan_out'), 'normal', 0, g('leaky_relu', 0.2) / math.sqrt(fo))
    dist('kaimingNormal_ tanh fan_in', 'kaimingNormal', {'nonlinearity': 'tanh'}, (300, 50),
         lambda w: nn.init.kaiming_normal_(w, nonlinearity='tanh'), 'normal', 0, g('tanh') / math.sqrt(50))
    lin = nn.Linear(40, 300)
    conv = nn.Conv2d(6, 50, (3, 5))
    gconv = nn.Conv2d(12, 60, 3, groups=4)  # fan-in = (12 / 4)·3·3
    modules = [
        {'kind': 'Linear', 'args': [40, 300], 'weightBound': 1 / math.sqrt(40), 'biasBound': 1 / math.sqrt(40),
         'torchWeightMaxAbs': lin.weight.abs().max().item(), 'torchWeightStd': lin.weight.std().item()},
        {'kind': 'Conv2d', 'args': [6, 50, [3, 5]], 'weightBound': 1 / math.sqrt(90), 'biasBound': 1 / math.sqrt(90),
         'torchWeightMaxAbs': conv.weight.abs().max().item(), 'torchWeightStd': conv.weight.std().item()},
        {'kind': 'Conv2d', 'args': [12, 60, 3], 'kwargs': {'groups': 4}, 'weightShape': list(gconv.weight.shape),
         'weightBound': 1 / math.sqrt(27), 'biasBound': 1 / math.sqrt(27),
         'torchWeightMaxAbs': gconv.weight.abs().max().item(), 'torchWeightStd': gconv.weight.std().item()},
    ]
    return {'gains': gains, 'fans': fans, 'dists': dists, 'modules': modules}


# ---------------------------------------------------------------- short training runs

def training():
    """Small nets trained a few steps; `spec` lists (kind, args, kwargs) for the engine's Sequential."""
    cases = []

    def run(name, spec, opt_kind, opt_kw, xs, ys):
        torch.manual_seed(SEED + len(cases))
        net = nn.Sequential(*[getattr(nn, k)(*a, **kw) for k, a, kw in spec])
        for m in net:
            if isinstance(m, (nn.GroupNorm, nn.InstanceNorm2d, nn.BatchNorm1d)):
                randomize_affine(m)
        case = train_case(name, net, opt_kind, opt_kw, xs, ys)
        case['spec'] = [[k, a, kw] for k, a, kw in spec]
        cases.append(case)
    xs = [randn(6, 2, 4, 4) for _ in range(4)]
    ys = [torch.randint(0, 3, (6,)) for _ in range(4)]
    run('CNN with GroupNorm and MaxPool, Adam amsgrad weight decay',
        [('Conv2d', [2, 4, 3], {'padding': 1}), ('GroupNorm', [2, 4], {}), ('ReLU', [], {}), ('MaxPool2d', [2], {}),
         ('Flatten', [], {}), ('Linear', [16, 3], {})],
        'Adam', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.01}, xs, ys)
    run('CNN with InstanceNorm2d (affine, running stats), SGD nesterov',
        [('Conv2d', [2, 4, 3], {'padding': 1, 'bias': False}),
         ('InstanceNorm2d', [4], {'affine': True, 'track_running_stats': True}), ('Tanh', [], {}), ('Flatten', [], {}),
         ('Linear', [64, 3], {})],
        'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 1e-3}, xs, ys)
    xm = [randn(10, 5, scale=2, shift=1) for _ in range(4)]
    ym = [torch.randint(0, 3, (10,)) for _ in range(4)]
    run('MLP with BatchNorm1d momentum=None and LeakyReLU, SGD dampening',
        [('Linear', [5, 8], {}), ('BatchNorm1d', [8], {'momentum': None}), ('LeakyReLU', [0.1], {}),
         ('Linear', [8, 3], {})],
        'SGD', {'lr': 0.1, 'momentum': 0.8, 'dampening': 0.2}, xm, ym)
    return cases


# ---------------------------------------------------------------- comparisons, masks, scatter, pooling
# Generated last (see main), with their own seed, so the older sections keep their random draws.

def value(name, fn, params, torch_fn, inputs):
    """A forward-only case (booleans, indices): `fn` and `params` tell the test which engine call to make."""
    return {'name': name, 'fn': fn, 'params': params, 'inputs': [T(x) for x in inputs],
            'output': T(torch_fn(*inputs))}


def mask_values():
    c = []
    inf, nan = float('inf'), float('nan')
    a = torch.tensor([[1.0, -0.0, nan, inf, 2.0], [0.0, 3.0, -inf, 1.0, nan]])
    b = torch.tensor([1.0, 0.0, nan, inf, 3.0])
    col = torch.tensor([[1.0], [nan]])
    for k, f in enumerate(('eq', 'ne', 'lt', 'le', 'gt', 'ge')):
        method = k % 2 == 1
        c.append(value(f'{f} (2,5) vs (5), NaN, ±inf, -0', 'cmp', {'op': f, 'method': method}, getattr(torch, f), [a, b]))
        c.append(value(f'{f} (2,1) vs (2,5) broadcast', 'cmp', {'op': f, 'method': not method}, getattr(torch, f), [col, a]))
        c.append(value(f'{f} with a 0-d tensor', 'cmp', {'op': f, 'method': method}, getattr(torch, f), [a, torch.tensor(1.0)]))
        for other in (1.0, 0.0, nan, -inf):
            c.append(value(f'{f} scalar {other}', 'cmpScalar', {'op': f, 'other': other, 'method': method},
                           lambda t, f=f, o=other: getattr(torch, f)(t, o), [a]))
    # a float32 tensor compares with a Python scalar cast to float32
    tenth = torch.tensor([0.1, 0.2, 0.3])
    for f in ('eq', 'lt', 'ge'):
        c.append(value(f'{f} scalar 0.1 / 0.3 rounded to float32', 'cmpScalar', {'op': f, 'other': 0.1, 'method': True},
                       lambda t, f=f: getattr(torch, f)(t, 0.1), [tenth]))
    c.append(value('gt scalar 1e39 (float32 inf)', 'cmpScalar', {'op': 'gt', 'other': 1e39, 'method': False},
                   lambda t: torch.gt(t, 1e39), [torch.tensor([3.4e38, inf])]))
    la = torch.tensor([[0.0, 1.0, -2.0, nan], [0.0, 0.0, 0.5, -0.0]])
    lb = torch.tensor([0.0, 3.0, 0.0, nan])
    for f in ('logical_and', 'logical_or', 'logical_xor'):
        name = ''.join(w.capitalize() if i else w for i, w in enumerate(f.split('_')))
        c.append(value(f'{name} (2,4) vs (4) with NaN and -0', 'logical', {'op': name}, getattr(torch, f), [la, lb]))
        c.append(value(f'{name} (2,1) vs (4)', 'logical', {'op': name, 'method': True}, getattr(torch, f),
                       [torch.tensor([[1.0], [0.0]]), lb]))
    for f in ('logical_not', 'isnan', 'isinf', 'isfinite'):
        name = 'logicalNot' if f == 'logical_not' else f
        c.append(value(f'{name} with NaN, ±inf, -0', 'unary', {'op': name}, getattr(torch, f), [a]))
        c.append(value(f'{name} of a 0-d tensor', 'unary', {'op': name, 'method': True}, getattr(torch, f), [torch.tensor(inf)]))
    c.append(value('bool() with NaN and -0', 'unary', {'op': 'bool', 'method': True}, lambda t: t.bool(), [a]))
    c.append(value('long() truncates toward zero', 'unary', {'op': 'long', 'method': True}, lambda t: t.long(),
                   [torch.tensor([1.7, -1.7, 0.5, -0.5, 3.0, -2.0])]))
    r = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [2.0, nan, -1.0], [1.0, 1.0, 1.0]])
    for f in ('any', 'all'):
        c.append(value(f'{f} of all elements', f, {}, getattr(torch, f), [r]))
        c.append(value(f'{f} of a tensor of ones', f, {}, getattr(torch, f), [torch.ones(2, 2)]))
        c.append(value(f'{f} of an empty tensor', f, {}, getattr(torch, f), [torch.zeros(0, 3)]))
        for d, kd in ((0, False), (1, False), (-1, True), (0, True)):
            c.append(value(f'{f} dim {d} keepdim {kd}', f, {'dim': d, 'keepdim': kd},
                           lambda t, f=f, d=d, kd=kd: getattr(torch, f)(t, d, keepdim=kd), [r]))
        c.append(value(f'{f} dim 1 of a 3-D tensor', f, {'dim': 1}, lambda t, f=f: getattr(torch, f)(t, 1),
                       [(randn(2, 3, 4) > 0.5).float()]))
        c.append(value(f'{f} over an empty dim', f, {'dim': 1}, lambda t, f=f: getattr(torch, f)(t, 1), [torch.zeros(3, 0)]))
        c.append(value(f'{f} of a 0-d tensor along dim 0', f, {'dim': 0}, lambda t, f=f: getattr(torch, f)(t, 0),
                       [torch.tensor(2.0)]))
    logits, targets = randn(8, 5), torch.randint(0, 5, (8,)).float()
    c.append(value('accuracy eq(argmax(logits, 1), targets).float().mean()', 'accuracy', {},
                   lambda x, t: torch.eq(torch.argmax(x, 1), t).float().mean(), [logits, targets]))
    c.append(value('scatter src larger than index (values)', 'scatterValues', {'dim': 1, 'index': [[2, 0], [1, 1]]},
                   lambda x, s: x.scatter(1, L(2, 0, 1, 1).reshape(2, 2), s), [randn(3, 4), randn(2, 5)]))
    for size, shape in ((2, (1, 2, 5, 5)), ([3, 4], (2, 3, 4, 7)), (4, (2, 3, 3)), ([2, None], (1, 2, 5, 3))):
        c.append(value(f'adaptiveMaxPool2d {size} on {list(shape)} indices', 'adaptiveMaxPool2dIndices', {'size': size},
                       lambda x, size=size: F.adaptive_max_pool2d(x, size, return_indices=True)[1], [randn(*shape)]))
    return c


def mask_ops():
    c = []
    inf = float('inf')
    x = randn(2, 3)
    m = [[True, False, True], [False, False, True]]
    mt = torch.tensor(m)
    c.append(op('maskedFill same shape', 'maskedFill', {'mask': m, 'value': -1.5}, lambda t: t.masked_fill(mt, -1.5), [x]))
    c.append(op('maskedFill mask (3) broadcast to (2,3)', 'maskedFill', {'mask': [False, True, True], 'value': 0.0},
                lambda t: t.masked_fill(torch.tensor([False, True, True]), 0.0), [x]))
    c.append(op('maskedFill mask (2,1,3) broadcasts x (3) up', 'maskedFill', {'mask': [[[True, False, False]], [[False, True, False]]], 'value': 2.0},
                lambda t: torch.masked_fill(t, torch.tensor([[[True, False, False]], [[False, True, False]]]), 2.0), [randn(3)]))
    c.append(op('maskedFill -inf then softmax (attention mask)', 'maskedFillSoftmax', {'mask': m, 'value': -inf},
                lambda t: t.masked_fill(mt, -inf).softmax(-1), [x]))
    c.append(op('maskedFill 0-d value tensor (gets a gradient)', 'maskedFillTensor', {'mask': m},
                lambda t, v: t.masked_fill(mt, v), [x, randn()]))
    c.append(op('maskedFill mask from a comparison', 'maskedFillGt', {'threshold': 0.0, 'value': 0.25},
                lambda t: t.masked_fill(t > 0.0, 0.25), [randn(3, 4)]))
    for d, idx, xs, ss in ((0, [[1, 0, 2], [0, 2, 1]], (3, 3), (2, 3)), (1, [[2, 0], [1, 3], [0, 1]], (3, 4), (3, 2)),
                           (-1, [[[0, 2]], [[1, 0]]], (2, 2, 3), (2, 1, 2)), (1, [[1, 1, 0]], (2, 2), (1, 3))):
        it = torch.tensor(idx)
        c.append(op(f'scatter dim {d} {idx}', 'scatter', {'dim': d, 'index': idx},
                    lambda t, s, d=d, it=it: torch.scatter(t, d, it, s), [randn(*xs), randn(*ss)]))
        c.append(op(f'scatterAdd dim {d} {idx}', 'scatterAdd', {'dim': d, 'index': idx},
                    lambda t, s, d=d, it=it: t.scatter_add(d, it, s), [randn(*xs), randn(*ss)]))
    c.append(op('scatter a scalar value', 'scatterScalar', {'dim': 1, 'index': [[0, 2], [1, 1]], 'value': 0.7},
                lambda t: t.scatter(1, L(0, 2, 1, 1).reshape(2, 2), 0.7), [randn(2, 3)]))
    c.append(op('scatter into a 0-d tensor', 'scatter', {'dim': 0, 'index': 0}, lambda t, s: t.scatter(0, torch.tensor(0), s),
                [randn(), randn()]))
    c.append(op('scatterAdd one-hot counts', 'scatterAdd', {'dim': 1, 'index': [[0, 0, 2, 0]]},
                lambda t, s: t.scatter_add(1, L(0, 0, 2, 0)[None], s), [torch.zeros(1, 3), torch.ones(1, 4)]))
    c.append(op('scatterAdd with an empty index', 'scatterAdd', {'dim': 0, 'index': []},
                lambda t, s: t.scatter_add(0, torch.zeros(0, dtype=torch.long), s), [randn(3), torch.zeros(0)]))
    for d, idx, xs, ss, alpha in ((0, [2, 0, 2], (4, 3), (3, 3), 1), (1, [1, 3], (2, 4), (2, 2), 2.5),
                                  (-1, [0, 0, 1, 0], (2, 3, 2), (2, 3, 4), -0.5), (0, [1, 1], (3,), (2,), 1),
                                  (0, [], (2, 3), (0, 3), 1), (0, [0], (), (), 3)):
        c.append(op(f'indexAdd dim {d} {idx} alpha {alpha} on {list(xs)}', 'indexAdd', {'dim': d, 'index': idx, 'alpha': alpha},
                    lambda t, s, d=d, idx=idx, alpha=alpha: t.index_add(d, torch.tensor(idx, dtype=torch.long), s, alpha=alpha),
                    [randn(*xs), randn(*ss)]))
    for kw, shape in (({'kernel': 2}, (2, 3, 4, 5)), ({'kernel': 3, 'stride': 1}, (1, 2, 5, 4)),
                      ({'kernel': 3, 'stride': 2, 'padding': 1}, (2, 2, 6, 7)),
                      ({'kernel': 3, 'stride': 2, 'padding': 1, 'countIncludePad': False}, (2, 2, 6, 7)),
                      ({'kernel': 3, 'stride': 2, 'padding': 1, 'ceilMode': True}, (1, 2, 6, 6)),
                      ({'kernel': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False}, (1, 2, 6, 6)),
                      ({'kernel': 2, 'stride': 2, 'padding': 1, 'ceilMode': True}, (1, 1, 5, 5)),
                      ({'kernel': 3, 'stride': 2, 'ceilMode': True}, (1, 2, 6, 8)),
                      ({'kernel': [3, 2], 'stride': [1, 2], 'padding': [1, 1], 'ceilMode': True, 'countIncludePad': False}, (1, 3, 5, 5)),
                      ({'kernel': 2, 'divisorOverride': 3}, (1, 2, 4, 4)),
                      ({'kernel': 3, 'stride': 2, 'padding': 1, 'divisorOverride': -2, 'ceilMode': True}, (1, 1, 5, 6)),
                      ({'kernel': [2, 3], 'stride': [2, 1]}, (3, 5, 6)),
                      ({'kernel': 2}, (0, 2, 4, 4))):
        tk = {'kernel_size': tuple(kw['kernel']) if isinstance(kw['kernel'], list) else kw['kernel'],
              'stride': tuple(kw['stride']) if isinstance(kw.get('stride'), list) else kw.get('stride'),
              'padding': tuple(kw['padding']) if isinstance(kw.get('padding'), list) else kw.get('padding', 0),
              'ceil_mode': kw.get('ceilMode', False), 'count_include_pad': kw.get('countIncludePad', True),
              'divisor_override': kw.get('divisorOverride')}
        c.append(op(f'avgPool2d {kw} on {list(shape)}', 'avgPool2d', kw, lambda t, tk=tk: F.avg_pool2d(t, **tk), [randn(*shape)]))
    for size, shape in (([3, 4], (2, 2, 5, 7)), (2, (1, 3, 4, 4)), ([7, 9], (1, 2, 3, 4)), ([None, 3], (2, 2, 5, 7)),
                        (1, (2, 3, 4, 5)), (1, (4, 5)), ([1, 1], (2, 1, 3, 4, 5)), (3, (2, 5, 5)),
                        (2, (0, 2, 3, 4))):
        ts = tuple(size) if isinstance(size, list) else size
        c.append(op(f'adaptiveAvgPool2d {size} on {list(shape)}', 'adaptiveAvgPool2d', {'size': size},
                    lambda t, ts=ts: F.adaptive_avg_pool2d(t, ts), [randn(*shape)]))
    ties = torch.tensor([[[[1.0, 3.0, 3.0, 0.0], [3.0, float('nan'), 2.0, 3.0], [-inf, -inf, 1.0, 1.0]]]])
    for size, x in ((2, ties), ([3, 2], ties), ([2, 3], randn(2, 2, 3, 4)), ([5, 6], randn(1, 2, 3, 4)),
                    (3, randn(2, 7, 5)), ([None, 2], randn(1, 2, 3, 5))):
        ts = tuple(size) if isinstance(size, list) else size
        c.append(op(f'adaptiveMaxPool2d {size} on {list(x.shape)}', 'adaptiveMaxPool2d', {'size': size},
                    lambda t, ts=ts: F.adaptive_max_pool2d(t, ts), [x]))
    return c


def mask_errors():
    c = []

    def case(name, fn, params, inputs, torch_fn):
        error_case(c, name, fn, params, inputs, torch_fn)
    x, z = randn(2, 3), torch.zeros(2, 3)
    case('eq shapes do not broadcast', 'cmp', {'op': 'eq'}, [x, randn(2)], torch.eq)
    case('gt shapes do not broadcast', 'cmp', {'op': 'gt'}, [randn(4, 1, 2), randn(3, 3)], torch.gt)
    case('logicalAnd shapes do not broadcast', 'logical', {'op': 'logicalAnd'}, [x, randn(4)], torch.logical_and)
    case('any dim out of range', 'any', {'dim': 2}, [x], lambda t: torch.any(t, 2))
    case('all dim out of range', 'all', {'dim': -3}, [x], lambda t: torch.all(t, -3))
    case('maskedFill mask does not broadcast', 'maskedFill', {'mask': [True, False], 'value': 1.0}, [x],
         lambda t: t.masked_fill(torch.tensor([True, False]), 1.0))
    case('maskedFill 1-D value tensor', 'maskedFillTensor', {'mask': [True, False, True]}, [x, randn(2)],
         lambda t, v: t.masked_fill(torch.tensor([True, False, True]), v))
    src = torch.ones(2, 3)
    for name, d, idx, s in (('index rank differs', 1, [0, 1], src), ('index larger than self', 1, [[0, 1, 2, 0]], src),
                            ('index larger than src', 1, [[0, 1, 2]], torch.ones(1, 2)),
                            ('src with fewer dims', 1, [[0, 1, 2]], torch.ones(1)), ('index out of bounds', 1, [[0, 3]], src),
                            ('negative index', 1, [[0, -1]], src), ('non-integer index', 0, [[0.5]], src),
                            ('dim out of range', 2, [[0, 1]], src)):
        it = torch.tensor(idx)
        for fn in ('scatter', 'scatterAdd'):
            tf = torch.scatter if fn == 'scatter' else torch.scatter_add
            case(f'{fn} {name}', fn, {'dim': d, 'index': idx}, [z, s], lambda t, s, tf=tf, d=d, it=it: tf(t, d, it, s))
    case('scatter value: index larger than self', 'scatterScalar', {'dim': 0, 'index': [[0, 1, 1, 0]], 'value': 1.0}, [z],
         lambda t: t.scatter(0, L(0, 1, 1, 0)[None], 1.0))
    for name, d, idx, s in (('2-D index', 1, [[0, 1]], torch.ones(2, 2)), ('non-integer index', 1, [0.0, 1.5], torch.ones(2, 2)),
                            ('index count differs from source', 1, [0, 1, 2], torch.ones(2, 2)),
                            ('source slices do not broadcast', 1, [0, 1], torch.ones(3, 2)),
                            ('source slices broadcast too far', 0, [0, 1], torch.ones(2, 3, 1)),
                            ('index out of range', 1, [0, 3], torch.ones(2, 2)), ('negative index', 0, [-1], torch.ones(1, 3)),
                            ('dim out of range', 2, [0, 1], torch.ones(2, 3))):
        it = torch.tensor(idx)
        case(f'indexAdd {name}', 'indexAdd', {'dim': d, 'index': idx}, [z, s], lambda t, s, d=d, it=it: t.index_add(d, it, s))
    case('indexAdd 0-d source, two indices', 'indexAdd', {'dim': 0, 'index': [0, 0]}, [torch.tensor(1.0), torch.tensor(2.0)],
         lambda t, s: t.index_add(0, L(0, 0), s))
    x5 = randn(1, 2, 5, 5)
    for kw in ({'kernel': 3, 'padding': 2}, {'kernel': [3, 5], 'padding': [1, 3]}, {'kernel': 2, 'stride': 0},
               {'kernel': 0, 'stride': 1}, {'kernel': 2, 'stride': -1}, {'kernel': 2, 'padding': [0, -1]}, {'kernel': 7},
               {'kernel': [1, 2, 3]}, {'kernel': 2, 'stride': [1, 2, 3]}, {'kernel': 2, 'padding': [1, 1, 1]},
               {'kernel': 2, 'divisorOverride': 0}):
        tk = {'kernel_size': kw['kernel'], 'stride': kw.get('stride'), 'padding': kw.get('padding', 0),
              'divisor_override': kw.get('divisorOverride')}
        case(f'avg_pool2d {kw}', 'avgPool2d', kw, [x5], lambda t, tk=tk: F.avg_pool2d(t, **tk))
    for name, shape, k in (('2-D input', (5, 5), 2), ('1-D input', (5,), 2), ('5-D input', (1, 1, 1, 5, 5), 2),
                           ('no channels', (1, 0, 5, 5), 2), ('unbatched output too small', (2, 5, 7), 7)):
        case(f'avg_pool2d {name}', 'avgPool2d', {'kernel': k}, [randn(*shape)], lambda t, k=k: F.avg_pool2d(t, k))
    for name, shape, size in (('2-D input', (5, 5), 2), ('2-D input, 2 sizes', (5, 5), [2, 2]), ('1-D input, size 1', (5,), 1),
                              ('5-D input', (1, 2, 3, 4, 5), 2), ('empty H', (1, 2, 0, 4), 2), ('negative size', (1, 2, 3, 4), [-1, 2]),
                              ('three sizes', (1, 2, 3, 4), [2, 3, 4])):
        ts = tuple(size) if isinstance(size, list) else size
        case(f'adaptive_avg_pool2d {name}', 'adaptiveAvgPool2d', {'size': size}, [randn(*shape)],
             lambda t, ts=ts: F.adaptive_avg_pool2d(t, ts))
    for name, shape, size in (('2-D input', (5, 5), 2), ('5-D input', (1, 2, 3, 4, 5), 1), ('empty H', (1, 2, 0, 4), 2),
                              ('no channels', (1, 0, 3, 4), 2), ('negative size', (1, 2, 3, 4), [-1, 2]),
                              ('three sizes', (1, 2, 3, 4), [2, 3, 4])):
        ts = tuple(size) if isinstance(size, list) else size
        case(f'adaptive_max_pool2d {name}', 'adaptiveMaxPool2d', {'size': size}, [randn(*shape)],
             lambda t, ts=ts: F.adaptive_max_pool2d(t, ts))
    return c


def pool_layers():
    c = []

    def add(name, ctor, kind, args, kwargs, xs):
        c.append(run_layer_case(name, ctor, kind, args, kwargs, xs, ['train'] * len(xs), False))
    add('AvgPool2d(3, 2) padding 1 ceil_mode', nn.AvgPool2d, 'AvgPool2d', [3, 2], {'padding': 1, 'ceil_mode': True},
        [randn(2, 3, 6, 7)])
    add('AvgPool2d(3) count_include_pad=False padding 1', nn.AvgPool2d, 'AvgPool2d', [3],
        {'padding': 1, 'count_include_pad': False}, [randn(1, 2, 7, 8)])
    add('AvgPool2d([2,3], [1,2]) divisor_override 4 unbatched', nn.AvgPool2d, 'AvgPool2d', [[2, 3], [1, 2]],
        {'divisor_override': 4}, [randn(2, 5, 6)])
    add('AdaptiveAvgPool2d([3, None])', nn.AdaptiveAvgPool2d, 'AdaptiveAvgPool2d', [[3, None]], {}, [randn(2, 2, 7, 5)])
    add('AdaptiveAvgPool2d(1) (global average)', nn.AdaptiveAvgPool2d, 'AdaptiveAvgPool2d', [1], {}, [randn(2, 4, 3, 3)])
    add('AdaptiveMaxPool2d([2, 3])', nn.AdaptiveMaxPool2d, 'AdaptiveMaxPool2d', [[2, 3]], {}, [randn(2, 2, 5, 7)])
    return c


def finite_json(v):
    """JSON has no NaN/Infinity: they are written as the strings 'NaN', 'Infinity', '-Infinity',
    which Number() (and Float32Array.from) read back."""
    if isinstance(v, float) and not math.isfinite(v):
        return 'NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity')
    if isinstance(v, dict):
        return {k: finite_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [finite_json(x) for x in v]
    return v


def main():
    print('torch', torch.__version__, file=sys.stderr)
    torch.manual_seed(SEED)
    payload = {'torch': torch.__version__, 'layers': layers(), 'precision': precision(), 'ops': ops(),
               'values': values(), 'losses': losses(), 'errors': errors(), 'optim': optimizers(), 'init': init_cases(),
               'training': training()}
    torch.manual_seed(SEED + 2)
    payload['ops'] += indexing_ops()
    payload['pieces'] = pieces()
    payload['errors'] += indexing_errors()
    torch.manual_seed(SEED + 3)
    payload['values'] += mask_values()
    payload['ops'] += mask_ops()
    payload['errors'] += mask_errors()
    payload['layers'] += pool_layers()
    # write() names the file after its first argument, in test/fixtures/torch.
    write('differential', finite_json(payload))


if __name__ == '__main__':
    main()
