/**
 * @file Fourier feature mappings of input coordinates (Tancik et al. 2020, "Fourier Features Let
 * Networks Learn High Frequency Functions in Low Dimensional Domains", https://arxiv.org/abs/2006.10739):
 *
 *   gamma(v) = [cos(2 pi B u), sin(2 pi B u)],  u = (v - lo) / (hi - lo)   (then v itself when includeInput)
 *
 * where [lo, hi] = `inputRange` (default [-1, 1], the coordinates of data.imageGrid and SIREN). The
 * paper's coordinates lie in [0, 1) (their code: np.linspace(0, 1, N, endpoint=False)), so rescaling
 * the domain onto [0, 1] keeps `scale` and 'basic' meaning what they mean there: B = I gives one period
 * over the domain, and Gaussian s = 10 has Tancik's s = 10 bandwidth. Applying 2 pi B to [-1, 1]
 * coordinates directly would double every frequency (s = 10 acting as their s = 20) and make 'basic'
 * alias (points one unit apart get the same features). Pass `inputRange: [0, 1]` for the formula
 * verbatim on [0, 1) inputs. The shift by lo only adds a fixed phase per frequency.
 *
 * with the frequency matrix B [m, d] chosen by `kind`:
 * - 'basic': B = I (m = d);
 * - 'positional': log-linear frequencies, rows sigma^(j/k) e_i for j = 0..k-1 (band-major: band j holds
 *   rows j*d .. j*d+d-1), sigma = `scale`, k = `mappingSize`, so m = k*d;
 * - 'gaussian': B ~ N(0, scale^2), drawn once and fixed (a buffer, saved in the state dict);
 * - 'learnable': the same Gaussian draw as the initial value of a trainable Parameter (Li et al. 2021,
 *   "Learnable Fourier Features for Multi-Dimensional Spatial Positional Encoding",
 *   https://arxiv.org/abs/2106.02795; the network after the encoding plays the role of their MLP).
 *
 * Shapes: x [..., inFeatures] -> [..., outFeatures], outFeatures = 2m (+ inFeatures with includeInput);
 * the first m outputs are the cosines, the next m the sines, row j of B feeding output j and m + j.
 * State keys: `B` (buffer for basic/positional/gaussian, parameter for learnable).
 *
 * Frequency mask (SAPE-style progressive encodings, Hertz et al. 2021, https://arxiv.org/abs/2104.09125):
 * `setFrequencyMask(w)` multiplies the cosine and sine of frequency j by w[..., j]; w is [m] (one
 * weight per frequency) or any shape broadcasting against [..., m] (e.g. [N, m]: a mask per point, as
 * SAPE's spatial adaptation needs). It is run-time state set by a schedule (train.FrequencySchedule),
 * not part of the config or the state dict; `null` (the default) is no mask.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { empty, tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { keep } from '../../core/memory.js';
import type { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { cat, linear, mul, sub } from '../../ops/primitives/index.js';
import { cosSin } from '../../ops/primitives/cos-sin.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, checkTrailing, paramDType, show } from '../check.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';

export const FOURIER_KINDS = ['basic', 'positional', 'gaussian', 'learnable'] as const;
export type FourierKind = (typeof FOURIER_KINDS)[number];

export interface FourierFeaturesOptions {
  /** Which frequency matrix B (default 'gaussian'). */
  kind?: FourierKind;
  /** sigma: the standard deviation of B (gaussian, learnable) or the largest frequency (positional); > 0, default 10. Not for basic. */
  scale?: number;
  /**
   * The coordinate domain [lo, hi] (finite, lo < hi; default [-1, 1]): features are computed on
   * (v - lo) / (hi - lo), so one unit of B is one cycle over the domain, as in Tancik et al.'s [0, 1).
   */
  inputRange?: readonly [number, number];
  /** Append the raw input after the features (default false). */
  includeInput?: boolean;
  dtype?: FloatDType;
  /** Generator for the Gaussian draw of B (default: the default generator). */
  generator?: Generator;
}

const TWO_PI = 2 * Math.PI;

