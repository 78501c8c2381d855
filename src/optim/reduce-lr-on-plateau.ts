/**
 * @file ReduceLROnPlateau, as PyTorch's: multiply every group's lr by `factor` once a metric has not
 * improved for more than `patience` steps, then wait `cooldown` steps before counting again. Unlike
 * the closed-form schedulers it reacts to a metric, so `step(metric)` takes one.
 */
import { Tensor } from '../core/tensor.js';
import { ValueError } from '../core/errors.js';
import { ensure, isNum, nonNegative, oneOf, show } from './hyper.js';
import { type BaseHyper, Optimizer } from './optimizer.js';
import { checkStateDict, lrList } from './lr-scheduler.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': lower is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** New lr = lr · factor, in [0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as better (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** Lower bound on lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** Progress; ±Infinity (the initial best) is written as a string so the dict stays JSON. */
export interface ReduceLROnPlateauStateDict {
  best: number | 'Infinity' | '-Infinity';
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/**
 * @example
 * const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 3 });
 * // per epoch: sched.step(validationLoss);
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer<BaseHyper>;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** Best metric so far (starts at the mode's worst, ±Infinity). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer<BaseHyper>, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: expected an Optimizer, got ${show(optimizer)}`, 'INVALID_OPTIMIZER');
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    const count = (label: string) => (v: unknown) => (isNum(v) && Number.isInteger(v) && v >= 0 ? null : `invalid ${label}: ${show(v)} (expected an integer >= 0)`);
    ensure(name, oneOf('mode', ['min', 'max']), mode);
    // factor >= 1 would never reduce (PyTorch: "Factor should be < 1.0").
    ensure(name, (v) => (isNum(v) && v >= 0 && v < 1 ? null : `invalid factor: ${show(v)} (expected [0, 1))`), factor);
    ensure(name, count('patience'), patience);
    ensure(name, nonNegative('threshold'), threshold);
    ensure(name, oneOf('thresholdMode', ['rel', 'abs']), thresholdMode);
    ensure(name, count('cooldown'), cooldown);
    ensure(name, nonNegative('eps'), eps);
    const n = optimizer.paramGroups.length;
    const minLrs = Array.isArray(minLr) ? minLr : Array<number>(n).fill(minLr);
    if (minLrs.length !== n) throw new ValueError(`${name}: expected ${n} values for minLr, got ${minLrs.length}`, 'INVALID_HYPERPARAMETER');
    for (const m of minLrs) ensure(name, nonNegative('minLr'), m);
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = minLrs.slice();
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` (a NaN metric never does, so it counts as a bad step). */
  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /** Records one epoch's metric and reduces the learning rates if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number') throw new ValueError(`ReduceLROnPlateau.step: expected a number, got ${show(metric)}`, 'INVALID_VALUE');
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduce(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const next = Math.max(g.lr * this.factor, this.minLrs[i] ?? 0);
      if (g.lr - next > this.eps) g.lr = next;
    });
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): ReduceLROnPlateauStateDict {
    const best = Number.isFinite(this.best) ? this.best : (String(this.best) as 'Infinity' | '-Infinity');
    return { best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: this.lastLr.slice() };
  }

  /** Restores `stateDict()` into a scheduler built with the same options; all-or-nothing. */
  loadStateDict(sd: ReduceLROnPlateauStateDict): void {
    const count = (label: string) => (v: unknown) => (isNum(v) && Number.isInteger(v) && v >= 0 ? null : `invalid ${label} ${show(v)}`);
    const problems = checkStateDict(sd, {
      best: (v) => (isNum(v) || v === 'Infinity' || v === '-Infinity' ? null : `invalid best ${show(v)}`),
      numBadEpochs: count('numBadEpochs'),
      cooldownCounter: count('cooldownCounter'),
      lastEpoch: count('lastEpoch'),
      lastLr: lrList(this.optimizer.paramGroups.length),
    });
    if (problems.length > 0) throw new ValueError(`ReduceLROnPlateau.loadStateDict: ${problems.join('; ')}`, 'INVALID_STATE_DICT');
    this.best = Number(sd.best);
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = sd.lastLr.slice();
  }
}
