/**
 * @file The residual MLP block the MLP family is built from, and ResMLP's `Affine` norm.
 *
 * `MLPBlock` is the pre-norm inverted-bottleneck block of "Scaling MLPs: A Tale of Inductive Bias"
 * (Bachmann, Anagnostidis & Hofmann 2023, https://arxiv.org/abs/2306.13575):
 *   y = x + gamma * fc2(act(fc1(norm(x))))      fc1: dim -> hidden, fc2: hidden -> dim
 * with hidden = expansion * dim (4 by default). The same block is the channel-mixing MLP of
 * MLP-Mixer (norm 'layer'), of ResMLP (norm 'affine' with LayerScale gamma) and of every
 * MetaFormer block, and, with hidden < dim and no norm, the wide-narrow-wide block of the
 * Hourglass MLP. Shape contract: x [..., dim] -> [..., dim].
 *
 * `Affine` (Touvron et al. 2021, ResMLP, https://arxiv.org/abs/2105.03404): y = alpha * x + beta
 * per channel (alpha init 1, beta init 0), ResMLP's replacement for LayerNorm. x [..., dim] -> same.
 */
import { checkOptions } from '../../core/args.js';
import { full, ones, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { type LinearActivation, add, mul } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType, show } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from '../activation.js';
import { Linear } from '../linear.js';
import { LayerNorm, RMSNorm } from '../norm.js';

/** Per-token norms of the family: LayerNorm, RMSNorm, ResMLP's Affine, or none (null). */
export const BLOCK_NORMS = ['layer', 'rms', 'affine'] as const;
export type BlockNorm = (typeof BLOCK_NORMS)[number];

/** Activations the fused `linear` kernel computes as its epilogue (the same functions as the modules). */
const FUSED: Partial<Record<ActivationName, LinearActivation>> = { relu: 'relu', tanh: 'tanh', gelu: 'gelu' };

/** A positive integer size, ValueError naming the argument otherwise. */
export function checkSize(where: string, name: string, v: unknown): number {
  return checkInt(where, name, v, 1);
}

export function checkActivation(where: string, v: unknown): ActivationName {
  if (!ACTIVATION_NAMES.includes(v as ActivationName)) {
    throw new ValueError(`${where}: activation must be one of ${ACTIVATION_NAMES.join(', ')}, got ${show(v)}`, 'INVALID_ENUM');
  }
  return v as ActivationName;
}

export function checkBlockNorm(where: string, v: unknown): BlockNorm | null {
  if (v !== null && !BLOCK_NORMS.includes(v as BlockNorm)) {
    throw new ValueError(`${where}: norm must be null or one of ${BLOCK_NORMS.join(', ')}, got ${show(v)}`, 'INVALID_ENUM');
  }
  return v as BlockNorm | null;
}

/** A LayerScale init (a finite number > 0) or null for none. */
export function checkLayerScale(where: string, v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ValueError(`${where}: layerScale must be null or a finite number > 0, got ${show(v)}`);
  return v;
}

/** The norm module for `name` over the last dim. */
export function makeBlockNorm(name: BlockNorm, dim: number, dtype: FloatDType | undefined): Module {
  switch (name) {
    case 'layer': return new LayerNorm(dim, { dtype });
    case 'rms': return new RMSNorm(dim, { dtype });
    case 'affine': return new Affine(dim, { dtype });
  }
}

/** act(layer(x)), fused into the GEMM's epilogue where the kernel has the activation. */
export function linearAct(layer: Linear, x: Tensor, activation: ActivationName, act: Module): Tensor {
  const fused = FUSED[activation];
  return fused ? layer.forwardWith(x, fused) : act.forward(layer.forward(x));
}

/** y = alpha * x + beta over the last dim (ResMLP's Aff). */
export class Affine extends Module {
  readonly dim: number;
  alpha: Parameter;
  beta: Parameter;

  constructor(dim: number, opts: { dtype?: FloatDType } = {}) {
    super();
    checkOptions('Affine', opts, ['dtype']);
    this.dim = checkSize('Affine', 'dim', dim);
    const dtype = paramDType('Affine', opts.dtype);
    this.alpha = new Parameter(ones([dim], { dtype }));
    this.beta = new Parameter(zeros([dim], { dtype }));
  }

