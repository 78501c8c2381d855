/**
 * @file Progressive Implicit Networks (PINs: Landgraf, Sorkine-Hornung, Cheng 2022, "PINs:
 * Progressive Implicit Networks for Multi-Scale Neural Representations", ICML,
 * https://arxiv.org/abs/2202.04713): a Gaussian Fourier encoding whose frequencies are sorted by
 * magnitude and split into `levels` equal bands, consumed by a network that grows with the level:
 *
 *   gamma_l(x) = [cos(2 pi B_l x), sin(2 pi B_l x)]           (B_l: band l of the sorted B)
 *   h_0 = block_0(gamma_0(x)),  h_l = block_l(cat(h_{l-1}, gamma_l(x)))   (l = 1..L-1)
 *   y_l = head_l(h_l)
 *
 * so level l sees only the lowest l+1 bands and the output y_0 is the coarsest scale, y_{L-1} the
 * finest. A block is `layersPerLevel` Linear+ReLU layers of width `hiddenFeatures`; a head is a
 * Linear(hiddenFeatures, outFeatures).
 *
 * Shapes: x [..., inFeatures]; forward -> [levels, ..., outFeatures] (the outputs of every level
 * stacked, coarse to fine; one tensor so the module composes and saves like any other);
 * forwardAt(x, l) -> [..., outFeatures] (evaluates only levels 0..l); forwardAll -> one tensor per level.
 * State keys: `B` (buffer [mappingSize, inFeatures], rows sorted by norm), blocks.l.i.weight/bias,
 * heads.l.weight/bias.
 *
 * The multi-scale loss, `multiScaleLoss(x, target)`, is sum_l w_l mse(y_l, target_l): by default
 * every level is fitted to the same full-resolution target (the level structure, not per-level
 * supervision, makes the coarse outputs coarse); an array of per-level targets (e.g. low-passed or
 * downsampled-then-upsampled copies of the signal) gives the explicitly supervised variant.
 */
