/**
 * @file One NoProp-DT block û_θt(z_{t-1}, x) (Li, Teh & Pascanu 2025, https://arxiv.org/abs/2503.24322,
 * Fig. 6 left), with a fully connected image branch: the paper's image branch is convolutional
 * (conv-ReLU-pool-dropout stacks, then Linear(·, 256) and BatchNorm); plexus has no convolution, so
 * here it is Linear layers with ReLU (`imageHidden`), then Linear(·, width) and BatchNorm1d.
 * The rest follows the paper's design:
 *   label branch  h_z = BN(Linear(z)) -> ReLU, plus a residual  BN(Linear(ReLU(BN(Linear(h_z)))));
 *   fused         concat(h_x, h_z) -> Linear(2w, w) -> BN -> ReLU -> Linear(w, w/2) -> BN -> ReLU -> Linear(w/2, C);
 *   output        û = softmax(logits) · W_embed (a convex combination of the class embeddings).
 * Shapes: x [N, inFeatures], z [N, embeddingDim], W_embed [numClasses, embeddingDim] -> û [N, embeddingDim].
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { add, cat, matmul } from '../../ops/primitives/index.js';
import { softmax } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkNumber, checkTrailing, paramDType } from '../check.js';
import { Sequential } from '../container.js';
import { Dropout, Linear } from '../linear.js';
import { BatchNorm1d } from '../norm.js';
import { ReLU } from '../activation.js';

export interface NoPropBlockOptions {
  /** Width w of the branches (the paper: 256; default 256). The fused head narrows to w/2. */
  width?: number;
  /** Hidden sizes of the image branch before its Linear(·, w) + BatchNorm (default [256]). */
  imageHidden?: readonly number[];
  /** Dropout after each image-branch hidden layer (the paper's conv branch uses 0.3; default 0). */
  dropout?: number;
  dtype?: FloatDType;
}

/** û_θt(z_{t-1}, x): see the file header for the layers. */
export class NoPropBlock extends Module {
  readonly inFeatures: number;
  readonly numClasses: number;
  readonly embeddingDim: number;
  readonly width: number;
  readonly imageHidden: readonly number[];
  readonly dropout: number;
  image: Sequential;
  label: Sequential;
  labelResidual: Sequential;
  head: Sequential;

  constructor(inFeatures: number, numClasses: number, embeddingDim: number, opts: NoPropBlockOptions = {}) {
    super();
    const where = 'NoPropBlock';
    checkOptions(where, opts, ['width', 'imageHidden', 'dropout', 'dtype']);
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.numClasses = checkInt(where, 'numClasses', numClasses, 2);
    this.embeddingDim = checkInt(where, 'embeddingDim', embeddingDim, 1);
    const w = (this.width = checkInt(where, 'width', opts.width ?? 256, 2));
    const hidden = opts.imageHidden ?? [256];
    if (!Array.isArray(hidden)) throw new ValueError(`${where}: imageHidden must be an array of sizes, got ${String(hidden)}`, 'INVALID_ARGUMENT');
    this.imageHidden = hidden.map((h, i) => checkInt(where, `imageHidden[${i}]`, h, 1));
    this.dropout = checkNumber(where, 'dropout', opts.dropout ?? 0, 0, 0.999);
    const dtype = paramDType(where, opts.dtype);
    const img: Module[] = [];
    let prev = this.inFeatures;
    for (const h of this.imageHidden) {
      img.push(new Linear(prev, h, { dtype }), new ReLU());
      if (this.dropout > 0) img.push(new Dropout(this.dropout));
      prev = h;
    }
    img.push(new Linear(prev, w, { dtype }), new BatchNorm1d(w, { dtype }));
    this.image = new Sequential(...img);
    this.label = new Sequential(new Linear(this.embeddingDim, w, { dtype }), new BatchNorm1d(w, { dtype }), new ReLU());
    this.labelResidual = new Sequential(new Linear(w, w, { dtype }), new BatchNorm1d(w, { dtype }), new ReLU(), new Linear(w, w, { dtype }), new BatchNorm1d(w, { dtype }));
    const half = Math.max(1, Math.floor(w / 2));
    this.head = new Sequential(
      new Linear(2 * w, w, { dtype }), new BatchNorm1d(w, { dtype }), new ReLU(),
      new Linear(w, half, { dtype }), new BatchNorm1d(half, { dtype }), new ReLU(),
      new Linear(half, this.numClasses, { dtype }),
    );
  }

  /** The block's class logits [N, numClasses] for image x [N, inFeatures] and noisy embedding z [N, embeddingDim]. */
  logits(x: Tensor, z: Tensor): Tensor {
    const where = `NoPropBlock(${this.inFeatures}, ${this.numClasses}, ${this.embeddingDim})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkTrailing(where, z, [this.embeddingDim]);
    if (x.rank !== 2 || z.rank !== 2 || x.shape[0] !== z.shape[0]) {
      throw new ShapeError(`${where}: expected x [N, ${this.inFeatures}] and z [N, ${this.embeddingDim}], got x ${fmtShape(x.shape)} and z ${fmtShape(z.shape)}`);
    }
    const hx = this.image.forward(x);
    const hz1 = this.label.forward(z);
    const hz = add(this.labelResidual.forward(hz1), hz1);
    return this.head.forward(cat([hx, hz], 1));
  }

  /** û = softmax(logits(x, z)) · embed, embed [numClasses, embeddingDim]. */
  forward(x: Tensor, z: Tensor, embed: Tensor): Tensor {
    if (embed.rank !== 2 || embed.shape[0] !== this.numClasses || embed.shape[1] !== this.embeddingDim) {
      throw new ShapeError(`NoPropBlock: embed must be [${this.numClasses}, ${this.embeddingDim}], got ${fmtShape(embed.shape)}`);
    }
    return matmul(softmax(this.logits(x, z), 1), embed);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'NoPropBlock', inFeatures: this.inFeatures, numClasses: this.numClasses, embeddingDim: this.embeddingDim,
      width: this.width, imageHidden: [...this.imageHidden], dropout: this.dropout, dtype: this.image.parameters()[0]!.dtype,
    };
  }
}

registerModule('NoPropBlock', (c) => new NoPropBlock(c.int('inFeatures'), c.int('numClasses'), c.int('embeddingDim'), {
  width: c.int('width', 256), imageHidden: c.ints('imageHidden'), dropout: c.number('dropout', 0), dtype: c.dtype(),
}));
