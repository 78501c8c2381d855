/**
 * @file The symbolic library and the per-edge fit of KAN symbolic snapping (Liu et al. 2024,
 * arXiv 2404.19756, section 2.5.1 "symbolification"; pykan's SYMBOLIC_LIB and fit_params).
 *
 * An edge's samples (x_n, y_n) are fitted by y ~ c f(a x + b) + d: a grid search over (a, b)
 * scoring each pair by the R^2 of the best linear fit in (c, d) (closed form: the squared
 * correlation of f(a x + b) with y), zoomed in around the best pair repeatedly as pykan
 * does, then c and d by least squares. All in float64 on plain arrays.
 *
 * Singular functions are used in smooth, finite forms so training through a fixed edge never
 * meets Infinity or NaN, with eps = 1e-3: 1/x -> x / (x^2 + eps^2), log -> log(x^2 + eps^2) / 2,
 * sqrt -> (x^2 + eps^2)^(1/4). They match 1/x, log|x| and sqrt|x| away from |x| ~ eps; the fit
 * and the layer use the same forms, so a fitted edge evaluates exactly as fitted.
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, add, div, exp, log, mul, neg, sin, sqrt, tanh } from '../../ops/primitives/index.js';
import { zerosLike } from '../../core/create.js';

const EPS2 = 1e-6;

export interface SymbolicFunction {
  readonly name: string;
  /** pykan's complexity: the tie-break between fits of similar quality. */
  readonly complexity: number;
  /** Float64 scalar form (what the fit uses). */
  readonly f64: (z: number) => number;
  /** Differentiable tensor form (what a fixed edge evaluates). */
  readonly op: (z: Tensor) => Tensor;
  /** The printed form of f(s); `atom`: s is a single name or number (needs no parentheses). */
  readonly format: (s: string, atom: boolean) => string;
  /**
   * Which inner parameters the grid search explores: 'ab' both; 'a' only a, with b = 0, for exp
   * (c e^(a x + b) = (c e^b) e^(a x): b is redundant with c, and searching it only drifts to
   * extreme (b, c) pairs); 'b' only b, with a = 1, for powers and 1/x (c (a x + b)^n =
   * c a^n (x + b/a)^n): a redundant scale otherwise ends up as a large a times a tiny c, a
   * parametrisation so ill-conditioned that training the fixed edge afterwards diverges;
   * 'none' for x and 0 (a and b are redundant with c and d).
   */
  readonly inner: Inner;
}

type Inner = 'ab' | 'a' | 'b' | 'none';

const fn = (name: string, complexity: number, f64: (z: number) => number, op: (z: Tensor) => Tensor, format: (s: string, atom: boolean) => string, inner: Inner = 'ab'): SymbolicFunction =>
  ({ name, complexity, f64, op, format, inner });

const group = (s: string, atom: boolean): string => (atom ? s : `(${s})`);
const pow = (p: number) => (s: string, atom: boolean): string => `${group(s, atom)}^${p}`;
const call = (name: string) => (s: string): string => `${name}(${s})`;

