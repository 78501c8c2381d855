/**
 * @file A pre-norm residual MLP and the conversions of Jiang et al., "Pre-RMSNorm and Pre-CRMSNorm
 * Transformers: Equivalent and Efficient Pre-LN Transformers" (NeurIPS 2023,
 * https://arxiv.org/abs/2305.14858), applied to the MLP blocks of a Transformer.
 *
 * Model: h = embed(x); per block h = h + fc2(act(fc1(norm(h)))); y = head(norm_f(h)).
 * LayerNorm(h) = RMSNorm(h - mean(h)), so once the main branch h is kept zero-mean (the embedding and
 * every fc2 project onto the zero-mean subspace: W <- (I - 11^T/d) W) every LayerNorm may become an
 * RMSNorm with the same eps and scale, its shift folded into the next Linear's bias. A zero-mean h
 * is also determined by its first d - 1 entries, so the Pre-CRMSNorm twin keeps only those and
 * normalises them with CRMSNorm (the scale folded into the next Linear). All three compute the same
 * function; the conversions return a new model and leave the given one unchanged.
 *
 * Shape contract: x [..., in] -> [..., out]; the main branch has `width` dims (norm 'layer' or
 * 'rms') or width - 1 (norm 'crms'). State keys embed.*, blocks.i.{norm,fc1,fc2}.*, norm.*, head.*.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, matmul, mul, reshape, sliceAxis, sub } from '../../ops/primitives/index.js';
import { mean } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkNumber } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from '../activation.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';
import { LayerNorm, RMSNorm } from '../norm.js';
import { CRMSNorm } from './crmsnorm.js';

export const PRE_NORMS = ['layer', 'rms', 'crms'] as const;
export type PreNorm = (typeof PRE_NORMS)[number];

export interface PreNormResidualMLPOptions {
  /** Number of residual blocks (default 2). */
  depth?: number;
  /** Hidden width of each block's MLP (default 4 * width). */
  hidden?: number;
  /** 'layer' (Pre-LN, default), 'rms' (Pre-RMSNorm) or 'crms' (Pre-CRMSNorm, branch of width - 1). */
  norm?: PreNorm;
  /** Activation inside the blocks (default 'gelu'). */
  activation?: ActivationName;
  /** The norms' eps (default 1e-5, LayerNorm's, so that the three variants agree). */
  eps?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * One block: h + fc2(act(fc1(norm(h)))). Shapes: h [..., d] -> [..., d] with fc1: Linear(d, hidden),
 * fc2: Linear(hidden, d). Config: { type: 'PreNormBlock', layers: [norm, fc1, act, fc2] }.
 */
export class PreNormBlock extends Module {
  constructor(readonly norm: Module, readonly fc1: Linear, readonly act: Module, readonly fc2: Linear) {
    super();
    if (!(norm instanceof Module) || !(act instanceof Module)) throw new ValueError('PreNormBlock: norm and act must be nn.Modules');
    if (!(fc1 instanceof Linear) || !(fc2 instanceof Linear)) throw new ValueError('PreNormBlock: fc1 and fc2 must be nn.Linear layers');
    if (fc1.outFeatures !== fc2.inFeatures || fc2.outFeatures !== fc1.inFeatures) {
      throw new ValueError(`PreNormBlock: fc1 must be Linear(d, hidden) and fc2 Linear(hidden, d), got fc1 Linear(${fc1.inFeatures}, ${fc1.outFeatures}) and fc2 Linear(${fc2.inFeatures}, ${fc2.outFeatures})`);
    }
  }

  forward(h: Tensor): Tensor {
    return add(h, this.fc2.forward(this.act.forward(this.fc1.forward(this.norm.forward(h)))));
  }

  override getConfig(): ModuleConfig {
    return { type: 'PreNormBlock', layers: [this.norm.getConfig(), this.fc1.getConfig(), this.act.getConfig(), this.fc2.getConfig()] };
  }
}

function makeNorm(kind: PreNorm, n: number, eps: number, dtype: FloatDType | undefined): Module {
  switch (kind) {
    case 'layer': return new LayerNorm(n, { eps, dtype });
    case 'rms': return new RMSNorm(n, { eps, dtype });
    case 'crms': return new CRMSNorm(n, { eps, dtype });
  }
}

/**
 * The pre-norm residual MLP (the feed-forward half of a Pre-LN Transformer on vectors).
 * @example new nn.PreNormResidualMLP(8, 16, 3, { depth: 2, norm: 'layer' })
 */
