// Loads the PyTorch reference fixtures written by scripts/torch-reference/generate.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor, nn, type Tensor } from './imports';

export interface TJson {
  shape: number[];
  data: number[];
}

export function loadFixture<T>(name: string): T {
  const path = join(import.meta.dirname ?? __dirname, '..', '..', 'fixtures', 'torch', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Fixture values are shortest float32 decimals: rounding to float32 gives PyTorch's exact value. */
export function f32(t: TJson): Float32Array {
  return Float32Array.from(t.data);
}

export function fromJson(t: TJson, requiresGrad = false): Tensor {
  return tensor(f32(t), t.shape, { requiresGrad });
}

export function camelKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** Builds an engine module from a fixture's PyTorch class name, positional args and kwargs. */
export function buildModule(kind: string, args: unknown[], kwargs: Record<string, unknown>): nn.Module {
  const o = camelKeys(kwargs) as never;
  const a = args as never[];
  switch (kind) {
    case 'BatchNorm1d': return new nn.BatchNorm1d(a[0], o);
    case 'BatchNorm2d': return new nn.BatchNorm2d(a[0], o);
    case 'BatchNorm3d': return new nn.BatchNorm3d(a[0], o);
    case 'LayerNorm': return new nn.LayerNorm(a[0], o);
    case 'GroupNorm': return new nn.GroupNorm(a[0], a[1], o);
    case 'InstanceNorm1d': return new nn.InstanceNorm1d(a[0], o);
    case 'InstanceNorm2d': return new nn.InstanceNorm2d(a[0], o);
    case 'Linear': return new nn.Linear(a[0], a[1], o);
    case 'Conv2d': return new nn.Conv2d(a[0], a[1], a[2], o);
    case 'MaxPool2d': return new nn.MaxPool2d(a[0], a[1] ?? null, o);
    case 'AvgPool2d': return new nn.AvgPool2d(a[0], a[1] ?? null, o);
    case 'AdaptiveAvgPool2d': return new nn.AdaptiveAvgPool2d(a[0]);
    case 'AdaptiveMaxPool2d': return new nn.AdaptiveMaxPool2d(a[0]);
    case 'ReLU': return new nn.ReLU();
    case 'LeakyReLU': return new nn.LeakyReLU(a[0]);
    case 'Sigmoid': return new nn.Sigmoid();
    case 'Tanh': return new nn.Tanh();
    case 'Softmax': return new nn.Softmax(a[0]);
    case 'LogSoftmax': return new nn.LogSoftmax(a[0]);
    case 'Flatten': return new nn.Flatten(a[0], a[1]);
    case 'Identity': return new nn.Identity();
    case 'Dropout': return new nn.Dropout(a[0]);
    default: throw new Error(`unknown module kind ${kind}`);
  }
}

export type State = Record<string, TJson | number>;

/** PyTorch state dict (snake_case, num_batches_tracked as int) → loadStateDict input. */
export function stateFromJson(state: State): Record<string, Float32Array | number> {
  const out: Record<string, Float32Array | number> = {};
  for (const [k, v] of Object.entries(state)) out[k] = typeof v === 'number' ? v : f32(v);
  return out;
}

/** One step of a layer fixture: input, output and gradients, and the state after it. */
export interface LayerStep {
  mode: 'train' | 'eval';
  input: TJson;
  output: TJson;
  gradOutput: TJson;
  gradInput: TJson;
  gradWeight?: TJson;
  gradBias?: TJson;
  state: State;
}

/** A layer fixture: the module, its initial state and its steps (test/fixtures/torch/layers.json). */
export interface LayerCase {
  name: string;
  kind: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  initial: State;
  steps: LayerStep[];
}
