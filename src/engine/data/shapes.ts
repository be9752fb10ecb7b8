// Two-dimensional classification sets with curved class boundaries (two moons, spirals): a linear
// model cannot separate them, so they show what depth, and normalization inside it, buy.
import { Tensor } from '../tensor';
import { resolveGenerator, type Generator } from '../random';

/** Options of twoMoons() and spirals(). */
export interface ShapeSetOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  /** Shuffle the points (default true); unshuffled, the classes come one after another. */
  shuffle?: boolean;
  /** Generator of the shuffle and the noise (the global one if omitted). */
  generator?: Generator | null;
}

/** Options of spirals(). */
export interface SpiralsOptions extends ShapeSetOptions {
  /** Turns each arm makes from the centre to radius 1 (default 1). */
  turns?: number;
}

/** Points (n, 2) with class-index targets (n); `xy` holds [x0, y0, x1, y1, …] in class order. */
function finish(xy: Float64Array, labels: Float32Array, opts: ShapeSetOptions): { x: Tensor; y: Tensor } {
  const n = labels.length;
  const noise = opts.noise ?? 0;
  if (!(noise >= 0)) throw new Error(`noise must be non-negative, got ${noise}`);
  const g = resolveGenerator(opts.generator);
  const order = opts.shuffle === false ? null : g.randperm(n);
  const jitter = noise > 0 ? g.fillNormal(new Float32Array(2 * n), 0, noise) : null;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const src = order ? order[i] : i;
    x[2 * i] = xy[2 * src] + (jitter ? jitter[2 * i] : 0);
    x[2 * i + 1] = xy[2 * src + 1] + (jitter ? jitter[2 * i + 1] : 0);
    y[i] = labels[src];
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

function checkCount(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: n must be an integer ≥ ${min}, got ${n}`);
}

/**
 * scikit-learn's make_moons: two interleaving half circles, class 0 the upper one
 * (cos t, sin t) and class 1 the lower one (1 − cos t, ½ − sin t), t evenly spaced over [0, π];
 * ⌊n/2⌋ points in class 0, the rest in class 1.
 */
export function twoMoons(n: number, opts: ShapeSetOptions = {}): { x: Tensor; y: Tensor } {
  checkCount('twoMoons', n, 2);
  const outer = Math.floor(n / 2);
  const xy = new Float64Array(2 * n);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const inner = i >= outer;
    const m = inner ? n - outer : outer;
    const k = inner ? i - outer : i;
    const t = m > 1 ? (Math.PI * k) / (m - 1) : 0;
    xy[2 * i] = inner ? 1 - Math.cos(t) : Math.cos(t);
    xy[2 * i + 1] = inner ? 0.5 - Math.sin(t) : Math.sin(t);
    labels[i] = inner ? 1 : 0;
  }
  return finish(xy, labels, opts);
}

/**
 * `classes` interleaved spiral arms (the classic CS231n set): point j of arm k sits at radius
 * r = j/(m − 1) and angle 2π·(turns·r + k/classes), m = the arm's number of points; arms get
 * ⌊n/classes⌋ points, the first ones one more until all n are used.
 */
export function spirals(n: number, classes = 2, opts: SpiralsOptions = {}): { x: Tensor; y: Tensor } {
  checkCount('spirals', n, 1);
  if (!Number.isInteger(classes) || classes < 1 || classes > n) throw new Error(`spirals: classes must be an integer in [1, n], got ${classes}`);
  const turns = opts.turns ?? 1;
  const xy = new Float64Array(2 * n);
  const labels = new Float32Array(n);
  let i = 0;
  for (let k = 0; k < classes; k++) {
    const m = Math.floor(n / classes) + (k < n % classes ? 1 : 0);
    for (let j = 0; j < m; j++, i++) {
      const r = m > 1 ? j / (m - 1) : 1;
      const a = 2 * Math.PI * (turns * r + k / classes);
      xy[2 * i] = r * Math.cos(a);
      xy[2 * i + 1] = r * Math.sin(a);
      labels[i] = k;
    }
  }
  return finish(xy, labels, opts);
}
