// Public API of the engine: a small, PyTorch-shaped tensor library (camelCase names).
import './tensor-methods';
export { Tensor, type TensorOrScalar } from './tensor';
export { Generator, manualSeed, defaultGenerator } from './random';
export { noGrad, isGradEnabled, setGradEnabled } from './autograd';
export { tidy, keep, dispose } from './scope';
export { storageStats, setStorageDebug, type StorageStats } from './storage';
export {
  tensor, empty, zeros, ones, full, zerosLike, onesLike, randn, rand, randint, randperm, arange, linspace, eye,
  type TensorOptions, type RandomOptions, type TensorData, type NestedArray,
} from './creation';
export { add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, abs, square, relu, leakyRelu, sigmoid, tanh, clamp } from './ops/elementwise';
export { sum, mean, variance as var, variance, std, type VarOptions } from './ops/reduce';
export { max, min, argmax, argmin, type ValuesAndIndices } from './ops/select';
export { reshape, flatten, unsqueeze, squeeze, permute, transpose, expand, clone } from './ops/layout';
export { cat, concat, stack, split, chunk } from './ops/join';
export { narrow, select, slice, indexSelect, gather, type IndexLike } from './ops/index-ops';
export { maximum, minimum, where, maskedFill, type Condition } from './ops/compare';
export {
  eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, logicalNot, isnan, isinf, isfinite, any, all,
} from './ops/logical';
export { scatter, scatterAdd, indexAdd, type IndexAddOptions } from './ops/scatter';
export { matmul } from './ops/linalg';
export { setKernelBackend, getKernelBackend, wasmAvailable, type KernelBackend } from './kernels/backend';
export { softmax, logSoftmax } from './ops/softmax';
export * as nn from './nn/index';
export * as F from './functional';
export * as optim from './optim/index';
export * as init from './init';
export * as data from './data/index';
export * as stats from './stats/index';
