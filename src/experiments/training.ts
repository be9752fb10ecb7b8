/**
 * What the training experiments share: an MLP with a choice of normalization, and a training loop that
 * reports progress, stops on interrupt, and turns divergence into a result (not a crash).
 */
import { dispose, empty, F, Generator, init, nn, noGrad, optim, tensor, tidy, type Tensor } from '../engine';
import { checkLoss, DivergenceError, forwardChecked } from './divergence';
import type { ExperimentContext } from './experiment';

export type NormKind = 'none' | 'batch' | 'layer' | 'group' | 'instance';
export type Activation = 'relu' | 'sigmoid' | 'tanh';

/** Display names of the arms, shared by every experiment so that the renderer's palette matches them. */
export const NORM_NAMES: Record<NormKind, string> = {
  none: 'no norm',
  batch: 'BatchNorm',
  layer: 'LayerNorm',
  group: 'GroupNorm',
  instance: 'InstanceNorm',
};

export interface MlpOptions {
  inputs: number;
  hidden: number[];
  outputs: number;
  activation: Activation;
  norm?: NormKind;
  /** Where the norm goes: between Linear and activation (Ioffe & Szegedy) or after the activation. */
  placement?: 'before-activation' | 'after-activation';
  /** Learnable γ and β in the norm layers (PyTorch's affine / elementwiseAffine). */
  affine?: boolean;
  /** Groups for GroupNorm (must divide every hidden width). */
  groups?: number;
  /** Dropout probability after each hidden block (0: none). */
  dropout?: number;
  /**
   * Weight init: PyTorch's default for Linear, or N(0, std²) for every Linear weight (biases zero), as in
   * Ioffe & Szegedy's "small Gaussian" initialization.
   */
  initStd?: number;
  generator: Generator;
  /** Builds a custom norm layer for a hidden width (overrides `norm`), e.g. noisy BN or Batch Renorm. */
  makeNorm?: (width: number) => nn.Module;
  /** Told how each Linear was initialized (the experiment context's, when the PyTorch export records the run). */
  recorder?: TrainingRecorder;
}

/**
 * How a Linear layer's weights were drawn: PyTorch's default, or N(0, std²) with zero bias. Told to the
 * recorder so that the PyTorch export can draw them the same way (with PyTorch's generator) when weights
 * are not exported.
 */
export type LinearInit = { kind: 'default' } | { kind: 'normal'; std: number };

/** Draws a Linear layer's weights from N(0, std²) and zeroes its bias, and tells the recorder (if any). */
export function initLinearNormal(linear: nn.Linear, std: number, generator: Generator, recorder?: TrainingRecorder): void {
  init.normal_(linear.weight, 0, std, { generator });
  if (linear.bias) init.zeros_(linear.bias);
  recorder?.linearInit(linear, { kind: 'normal', std });
}

/** Linear → [norm] → activation (→ [dropout]) per hidden layer, then a Linear to the outputs. */
export function buildMlp(options: MlpOptions): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = options.inputs;
  const placement = options.placement ?? 'before-activation';
  for (const hidden of options.hidden) {
    layers.push(newLinear(width, hidden, options));
    const norm = options.makeNorm ? options.makeNorm(hidden) : normLayer(options.norm ?? 'none', hidden, options);
    if (norm && placement === 'before-activation') layers.push(norm);
    layers.push(activationLayer(options.activation));
    if (norm && placement === 'after-activation') layers.push(norm);
    if (options.dropout) layers.push(new nn.Dropout(options.dropout, { generator: options.generator }));
    width = hidden;
  }
  layers.push(newLinear(width, options.outputs, options));
  return new nn.Sequential(...layers);
}

function newLinear(inputs: number, outputs: number, options: MlpOptions): nn.Linear {
  const linear = new nn.Linear(inputs, outputs, { generator: options.generator });
  if (options.initStd !== undefined) initLinearNormal(linear, options.initStd, options.generator, options.recorder);
  else options.recorder?.linearInit(linear, { kind: 'default' });
  return linear;
}

function normLayer(kind: NormKind, width: number, options: MlpOptions): nn.Module | undefined {
  const affine = options.affine ?? true;
  switch (kind) {
    case 'none':
      return undefined;
    case 'batch':
      return new nn.BatchNorm1d(width, { affine });
    case 'layer':
      return new nn.LayerNorm(width, { elementwiseAffine: affine });
    case 'group':
      return new nn.GroupNorm(options.groups ?? 4, width, { affine });
    case 'instance':
      // InstanceNorm1d over (N, C, L=1) would divide by a zero variance: for an MLP, an instance's features
      // are its only "spatial" axis, which is what LayerNorm without affine normalizes.
      return new nn.LayerNorm(width, { elementwiseAffine: false });
  }
}