/** name -> function. '0' is for fixing edges off; autoSymbolic leaves it out by default. */
export const SYMBOLIC_LIBRARY: ReadonlyMap<string, SymbolicFunction> = new Map([
  fn('0', 0, () => 0, (z) => zerosLike(z), () => '0', 'none'),
  fn('x', 1, (z) => z, (z) => z, (s) => s, 'none'),
  fn('x^2', 2, (z) => z * z, (z) => mul(z, z), pow(2), 'b'),
  fn('x^3', 3, (z) => z * z * z, (z) => mul(mul(z, z), z), pow(3), 'b'),
  fn('x^4', 3, (z) => (z * z) * (z * z), (z) => { const q = mul(z, z); return mul(q, q); }, pow(4), 'b'),
  fn('1/x', 2, (z) => z / (z * z + EPS2), (z) => div(z, add(mul(z, z), EPS2)), (s, atom) => `1/${group(s, atom)}`, 'b'),
  fn('sqrt', 2, (z) => Math.sqrt(Math.sqrt(z * z + EPS2)), (z) => sqrt(sqrt(add(mul(z, z), EPS2))), call('sqrt')),
  fn('log', 2, (z) => 0.5 * Math.log(z * z + EPS2), (z) => mul(log(add(mul(z, z), EPS2)), 0.5), call('log')),
  fn('exp', 2, Math.exp, exp, call('exp'), 'a'),
  fn('sin', 2, Math.sin, sin, call('sin')),
  fn('tanh', 3, Math.tanh, tanh, call('tanh')),
  fn('abs', 3, Math.abs, abs, call('abs')),
  fn('gaussian', 3, (z) => Math.exp(-z * z), (z) => exp(neg(mul(z, z))), (s, atom) => `exp(-${group(s, atom)}^2)`),
].map((f) => [f.name, f]));

/** The default library of autoSymbolic: everything but '0'. */
export const DEFAULT_SYMBOLIC_LIB: readonly string[] = [...SYMBOLIC_LIBRARY.keys()].filter((k) => k !== '0');

export function symbolicFunction(name: string): SymbolicFunction {
  const f = SYMBOLIC_LIBRARY.get(name);
  if (!f) throw new ValueError(`symbolic: unknown function ${JSON.stringify(name)}; known: ${[...SYMBOLIC_LIBRARY.keys()].join(', ')}`, 'UNKNOWN_FUNCTION');
  return f;
}

export interface SymbolicFit {
  fn: string;
  a: number;
  b: number;
  c: number;
  d: number;
  /** Coefficient of determination of c f(a x + b) + d on the samples. */
  r2: number;
}

export interface FitSymbolicOptions {
  /** Search range of a (default [-10, 10], pykan's). */
  aRange?: readonly [number, number];
  /** Search range of b (default [-10, 10]). */
  bRange?: readonly [number, number];
  /** Grid points per axis of the first search (default 51, pykan's is 101). */
  gridNumber?: number;
  /**
   * Zoomed searches after the first (default 7): each an 11 x 11 grid over +-1 step of the previous
   * grid around its best pair, so each shrinks the step 5x (a and b end within ~5e-6 of the best).
   */
  iterations?: number;
}

/** Least squares y ~ c f + d and its R^2 (two-pass sums for accuracy). */
function linearFit(f: Float64Array, y: ArrayLike<number>, N: number): { c: number; d: number; r2: number } {
  let mf = 0;
  let my = 0;
  for (let n = 0; n < N; n++) { mf += f[n]!; my += y[n]!; }
  mf /= N;
  my /= N;
  let sff = 0;
  let sfy = 0;
  let syy = 0;
  for (let n = 0; n < N; n++) {
    const df = f[n]! - mf;
    const dy = y[n]! - my;
    sff += df * df;
    sfy += df * dy;
    syy += dy * dy;
  }
  if (!(syy > 0)) return { c: 0, d: my, r2: 1 }; // a constant edge: any function fits it with c = 0
  if (!(sff > 0) || !Number.isFinite(sff)) return { c: 0, d: my, r2: 0 };
  const c = sfy / sff;
  return { c, d: my - c * mf, r2: (sfy * sfy) / (sff * syy) };
}

/**
 * Fits y ~ c f(a x + b) + d for the library function `name` to samples (x_n, y_n).
 * @example fitSymbolic(xs, ys, 'sin') // { fn: 'sin', a: ~3.14, b: ~0, c, d, r2: ~1 }
 */
