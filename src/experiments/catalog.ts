/** Every experiment a `bnlab` cell can name, by id, in the order the command palette lists them. */
import type { Experiment } from './experiment';
import { experiments as mechanics } from './mechanics';
import { normalizeFeatures } from './normalize-features';
import { experiments as optimization } from './optimization';
import { experiments as robustness } from './robustness';
import { pytorchComparison } from './pytorch-comparison';

const experiments: Experiment[] = [normalizeFeatures, ...optimization, ...robustness, ...mechanics, pytorchComparison];

export const catalog: ReadonlyMap<string, Experiment> = new Map(experiments.map((e) => [e.id, e]));