function activationLayer(activation: Activation): nn.Module {
  return activation === 'relu' ? new nn.ReLU() : activation === 'sigmoid' ? new nn.Sigmoid() : new nn.Tanh();
}

/** Inputs and integer class targets. */
export interface LabelledSet {
  x: Tensor;
  /** Class indices as a float tensor of shape [N], as the engine's crossEntropy takes them. */
  y: Tensor;
}

export type OptimizerSpec = { kind: 'sgd'; lr: number; momentum?: number; weightDecay?: number } | { kind: 'adam'; lr: number; weightDecay?: number };

/**
 * A training run as it starts: what the PyTorch export needs to rebuild it. The model is at its initial
 * weights (copy them at once: training changes them in place).
 */
export type TrainingRunStart = Pick<TrainOptions, 'label' | 'model' | 'train' | 'test' | 'steps' | 'batchSize' | 'optimizer'> & { evalEvery: number };

/** Receives each step of one run, then its result. */
export interface TrainingRunRecorder {
  /** After step `step` (1-based): the rows of the training set in its batch, and its loss. */
  step(step: number, batchRows: Int32Array, loss: number): void;
  end(result: TrainResult): void;
}

/** Watches the training runs of an experiment, through {@link ExperimentContext.recorder}. */
export interface TrainingRecorder {
  /** A Linear layer's weights were just drawn (built, or initialized again): how. The last word for a layer counts. */
  linearInit(linear: nn.Linear, how: LinearInit): void;
  begin(run: TrainingRunStart): TrainingRunRecorder;
}

export interface TrainOptions {
  model: nn.Module;
  train: LabelledSet;
  test?: LabelledSet;
  steps: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  generator: Generator;
  context: ExperimentContext;
  /** Shown in the progress line, e.g. "BatchNorm, lr 0.1". */
  label?: string;
  /** Evaluate test accuracy (and record the curves) every this many steps, and at the end. */
  evalEvery?: number;
  /** Test accuracy at this step if the caller has just measured it on `test` in eval mode (saves a forward pass); undefined: evaluate. */
  testAccuracyAt?: (step: number) => number | undefined;
  /** Called after each step with the step number (1-based) and its loss, for probes such as activation percentiles. */
  afterStep?: (step: number, loss: number) => void;
  /** Called after each recorded point with the curves so far (the same object grows: copy what you keep), for live plots. */
  onRecord?: (resultSoFar: TrainResult) => void;
}

export interface TrainResult {
  /** Steps at which the curves below were recorded. */
  steps: number[];
  /** Training loss, mean over the steps since the previous record. */
  loss: number[];
  testAccuracy: number[];
  /** Final test accuracy (NaN when diverged). */
  finalTestAccuracy: number;
  diverged?: { step: number; reason: string };
}

export interface StepLoopOptions {
  model: nn.Module;
  steps: number;
  optimizer: optim.Optimizer;
  context: ExperimentContext;
  /** The batch for a step (1-based). */
  nextBatch: (step: number) => LabelledSet;
  /** Called before each step (e.g. to relax Batch Renorm's clips). */
  beforeStep?: (step: number) => void;
  /** Called after each step with its loss, for probes such as activation percentiles. */
  afterStep?: (step: number, loss: number) => void;
  /** Whether to record after this step. */
  recordAt: (step: number) => boolean;
  /** Records a point (the mean training loss since the last one is given) and returns the metrics to show. */
  record: (step: number, meanLoss: number) => Record<string, number>;
  /** Shown in the progress line, e.g. "BatchNorm, lr 0.1". */
  label?: string;
}

/**
 * The training loop every experiment shares: interrupt checks, divergence guards on every layer and the
 * loss, progress at each recorded step. Divergence ends the run as a result, with its step and reason.
 */
export function runSteps(options: StepLoopOptions): { diverged?: { step: number; reason: string } } {
  const { model, steps, optimizer, context } = options;
  let lossSum = 0;
  let lossCount = 0;
  model.train();
  try {
    for (let step = 1; step <= steps; step++) {
      context.checkInterrupt();
      options.beforeStep?.(step);
      // One scope per step: the step's tensors go back to the engine's pool, so the next step reuses hot memory.
      tidy(() => {
        const { x, y } = options.nextBatch(step);
        // The last step's gradients are dead once zeroGrad drops them: their storage goes back to the pool.
        for (const p of optimizer.params) if (p.grad) dispose(p.grad);
        optimizer.zeroGrad();
        const logits = forwardChecked(model, x, step);
        const loss = F.crossEntropy(logits, y);
        checkLoss(loss, step);
        loss.backward();
        optimizer.step();
        lossSum += loss.data[0]!;
        lossCount++;
        options.afterStep?.(step, loss.data[0]!);
      });
      if (options.recordAt(step)) {
        const metrics = options.record(step, lossSum / lossCount);
        model.train();
        lossSum = 0;
        lossCount = 0;
        context.progress({ step, total: steps, label: options.label, metrics });
      }
    }
  } catch (error) {
    if (!(error instanceof DivergenceError)) throw error;
    model.train();
    return { diverged: { step: error.step, reason: error.message } };
  }
  return {};
}

