/**
 * @file The multi-stage network (Wang & Lai 2023, https://arxiv.org/abs/2307.08934): a sum of
 * stages, each a ScaledMLP fitted to the normalised residue of the stages before it,
 *   u(x) = Σ_n eps_n · u_n(x),
 * eps_n the RMS of the residue stage n was fitted to (its amplitude). The amplitudes are a float
 * buffer [stages]; a stage whose amplitude is still 0 (not trained yet) is skipped, so a partly
 * trained model predicts with the stages it has. Stage 1 has a tanh first layer, the others sin
 * (their kappa set from the residue's dominant frequency when they are trained).
 * Shapes: x [..., inFeatures] -> [..., outFeatures].
 */
import { checkOptions } from '../../core/args.js';
import { zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul } from '../../ops/primitives/index.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkTrailing, paramDType, show } from '../check.js';
import { ModuleList } from '../container.js';
import { Module } from '../module.js';
import { ScaledMLP } from './scaled-mlp.js';

export interface MultiStageOptions {
  /** Number of stages (default 3). */
  stages?: number;
  /** Hidden widths of every stage (default [20, 20, 20], the paper's regression nets). */
  hidden?: readonly number[];
  /** Parameter dtype (default float64: the method aims at machine precision). */
  dtype?: FloatDType;
  generator?: Generator;
}

/** @example const model = new nn.MultiStage(1, 1, { stages: 3, hidden: [20, 20, 20] }); */
export class MultiStage extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hidden: number[];
  readonly stages: ModuleList;

  constructor(inFeatures: number, outFeatures: number, opts: MultiStageOptions = {}) {
    super();
    checkOptions('MultiStage', opts, ['stages', 'hidden', 'dtype', 'generator']);
    this.inFeatures = checkInt('MultiStage', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('MultiStage', 'outFeatures', outFeatures, 1);
    const n = checkInt('MultiStage', 'stages', opts.stages ?? 3, 1);
    const hidden = opts.hidden ?? [20, 20, 20];
    if (!Array.isArray(hidden) || hidden.length < 1) throw new ValueError(`MultiStage: hidden must be a non-empty array of widths, got ${show(hidden)}`);
    hidden.forEach((h, i) => checkInt('MultiStage', `hidden[${i}]`, h, 1));
    this.hidden = [...hidden];
    // float64 unless asked otherwise: the point of the method is precision beyond float32's.
    const dtype = paramDType('MultiStage', opts.dtype ?? 'float64');
    const sizes = [inFeatures, ...hidden, outFeatures];
    this.stages = new ModuleList(Array.from({ length: n }, (_, i) => new ScaledMLP(sizes, { firstActivation: i === 0 ? 'tanh' : 'sin', dtype, generator: opts.generator })));
    this.registerBuffer('amplitudes', zeros([n], { dtype }));
  }

  /** Stage `i` (0-based). */
  stage(i: number): ScaledMLP {
    return this.stages.at(i) as ScaledMLP;
  }

  /** eps_n of every stage (0 = not trained yet). */
  get amplitudes(): number[] {
    return Array.from(this.getBuffer('amplitudes')!._peek());
  }

  /** Stages trained so far: those before the first zero amplitude. */
  get trainedStages(): number {
    const a = this.amplitudes;
    const i = a.findIndex((v) => v === 0);
    return i < 0 ? a.length : i;
  }

  /** Sets eps of stage `i` (done by the trainer once the stage is fitted). */
  setAmplitude(i: number, eps: number): void {
    checkInt('MultiStage.setAmplitude', 'i', i);
    if (i >= this.stages.length) throw new ValueError(`MultiStage.setAmplitude: stage ${i} out of range for ${this.stages.length} stages`);
    if (typeof eps !== 'number' || !Number.isFinite(eps)) throw new ValueError(`MultiStage.setAmplitude: eps must be a finite number, got ${show(eps)}`);
    this.getBuffer('amplitudes')!.mutate((v) => { v[i] = eps; });
  }

  /** Σ_{n < upTo} eps_n · u_n(x), in stage order (default: every trained stage). */
  forwardStages(x: Tensor, upTo = this.trainedStages): Tensor {
    const where = `MultiStage(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.getBuffer('amplitudes')!.dtype as FloatDType);
    const a = this.amplitudes;
    let y: Tensor | null = null;
    for (let i = 0; i < Math.min(upTo, this.stages.length); i++) {
      if (a[i] === 0) break;
      const t = mul(this.stage(i).forward(x), a[i]!);
      y = y === null ? t : add(y, t);
    }
    return y ?? zeros([...x.shape.slice(0, -1), this.outFeatures], { dtype: x.dtype });
  }

  forward(x: Tensor): Tensor {
    return this.forwardStages(x);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'MultiStage', inFeatures: this.inFeatures, outFeatures: this.outFeatures, stages: this.stages.length,
      hidden: [...this.hidden], dtype: this.getBuffer('amplitudes')!.dtype,
    };
  }
}

registerModule('MultiStage', (c) => new MultiStage(c.int('inFeatures'), c.int('outFeatures'), { stages: c.int('stages', 3), hidden: c.ints('hidden'), dtype: c.dtype() }));
