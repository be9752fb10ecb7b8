/** Every experiment a `bnlab` cell can name, by id. */
import type { Experiment } from './experiment';
import { normalizeFeatures } from './normalize-features';

const experiments: Experiment[] = [normalizeFeatures];

export const catalog: ReadonlyMap<string, Experiment> = new Map(experiments.map((e) => [e.id, e]));
