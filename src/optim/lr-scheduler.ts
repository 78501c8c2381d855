/**
 * @file Learning-rate schedulers bound to an optimizer, following `torch.optim.lr_scheduler`: the
 * constructor sets the epoch-0 learning rate, each `step()` (called after `optimizer.step()`) moves
 * to the next epoch and writes every group's `lr`.
 *
 * Each schedule is a closed form of the epoch (PyTorch's `_get_closed_form_lr`), so a resumed run
 * recomputes exactly the same rates from `lastEpoch` and `baseLrs`. Unlike PyTorch's chainable
 * forms, two schedulers on one optimizer do not compose: the last one to step wins.
 * OneCycleLR lives in one-cycle-lr.ts, ReduceLROnPlateau in reduce-lr-on-plateau.ts.
 */
import { ValueError } from '../core/errors.js';
import { type Check, ensure, isNum, isPlainObject, nonNegative, own, positiveInt, show } from './hyper.js';
import { type BaseHyper, Optimizer } from './optimizer.js';

/** Progress of a closed-form scheduler; the schedule itself comes from its constructor options. */
export interface LRSchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

export abstract class LRScheduler {
  readonly optimizer: Optimizer<BaseHyper>;
  /** Each group's learning rate when the scheduler was created (OneCycleLR: maxLr / divFactor). */
  baseLrs: number[];
  /** The epoch whose rate is in effect: 0 after construction, +1 per step(). */
  lastEpoch = -1;
  private lastLr: number[] = [];

