/**
 * @file Nested models: one set of parameters, many sizes, each usable at inference.
 *
 * `Matryoshka`: Matryoshka Representation Learning (Kusupati et al. 2022,
 * https://arxiv.org/abs/2205.13147). A classification head over the nested prefixes z[..., :m] of an
 * embedding z [..., d], m in `nestingList` (ascending, last = d). MRL keeps one Linear(m, C) per
 * prefix; MRL-E (`efficient: true`) ties them: prefix m uses the first m columns of one
 * Linear(d, C) weight and its whole bias (the official MRL_Linear_Layer). The training loss is
 * sum_i c_i CE(W_i z[:m_i], y) (`loss`, with `relativeImportance` c, default all 1), so every prefix
 * is a good representation on its own.
 * Shapes: forward / forwardAt x [..., d] (forwardAt also takes [..., m]) -> logits [..., C];
 * forwardAll x [..., d] -> one [..., C] per prefix; loss: x [N, d], y int32 [N] -> scalar.
 *
 * `SortedNet`: nested sub-networks sorted by width (Valipour et al. 2023,
 * https://arxiv.org/abs/2309.00255). An MLP sizes = [in, h, ..., h, out] whose sub-model of width w
 * (w in `widths`, ascending, last = h) uses the first w units of every hidden layer: layer i computes
 * x W_i[:w_out, :w_in]^T + b_i[:w_out]. Training samples one sub-model per forward call in training
 * mode (uniformly, from the default generator or `generator`, so manualSeed makes it reproducible;
 * `sample: false` trains the set `width` only); eval mode runs `width` (default the largest).
 * Shapes: x [..., in] -> [..., out] at any width.
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { type Generator, defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, linear, mul, sliceAxis } from '../../ops/primitives/index.js';
import { crossEntropy } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, checkTrailing, show } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from '../activation.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';

/** A strictly increasing list of positive integers (`name` in errors). */
export function checkNesting(where: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new ValueError(`${where}: ${name} must be a non-empty array of increasing positive integers, got ${show(v)}`);
  v.forEach((m, i) => checkInt(where, `${name}[${i}]`, m, 1));
  for (let i = 1; i < v.length; i++) {
    if ((v[i] as number) <= (v[i - 1] as number)) {
      throw new ValueError(`${where}: ${name} must be strictly increasing, got ${JSON.stringify(v)} (${name}[${i}] = ${v[i]} <= ${v[i - 1]})`);
    }
  }
  return [...(v as number[])];
}

/** `w` must be one of `list` (a width or prefix the model was not built for has no trained head). */
function checkMember(where: string, name: string, w: unknown, list: readonly number[]): number {
  if (typeof w !== 'number' || !list.includes(w)) throw new ValueError(`${where}: ${name} must be one of ${list.join(', ')}, got ${show(w)}`);
  return w;
}

export interface MatryoshkaOptions {
  /** MRL-E: one weight matrix shared by every prefix (default false: one Linear per prefix). */
  efficient?: boolean;
  bias?: boolean;
  /** The prefix `forward` uses (default the full dimension). */
  dim?: number;
  /** Loss weight c_i of each prefix (default all 1). */
  relativeImportance?: readonly number[] | null;
  dtype?: FloatDType;
  generator?: Generator;
}

/** MRL / MRL-E classification head over nested prefixes of an embedding; see the file header. */
export class Matryoshka extends Module {
  readonly nestingList: number[];
  readonly numClasses: number;
  readonly efficient: boolean;
  readonly relativeImportance: number[] | null;
  readonly classifiers: ModuleList;
  private _dim: number;

  constructor(nestingList: readonly number[], numClasses: number, opts: MatryoshkaOptions = {}) {
    super();
    checkOptions('Matryoshka', opts, ['efficient', 'bias', 'dim', 'relativeImportance', 'dtype', 'generator']);
    this.nestingList = checkNesting('Matryoshka', 'nestingList', nestingList);
    this.numClasses = checkInt('Matryoshka', 'numClasses', numClasses, 1);
    this.efficient = checkBool('Matryoshka', 'efficient', opts.efficient ?? false);
    const bias = checkBool('Matryoshka', 'bias', opts.bias ?? true);
    const d = this.nestingList.at(-1)!;
    this._dim = checkMember('Matryoshka', 'dim', opts.dim ?? d, this.nestingList);
    const ri = opts.relativeImportance ?? null;
    if (ri !== null && (!Array.isArray(ri) || ri.length !== this.nestingList.length || ri.some((c) => typeof c !== 'number' || !Number.isFinite(c) || c < 0))) {
      throw new ValueError(`Matryoshka: relativeImportance must be null or ${this.nestingList.length} finite numbers >= 0 (one per nesting), got ${show(ri)}`);
    }
    this.relativeImportance = ri === null ? null : [...ri];
    const { dtype, generator } = opts;
    const widths = this.efficient ? [d] : this.nestingList;
    this.classifiers = new ModuleList(widths.map((m) => new Linear(m, this.numClasses, { bias, dtype, generator })));
  }

