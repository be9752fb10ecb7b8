/**
 * The engine's layers in PyTorch's words: a flat nn.Sequential becomes a list of layer specs, each written
 * as the PyTorch constructor call that builds the same layer (keyword arguments only where they differ
 * from PyTorch's defaults, so the script reads like hand-written PyTorch).
 */
import { nn } from '../engine';
import type { LinearInit } from '../experiments/training';
import { pyNumber } from './python-values';

export type LayerSpec =
  | { type: 'Linear'; inFeatures: number; outFeatures: number; bias: boolean; init?: LinearInit }
  | { type: 'BatchNorm1d'; numFeatures: number; eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean }
  | { type: 'LayerNorm'; normalizedShape: number[]; eps: number; elementwiseAffine: boolean }
  | { type: 'GroupNorm'; numGroups: number; numChannels: number; eps: number; affine: boolean }
  | { type: 'ReLU' | 'Sigmoid' | 'Tanh' | 'Identity' | 'Flatten' }
  | { type: 'LeakyReLU'; negativeSlope: number }
  | { type: 'Dropout'; p: number };

/** Thrown when a run cannot be written as PyTorch: the message says which layer and why. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

/** How a run's Linear layers were initialized, as its recording knows (undefined: not told). */
export type LinearInitOf = (linear: nn.Linear) => LinearInit | undefined;

/** The layers of a flat nn.Sequential as specs; throws {@link ExportError} for a layer PyTorch lacks. */
export function layerSpecs(model: nn.Module, initOf: LinearInitOf = () => undefined): LayerSpec[] {
  if (!(model instanceof nn.Sequential)) throw new ExportError(`the model is a ${model.constructor.name}, not an nn.Sequential of standard layers`);
  return model.children().map((layer, index) => layerSpec(layer, index, initOf));
}

function layerSpec(layer: nn.Module, index: number, initOf: LinearInitOf): LayerSpec {
  // Exact classes, not instanceof: subclasses (Batch Renorm, noisy BatchNorm) compute something else.
  switch (layer.constructor) {
    case nn.Linear: {
      const linear = layer as nn.Linear;
      const init = initOf(linear);
      return { type: 'Linear', inFeatures: linear.inFeatures, outFeatures: linear.outFeatures, bias: linear.bias !== null, ...(init ? { init } : {}) };
    }
    case nn.BatchNorm1d: {
      const bn = layer as nn.BatchNorm1d;
      return { type: 'BatchNorm1d', numFeatures: bn.numFeatures, eps: bn.eps, momentum: bn.momentum, affine: bn.affine, trackRunningStats: bn.trackRunningStats };
    }
    case nn.LayerNorm: {
      const ln = layer as nn.LayerNorm;
      return { type: 'LayerNorm', normalizedShape: [...ln.normalizedShape], eps: ln.eps, elementwiseAffine: ln.elementwiseAffine };
    }
    case nn.GroupNorm: {
      const gn = layer as nn.GroupNorm;
      return { type: 'GroupNorm', numGroups: gn.numGroups, numChannels: gn.numChannels, eps: gn.eps, affine: gn.affine };
    }
    case nn.ReLU:
      return { type: 'ReLU' };
    case nn.Sigmoid:
      return { type: 'Sigmoid' };
    case nn.Tanh:
      return { type: 'Tanh' };
    case nn.Identity:
      return { type: 'Identity' };
    case nn.Flatten:
      return { type: 'Flatten' };
    case nn.LeakyReLU:
      return { type: 'LeakyReLU', negativeSlope: (layer as nn.LeakyReLU).negativeSlope };
    case nn.Dropout:
      return { type: 'Dropout', p: (layer as nn.Dropout).p };
    default:
      throw new ExportError(`layer ${index} is a ${layer.constructor.name}, which has no PyTorch counterpart in the exporter (it handles Linear, BatchNorm1d, LayerNorm, GroupNorm, ReLU, LeakyReLU, Sigmoid, Tanh, Dropout, Identity and Flatten)`);
  }
}

/** The PyTorch constructor call for a layer, e.g. `nn.BatchNorm1d(100, momentum=None)`. */
export function pythonLayer(spec: LayerSpec): string {
  const call = (args: (string | undefined)[]): string => `nn.${spec.type}(${args.filter((a): a is string => a !== undefined).join(', ')})`;
  const unless = (value: number | boolean | null, fallback: number | boolean | null, name: string): string | undefined =>
    value === fallback ? undefined : `${name}=${value === null ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : pyNumber(value)}`;
  switch (spec.type) {
    case 'Linear':
      return call([String(spec.inFeatures), String(spec.outFeatures), unless(spec.bias, true, 'bias')]);
    case 'BatchNorm1d':
      return call([String(spec.numFeatures), unless(spec.eps, 1e-5, 'eps'), unless(spec.momentum, 0.1, 'momentum'), unless(spec.affine, true, 'affine'), unless(spec.trackRunningStats, true, 'track_running_stats')]);
    case 'LayerNorm': {
      const shape = spec.normalizedShape.length === 1 ? String(spec.normalizedShape[0]) : `(${spec.normalizedShape.join(', ')},)`;
      return call([shape, unless(spec.eps, 1e-5, 'eps'), unless(spec.elementwiseAffine, true, 'elementwise_affine')]);
    }
    case 'GroupNorm':
      return call([String(spec.numGroups), String(spec.numChannels), unless(spec.eps, 1e-5, 'eps'), unless(spec.affine, true, 'affine')]);
    case 'LeakyReLU':
      return call([unless(spec.negativeSlope, 0.01, 'negative_slope')]);
    case 'Dropout':
      return call([unless(spec.p, 0.5, 'p')]);
    default:
      return call([]);
  }
}

/** True for layers whose statistics come from the batch (what SyncBatchNorm changes under DDP). */
export function isBatchNorm(spec: LayerSpec): boolean {
  return spec.type === 'BatchNorm1d';
}
