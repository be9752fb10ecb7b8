// TensorFlow.js peer of the benchmark: the same workloads on the pure-JavaScript CPU backend
// (@tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu). Prints one JSON object on stdout.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { Generator } from '../src/engine/index';
import { measure, parseArgs, peakRssKb, type RunnerOutput } from './harness';
import { loadMnist } from './mnist-node';

const EPS = 1e-5;
const MOMENTUM = 0.1;

interface BnParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

function bnParams(paramShape: number[]): BnParams {
  return {
    gamma: tf.variable(tf.ones(paramShape)),
    beta: tf.variable(tf.zeros(paramShape)),
    runningMean: tf.variable(tf.zeros(paramShape), false),
    runningVar: tf.variable(tf.ones(paramShape), false),
  };
}

/** Training-mode batch norm over every axis but 1 (channels), updating the running statistics. */
function batchNormTrain(x: tf.Tensor, p: BnParams, axes: number[]): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, x.rank > 2);
  const count = x.size / p.gamma.size;
  tf.tidy(() => {
    p.runningMean.assign(tf.add(tf.mul(p.runningMean, 1 - MOMENTUM), tf.mul(tf.reshape(mean, p.runningMean.shape), MOMENTUM)));
    p.runningVar.assign(tf.add(tf.mul(p.runningVar, 1 - MOMENTUM), tf.mul(tf.reshape(variance, p.runningVar.shape), (MOMENTUM * count) / (count - 1))));
  });
  if (x.rank === 2) return tf.batchNorm(x, mean, variance, p.beta, p.gamma, EPS);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS))), p.gamma), p.beta);
}

function bnWorkload(shape: number[]): () => void {
  const g = new Generator(0);
  const C = shape[1];
  const paramShape = shape.length === 2 ? [C] : [1, C, 1, 1];
  const axes = shape.length === 2 ? [0] : [0, 2, 3];
  const p = bnParams(paramShape);
  const x = tf.tensor(g.fillNormal(new Float32Array(shape.reduce((a, b) => a * b))), shape);
  const gy = tf.tensor(g.fillNormal(new Float32Array(x.size)), shape);
  const grads = tf.grads((xx: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
    batchNormTrain(xx, { ...p, gamma: gamma as tf.Variable, beta: beta as tf.Variable }, axes));
  return () => {
    const out = grads([x, p.gamma, p.beta], gy);
    out[0].dataSync(); // the CPU backend is synchronous; this only makes sure the work is done
    tf.dispose(out);
  };
}

async function mlpWorkload(withBn: boolean): Promise<() => void> {
  const g = new Generator(0);
  const sizes = [784, 100, 100, 100, 10];
  const layers: { w: tf.Variable; b: tf.Variable; bn: BnParams | null }[] = [];
  for (let i = 0; i < 4; i++) {
    const bound = 1 / Math.sqrt(sizes[i]);
    const w = g.fillUniform(new Float32Array(sizes[i] * sizes[i + 1]), -bound, bound);
    const b = g.fillUniform(new Float32Array(sizes[i + 1]), -bound, bound);
    layers.push({
      w: tf.variable(tf.tensor2d(w, [sizes[i], sizes[i + 1]])),
      b: tf.variable(tf.tensor1d(b)),
      bn: withBn && i < 3 ? bnParams([sizes[i + 1]]) : null,
    });
  }
  const opt = tf.train.sgd(0.1);
  const ds = await loadMnist();
  const batches: { x: tf.Tensor; y: tf.Tensor }[] = [];
  for (const b of ds.batches(60, { shuffle: true, generator: new Generator(0) })) {
    batches.push({ x: tf.tensor2d(b.x.data, [60, 784]), y: tf.oneHot(tf.tensor1d(b.labels, 'int32'), 10) });
    if (batches.length === 20) break;
  }
  let i = 0;
  return () => {
    const { x, y } = batches[i++ % batches.length];
    const loss = opt.minimize(() => {
      let h: tf.Tensor = x;
      layers.forEach((l, k) => {
        h = tf.add(tf.matMul(h, l.w), l.b);
        if (l.bn) h = batchNormTrain(h, l.bn, [0]);
        if (k < 3) h = tf.sigmoid(h);
      });
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    }, true);
    loss?.dataSync();
    loss?.dispose();
  };
}

const WORKLOADS: Record<string, () => Promise<() => void> | (() => void)> = {
  bn1d: () => bnWorkload([256, 512]),
  bn2d: () => bnWorkload([64, 64, 32, 32]),
  mlp: () => mlpWorkload(false),
  mlp_bn: () => mlpWorkload(true),
};

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const { budget, names } = parseArgs(Object.keys(WORKLOADS));
  const out: RunnerOutput = { runner: 'tfjs-cpu', version: `tfjs-core ${tf.version_core}, backend ${tf.getBackend()}`, threads: 1, results: {}, peak_rss_kb: 0 };
  for (const name of names) {
    // The big batch norm takes ~7 s per call here: one warm-up call and two timed ones.
    const slow = name === 'bn2d';
    out.results[name] = measure(await WORKLOADS[name](), slow ? 0 : budget, slow ? 2 : undefined, slow ? 1 : undefined);
  }
  out.peak_rss_kb = peakRssKb();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