  /** The prefix `forward` uses; setting it to a size not in `nestingList` is a ValueError. */
  get dim(): number {
    return this._dim;
  }

  set dim(m: number) {
    this._dim = checkMember('Matryoshka', 'dim', m, this.nestingList);
  }

  forward(x: Tensor): Tensor {
    return this.forwardAt(x, this._dim);
  }

  /** Logits from the prefix of size m; x is the whole embedding [..., d] or the prefix [..., m]. */
  forwardAt(x: Tensor, m: number): Tensor {
    checkMember('Matryoshka.forwardAt', 'm', m, this.nestingList);
    const d = this.nestingList.at(-1)!;
    const last = x.rank > 0 ? x.shape[x.rank - 1] : undefined;
    if (last !== d && last !== m) {
      throw new ShapeError(`Matryoshka(${this.nestingList.join(',')}): input shape ${fmtShape(x.shape)} must end with ${d} (the embedding) or ${m} (its prefix)`);
    }
    const head = this.classifiers.at(this.efficient ? 0 : this.nestingList.indexOf(m)) as Linear;
    checkInputDType('Matryoshka', x, head.weight.dtype as FloatDType);
    const z = last === m ? x : sliceAxis(x, -1, 0, m);
    const w = this.efficient && m !== d ? sliceAxis(head.weight, 1, 0, m) : head.weight;
    return linear(z, w, head.bias);
  }

  /** Logits of every prefix, in `nestingList` order. */
  forwardAll(x: Tensor): Tensor[] {
    checkTrailing(`Matryoshka(${this.nestingList.join(',')})`, x, [this.nestingList.at(-1)!]);
    return this.nestingList.map((m) => this.forwardAt(x, m));
  }

  /** The MRL objective: sum_i c_i crossEntropy(logits of prefix i, target) (batch means). */
  loss(x: Tensor, target: Tensor): Tensor {
    const logits = this.forwardAll(x);
    let total: Tensor | null = null;
    logits.forEach((l, i) => {
      const c = this.relativeImportance?.[i] ?? 1;
      const term = c === 1 ? crossEntropy(l, target) : mul(crossEntropy(l, target), c);
      total = total === null ? term : add(total, term);
    });
    return total!;
  }

  override getConfig(): ModuleConfig {
    const head = this.classifiers.at(0) as Linear;
    return {
      type: 'Matryoshka', nestingList: [...this.nestingList], numClasses: this.numClasses, efficient: this.efficient,
      bias: head.bias !== null, dim: this._dim, relativeImportance: this.relativeImportance ? [...this.relativeImportance] : null,
      dtype: head.weight.dtype,
    };
  }
}

export interface SortedNetOptions {
  activation?: ActivationName;
  bias?: boolean;
  /** The width eval mode (and training with sample: false) uses (default the largest). */
  width?: number;
  /** Sample a width per forward call in training mode (default true). */
  sample?: boolean;
  dtype?: FloatDType;
  /** Source of the initial weights and of the sampled widths (default: the default generator). */
  generator?: Generator;
}

/** An MLP with nested sub-widths sharing parameters (SortedNet); see the file header. */
export class SortedNet extends Module {
  readonly sizes: number[];
  readonly widths: number[];
  readonly activationName: ActivationName;
  readonly sample: boolean;
  readonly layers: ModuleList;
  readonly activation: Module;
  /** The width of the last forward call (the sampled one in training). */
  lastWidth: number;
  private _width: number;
  private readonly generator: Generator | undefined;

