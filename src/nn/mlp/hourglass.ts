/**
 * @file The Hourglass MLP ("Rethinking the shape convention of an MLP", arXiv 2510.01796,
 * https://arxiv.org/abs/2510.01796): residual blocks that are wide-narrow-wide,
 *   z = lift(x);   z = z + W_up act(W_down z)  (depth times);   y = head(z)
 * so the skip connections run at the wide dimension and the computation squeezes through the
 * narrow one, the opposite of the conventional narrow-wide-narrow residual MLP. The input lifting
 * projection `lift` (inFeatures -> wide) can be frozen at its random initialisation
 * (`freezeLift: true`: its parameters have requiresGrad false, so optimizers skip them and
 * numParameters({ trainableOnly: true }) leaves them out); the paper reports that a fixed random
 * lift loses little.
 * Each block is an MLPBlock(wide, { hidden: narrow, norm }) (no norm by default).
 * Shape contract: x [..., inFeatures] -> [..., outFeatures]. State keys: lift.*, blocks.i.*, head.*.
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName } from '../activation.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';
import { BLOCK_NORMS, type BlockNorm, MLPBlock, checkActivation, checkBlockNorm, checkSize } from './block.js';

export interface HourglassMLPOptions {
  /** Default 'gelu'. */
  activation?: ActivationName;
  /** Pre-norm inside each block (default null: none, the plain z + W_up act(W_down z)). */
  norm?: BlockNorm | null;
  /** Keep the lifting projection at its random init (default false). */
  freezeLift?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * @example new nn.HourglassMLP(784, 512, 64, 3, 784, { freezeLift: true })  // a denoiser
 */
export class HourglassMLP extends Module {
  readonly inFeatures: number;
  readonly wide: number;
  readonly narrow: number;
  readonly depth: number;
  readonly outFeatures: number;
  readonly freezeLift: boolean;
  readonly lift: Linear;
  readonly blocks: ModuleList;
  readonly head: Linear;

  constructor(inFeatures: number, wide: number, narrow: number, depth: number, outFeatures: number, opts: HourglassMLPOptions = {}) {
    super();
    const where = 'HourglassMLP';
    checkOptions(where, opts, ['activation', 'norm', 'freezeLift', 'dtype', 'generator']);
    this.inFeatures = checkSize(where, 'inFeatures', inFeatures);
    this.wide = checkSize(where, 'wide', wide);
    this.narrow = checkSize(where, 'narrow', narrow);
    this.depth = checkSize(where, 'depth', depth);
    this.outFeatures = checkSize(where, 'outFeatures', outFeatures);
    const activation = checkActivation(where, opts.activation ?? 'gelu');
    const norm = checkBlockNorm(where, opts.norm ?? null);
    this.freezeLift = checkBool(where, 'freezeLift', opts.freezeLift ?? false);
    const { dtype, generator } = opts;
    this.lift = new Linear(inFeatures, wide, { dtype, generator });
    if (this.freezeLift) this.lift.requiresGrad_(false);
    this.blocks = new ModuleList(Array.from({ length: depth }, () => new MLPBlock(wide, { hidden: narrow, activation, norm, dtype, generator })));
    this.head = new Linear(wide, outFeatures, { dtype, generator });
  }

  forward(x: Tensor): Tensor {
    let z = this.lift.forward(x);
    for (const b of this.blocks) z = b.forward(z);
    return this.head.forward(z);
  }

  override getConfig(): ModuleConfig {
    const b = this.blocks.at(0) as MLPBlock;
    return {
      type: 'HourglassMLP', inFeatures: this.inFeatures, wide: this.wide, narrow: this.narrow, depth: this.depth, outFeatures: this.outFeatures,
      activation: b.activationName, norm: b.normName, freezeLift: this.freezeLift, dtype: this.head.weight.dtype,
    };
  }
}

registerModule('HourglassMLP', (c) => new HourglassMLP(c.int('inFeatures'), c.int('wide'), c.int('narrow'), c.int('depth'), c.int('outFeatures'), {
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'gelu'), norm: c.oneOfOrNull('norm', BLOCK_NORMS, null), freezeLift: c.bool('freezeLift', false), dtype: c.dtype(),
}));