export class PreNormResidualMLP extends Module {
  readonly inFeatures: number;
  readonly width: number;
  readonly outFeatures: number;
  readonly hidden: number;
  readonly normKind: PreNorm;
  readonly activationName: ActivationName;
  readonly eps: number;
  readonly embed: Linear;
  readonly blocks: ModuleList;
  readonly norm: Module;
  readonly head: Linear;

  constructor(inFeatures: number, width: number, outFeatures: number, opts: PreNormResidualMLPOptions = {}) {
    super();
    const where = 'PreNormResidualMLP';
    checkOptions(where, opts, ['depth', 'hidden', 'norm', 'activation', 'eps', 'dtype', 'generator']);
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.width = checkInt(where, 'width', width, 2);
    this.outFeatures = checkInt(where, 'outFeatures', outFeatures, 1);
    const depth = checkInt(where, 'depth', opts.depth ?? 2, 0);
    this.hidden = checkInt(where, 'hidden', opts.hidden ?? 4 * width, 1);
    this.normKind = checkEnum(where, 'norm', opts.norm ?? 'layer', PRE_NORMS);
    this.activationName = checkEnum(where, 'activation', opts.activation ?? 'gelu', ACTIVATION_NAMES);
    this.eps = checkNumber(where, 'eps', opts.eps ?? 1e-5, 0);
    const { dtype, generator } = opts;
    const d = this.normKind === 'crms' ? width - 1 : width;
    this.embed = new Linear(inFeatures, d, { dtype, generator });
    this.blocks = new ModuleList(Array.from({ length: depth }, () => new PreNormBlock(
      makeNorm(this.normKind, d, this.eps, dtype), new Linear(d, this.hidden, { dtype, generator }),
      activationFromName(this.activationName), new Linear(this.hidden, d, { dtype, generator }))));
    this.norm = makeNorm(this.normKind, d, this.eps, dtype);
    this.head = new Linear(d, outFeatures, { dtype, generator });
  }

  get depth(): number { return this.blocks.length; }

  forward(x: Tensor): Tensor {
    // embed checks the input shape and dtype (its message names this model's input width).
    let h = this.embed.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(this.norm.forward(h));
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'PreNormResidualMLP', inFeatures: this.inFeatures, width: this.width, outFeatures: this.outFeatures,
      depth: this.depth, hidden: this.hidden, norm: this.normKind, activation: this.activationName, eps: this.eps,
      dtype: this.embed.weight.dtype,
    };
  }
}

/** (I - 11^T/d) W and (I - 11^T/d) b: the rows' output made zero-mean over the d outputs. */
function centerRows(w: Tensor): Tensor { return sub(w, mean(w, 0, { keepDims: true })); }

/** W diag(g) (scale folded into a Linear's input columns). */
function scaleColumns(w: Tensor, g: Tensor | null): Tensor { return g ? mul(w, reshape(g, [1, g.size])) : w; }

/** b + W beta (a norm's shift folded into the next Linear's bias). */
function foldShift(w: Tensor, b: Tensor | null, beta: Tensor | null): Tensor | null {
  if (!beta) return b;
  const wb = reshape(matmul(w, reshape(beta, [beta.size, 1])), [w.shape[0]!]);
  return b ? add(b, wb) : wb;
}

function requireKind(model: unknown, kind: PreNorm, fn: string): PreNormResidualMLP {
  if (!(model instanceof PreNormResidualMLP) || model.normKind !== kind) {
    const got = model instanceof PreNormResidualMLP ? `norm ${JSON.stringify(model.normKind)}` : typeof model;
    throw new ValueError(`${fn}: model must be a PreNormResidualMLP with norm ${JSON.stringify(kind)}, got ${got}`);
  }
  return model;
}

interface Lin { weight: Tensor; bias: Tensor | null }
/** The Pre-RMSNorm form as weights: zero-mean branch, norm scales kept, shifts folded. */
interface RmsForm { embed: Lin; blocks: { gamma: Tensor | null; fc1: Lin; fc2: Lin }[]; gamma: Tensor | null; head: Lin }

function toRmsForm(model: PreNormResidualMLP): RmsForm {
  const ln = (m: Module): LayerNorm => m as LayerNorm;
  const fold = (norm: LayerNorm, lin: Linear): Lin => ({ weight: lin.weight, bias: foldShift(lin.weight, lin.bias, norm.bias) });
  const center = (lin: Linear): Lin => ({ weight: centerRows(lin.weight), bias: lin.bias ? sub(lin.bias, mean(lin.bias)) : null });
  return {
    embed: center(model.embed),
    blocks: [...model.blocks].map((m) => {
      const b = m as PreNormBlock;
      return { gamma: ln(b.norm).weight, fc1: fold(ln(b.norm), b.fc1), fc2: center(b.fc2) };
    }),
    gamma: ln(model.norm).weight,
    head: fold(ln(model.norm), model.head),
  };
}

