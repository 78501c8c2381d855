/**
 * @file Gaussian radial-basis-function layers: phi_k(x) = exp(-||x - c_k||^2 / (2 sigma_k^2)) with
 * learnable centres c_k and widths sigma_k (Broomhead & Lowe 1988; as a neural-field decoder over
 * learned features: Bouzidi et al. 2025, "Gaussian RBFNet" / GNF, https://arxiv.org/abs/2503.06762).
 * GaussianRBF is the kernel layer; RBFNetwork adds the linear read-out, y = Linear(phi(x)), and
 * works on raw coordinates or after an encoding (then the kernels live in feature space).
 * Shapes: GaussianRBF x [..., inFeatures] -> [..., numKernels]; centres [numKernels, inFeatures],
 * logSigma [numKernels] (sigma = exp(logSigma) stays positive under any optimizer step).
 * RBFNetwork x [..., inFeatures] -> [..., outFeatures]; state keys rbf.*, readout.*.
 */
import { checkOptions } from '../../core/args.js';
import { empty, full } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, clamp, exp, matmul, mul, reshape, sub, sum, transpose } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkPositive, checkTrailing, paramDType } from '../check.js';
import { Linear } from '../linear.js';
import * as init from '../init.js';

export interface GaussianRBFOptions {
  /** Centres start uniform in [low, high] per coordinate (default [-1, 1], the usual coordinate box). */
  range?: [number, number];
  /** Initial width of every kernel (default: the box side over numKernels^(1/inFeatures), about the centre spacing). */
  sigma?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

const KEYS = ['range', 'sigma', 'dtype', 'generator'] as const;

function checkRange(where: string, r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2) throw new ValueError(`${where}: range must be [low, high], got ${JSON.stringify(r)}`);
  const low = checkNumber(where, 'range[0]', r[0]);
  const high = checkNumber(where, 'range[1]', r[1]);
  if (!(low < high)) throw new ValueError(`${where}: range must have low < high, got [${low}, ${high}]`);
  return [low, high];
}

/** The Gaussian kernel layer. @example new nn.encoding.GaussianRBF(2, 64) */
export class GaussianRBF extends Module {
  readonly inFeatures: number;
  readonly numKernels: number;
  centres: Parameter;
  logSigma: Parameter;

  constructor(inFeatures: number, numKernels: number, opts: GaussianRBFOptions = {}) {
    super();
    checkOptions('GaussianRBF', opts, KEYS);
    this.inFeatures = checkInt('GaussianRBF', 'inFeatures', inFeatures, 1);
    this.numKernels = checkInt('GaussianRBF', 'numKernels', numKernels, 1);
    const [low, high] = checkRange('GaussianRBF', opts.range ?? [-1, 1]);
    const sigma = checkPositive('GaussianRBF', 'sigma', opts.sigma ?? (high - low) / numKernels ** (1 / inFeatures));
    const dtype = paramDType('GaussianRBF', opts.dtype);
    this.centres = new Parameter(init.uniform(empty([numKernels, inFeatures], { dtype }), low, high, { generator: opts.generator }));
    this.logSigma = new Parameter(full([numKernels], Math.log(sigma), { dtype }));
  }

  forward(x: Tensor): Tensor {
    const where = `GaussianRBF(${this.inFeatures}, ${this.numKernels})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.centres.dtype as FloatDType);
    const lead = x.shape.slice(0, -1);
    const flat = reshape(x, [x.size / this.inFeatures, this.inFeatures]);
    // ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2: one GEMM instead of an [N, K, in] difference tensor.
    // Rounding can make it a hair negative when x sits on a centre; clamp keeps exp's argument <= 0.
    const cross = matmul(flat, transpose(this.centres, 0, 1));
    const d2 = clamp(add(sub(sum(mul(flat, flat), -1, { keepDims: true }), mul(cross, 2)), sum(mul(this.centres, this.centres), -1)), 0);
    const inv = mul(exp(mul(this.logSigma, -2)), -0.5); // -1 / (2 sigma^2)
    return reshape(exp(mul(d2, inv)), [...lead, this.numKernels]);
  }

  override getConfig(): ModuleConfig {
    // range and sigma only shape the initial values; a rebuilt layer gets its values from the state dict.
    return { type: 'GaussianRBF', inFeatures: this.inFeatures, numKernels: this.numKernels, dtype: this.centres.dtype };
  }
}

/** Gaussian kernels and a linear read-out. @example new nn.encoding.RBFNetwork(1, 32, 1) */
export class RBFNetwork extends Module {
  readonly rbf: GaussianRBF;
  readonly readout: Linear;

  constructor(inFeatures: number, numKernels: number, outFeatures: number, opts: GaussianRBFOptions & { bias?: boolean } = {}) {
    super();
    checkOptions('RBFNetwork', opts, [...KEYS, 'bias']);
    const { bias, ...rbfOpts } = opts;
    checkInt('RBFNetwork', 'outFeatures', outFeatures, 1);
    this.rbf = new GaussianRBF(inFeatures, numKernels, rbfOpts);
    this.readout = new Linear(numKernels, outFeatures, { bias: bias ?? true, dtype: opts.dtype, generator: opts.generator });
  }

  forward(x: Tensor): Tensor { return this.readout.forward(this.rbf.forward(x)); }

  override getConfig(): ModuleConfig {
    return {
      type: 'RBFNetwork', inFeatures: this.rbf.inFeatures, numKernels: this.rbf.numKernels, outFeatures: this.readout.outFeatures,
      bias: this.readout.bias !== null, dtype: this.rbf.centres.dtype,
    };
  }
}

registerModule('GaussianRBF', (c) => new GaussianRBF(c.int('inFeatures'), c.int('numKernels'), { dtype: c.dtype() }));
registerModule('RBFNetwork', (c) => new RBFNetwork(c.int('inFeatures'), c.int('numKernels'), c.int('outFeatures'), { bias: c.bool('bias', true), dtype: c.dtype() }));
