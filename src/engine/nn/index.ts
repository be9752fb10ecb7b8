export { Module, type StateValue } from './module';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormBase, type BatchNormOptions } from './batchnorm';
export { LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNormBase, type LayerNormOptions, type GroupNormOptions, type InstanceNormOptions } from './norm';
export { Linear, type LinearOptions } from './linear';
export { Conv2d, MaxPool2d, type Conv2dOptions, type MaxPool2dOptions } from './conv';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Identity, Softmax, LogSoftmax, Dropout, type DropoutOptions } from './activation';
export { Sequential, Flatten } from './container';
export { BatchRenorm1d, type BatchRenormOptions } from './batchrenorm';
export { CrossEntropyLoss, NLLLoss, MSELoss, type CrossEntropyLossOptions, type NLLLossOptions } from './loss';
