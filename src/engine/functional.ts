// torch.nn.functional in camelCase.
export { relu, leakyRelu, sigmoid, tanh } from './ops/elementwise';
export { softmax, logSoftmax } from './ops/softmax';
export { linear } from './ops/linalg';
export { conv2d, type Conv2dOptions } from './ops/conv';
export { maxPool2d, maxPool2dWithIndices, type MaxPool2dOptions, type MaxPoolWithIndices } from './ops/pool';
export { avgPool2d, type AvgPool2dOptions } from './ops/avg-pool';
export { adaptiveAvgPool2d, adaptiveMaxPool2d, adaptiveMaxPool2dWithIndices, type AdaptiveSize } from './ops/adaptive-pool';
export { batchNorm } from './ops/batch-norm';
export { layerNorm, groupNorm, instanceNorm } from './ops/row-norm';
export { dropout } from './ops/dropout';
export { crossEntropy, nllLoss, mseLoss, l1Loss, type Reduction, type CrossEntropyOptions, type NllOptions } from './ops/loss';