  protected constructor(optimizer: Optimizer<BaseHyper>, protected readonly name: string) {
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: expected an Optimizer, got ${show(optimizer)}`, 'INVALID_OPTIMIZER');
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of every group at `epoch`. */
  protected abstract computeLr(epoch: number): number[];

  /**
   * Subclasses call this at the end of their constructor (their fields must exist first): sets the
   * epoch-0 rate, as PyTorch's initial step does.
   */
  protected start(): void {
    this.step();
  }

  /** Moves to the next epoch and sets each group's `lr`. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new ValueError(`${this.name}: the optimizer has ${groups.length} param groups, the scheduler was made for ${this.baseLrs.length}`, 'INVALID_OPTIMIZER');
    }
    // Compute before committing, so a throwing schedule (OneCycleLR past its end) changes nothing.
    const lrs = this.computeLr(this.lastEpoch + 1);
    this.lastEpoch++;
    groups.forEach((g, i) => { g.lr = lrs[i]!; });
    this.lastLr = lrs;
  }

  /** The learning rates set by the last step (or the constructor). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /**
   * Restores progress saved by `stateDict()` into a scheduler built with the same options. Validates
   * everything first; a ValueError (code INVALID_STATE_DICT) lists the problems and nothing changes.
   * The groups' `lr` is not touched (it is restored with the optimizer's state dict, as in PyTorch).
   */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const n = this.baseLrs.length;
    const problems = checkStateDict(sd, {
      lastEpoch: (v) => (isNum(v) && Number.isInteger(v) && v >= 0 ? null : `invalid lastEpoch ${show(v)}`),
      baseLrs: lrList(n),
      lastLr: lrList(n),
    });
    if (problems.length > 0) throw new ValueError(`${this.name}.loadStateDict: ${problems.join('; ')}`, 'INVALID_STATE_DICT');
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = sd.baseLrs.slice();
    this.lastLr = sd.lastLr.slice();
  }
}

/** Problems of a state dict whose keys must be exactly those of `checks`. */
export function checkStateDict(sd: unknown, checks: Record<string, Check>): string[] {
  if (!isPlainObject(sd)) return [`expected an object, got ${show(sd)}`];
  const problems: string[] = [];
  // hasOwnProperty, not `in`: '__proto__' is `in` every object.
  for (const k of Object.keys(sd)) if (!Object.prototype.hasOwnProperty.call(checks, k)) problems.push(`unknown key '${k}'`);
  for (const [k, check] of Object.entries(checks)) {
    const v = own(sd, k);
    const p = v === undefined ? `missing key '${k}'` : check(v);
    if (p !== null) problems.push(p);
  }
  return problems;
}

/** A list of one finite number per param group. */
export function lrList(n: number): Check {
  return (v) => (Array.isArray(v) && v.length === n && v.every(isNum) ? null : `expected ${n} learning rates, got ${show(v)}`);
}

/** lr = base · gamma^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR');
    const { stepSize, gamma = 0.1 } = options;
    ensure(this.name, positiveInt('stepSize'), stepSize);
    ensure(this.name, nonNegative('gamma'), gamma);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(epoch / this.stepSize));
  }
}

/** lr = base · gamma^(number of milestones ≤ epoch). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { milestones: number[]; gamma?: number }) {
    super(optimizer, 'MultiStepLR');
    const { milestones, gamma = 0.1 } = options;
    const ok = Array.isArray(milestones) && milestones.every((m) => isNum(m) && Number.isInteger(m) && m >= 0);
    if (!ok) throw new ValueError(`MultiStepLR: invalid milestones: ${show(milestones)} (expected non-negative integers)`, 'INVALID_HYPERPARAMETER');
    ensure(this.name, nonNegative('gamma'), gamma);
    this.milestones = milestones.slice().sort((a, b) => a - b);
    this.gamma = gamma;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    const passed = this.milestones.filter((m) => m <= epoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** lr = base · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { gamma: number }) {
    super(optimizer, 'ExponentialLR');
    ensure(this.name, nonNegative('gamma'), options.gamma);
    this.gamma = options.gamma;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** epoch);
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter 2017, "SGDR", https://arxiv.org/abs/1608.03983) without
 * restarts: lr = etaMin + (base - etaMin)·(1 + cos(π·epoch/tMax))/2. Past tMax the cosine carries on
 * (back up towards base), exactly as PyTorch's CosineAnnealingLR.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { tMax: number; etaMin?: number }) {
    super(optimizer, 'CosineAnnealingLR');
    const { tMax, etaMin = 0 } = options;
    ensure(this.name, positiveInt('tMax'), tMax);
    ensure(this.name, nonNegative('etaMin'), etaMin);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    const c = (1 + Math.cos((Math.PI * epoch) / this.tMax)) / 2;
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * c);
  }
}

/**
 * Linear warm-up then cosine decay, the usual transformer schedule (Hugging Face's
 * get_cosine_schedule_with_warmup): lr = base·epoch/warmupSteps while epoch < warmupSteps (0 at
 * epoch 0), then etaMin + (base - etaMin)·(1 + cos(π·progress))/2 with progress going 0 → 1 from
 * warmupSteps to totalSteps, and etaMin after that (Hugging Face would start rising again).
 */
export class CosineWarmupLR extends LRScheduler {
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { warmupSteps: number; totalSteps: number; etaMin?: number }) {
    super(optimizer, 'CosineWarmupLR');
    const { warmupSteps, totalSteps, etaMin = 0 } = options;
    ensure(this.name, (v) => (isNum(v) && Number.isInteger(v) && v >= 0 ? null : `invalid warmupSteps: ${show(v)}`), warmupSteps);
    ensure(this.name, positiveInt('totalSteps'), totalSteps);
    if (totalSteps < warmupSteps) throw new ValueError(`CosineWarmupLR: totalSteps (${totalSteps}) must be at least warmupSteps (${warmupSteps})`, 'INVALID_HYPERPARAMETER');
    ensure(this.name, nonNegative('etaMin'), etaMin);
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
    this.etaMin = etaMin;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    if (epoch < this.warmupSteps) return this.baseLrs.map((b) => (b * epoch) / this.warmupSteps);
    const progress = Math.min(1, (epoch - this.warmupSteps) / Math.max(1, this.totalSteps - this.warmupSteps));
    const c = 0.5 * (1 + Math.cos(Math.PI * progress));
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * c);
  }
}

/** lr = base · factor, the factor going linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer<BaseHyper>, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer, 'LinearLR');
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
    // PyTorch's ranges: a start factor of 0 would make epoch 0 a no-op step.
    ensure(this.name, (v) => (isNum(v) && v > 0 && v <= 1 ? null : `invalid startFactor: ${show(v)} (expected (0, 1])`), startFactor);
    ensure(this.name, (v) => (isNum(v) && v >= 0 && v <= 1 ? null : `invalid endFactor: ${show(v)} (expected [0, 1])`), endFactor);
    ensure(this.name, positiveInt('totalIters'), totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, epoch)) / this.totalIters;
    return this.baseLrs.map((b) => b * f);
  }
}

/** lr = base · lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];

  constructor(optimizer: Optimizer<BaseHyper>, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]) {
    super(optimizer, 'LambdaLR');
    const list = Array.isArray(lrLambda) ? lrLambda : this.baseLrs.map(() => lrLambda);
    if (list.length !== this.baseLrs.length || !list.every((f) => typeof f === 'function')) {
      throw new ValueError(`LambdaLR: expected a function or ${this.baseLrs.length} functions (one per param group)`, 'INVALID_HYPERPARAMETER');
    }
    this.lambdas = list;
    this.start();
  }

  protected override computeLr(epoch: number): number[] {
    return this.baseLrs.map((b, i) => b * this.lambdas[i]!(epoch));
  }
}