  forward(x: Tensor): Tensor {
    const where = `Affine(${this.dim})`;
    checkTrailing(where, x, [this.dim]);
    checkInputDType(where, x, this.alpha.dtype as FloatDType);
    return add(mul(x, this.alpha), this.beta);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Affine', dim: this.dim, dtype: this.alpha.dtype };
  }
}

export interface MLPBlockOptions {
  /** Hidden width (default expansion * dim). */
  hidden?: number;
  /** hidden = round(expansion * dim) when `hidden` is not given (default 4). */
  expansion?: number;
  /** Default 'gelu'. */
  activation?: ActivationName;
  /** Pre-norm (default 'layer'; null for none). */
  norm?: BlockNorm | null;
  /** LayerScale: a learned per-channel gamma on the branch, initialised to this value (default null: none). */
  layerScale?: number | null;
  /** Biases in fc1 and fc2 (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * x + gamma * fc2(act(fc1(norm(x)))). State keys: norm.*, fc1.*, fc2.*, gamma.
 * @example new nn.MLPBlock(64, { expansion: 4 })   // [N, 64] -> [N, 64], 33k parameters
 */
export class MLPBlock extends Module {
  readonly dim: number;
  readonly hidden: number;
  readonly activationName: ActivationName;
  readonly normName: BlockNorm | null;
  readonly layerScale: number | null;
  readonly norm: Module | null;
  readonly fc1: Linear;
  readonly act: Module;
  readonly fc2: Linear;
  gamma: Parameter | null;

  constructor(dim: number, opts: MLPBlockOptions = {}) {
    super();
    const where = 'MLPBlock';
    checkOptions(where, opts, ['hidden', 'expansion', 'activation', 'norm', 'layerScale', 'bias', 'dtype', 'generator']);
    this.dim = checkSize(where, 'dim', dim);
    if (opts.hidden !== undefined && opts.expansion !== undefined) throw new ValueError(`${where}: give hidden or expansion, not both (hidden ${show(opts.hidden)}, expansion ${show(opts.expansion)})`);
    if (opts.hidden !== undefined) this.hidden = checkSize(where, 'hidden', opts.hidden);
    else {
      const e = checkNumber(where, 'expansion', opts.expansion ?? 4, 0);
      this.hidden = checkSize(where, 'hidden (round(expansion * dim))', Math.round(e * dim));
    }
    this.activationName = checkActivation(where, opts.activation ?? 'gelu');
    this.normName = checkBlockNorm(where, opts.norm === undefined ? 'layer' : opts.norm);
    this.layerScale = checkLayerScale(where, opts.layerScale ?? null);
    const dtype = paramDType(where, opts.dtype);
    const lin = { bias: opts.bias ?? true, dtype, generator: opts.generator };
    this.norm = this.normName === null ? null : makeBlockNorm(this.normName, dim, dtype);
    this.fc1 = new Linear(dim, this.hidden, lin);
    this.act = activationFromName(this.activationName);
    this.fc2 = new Linear(this.hidden, dim, lin);
    this.gamma = this.layerScale === null ? null : new Parameter(full([dim], this.layerScale, { dtype }));
  }

  forward(x: Tensor): Tensor {
    checkTrailing(`MLPBlock(${this.dim})`, x, [this.dim]);
    return add(x, this.branch(x));
  }

  /** The residual branch alone: gamma * fc2(act(fc1(norm(x)))). */
  branch(x: Tensor): Tensor {
    const h = this.norm ? this.norm.forward(x) : x;
    const z = this.fc2.forward(linearAct(this.fc1, h, this.activationName, this.act));
    return this.gamma ? mul(z, this.gamma) : z;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'MLPBlock', dim: this.dim, hidden: this.hidden, activation: this.activationName, norm: this.normName,
      layerScale: this.layerScale, bias: this.fc1.bias !== null, dtype: this.fc1.weight.dtype,
    };
  }
}

registerModule('Affine', (c) => new Affine(c.int('dim'), { dtype: c.dtype() }));
registerModule('MLPBlock', (c) => {
  const hidden = c.raw('hidden');
  return new MLPBlock(c.int('dim'), {
    ...(hidden === undefined ? { expansion: c.number('expansion', 4) } : { hidden: c.int('hidden') }),
    activation: c.oneOf('activation', ACTIVATION_NAMES, 'gelu'),
    norm: c.oneOfOrNull('norm', BLOCK_NORMS, 'layer'),
    layerScale: c.numberOrNull('layerScale', null),
    bias: c.bool('bias', true),
    dtype: c.dtype(),
  });
});
