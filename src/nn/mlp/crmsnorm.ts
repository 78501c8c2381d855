/**
 * @file Compressed RMSNorm (Jiang et al., "Pre-RMSNorm and Pre-CRMSNorm Transformers: Equivalent
 * and Efficient Pre-LN Transformers", NeurIPS 2023, https://arxiv.org/abs/2305.14858).
 *
 * A zero-mean vector z in R^d is stored without its last element, x = z[0..d-2] (z[d-1] = -sum x).
 * CRMSNorm normalises such a compressed vector as RMSNorm would normalise z:
 *   CRMSNorm(x) = x / sqrt((sum x_i^2 + (sum x_i)^2) / d + eps) * weight,   d = numFeatures + 1.
 * Shape contract: x [..., n] -> [..., n] with n = normalizedShape (the compressed width d - 1);
 * weight [n]. `eps` null (default) is the machine epsilon of the input dtype, as RMSNorm.
 */
import { checkOptions } from '../../core/args.js';
import { ones } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, sqrt, sum } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType, show } from '../check.js';

export interface CRMSNormOptions {
  eps?: number | null;
  /** Learn a per-element scale (init 1); default true. */
  elementwiseAffine?: boolean;
  dtype?: FloatDType;
}

/** The compressed width: an integer or a one-element array (the last dim only). */
function widthArg(s: unknown): number {
  const v = Array.isArray(s) && s.length === 1 ? s[0] : s;
  if (Array.isArray(s) && s.length !== 1) throw new ValueError(`CRMSNorm: normalizedShape must be one dim (the compressed width), got ${show(s)} of length ${s.length}`);
  return checkInt('CRMSNorm', 'normalizedShape', v, 1);
}

/**
 * RMSNorm of the zero-mean vector [x, -sum(x)], computed on x (the compressed d - 1 dims).
 * @example new nn.CRMSNorm(63)   // the main branch of a d = 64 Pre-CRMSNorm model
 */
export class CRMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: CRMSNormOptions = {}) {
    super();
    checkOptions('CRMSNorm', opts, ['eps', 'elementwiseAffine', 'dtype']);
    this.normalizedShape = [widthArg(normalizedShape)];
    this.eps = opts.eps == null ? null : checkNumber('CRMSNorm', 'eps', opts.eps, 0);
    const dtype = paramDType('CRMSNorm', opts.dtype);
    this.weight = opts.elementwiseAffine === false ? null : new Parameter(ones(this.normalizedShape, { dtype }));
  }

  forward(x: Tensor): Tensor {
    const n = this.normalizedShape[0]!;
    const where = `CRMSNorm(${n})`;
    checkTrailing(where, x, [n]);
    if (this.weight) checkInputDType(where, x, this.weight.dtype as FloatDType);
    const eps = this.eps ?? (x.dtype === 'float64' ? 2 ** -52 : 2 ** -23);
    const s = sum(x, -1, { keepDims: true });
    const ms = div(add(sum(mul(x, x), -1, { keepDims: true }), mul(s, s)), n + 1);
    const y = div(x, sqrt(add(ms, eps)));
    return this.weight ? mul(y, this.weight) : y;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'CRMSNorm', normalizedShape: [...this.normalizedShape], eps: this.eps,
      elementwiseAffine: this.weight !== null, ...(this.weight ? { dtype: this.weight.dtype } : {}),
    };
  }
}

registerModule('CRMSNorm', (c) => new CRMSNorm(c.ints('normalizedShape'), {
  eps: c.numberOrNull('eps', null), elementwiseAffine: c.bool('elementwiseAffine', true), dtype: c.dtype(),
}));
