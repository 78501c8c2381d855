/**
 * @file Weight initialisers (PyTorch's torch.nn.init), exported as the `nn.init` namespace. Each
 * fills a tensor IN PLACE (under noGrad, so it works on Parameters), returns it, and draws from
 * `opts.generator` or the default generator (so `manualSeed` makes initialisation reproducible).
 *
 * Fans follow PyTorch: for a weight [out, in, ...k], fanIn = in * prod(k), fanOut = out * prod(k).
 * Papers: Glorot & Bengio 2010 (Xavier, https://proceedings.mlr.press/v9/glorot10a.html);
 * He et al. 2015 (Kaiming, https://arxiv.org/abs/1502.01852); LeCun et al. 1998 "Efficient
 * BackProp" (LeCun normal); Saxe et al. 2013 (orthogonal, https://arxiv.org/abs/1312.6120).
 */
import { requireFloat } from '../core/dtype.js';
import { checkEnum, checkOptions } from '../core/args.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import { type Generator, defaultGenerator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';

export interface InitOptions {
  generator?: Generator;
}

export const NONLINEARITIES = ['linear', 'identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu'] as const;
export type Nonlinearity = (typeof NONLINEARITIES)[number];
export const FAN_MODES = ['fanIn', 'fanOut'] as const;
export type FanMode = (typeof FAN_MODES)[number];
const GAIN_KEYS = ['generator', 'gain'] as const;

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (only used with nonlinearity 'leakyRelu'). */
  a?: number;
  /** 'fanIn' keeps forward activations' variance, 'fanOut' the backward gradients'. */
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

export interface GainOptions extends InitOptions {
  gain?: number;
}

