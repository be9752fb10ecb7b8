/**
 * Jobs for the pool tests, registered both in the test's own thread (serial runAll) and in the test's
 * pool workers (bundled with src/kernel/pool-worker-loop.ts by pool.test.ts).
 */
import { Generator, randn, tensor } from '../../../src/engine';
import { DivergenceError } from '../../../src/experiments/divergence';
import { defineJob } from '../../../src/experiments/runs';
import { buildMlp, trainClassifier, type NormKind, type TrainResult } from '../../../src/experiments/training';

export interface TrainInput {
  seed: number;
  norm: NormKind;
  steps: number;
}

export interface TrainOutput {
  result: TrainResult;
  /** Every parameter after training, concatenated: compared bit for bit. */
  parameters: Float32Array;
}

/** A 20-32-32-4 sigmoid MLP trained with SGD on a seeded synthetic set (classes from a random linear map). */
export const trainSmallMlp = defineJob<TrainInput, TrainOutput>('test:train-small-mlp', (input, context) => {
  const generator = new Generator(input.seed);
  const x = randn([512, 20], { generator });
  const map = randn([20, 4], { generator });
  const scores = x.matmul(map).data;
  const labels = Array.from({ length: 512 }, (_, i) => {
    let best = 0;
    for (let c = 1; c < 4; c++) if (scores[i * 4 + c]! > scores[i * 4 + best]!) best = c;
    return best;
  });
  const set = { x, y: tensor(labels) };
  const model = buildMlp({ inputs: 20, hidden: [32, 32], outputs: 4, activation: 'sigmoid', norm: input.norm, initStd: 0.5, generator });
  const result = trainClassifier({
    model,
    train: set,
    test: set,
    steps: input.steps,
    batchSize: 32,
    optimizer: { kind: 'sgd', lr: 0.5 },
    generator,
    context: { ...context, progress: (p) => (context.progress(p), context.partial({ result: { steps: [], loss: [], testAccuracy: [], finalTestAccuracy: NaN }, parameters: new Float32Array(0) })) },
    evalEvery: 5,
  });
  const parts = model.parameters().map((p) => p.data);
  const parameters = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    parameters.set(p, offset);
    offset += p.length;
  }
  return { result, parameters };
});

/** Fails after a few steps' worth of progress: with a plain Error of its own name, or a DivergenceError. */
export const failing = defineJob<{ kind: 'plain' | 'divergence'; at: number }, number>('test:failing', (input, context) => {
  context.progress({ step: 0, total: input.at });
  if (input.kind === 'divergence') throw new DivergenceError(input.at, 'the loss', Number.NaN);
  const error = new Error(`run ${input.at} broke`);
  error.name = 'BrokenRunError';
  throw error;
});

/** Spins (checking for an interrupt) until interrupted, or for at most `seconds`. */
export const spinning = defineJob<{ seconds: number }, number>('test:spinning', (input, context) => {
  const end = Date.now() + input.seconds * 1000;
  let steps = 0;
  while (Date.now() < end) {
    context.checkInterrupt();
    for (let i = 0; i < 1e5; i++) steps += i & 1;
  }
  return steps;
});

/** Spins for `seconds` (checking for an interrupt), or fails after `failAfterMs`: a run whose siblings are still going when it fails. */
export const spinOrFail = defineJob<{ seconds: number; failAfterMs?: number }, number>('test:spin-or-fail', (input, context) => {
  const started = Date.now();
  let steps = 0;
  while (Date.now() < started + input.seconds * 1000) {
    context.checkInterrupt();
    if (input.failAfterMs !== undefined && Date.now() > started + input.failAfterMs) throw new RangeError('this run failed');
    for (let i = 0; i < 1e5; i++) steps += i & 1;
  }
  return steps;
});

/** Kills its worker: by filling the heap, or by exiting the thread. */
export const killing = defineJob<{ how: 'heap' | 'exit' }, number>('test:killing', (input) => {
  if (input.how === 'exit') process.exit(3);
  const hoard: unknown[] = [];
  for (;;) hoard.push({ index: hoard.length, text: `row ${hoard.length}`, list: [hoard.length, hoard.length + 1] });
});

/** Returns its input doubled, with progress: for counting and ordering. */
export const doubling = defineJob<{ value: number; steps: number }, number>('test:doubling', (input, context) => {
  for (let step = 1; step <= input.steps; step++) context.progress({ step, total: input.steps });
  return 2 * input.value;
});