/** Trains with minibatches sampled with replacement-free shuffling; divergence ends the run as a result. */
export function trainClassifier(options: TrainOptions): TrainResult {
  const { model, train, steps, batchSize, generator, context } = options;
  const evalEvery = options.evalEvery ?? Math.max(1, Math.floor(steps / 50));
  const optimizer =
    options.optimizer.kind === 'sgd'
      ? new optim.SGD(model.parameters(), { lr: options.optimizer.lr, momentum: options.optimizer.momentum ?? 0, weightDecay: options.optimizer.weightDecay ?? 0 })
      : new optim.Adam(model.parameters(), { lr: options.optimizer.lr, weightDecay: options.optimizer.weightDecay ?? 0 });
  const sampler = new BatchSampler(train, batchSize, generator);
  const result: TrainResult = { steps: [], loss: [], testAccuracy: [], finalTestAccuracy: NaN };
  const recording = context.recorder?.begin({ label: options.label, model, train, test: options.test, steps, batchSize, optimizer: options.optimizer, evalEvery });
  let batchRows: Int32Array = new Int32Array(0);
  const { diverged } = runSteps({
    model,
    steps,
    optimizer,
    context,
    label: options.label,
    nextBatch: () => {
      const batch = sampler.next();
      batchRows = batch.rows;
      return batch;
    },
    afterStep: (step, loss) => {
      recording?.step(step, batchRows, loss);
      options.afterStep?.(step, loss);
    },
    recordAt: (step) => step % evalEvery === 0 || step === steps,
    record: (step, meanLoss) => {
      const accuracy = options.test ? (options.testAccuracyAt?.(step) ?? evaluate(model, options.test)) : NaN;
      result.steps.push(step);
      result.loss.push(meanLoss);
      result.testAccuracy.push(accuracy);
      options.onRecord?.(result);
      return { loss: meanLoss, ...(options.test ? { 'test accuracy': accuracy } : {}) };
    },
  });
  const final: TrainResult = diverged ? { ...result, diverged } : { ...result, finalTestAccuracy: result.testAccuracy.at(-1) ?? NaN };
  recording?.end(final);
  return final;
}

/** Accuracy in eval mode (running statistics for batch norms), in chunks to bound memory. */
export function evaluate(model: nn.Module, set: LabelledSet, chunk = 1000): number {
  const wasTraining = model.training;
  model.eval();
  const n = set.x.shape[0]!;
  const features = set.x.data.length / n;
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const x = rowsOf(set.x, start, end, features);
      const logits = model.forward(x);
      const classes = logits.shape[1]!;
      for (let i = 0; i < end - start; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (logits.data[i * classes + c]! > logits.data[i * classes + best]!) best = c;
        if (best === set.y.data[start + i]) correct++;
      }
    }
  });
  if (wasTraining) model.train();
  return correct / n;
}

function rowsOf(t: Tensor, start: number, end: number, features: number): Tensor {
  return tensor(t.data.slice(start * features, end * features), [end - start, ...t.shape.slice(1)]);
}

/** Minibatches in a fresh random order each epoch (PyTorch's DataLoader with shuffle=True, drop_last=True). */
export class BatchSampler {
  private order: Int32Array;
  private position: number;
  private readonly features: number;

  constructor(
    private readonly set: LabelledSet,
    private readonly batchSize: number,
    private readonly generator: Generator,
  ) {
    const n = set.x.shape[0]!;
    if (batchSize > n) throw new Error(`batch size ${batchSize} is larger than the training set (${n} examples)`);
    this.features = set.x.data.length / n;
    this.order = generator.randperm(n);
    this.position = 0;
  }

  /** The next batch, with the rows of the set it took. */
  next(): LabelledSet & { rows: Int32Array } {
    if (this.position + this.batchSize > this.order.length) {
      this.order = this.generator.randperm(this.order.length);
      this.position = 0;
    }
    const b = this.batchSize;
    // Every value written in place into the engine's storage (pooled: inside a training step's tidy it comes back hot).
    const x = empty([b, ...this.set.x.shape.slice(1)]);
    const y = empty([b]);
    const source = this.set.x.data;
    const labels = this.set.y.data;
    const xs = x.data;
    const ys = y.data;
    for (let i = 0; i < b; i++) {
      const row = this.order[this.position + i]!;
      xs.set(source.subarray(row * this.features, (row + 1) * this.features), i * this.features);
      ys[i] = labels[row]!;
    }
    const rows = this.order.slice(this.position, this.position + b);
    this.position += b;
    return { x, y, rows };
  }
}
