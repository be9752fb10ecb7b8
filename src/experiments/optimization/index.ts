/** The optimization experiments of the catalog (see docs/experiments/optimization.md). */
import type { Experiment } from '../experiment';
import { featureScalesTraining } from './feature-scales-training';
import { internalCovariateShift } from './internal-covariate-shift';
import { learningRateSweep } from './learning-rate-sweep';

export const experiments: Experiment[] = [featureScalesTraining, internalCovariateShift, learningRateSweep];
