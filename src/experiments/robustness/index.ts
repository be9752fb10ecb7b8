/** The robustness experiments of the catalog (see docs/experiments/robustness.md). */
import type { Experiment } from '../experiment';
import { batchSize } from './batch-size';
import { initSensitivity } from './init-sensitivity';
import { lossLandscape } from './loss-landscape';
import { noisyBatchnorm } from './noisy-batchnorm';

export const experiments: Experiment[] = [initSensitivity, batchSize, noisyBatchnorm, lossLandscape];