/** Writes f(i) into every element in place; the version bump tells autograd the values changed. */
function fillWith(op: string, t: Tensor, f: (i: number) => number, float = true): Tensor {
  if (float) requireFloat(`init.${op}`, t.dtype, 'tensor');
  noGrad(() => t.mutate((v) => {
    for (let i = 0; i < v.length; i++) v[i] = f(i);
  }));
  return t;
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/sigmoid,
 * 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + a^2)) for leaky relu (a defaults to 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  checkEnum('calculateGain', 'nonlinearity', nonlinearity, NONLINEARITIES);
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const a = param ?? 0.01;
      if (!Number.isFinite(a)) throw new ValueError(`calculateGain: negative slope must be finite, got ${a}`);
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu': return 3 / 4;
    default: throw new ValueError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** fanIn and fanOut of a weight of rank >= 2 (see the file header). */
export function computeFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new ValueError(`init: fan in and fan out need a tensor of rank >= 2, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** U(a, b). */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  checkOptions('init.uniform', opts, ['generator']);
  if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b)) throw new ValueError(`init.uniform: need finite a <= b, got a=${a}, b=${b}`);
  const g = opts.generator ?? defaultGenerator;
  return fillWith('uniform', t, () => a + (b - a) * g.nextFloat());
}

/** N(mean, std^2). */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  checkOptions('init.normal', opts, ['generator']);
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new ValueError(`init.normal: need finite mean and std >= 0, got mean=${mean}, std=${std}`);
  const g = opts.generator ?? defaultGenerator;
  return fillWith('normal', t, () => mean + std * g.nextNormal());
}

/** Every element = value (any dtype; int tensors take integers). */
export function constant(t: Tensor, value: number): Tensor {
  return fillWith('constant', t, () => value, false);
}

export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

/** Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, opts: GainOptions = {}): Tensor {
  checkOptions('init.xavierUniform', opts, GAIN_KEYS);
  const { fanIn, fanOut } = computeFans(t);
  const bound = (opts.gain ?? 1) * Math.sqrt(6 / Math.max(fanIn + fanOut, 1));
  return uniform(t, -bound, bound, { generator: opts.generator });
}

/** Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, opts: GainOptions = {}): Tensor {
  checkOptions('init.xavierNormal', opts, GAIN_KEYS);
  const { fanIn, fanOut } = computeFans(t);
  return normal(t, 0, (opts.gain ?? 1) * Math.sqrt(2 / Math.max(fanIn + fanOut, 1)), { generator: opts.generator });
}

/** The He std: gain(nonlinearity, a) / sqrt(fan); 0 for a zero-size weight (nothing to fill). */
function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  checkOptions('init.kaiming', opts, ['generator', 'a', 'mode', 'nonlinearity']);
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = opts;
  checkEnum('init.kaiming', 'mode', mode, FAN_MODES);
  checkEnum('init.kaiming', 'nonlinearity', nonlinearity, NONLINEARITIES);
  const fans = computeFans(t);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  return fan === 0 ? 0 : calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He uniform: U(-b, b), b = sqrt(3) * gain / sqrt(fan). PyTorch's nn.Linear default is this with
 * a = sqrt(5), i.e. b = 1 / sqrt(fanIn).
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -bound, bound, { generator: opts.generator });
}

/** He normal: N(0, (gain / sqrt(fan))^2). */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts), { generator: opts.generator });
}

/**
 * LeCun normal: N(0, 1 / fanIn) (the SELU initialisation). Plain, not truncated, normal, unlike
 * JAX's lecun_normal.
 */
export function lecunNormal(t: Tensor, opts: InitOptions = {}): Tensor {
  checkOptions('init.lecunNormal', opts, ['generator']);
  const { fanIn } = computeFans(t);
  return normal(t, 0, fanIn === 0 ? 0 : 1 / Math.sqrt(fanIn), opts);
}

/**
 * A (semi-)orthogonal matrix: the weight viewed as [rows, cols = size / rows] gets orthonormal rows
 * (rows <= cols) or columns (rows > cols), times `gain`. Computed in float64 as the Q of a QR
 * factorisation of a Gaussian matrix (Gram-Schmidt, which gives R a positive diagonal, the sign
 * convention PyTorch enforces so Q is Haar-distributed).
 */
export function orthogonal(t: Tensor, opts: GainOptions = {}): Tensor {
  checkOptions('init.orthogonal', opts, GAIN_KEYS);
  if (t.rank < 2) throw new ValueError(`init.orthogonal: needs a tensor of rank >= 2, got ${fmtShape(t.shape)}`);
  requireFloat('init.orthogonal', t.dtype, 'tensor');
  if (t.size === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  const g = opts.generator ?? defaultGenerator;
  const a = Float64Array.from({ length: rows * cols }, () => g.nextNormal());
  // Orthonormalise the shorter side's vectors (length n = the longer side).
  const [n, m] = rows >= cols ? [rows, cols] : [cols, rows];
  const vec = (j: number): Float64Array => Float64Array.from({ length: n }, (_, i) => (rows >= cols ? a[i * cols + j]! : a[j * cols + i]!));
  const q = gramSchmidt(Array.from({ length: m }, (_, j) => vec(j)));
  const gain = opts.gain ?? 1;
  return fillWith('orthogonal', t, (idx) => {
    const i = Math.floor(idx / cols);
    const j = idx % cols;
    return gain * (rows >= cols ? q[j]![i]! : q[i]![j]!);
  });
}

/**
 * Modified Gram-Schmidt with one re-orthogonalisation pass ("twice is enough", Giraud et al. 2005),
 * so Q^T Q = I to machine precision even for nearly dependent columns.
 */
function gramSchmidt(cols: Float64Array[]): Float64Array[] {
  const dot = (x: Float64Array, y: Float64Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
  cols.forEach((v, j) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const qk = cols[k]!;
        const r = dot(qk, v);
        for (let i = 0; i < v.length; i++) v[i] = v[i]! - r * qk[i]!;
      }
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > 0)) throw new ValueError('init.orthogonal: degenerate random matrix (rank deficient); try another seed');
    for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  });
  return cols;
}
