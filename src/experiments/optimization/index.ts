/** The optimization experiments of the catalog (see docs/experiments.md). */
import type { Experiment } from '../experiment';

export const experiments: Experiment[] = [];
