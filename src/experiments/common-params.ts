/**
 * The parameter specs most experiments share (seed, seeds, steps, learning rate, batch size, network
 * size, MNIST sizes), so that the same key means the same thing, with the same bounds, in every cell.
 * Each takes the experiment's default and, where experiments differ, its bounds and words.
 */
import { MNIST_DIGITS } from './mnist';
import type { BooleanParam, ChoiceParam, IntegerParam, NumberParam } from './params';

const digits = MNIST_DIGITS.toLocaleString('en-US');

export const seedParam = (what = 'the data split, the initial weights and the batch order'): IntegerParam => ({
  kind: 'integer',
  default: 0,
  min: 0,
  max: 2 ** 31 - 1,
  description: `First seed: seed s of the run uses seed + s for ${what}.`,
});

/** The first seed, in the experiment's own words (what it seeds, and which seed the data split uses). */
export const firstSeedParam = (description: string): IntegerParam => ({ kind: 'integer', default: 0, min: 0, max: 2 ** 31 - 1, description });

export const seedsParam = (defaultSeeds = 3, description = 'Number of seeds per arm: the plots show the spread over seeds, the summary its range.', max = 20): IntegerParam => ({
  kind: 'integer',
  default: defaultSeeds,
  min: 1,
  max,
  description,
});

export const stepsParam = (defaultSteps: number, description = 'SGD steps per run.', bounds: { min?: number; max?: number } = {}): IntegerParam => ({
  kind: 'integer',
  default: defaultSteps,
  min: bounds.min ?? 10,
  max: bounds.max ?? 50000,
  description,
});

export const lrParam = (defaultLr: number, description = 'SGD learning rate, the same for every arm.', max = 10): NumberParam => ({
  kind: 'number',
  default: defaultLr,
  min: 0,
  max,
  exclusiveMin: true,
  description,
});

export const batchSizeParam = (defaultSize: number, description = 'Minibatch size.', bounds: { min?: number; max?: number } = {}): IntegerParam => ({
  kind: 'integer',
  default: defaultSize,
  min: bounds.min ?? 2,
  max: bounds.max ?? 1000,
  description,
});

export const widthParam = (defaultWidth: number, description = 'Units per hidden layer.', max = 512): IntegerParam => ({ kind: 'integer', default: defaultWidth, min: 4, max, description });

export const depthParam = (defaultDepth: number, description = 'Hidden layers (Linear → norm → activation).', max = 8): IntegerParam => ({ kind: 'integer', default: defaultDepth, min: 1, max, description });

export const activationParam = (defaultActivation = 'relu', description = 'Hidden activation.'): ChoiceParam => ({ kind: 'choice', default: defaultActivation, choices: ['relu', 'sigmoid', 'tanh'], description });

export const downsampleParam = (description = 'Average the 28×28 digits over 2×2 blocks (14×14 inputs): four times faster.'): BooleanParam => ({ kind: 'boolean', default: true, description });

/** Training digits, out of the MNIST_DIGITS (the test set takes its share). */
export const trainSizeParam = (defaultSize: number, description = 'Training digits.', min = 500): IntegerParam => ({
  kind: 'integer',
  default: defaultSize,
  min,
  max: MNIST_DIGITS - 1000,
  description,
});

/** Held-out digits, out of the MNIST_DIGITS. */
export const testSizeParam = (defaultSize: number, description = `Held-out digits for the test accuracy; the rest of the ${digits} are for training.`, bounds: { min?: number; max?: number } = {}): IntegerParam => ({
  kind: 'integer',
  default: defaultSize,
  min: bounds.min ?? 100,
  max: bounds.max ?? 5000,
  description,
});