function checkInputRange(r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(r[0] < r[1])) {
    throw new ValueError(`FourierFeatures: inputRange must be [lo, hi] with finite numbers lo < hi, got ${Array.isArray(r) ? JSON.stringify(r) : show(r)}`);
  }
  return [r[0], r[1]];
}

/**
 * Fourier features of coordinates (see the file comment for the mapping and the kinds).
 * @param inFeatures d, the coordinate dimension (2 for images)
 * @param mappingSize m, the rows of B (gaussian, learnable), or the number of frequencies per
 *   coordinate k (positional: m = k d); basic: omit it or pass inFeatures
 * @example new nn.encoding.FourierFeatures(2, 128, { kind: 'gaussian', scale: 10 }) // [N, 2] -> [N, 256]
 */
export class FourierFeatures extends Module {
  readonly inFeatures: number;
  readonly mappingSize: number;
  readonly kind: FourierKind;
  readonly scale: number | null;
  readonly includeInput: boolean;
  /** The coordinate domain [lo, hi] mapped onto [0, 1] before the projection. */
  readonly inputRange: readonly [number, number];
  /** Rows of B (the number of frequencies m). */
  readonly numFrequencies: number;
  readonly outFeatures: number;
  /** Present (a Parameter) only for 'learnable'; the other kinds keep B as the buffer `B`. */
  declare B?: Parameter;
  private mask: Tensor | null = null;