  constructor(sizes: readonly number[], widths: readonly number[], opts: SortedNetOptions = {}) {
    super();
    checkOptions('SortedNet', opts, ['activation', 'bias', 'width', 'sample', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 3) throw new ValueError(`SortedNet: sizes must be [in, hidden..., out] with at least one hidden layer, got ${show(sizes)}`);
    this.sizes = sizes.map((s, i) => checkInt('SortedNet', `sizes[${i}]`, s, 1));
    this.widths = checkNesting('SortedNet', 'widths', widths);
    const h = this.widths.at(-1)!;
    this.sizes.slice(1, -1).forEach((s, i) => {
      if (s !== h) throw new ValueError(`SortedNet: every hidden size must equal the largest width ${h}, got sizes[${i + 1}] = ${s}`);
    });
    this.activationName = opts.activation ?? 'relu';
    if (!ACTIVATION_NAMES.includes(this.activationName)) {
      throw new ValueError(`SortedNet: activation must be one of ${ACTIVATION_NAMES.join(', ')}, got ${show(this.activationName)}`);
    }
    this.sample = checkBool('SortedNet', 'sample', opts.sample ?? true);
    const bias = checkBool('SortedNet', 'bias', opts.bias ?? true);
    this._width = checkMember('SortedNet', 'width', opts.width ?? h, this.widths);
    this.lastWidth = this._width;
    this.generator = opts.generator;
    const { dtype, generator } = opts;
    this.layers = new ModuleList(this.sizes.slice(1).map((out, i) => new Linear(this.sizes[i]!, out, { bias, dtype, generator })));
    this.activation = activationFromName(this.activationName);
  }

  /** The width eval mode runs; setting one not in `widths` is a ValueError. */
  get width(): number {
    return this._width;
  }

  set width(w: number) {
    this._width = checkMember('SortedNet', 'width', w, this.widths);
  }

  /** One width drawn uniformly from `widths`. */
  sampleWidth(): number {
    return this.widths[(this.generator ?? defaultGenerator).nextInt(0, this.widths.length)]!;
  }

  forward(x: Tensor): Tensor {
    return this.forwardAt(x, this.training && this.sample ? this.sampleWidth() : this._width);
  }

  /** The sub-model of width w. */
  forwardAt(x: Tensor, w: number): Tensor {
    checkMember('SortedNet.forwardAt', 'width', w, this.widths);
    const where = `SortedNet(${this.sizes.join(', ')})`;
    checkTrailing(where, x, [this.sizes[0]!]);
    const first = this.layers.at(0) as Linear;
    checkInputDType(where, x, first.weight.dtype as FloatDType);
    this.lastWidth = w;
    const last = this.layers.length - 1;
    let h = x;
    for (let i = 0; i <= last; i++) {
      const lin = this.layers.at(i) as Linear;
      const rows = i === last ? lin.outFeatures : w;
      const cols = i === 0 ? lin.inFeatures : w;
      let wt: Tensor = lin.weight;
      if (rows !== lin.outFeatures) wt = sliceAxis(wt, 0, 0, rows);
      if (cols !== lin.inFeatures) wt = sliceAxis(wt, 1, 0, cols);
      const b = lin.bias && rows !== lin.outFeatures ? sliceAxis(lin.bias, 0, 0, rows) : lin.bias;
      h = linear(h, wt, b);
      if (i < last) h = this.activation.forward(h);
    }
    return h;
  }

  override getConfig(): ModuleConfig {
    const first = this.layers.at(0) as Linear;
    return {
      type: 'SortedNet', sizes: [...this.sizes], widths: [...this.widths], activation: this.activationName, bias: first.bias !== null,
      width: this._width, sample: this.sample, dtype: first.weight.dtype,
    };
  }
}

registerModule('Matryoshka', (c) => {
  const ri = c.raw('relativeImportance');
  return new Matryoshka(c.ints('nestingList'), c.int('numClasses'), {
    efficient: c.bool('efficient', false), bias: c.bool('bias', true), dim: c.raw('dim') === undefined ? undefined : c.int('dim'),
    relativeImportance: ri === undefined || ri === null ? null : (ri as number[]), dtype: c.dtype(),
  });
});
registerModule('SortedNet', (c) => new SortedNet(c.ints('sizes'), c.ints('widths'), {
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'relu'), bias: c.bool('bias', true),
  width: c.raw('width') === undefined ? undefined : c.int('width'), sample: c.bool('sample', true), dtype: c.dtype(),
}));
