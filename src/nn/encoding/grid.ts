/**
 * @file A dense learnable feature grid with multilinear interpolation (bilinear in 2-D), the
 * low-resolution encoding of Gaussian neural fields (Bouzidi et al. 2025, arXiv 2503.06762) and of
 * grid-based neural fields generally. Grid points sit uniformly on [low, high] along each of the
 * `inFeatures` axes, `resolution` per axis; inputs outside are clamped to the box.
 * Shapes: x [..., inFeatures] -> [..., features]; weight [resolution^inFeatures, features] (row
 * index sum_a i_a * resolution^(inFeatures-1-a), the first axis slowest).
 * Gradients reach the grid values (through indexSelect) and the input (through the interpolation
 * weights; 0 outside the box, where the clamp is flat).
 */
import { checkOptions } from '../../core/args.js';
import { empty, tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, clamp, indexSelect, mul, reshape, slice, sub } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from '../check.js';
import * as init from '../init.js';

export interface FeatureGridOptions {
  /** The box the grid spans on every axis (default [-1, 1]). */
  range?: [number, number];
  /** Initial values U(-initScale, initScale) (default 1). */
  initScale?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/** Too many grid points is almost always a mistake (resolution^inFeatures grows fast). */
const MAX_POINTS = 1 << 24;

/** @example new nn.encoding.FeatureGrid(2, 16, 8)  // a 16 x 16 grid of 8-dim features */
export class FeatureGrid extends Module {
  readonly inFeatures: number;
  readonly resolution: number;
  readonly features: number;
  readonly range: [number, number];
  weight: Parameter;

  constructor(inFeatures: number, resolution: number, features: number, opts: FeatureGridOptions = {}) {
    super();
    checkOptions('FeatureGrid', opts, ['range', 'initScale', 'dtype', 'generator']);
    this.inFeatures = checkInt('FeatureGrid', 'inFeatures', inFeatures, 1);
    this.resolution = checkInt('FeatureGrid', 'resolution', resolution, 2);
    this.features = checkInt('FeatureGrid', 'features', features, 1);
    const r = opts.range ?? [-1, 1];
    if (!Array.isArray(r) || r.length !== 2) throw new ValueError(`FeatureGrid: range must be [low, high], got ${JSON.stringify(r)}`);
    const [low, high] = [checkNumber('FeatureGrid', 'range[0]', r[0]), checkNumber('FeatureGrid', 'range[1]', r[1])];
    if (!(low < high)) throw new ValueError(`FeatureGrid: range must have low < high, got [${low}, ${high}]`);
    this.range = [low, high];
    const scale = checkNumber('FeatureGrid', 'initScale', opts.initScale ?? 1, 0);
    const points = resolution ** inFeatures;
    if (points > MAX_POINTS) throw new ValueError(`FeatureGrid: resolution^inFeatures = ${resolution}^${inFeatures} exceeds ${MAX_POINTS} grid points`);
    const dtype = paramDType('FeatureGrid', opts.dtype);
    this.weight = new Parameter(init.uniform(empty([points, features], { dtype }), -scale, scale, { generator: opts.generator }));
  }

  forward(x: Tensor): Tensor {
    const where = `FeatureGrid(${this.inFeatures}, ${this.resolution}, ${this.features})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.weight.dtype as FloatDType);
    const d = this.inFeatures;
    const R = this.resolution;
    const n = x.size / d;
    const [low, high] = this.range;
    // Grid coordinates u in [0, R - 1]; the cell's lower corner i0 is a constant (no gradient),
    // the fraction t = u - i0 carries the input's gradient.
    const u = clamp(mul(sub(reshape(x, [n, d]), low), (R - 1) / (high - low)), 0, R - 1);
    const uv = u._peek();
    const i0 = new Int32Array(n * d);
    for (let k = 0; k < n * d; k++) i0[k] = Math.min(Math.floor(uv[k]!), R - 2);
    const t = sub(u, tensor(Float64Array.from(i0), { dtype: x.dtype, shape: [n, d] }));
    const ts = Array.from({ length: d }, (_, a) => slice(t, [null, [a, a + 1]]));
    let out: Tensor | null = null;
    for (let corner = 0; corner < 1 << d; corner++) {
      const idx = new Int32Array(n);
      let w: Tensor | null = null;
      for (let a = 0; a < d; a++) {
        const bit = (corner >> (d - 1 - a)) & 1;
        const stride = R ** (d - 1 - a);
        for (let k = 0; k < n; k++) idx[k] = idx[k]! + (i0[k * d + a]! + bit) * stride;
        const f = bit ? ts[a]! : sub(1, ts[a]!);
        w = w === null ? f : mul(w, f);
      }
      const term = mul(w!, indexSelect(this.weight, 0, tensor(idx, { dtype: 'int32', shape: [n] })));
      out = out === null ? term : add(out, term);
    }
    return reshape(out!, [...x.shape.slice(0, -1), this.features]);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'FeatureGrid', inFeatures: this.inFeatures, resolution: this.resolution, features: this.features,
      range: [...this.range], dtype: this.weight.dtype,
    };
  }
}

// range goes to the constructor as given: it checks the pair and names range[i] on a bad value.
registerModule('FeatureGrid', (c) => new FeatureGrid(c.int('inFeatures'), c.int('resolution'), c.int('features'), {
  range: c.raw('range') as [number, number] | undefined, dtype: c.dtype(),
}));