export function fitSymbolic(x: ArrayLike<number>, y: ArrayLike<number>, name: string, opts: FitSymbolicOptions = {}): SymbolicFit {
  const f = symbolicFunction(name);
  const N = x.length;
  if (N < 2 || y.length !== N) throw new ValueError(`fitSymbolic: need at least 2 samples and as many y as x, got ${N} and ${y.length}`);
  const fz = new Float64Array(N);
  if (name === '0') {
    let ss = 0;
    let my = 0;
    for (let n = 0; n < N; n++) my += y[n]! / N;
    let st = 0;
    for (let n = 0; n < N; n++) { ss += y[n]! ** 2; st += (y[n]! - my) ** 2; }
    return { fn: name, a: 1, b: 0, c: 0, d: 0, r2: st > 0 ? 1 - ss / st : ss === 0 ? 1 : 0 };
  }
  const evalAt = (a: number, b: number): { c: number; d: number; r2: number } => {
    for (let n = 0; n < N; n++) fz[n] = f.f64(a * x[n]! + b);
    return linearFit(fz, y, N);
  };
  if (f.inner === 'none') return { fn: name, a: 1, b: 0, ...evalAt(1, 0) };
  const G = opts.gridNumber ?? 51;
  if (!Number.isInteger(G) || G < 3) throw new ValueError(`fitSymbolic: gridNumber must be an integer >= 3, got ${G}`);
  let [a0, a1] = f.inner === 'b' ? [1, 1] : opts.aRange ?? [-10, 10];
  let [b0, b1] = f.inner === 'a' ? [0, 0] : opts.bRange ?? [-10, 10];
  let best = { a: 1, b: 0, r2: -Infinity };
  const zooms = opts.iterations ?? 7;
  for (let it = 0; it <= zooms; it++) {
    const n = it === 0 ? G : 11;
    const na = f.inner === 'b' ? 1 : n;
    const nb = f.inner === 'a' ? 1 : n;
    const da = na > 1 ? (a1 - a0) / (na - 1) : 0;
    const db = nb > 1 ? (b1 - b0) / (nb - 1) : 0;
    for (let i = 0; i < na; i++) {
      for (let k = 0; k < nb; k++) {
        const a = a0 + i * da;
        const b = b0 + k * db;
        const r2 = evalAt(a, b).r2;
        // Strictly better only: ties keep the first (smallest a), so results are deterministic.
        if (r2 > best.r2) best = { a, b, r2 };
      }
    }
    [a0, a1] = [best.a - da, best.a + da];
    [b0, b1] = [best.b - db, best.b + db];
  }
  return { fn: name, a: best.a, b: best.b, ...evalAt(best.a, best.b) };
}

export interface SuggestOptions extends FitSymbolicOptions {
  /** Candidate names (default DEFAULT_SYMBOLIC_LIB). */
  lib?: readonly string[];
  /**
   * Weight of simplicity in the ranking score (pykan's weight_simple, default 0.8):
   * score = w * complexity + (1 - w) * log2(1 + 1e-5 - R^2), lower is better. With w = 0.8 one
   * extra unit of complexity must buy a 16x smaller residual 1 - R^2; w = 0 ranks by R^2 alone.
   */
  weightSimple?: number;
}

/** Every library function fitted to (x, y), best first by the score of SuggestOptions.weightSimple. */
export function suggestSymbolic(x: ArrayLike<number>, y: ArrayLike<number>, opts: SuggestOptions = {}): (SymbolicFit & { complexity: number; score: number })[] {
  const w = opts.weightSimple ?? 0.8;
  if (!(w >= 0 && w <= 1)) throw new ValueError(`suggestSymbolic: weightSimple must be in [0, 1], got ${w}`);
  const fits = (opts.lib ?? DEFAULT_SYMBOLIC_LIB).map((name) => {
    const r = fitSymbolic(x, y, name, opts);
    const complexity = symbolicFunction(name).complexity;
    const score = w * complexity + (1 - w) * Math.log2(1 + 1e-5 - Math.min(r.r2, 1));
    return { ...r, complexity, score: Number.isFinite(score) ? score : Infinity };
  });
  return fits.sort((p, q) => p.score - q.score || q.r2 - p.r2 || p.complexity - q.complexity);
}