function twin(model: PreNormResidualMLP, norm: PreNorm): PreNormResidualMLP {
  return new PreNormResidualMLP(model.inFeatures, model.width, model.outFeatures, {
    depth: model.depth, hidden: model.hidden, norm, activation: model.activationName, eps: model.eps, dtype: model.embed.weight.dtype as FloatDType,
  });
}

function put(sd: Map<string, Tensor>, prefix: string, lin: Lin): void {
  sd.set(`${prefix}.weight`, lin.weight);
  if (lin.bias) sd.set(`${prefix}.bias`, lin.bias);
}

/**
 * The Pre-RMSNorm twin of a Pre-LN PreNormResidualMLP (same function): the embedding and each fc2
 * project onto zero-mean outputs, every LayerNorm becomes an RMSNorm with the same eps and scale,
 * and each LayerNorm shift beta moves into the next Linear's bias (b + W beta).
 */
export function preLNToPreRMSNorm(model: PreNormResidualMLP): PreNormResidualMLP {
  const m = requireKind(model, 'layer', 'preLNToPreRMSNorm');
  return noGrad(() => {
    const f = toRmsForm(m);
    const out = twin(m, 'rms');
    const sd = new Map<string, Tensor>();
    put(sd, 'embed', f.embed);
    f.blocks.forEach((b, i) => {
      if (b.gamma) sd.set(`blocks.${i}.norm.weight`, b.gamma);
      put(sd, `blocks.${i}.fc1`, b.fc1);
      put(sd, `blocks.${i}.fc2`, b.fc2);
    });
    if (f.gamma) sd.set('norm.weight', f.gamma);
    put(sd, 'head', f.head);
    out.loadStateDict(sd);
    return out;
  });
}

/**
 * The Pre-CRMSNorm twin of a Pre-LN PreNormResidualMLP (same function, main branch of width - 1):
 * the Pre-RMSNorm form with the last (redundant) coordinate of the zero-mean branch dropped. Producers
 * (embed, fc2) lose their last output row; consumers (fc1, head) fold the norm scale in and take
 * column i minus the last column, because z_last = -sum(z_i); the CRMSNorm scales are 1.
 */
export function preLNToPreCRMSNorm(model: PreNormResidualMLP): PreNormResidualMLP {
  const m = requireKind(model, 'layer', 'preLNToPreCRMSNorm');
  const d = m.width;
  return noGrad(() => {
    const f = toRmsForm(m);
    const out = twin(m, 'crms');
    const compressOut = (l: Lin): Lin => ({ weight: sliceAxis(l.weight, 0, 0, d - 1), bias: l.bias ? sliceAxis(l.bias, 0, 0, d - 1) : null });
    const compressIn = (l: Lin, gamma: Tensor | null): Lin => {
      const w = scaleColumns(l.weight, gamma);
      return { weight: sub(sliceAxis(w, 1, 0, d - 1), sliceAxis(w, 1, d - 1, d)), bias: l.bias };
    };
    const sd = new Map<string, Tensor>();
    put(sd, 'embed', compressOut(f.embed));
    f.blocks.forEach((b, i) => {
      put(sd, `blocks.${i}.fc1`, compressIn(b.fc1, b.gamma));
      put(sd, `blocks.${i}.fc2`, compressOut(b.fc2));
    });
    put(sd, 'head', compressIn(f.head, f.gamma));
    for (const [k, t] of out.stateDict()) if (/norm\.weight$/.test(k)) sd.set(k, t);   // CRMSNorm scales stay 1
    out.loadStateDict(sd);
    return out;
  });
}

registerModule('PreNormResidualMLP', (c) => new PreNormResidualMLP(c.int('inFeatures'), c.int('width'), c.int('outFeatures'), {
  depth: c.int('depth', 2), hidden: c.int('hidden', 4 * c.int('width')), norm: c.oneOf('norm', PRE_NORMS, 'layer'),
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'gelu'), eps: c.number('eps', 1e-5), dtype: c.dtype(),
}));
registerModule('PreNormBlock', (c) => {
  const layers = c.modules('layers');
  if (layers.length !== 4) throw new ValueError(`fromConfig(PreNormBlock): ${c.path}.layers must be [norm, fc1, act, fc2], got ${layers.length} layers`, 'INVALID_CONFIG');
  const [norm, fc1, act, fc2] = layers as [Module, Linear, Module, Linear];
  return new PreNormBlock(norm, fc1, act, fc2);
});