import { checkOptions } from '../../core/args.js';
import { empty, tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import type { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { add, cat, cos, linear, mul, sin, sliceAxis } from '../../ops/primitives/index.js';
import { mse, stack } from '../../ops/composite/index.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkPositive, checkTrailing, paramDType, show } from '../check.js';
import { ModuleList } from '../container.js';
import * as init from '../init.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';

export interface ProgressiveImplicitNetworkOptions {
  /** L, the number of frequency bands and output scales; must divide mappingSize (default 4). */
  levels?: number;
  /** sigma of the Gaussian frequencies B ~ N(0, sigma^2), in cycles per unit; > 0 (default 10). */
  scale?: number;
  /** Linear+ReLU layers in each level's block (default 1). */
  layersPerLevel?: number;
  dtype?: FloatDType;
  /** Generator for B and the Linear initialisation (default: the default generator). */
  generator?: Generator;
}

export interface MultiScaleLossOptions {
  /** One weight per level (default all 1). */
  weights?: readonly number[];
}

const KEYS = ['levels', 'scale', 'layersPerLevel', 'dtype', 'generator'] as const;
const TWO_PI = 2 * Math.PI;
const NAME = 'ProgressiveImplicitNetwork';

/** Gaussian B [m, d] with its rows sorted by norm, lowest first (so band 0 is the coarsest). */
function sortedGaussian(m: number, d: number, scale: number, dtype: FloatDType, generator: Generator | undefined): Tensor {
  const raw = noGrad(() => init.normal(empty([m, d], { dtype: 'float64' }), 0, scale, { generator }))._peek();
  const rows = Array.from({ length: m }, (_, j) => Array.from({ length: d }, (_, i) => Number(raw[j * d + i])));
  rows.sort((a, b) => a.reduce((s, v) => s + v * v, 0) - b.reduce((s, v) => s + v * v, 0));
  return tensor(rows.flat(), { shape: [m, d], dtype });
}

/**
 * A PIN: progressive positional encoding with an output head per level (see the file comment).
 * @param inFeatures d, the coordinate dimension (2 for images)
 * @param mappingSize m, the number of Gaussian frequencies (each gives a cosine and a sine), split into `levels` bands
 * @param hiddenFeatures the width of every hidden layer
 * @param outFeatures the output channels of every level's head
 * @example new nn.encoding.ProgressiveImplicitNetwork(2, 64, 64, 3, { levels: 4, scale: 10 }) // [N, 2] -> [4, N, 3]
 */
export class ProgressiveImplicitNetwork extends Module {
  readonly inFeatures: number;
  readonly mappingSize: number;
  readonly hiddenFeatures: number;
  readonly outFeatures: number;
  readonly levels: number;
  readonly scale: number;
  readonly layersPerLevel: number;
  /** Frequencies per band (mappingSize / levels). */
  readonly bandSize: number;
  readonly blocks: ModuleList;
  readonly heads: ModuleList;

  constructor(inFeatures: number, mappingSize: number, hiddenFeatures: number, outFeatures: number, opts: ProgressiveImplicitNetworkOptions = {}) {
    super();
    checkOptions(NAME, opts, KEYS);
    this.inFeatures = checkInt(NAME, 'inFeatures', inFeatures, 1);
    this.mappingSize = checkInt(NAME, 'mappingSize', mappingSize, 1);
    this.hiddenFeatures = checkInt(NAME, 'hiddenFeatures', hiddenFeatures, 1);
    this.outFeatures = checkInt(NAME, 'outFeatures', outFeatures, 1);
    this.levels = checkInt(NAME, 'levels', opts.levels ?? 4, 1);
    if (mappingSize % this.levels !== 0) {
      throw new ValueError(`${NAME}: levels (${this.levels}) must divide mappingSize (${mappingSize}) so every band has the same number of frequencies`);
    }
    this.scale = checkPositive(NAME, 'scale', opts.scale ?? 10);
    this.layersPerLevel = checkInt(NAME, 'layersPerLevel', opts.layersPerLevel ?? 1, 1);
    const dtype = paramDType(NAME, opts.dtype);
    const generator = opts.generator;
    this.bandSize = mappingSize / this.levels;
    const h = hiddenFeatures;
    this.registerBuffer('B', sortedGaussian(mappingSize, inFeatures, this.scale, dtype, generator));
    this.blocks = new ModuleList(Array.from({ length: this.levels }, (_, l) => new ModuleList(
      Array.from({ length: this.layersPerLevel }, (_, i) => new Linear(i > 0 ? h : (l > 0 ? h : 0) + 2 * this.bandSize, h, { dtype, generator })),
    )));
    this.heads = new ModuleList(Array.from({ length: this.levels }, () => new Linear(h, outFeatures, { dtype, generator })));
  }

  /** The sorted frequency matrix B [mappingSize, inFeatures] (band l: rows l*bandSize .. (l+1)*bandSize-1). */
  get frequencies(): Tensor {
    return this.getBuffer('B')!;
  }

  private check(x: Tensor): void {
    const where = `${NAME}(${this.inFeatures}, ${this.mappingSize}, levels ${this.levels})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.frequencies.dtype as FloatDType);
  }

  /** The outputs of levels 0..upTo (inputs checked by the caller). */
  private run(x: Tensor, upTo: number): Tensor[] {
    const k = this.bandSize;
    const b = sliceAxis(this.frequencies, 0, 0, (upTo + 1) * k); // only the bands these levels read
    const proj = linear(mul(x, TWO_PI), b, null, 'none');
    const outs: Tensor[] = [];
    let h: Tensor | null = null;
    for (let l = 0; l <= upTo; l++) {
      const band = sliceAxis(proj, -1, l * k, (l + 1) * k);
      const gamma = cat([cos(band), sin(band)], -1);
      let z: Tensor = h === null ? gamma : cat([h, gamma], -1);
      const block = this.blocks.at(l) as ModuleList;
      for (let i = 0; i < this.layersPerLevel; i++) z = (block.at(i) as Linear).forwardWith(z, 'relu');
      h = z;
      outs.push(this.heads.at(l).forward(z));
    }
    return outs;
  }

  /** Every level's output stacked on a new leading axis, coarse to fine: [levels, ..., outFeatures]. */
  forward(x: Tensor): Tensor {
    this.check(x);
    return stack(this.run(x, this.levels - 1), 0);
  }

  /** One tensor [..., outFeatures] per level, coarse to fine. */
  forwardAll(x: Tensor): Tensor[] {
    return frame(() => {
      this.check(x);
      return this.run(x, this.levels - 1);
    });
  }

  /** The output of level `level` (0 = coarsest), computing only the levels it depends on. */
  forwardAt(x: Tensor, level: number): Tensor {
    if (!Number.isInteger(level) || level < 0 || level >= this.levels) {
      throw new ValueError(`${NAME}.forwardAt: level must be an integer in [0, ${this.levels - 1}], got ${show(level)}`);
    }
    return frame(() => {
      this.check(x);
      return this.run(x, level).at(-1)!;
    });
  }

  /**
   * sum_l w_l mse(y_l, target_l): `target` is one tensor [..., outFeatures] shared by every level
   * (the PINs objective) or an array of `levels` tensors, one per level (e.g. low-passed targets).
   */
  multiScaleLoss(x: Tensor, target: Tensor | readonly Tensor[], opts: MultiScaleLossOptions = {}): Tensor {
    checkOptions(`${NAME}.multiScaleLoss`, opts, ['weights']);
    const L = this.levels;
    const targets = target instanceof Tensor ? Array.from({ length: L }, () => target) : target;
    if (!Array.isArray(targets) || targets.length !== L || !targets.every((t) => t instanceof Tensor)) {
      throw new ValueError(`${NAME}.multiScaleLoss: target must be a Tensor or an array of ${L} Tensors (one per level), got ${show(target)}`);
    }
    const w = opts.weights ?? Array.from({ length: L }, () => 1);
    if (!Array.isArray(w) || w.length !== L || !w.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new ValueError(`${NAME}.multiScaleLoss: weights must be ${L} finite numbers >= 0 (one per level), got ${show(opts.weights)}`);
    }
    return frame(() => {
      this.check(x);
      const outs = this.run(x, L - 1);
      let total: Tensor | null = null;
      outs.forEach((y, l) => {
        const term = w[l] === 1 ? mse(y, targets[l]!) : mul(mse(y, targets[l]!), w[l]!);
        total = total === null ? term : add(total, term);
      });
      return total!;
    });
  }

  override getConfig(): ModuleConfig {
    return {
      type: NAME, inFeatures: this.inFeatures, mappingSize: this.mappingSize, hiddenFeatures: this.hiddenFeatures,
      outFeatures: this.outFeatures, levels: this.levels, layersPerLevel: this.layersPerLevel, scale: this.scale,
      dtype: this.frequencies.dtype,
    };
  }
}

registerModule(NAME, (c) => new ProgressiveImplicitNetwork(c.int('inFeatures'), c.int('mappingSize'), c.int('hiddenFeatures'), c.int('outFeatures'), {
  levels: c.int('levels', 4), layersPerLevel: c.int('layersPerLevel', 1), scale: c.number('scale', 10), dtype: c.dtype(),
}));
