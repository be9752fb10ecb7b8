/** The mechanics experiments of the catalog (see docs/experiments/mechanics.md). */
import type { Experiment } from '../experiment';
import { batchRenorm } from './batch-renorm';
import { gammaBetaPlacement } from './gamma-beta-placement';
import { inferenceStatistics } from './inference-statistics';
import { normalizationAxes } from './normalization-axes';
import { regularization } from './regularization';

export const experiments: Experiment[] = [regularization, inferenceStatistics, batchRenorm, gammaBetaPlacement, normalizationAxes];
