/**
 * @file The 1cycle policy (Smith & Topin 2017, "Super-Convergence: Very Fast Training of Neural
 * Networks Using Large Learning Rates", https://arxiv.org/abs/1708.07120), as PyTorch's OneCycleLR
 * with its defaults: cosine annealing, pctStart 0.3, divFactor 25, finalDivFactor 1e4, two phases,
 * and momentum (or Adam's beta1) cycled inversely between 0.95 and 0.85.
 *
 * Phases (step numbers are 0-based; the scheduler is at step 0 after construction):
 *   two-phase:   initial → max over [0, pct·T - 1], max → min over [.., T - 1]
 *   three-phase: initial → max, max → initial over [.., 2·pct·T - 2], initial → min over [.., T - 1]
 * with initial = maxLr / divFactor and min = initial / finalDivFactor.
 */
import { ValueError } from '../core/errors.js';
import { bool, ensure, isNum, nonNegative, oneOf, positive, positiveInt, show } from './hyper.js';
import type { BaseHyper, Optimizer } from './optimizer.js';
import { LRScheduler } from './lr-scheduler.js';

export interface OneCycleLROptions {
  /** Peak learning rate, one for all groups or one per group. */
  maxLr: number | number[];
  /** Length of the cycle in steps; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Cycle `momentum` (SGD, RMSprop) or `betas[0]` (Adam family) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  lr: ['initial' | 'max' | 'min', 'initial' | 'max' | 'min'];
  momentum: ['max' | 'base', 'max' | 'base'];
}

const cosAnneal = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
const linAnneal = (start: number, end: number, pct: number): number => (end - start) * pct + start;

/**
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: epochs * batchesPerEpoch });
 * // per batch: opt.step(); sched.step();
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly lrs: { initial: number; max: number; min: number }[];
  /** Per group, or null when momentum is not cycled. */
  private readonly momenta: { max: number; base: number }[] | null;
  private readonly useBeta1: boolean;

  constructor(optimizer: Optimizer<BaseHyper>, options: OneCycleLROptions) {
    super(optimizer, 'OneCycleLR');
    const o = { pctStart: 0.3, annealStrategy: 'cos' as 'cos' | 'linear', cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95, divFactor: 25, finalDivFactor: 1e4, threePhase: false, ...options };
    this.totalSteps = this.resolveTotal(o);
    ensure(this.name, (v) => (isNum(v) && v >= 0 && v <= 1 ? null : `invalid pctStart: ${show(v)} (expected [0, 1])`), o.pctStart);
    ensure(this.name, oneOf('annealStrategy', ['cos', 'linear']), o.annealStrategy);
    ensure(this.name, positive('divFactor'), o.divFactor);
    ensure(this.name, positive('finalDivFactor'), o.finalDivFactor);
    ensure(this.name, bool('threePhase'), o.threePhase);
    ensure(this.name, bool('cycleMomentum'), o.cycleMomentum);
    this.anneal = o.annealStrategy === 'cos' ? cosAnneal : linAnneal;
    this.phases = makePhases(o.pctStart * this.totalSteps, this.totalSteps, o.threePhase);
    const maxLrs = this.perGroup('maxLr', o.maxLr);
    this.lrs = maxLrs.map((max) => ({ initial: max / o.divFactor, max, min: max / o.divFactor / o.finalDivFactor }));
    this.baseLrs = this.lrs.map((l) => l.initial);
    const defaults = optimizer.defaults as unknown as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (o.cycleMomentum && !('momentum' in defaults) && !this.useBeta1) {
      throw new ValueError('OneCycleLR: the optimizer has no momentum or betas to cycle; pass cycleMomentum: false', 'INVALID_HYPERPARAMETER');
    }
    if (o.cycleMomentum) {
      const maxM = this.perGroup('maxMomentum', o.maxMomentum);
      const baseM = this.perGroup('baseMomentum', o.baseMomentum);
      this.momenta = maxM.map((max, i) => ({ max, base: baseM[i]! }));
    } else {
      this.momenta = null;
    }
    this.start();
  }

  private resolveTotal(o: OneCycleLROptions): number {
    if (o.totalSteps !== undefined) {
      ensure(this.name, positiveInt('totalSteps'), o.totalSteps);
      return o.totalSteps;
    }
    if (o.epochs === undefined || o.stepsPerEpoch === undefined) {
      throw new ValueError('OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch', 'INVALID_HYPERPARAMETER');
    }
    ensure(this.name, positiveInt('epochs'), o.epochs);
    ensure(this.name, positiveInt('stepsPerEpoch'), o.stepsPerEpoch);
    return o.epochs * o.stepsPerEpoch;
  }

  /** A number for every group, from one number or a list with one per group. */
  private perGroup(label: string, v: number | number[]): number[] {
    const n = this.baseLrs.length;
    const list = Array.isArray(v) ? v : Array<number>(n).fill(v);
    if (list.length !== n) throw new ValueError(`OneCycleLR: expected ${n} values for ${label}, got ${list.length}`, 'INVALID_HYPERPARAMETER');
    for (const x of list) ensure(this.name, nonNegative(label), x);
    return list;
  }

  /** The phase holding `step` and how far into it (0..1; past the end the last phase extrapolates). */
  private locate(step: number): { phase: Phase; pct: number } {
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i]!;
      if (step <= phase.endStep || i === this.phases.length - 1) return { phase, pct: (step - start) / (phase.endStep - start) };
      start = phase.endStep;
    }
    throw new Error('unreachable: phases is never empty');
  }

  protected override computeLr(epoch: number): number[] {
    // PyTorch allows exactly one step past the end (step number == totalSteps) and refuses the next.
    if (epoch > this.totalSteps) {
      throw new ValueError(`OneCycleLR: tried to step ${epoch + 1} times; the schedule has totalSteps = ${this.totalSteps}`, 'SCHEDULE_EXHAUSTED');
    }
    const { phase, pct } = this.locate(epoch);
    return this.lrs.map((l) => this.anneal(l[phase.lr[0]], l[phase.lr[1]], pct));
  }

  override step(): void {
    super.step();
    if (this.momenta === null) return;
    const { phase, pct } = this.locate(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => {
      const m = this.momenta![i]!;
      const value = this.anneal(m[phase.momentum[0]], m[phase.momentum[1]], pct);
      const group = g as unknown as Record<string, unknown>;
      if (this.useBeta1) group.betas = [value, (group.betas as number[])[1]!];
      else group.momentum = value;
    });
  }
}

function makePhases(warm: number, total: number, threePhase: boolean): Phase[] {
  if (threePhase) {
    return [
      { endStep: warm - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
      { endStep: 2 * warm - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
      { endStep: total - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
    ];
  }
  return [
    { endStep: warm - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
    { endStep: total - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
  ];
}