  constructor(inFeatures: number, mappingSize?: number, opts: FourierFeaturesOptions = {}) {
    super();
    checkOptions('FourierFeatures', opts, ['kind', 'scale', 'inputRange', 'includeInput', 'dtype', 'generator']);
    this.inFeatures = checkInt('FourierFeatures', 'inFeatures', inFeatures, 1);
    this.kind = checkEnum('FourierFeatures', 'kind', opts.kind ?? 'gaussian', FOURIER_KINDS);
    if (this.kind === 'basic') {
      if (opts.scale !== undefined) throw new ValueError(`FourierFeatures: kind 'basic' has B = I and takes no scale, got scale ${show(opts.scale)}`);
      if (mappingSize !== undefined && mappingSize !== inFeatures) {
        throw new ValueError(`FourierFeatures: kind 'basic' has B = I, so mappingSize must be omitted or equal inFeatures (${inFeatures}), got ${show(mappingSize)}`);
      }
      this.mappingSize = inFeatures;
      this.scale = null;
    } else {
      if (mappingSize === undefined) throw new ValueError(`FourierFeatures: kind '${this.kind}' needs mappingSize (an integer >= 1)`);
      this.mappingSize = checkInt('FourierFeatures', 'mappingSize', mappingSize, 1);
      const s = opts.scale ?? 10;
      if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) throw new ValueError(`FourierFeatures: scale must be a finite number > 0, got ${show(s)}`);
      this.scale = s;
    }
    this.inputRange = checkInputRange(opts.inputRange ?? [-1, 1]);
    this.includeInput = checkBool('FourierFeatures', 'includeInput', opts.includeInput ?? false);
    const dtype = paramDType('FourierFeatures', opts.dtype);
    const d = this.inFeatures;
    this.numFrequencies = this.kind === 'positional' ? this.mappingSize * d : this.mappingSize;
    this.outFeatures = 2 * this.numFrequencies + (this.includeInput ? d : 0);
    const b = this.frequencyMatrix(dtype, opts.generator);
    if (this.kind === 'learnable') Object.assign(this, { B: new Parameter(b) });
    else this.registerBuffer('B', b);
  }

  private frequencyMatrix(dtype: FloatDType, generator: Generator | undefined): Tensor {
    const d = this.inFeatures;
    const m = this.numFrequencies;
    if (this.kind === 'gaussian' || this.kind === 'learnable') return noGrad(() => init.normal(empty([m, d], { dtype }), 0, this.scale!, { generator }));
    const v = new Float64Array(m * d);
    if (this.kind === 'basic') for (let i = 0; i < d; i++) v[i * d + i] = 1;
    else {
      const k = this.mappingSize;
      for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) v[(j * d + i) * d + i] = this.scale! ** (j / k);
    }
    return tensor(v, { shape: [m, d], dtype });
  }

  /** The frequency matrix B [m, d] (the parameter for 'learnable', else the buffer). */
  get frequencies(): Tensor {
    return this.B ?? this.getBuffer('B')!;
  }

  /** The norm of each row of B, i.e. each frequency's magnitude in cycles per unit (for schedules that open low frequencies first). */
  frequencyNorms(): number[] {
    const b = this.frequencies._peek();
    const d = this.inFeatures;
    return Array.from({ length: this.numFrequencies }, (_, j) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += Number(b[j * d + i]) ** 2;
      return Math.sqrt(s);
    });
  }

  /**
   * Sets the frequency mask (see the file comment): an array of m weights, a tensor broadcasting
   * against [..., m], or null for none. Checked here, so a bad mask fails where it is set.
   */
  setFrequencyMask(mask: Tensor | readonly number[] | null): void {
    if (mask === null) {
      this.mask = null;
      return;
    }
    const m = this.numFrequencies;
    const dtype = this.frequencies.dtype as FloatDType;
    let t: Tensor;
    if (mask instanceof Tensor) t = mask;
    else if (Array.isArray(mask)) {
      if (mask.length !== m || mask.some((w) => typeof w !== 'number' || !Number.isFinite(w))) {
        throw new ValueError(`FourierFeatures.setFrequencyMask: an array mask needs ${m} finite numbers (one per frequency), got ${mask.length} values`);
      }
      t = tensor(mask as number[], { dtype });
    } else throw new ValueError(`FourierFeatures.setFrequencyMask: mask must be a Tensor, an array of ${m} numbers or null, got ${show(mask)}`);
    if (t.rank === 0 || t.shape[t.rank - 1] !== m && t.shape[t.rank - 1] !== 1) {
      throw new ValueError(`FourierFeatures.setFrequencyMask: the mask's last dim must be ${m} (the number of frequencies) or 1, got shape [${t.shape.join(',')}]`);
    }
    if (t.dtype !== dtype) throw new ValueError(`FourierFeatures.setFrequencyMask: mask dtype ${t.dtype} does not match the encoding's ${dtype}`);
    this.mask = keep(t);
  }

  /** The current frequency mask, or null. */
  get frequencyMask(): Tensor | null {
    return this.mask;
  }

  forward(x: Tensor): Tensor {
    const where = `FourierFeatures(${this.inFeatures}, ${this.kind})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.frequencies.dtype as FloatDType);
    // The domain map and 2 pi scale the input, not B, so a learnable B gets the gradient of the B it holds.
    const [lo, hi] = this.inputRange;
    const u = lo === 0 ? x : sub(x, lo);
    const proj = linear(mul(u, TWO_PI / (hi - lo)), this.frequencies, null, 'none');
    // One fused pass for [cos, sin] (one argument reduction, no concat of two temporaries).
    let f = cosSin(proj);
    if (this.mask) {
      // The mask weighs frequency j in both halves: a per-frequency mask [..., m] is laid out twice.
      const w = this.mask.shape[this.mask.rank - 1] === 1 ? this.mask : cat([this.mask, this.mask], -1);
      f = mul(f, w);
    }
    return this.includeInput ? cat([f, x], -1) : f;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'FourierFeatures', inFeatures: this.inFeatures, mappingSize: this.mappingSize, kind: this.kind,
      scale: this.scale, inputRange: [...this.inputRange], includeInput: this.includeInput, dtype: this.frequencies.dtype,
    };
  }
}

registerModule('FourierFeatures', (c) => {
  const kind = c.oneOf('kind', FOURIER_KINDS, 'gaussian');
  const scale = c.numberOrNull('scale', null);
  const inputRange = c.raw('inputRange') as [number, number] | undefined; // checked by the constructor
  return new FourierFeatures(c.int('inFeatures'), c.int('mappingSize'), {
    kind, ...(scale === null ? {} : { scale }), ...(inputRange === undefined ? {} : { inputRange }), includeInput: c.bool('includeInput', false), dtype: c.dtype(),
  });
});
