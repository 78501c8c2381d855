/**
 * @file Multi-stage fitting (Wang & Lai 2023, "Multi-stage neural networks: function approximator of
 * machine precision", https://arxiv.org/abs/2307.08934), on an `nn.MultiStage`:
 *
 *   r_1 = y;  for n = 1..N:
 *     eps_n = rms(r_n);                       normalise the residue to O(1)
 *     kappa_1 = 1, kappa_n = 2π f_d(r_n)       f_d from the residue's sign changes: N_z / (2 L)
 *     u_n = argmin mean((u_n(x) - r_n/eps_n)²) Adam (adamIters), then L-BFGS (lbfgsIters, strong Wolfe)
 *     r_{n+1} = r_n - eps_n u_n(x)
 *   prediction u(x) = Σ_n eps_n u_n(x)   (nn.MultiStage's forward, the stages in order)
 *
 * Stage 1 uses a tanh first layer; stages >= 2 a sin first layer scaled by kappa_n, so they start at
 * the residue's frequency (the paper's remedy for the spectral bias that stalls a single network at
 * ~1e-5). The dominant frequency needs 1-D inputs (sorted along x); for other inputs pass `kappa`.
 * Everything runs in the model's dtype (float64 by default).
 *
 * Two entry points: `multistage(model, x, y, options)` trains every remaining stage and reports each
 * one; `MultiStageFit` runs one stage per `fit` epoch (the whole data set must come as one batch).
 * The stage list lives in the model (amplitudes and kappas are buffers), so a checkpoint of the
 * model is a checkpoint of the algorithm: training resumes at the first untrained stage.
 */
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { scope } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import type { Batch } from '../../data/dataset.js';
import type { Module } from '../../nn/module.js';
import { MultiStage } from '../../nn/multistage/index.js';
import { Adam } from '../../optim/adam.js';
import { LBFGS } from '../../optim/lbfgs.js';
import { isNum, isPlainObject, show } from '../../optim/hyper.js';
import { sub } from '../../ops/primitives/index.js';
import { type EpochInfo, type StepMetrics, type TrainContext, type TrainingAlgorithm, batchMetrics } from '../algorithm.js';
import { trainSteps } from '../kan/steps.js';

export interface MultiStageFitOptions {
  /** Adam iterations per stage (default 3000). */
  adamIters?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** L-BFGS iterations per stage after Adam (default 3000; strong-Wolfe line search). */
  lbfgsIters?: number;
  /** Per-stage kappa (overrides the dominant-frequency rule; index 0 is stage 1), default 'auto'. */
  kappa?: 'auto' | readonly number[];
  /** Called after each stage with its report. */
  onStage?: (report: StageReport) => void;
}

/** What one stage did. */
export interface StageReport {
  /** 1-based. */
  stage: number;
  /** eps_n: RMS of the residue this stage fitted. */
  amplitude: number;
  kappa: number;
  /** Final mean squared error on the normalised residue. */
  loss: number;
  /** ||y - u_{<=n}(x)|| / ||y|| after this stage. */
  relL2: number;
  seconds: number;
}

const KEYS = ['adamIters', 'lr', 'lbfgsIters', 'kappa', 'onStage'];

/** Validates MultiStageFit options (typed ValueError naming the option) and fills the defaults. */
export function parseMultiStageOptions(opts: unknown = {}): Required<Omit<MultiStageFitOptions, 'onStage'>> & Pick<MultiStageFitOptions, 'onStage'> {
  const bad = (msg: string, code = 'INVALID_ARGUMENT'): never => { throw new ValueError(`multistage: ${msg}`, code); };
  if (!isPlainObject(opts)) bad(`options must be an object, got ${show(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) bad(`unknown option '${k}' (known: ${KEYS.join(', ')})`, 'UNKNOWN_OPTION');
  const int = (k: string, d: number): number => {
    const v = o[k] ?? d;
    return Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad(`${k} must be an integer >= 0, got ${show(v)}`);
  };
  const lr = o.lr ?? 1e-3;
  if (!(isNum(lr) && lr > 0)) bad(`lr must be a finite number > 0, got ${show(lr)}`);
  const kappa = o.kappa ?? 'auto';
  if (kappa !== 'auto' && !(Array.isArray(kappa) && kappa.every((k) => isNum(k) && k > 0))) bad(`kappa must be 'auto' or an array of numbers > 0, got ${show(kappa)}`);
  if (o.onStage !== undefined && typeof o.onStage !== 'function') bad(`onStage must be a function, got ${show(o.onStage)}`);
  return {
    adamIters: int('adamIters', 3000), lr: lr as number, lbfgsIters: int('lbfgsIters', 3000), kappa: kappa as 'auto' | number[],
    ...(o.onStage === undefined ? {} : { onStage: o.onStage as (r: StageReport) => void }),
  };
}

/**
 * The dominant frequency of a residue over 1-D inputs, from its sign changes along sorted x:
 * f_d = N_z / (2 L) (a sine of frequency f has 2 f L zeros on an interval of length L). With no
 * sign change, half a period over the interval (f_d = 1 / (2L)).
 */
export function dominantFrequency(x: ArrayLike<number>, r: ArrayLike<number>): number {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const L = x[order.at(-1)!]! - x[order[0]!]!;
  if (!(L > 0)) throw new ValueError('multistage: the inputs span an empty interval, so no frequency can be read off the residue');
  let zeros = 0;
  let prev = 0;
  for (const i of order) {
    const s = Math.sign(r[i]!);
    if (s !== 0) {
      if (prev !== 0 && s !== prev) zeros++;
      prev = s;
    }
  }
  return Math.max(zeros, 1) / (2 * L);
}

function rms(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / Math.max(v.length, 1));
}

function norm(v: ArrayLike<number>): number {
  return rms(v) * Math.sqrt(v.length);
}

function checkModel(model: unknown, where: string): MultiStage {
  if (!(model instanceof MultiStage)) throw new ValueError(`${where}: the model must be an nn.MultiStage, got ${(model as object)?.constructor?.name ?? show(model)}`, 'INVALID_ARGUMENT');
  return model;
}

/** Trains stage `model.trainedStages` on (x, y) and returns its report. */
export function trainStage(model: MultiStage, x: Tensor, y: Tensor, opts: ReturnType<typeof parseMultiStageOptions>): StageReport {
  const n = model.trainedStages;
  if (n >= model.stages.length) throw new ValueError(`multistage: all ${model.stages.length} stages are trained already`, 'INVALID_STATE');
  const t0 = performance.now();
  const net = model.stage(n);
  const residue = noGrad(() => scope(() => sub(y, model.forward(x))._peek().slice()));
  const eps = rms(residue);
  if (!(eps > 0)) throw new ValueError(`multistage: the residue before stage ${n + 1} is ${eps} (nothing left to fit)`, 'INVALID_STATE');
  let kappa = 1;
  if (Array.isArray(opts.kappa)) kappa = opts.kappa[n] ?? opts.kappa.at(-1)!;
  else if (n > 0) {
    if (x.rank !== 2 || x.shape[1] !== 1 || y.shape[1] !== 1) throw new ValueError(`multistage: kappa 'auto' reads the residue's frequency along 1-D inputs x [N, 1] with y [N, 1], got x ${JSON.stringify(x.shape)}; pass kappa: [...]`);
    kappa = 2 * Math.PI * dominantFrequency(x._peek(), residue);
  }
  if (kappa !== 1 || n > 0) net.setKappa(kappa);
  const target = noGrad(() => scope(() => sub(y, model.forward(x)).div(eps)));
  const data = { x, y: target };
  if (opts.adamIters > 0) trainSteps(net, data, { optimizerFactory: (p) => new Adam(p, { lr: opts.lr }), steps: opts.adamIters });
  if (opts.lbfgsIters > 0) {
    // One step of up to lbfgsIters iterations; tolerances at 0 so it runs to the budget (machine precision is the goal).
    trainSteps(net, data, {
      optimizerFactory: (p) => new LBFGS(p, { lineSearchFn: 'strong_wolfe', maxIter: opts.lbfgsIters, historySize: 50, toleranceGrad: 0, toleranceChange: 0, toleranceYs: 1e-32 }),
      steps: 1,
    });
  }
  target.dispose();
  model.setAmplitude(n, eps);
  const after = noGrad(() => scope(() => sub(y, model.forward(x))._peek().slice()));
  const report: StageReport = {
    stage: n + 1, amplitude: eps, kappa, loss: (rms(after) / eps) ** 2, relL2: norm(after) / norm(y._peek()), seconds: (performance.now() - t0) / 1000,
  };
  opts.onStage?.(report);
  return report;
}

/**
 * Trains every untrained stage of `model` on (x, y) and returns one report per stage trained.
 * @example
 * const model = new nn.MultiStage(1, 1, { stages: 2 });
 * const reports = train.multistage(model, x, y, { adamIters: 2000, lbfgsIters: 2000 });
 */
export function multistage(model: MultiStage, x: Tensor, y: Tensor, options: MultiStageFitOptions = {}): StageReport[] {
  const m = checkModel(model, 'multistage');
  const opts = parseMultiStageOptions(options);
  const out: StageReport[] = [];
  while (m.trainedStages < m.stages.length) out.push(trainStage(m, x, y, opts));
  return out;
}

/** The options as declared data for the algorithm registry (AlgorithmOptionsSpec's shape); kappa [] means 'auto'. */
export const MULTISTAGE_OPTIONS = {
  adamIters: { kind: 'integer', min: 0, default: 3000, doc: 'Adam iterations per stage' },
  lr: { kind: 'number', gt: 0, default: 1e-3, doc: 'Adam learning rate' },
  lbfgsIters: { kind: 'integer', min: 0, default: 3000, doc: 'L-BFGS iterations per stage (strong Wolfe)' },
  kappa: { kind: 'numbers', default: [] as readonly number[], min: 1e-12, doc: "first-layer scale per stage ([]: 1 for stage 1, then 2π × the residue's dominant frequency)" },
} as const;

/** Why MultiStageFit cannot train `model` (not an nn.MultiStage), or null. */
export function multistageAppliesTo(model: Module): string | null {
  return model instanceof MultiStage ? null : `multi-stage fitting trains an nn.MultiStage, got ${model.constructor.name}`;
}

/** A MultiStageFit from resolved registry options (MULTISTAGE_OPTIONS). */
export function createMultiStageFit(o: Record<string, unknown>): MultiStageFit {
  const kappa = o.kappa as number[];
  return new MultiStageFit({ adamIters: o.adamIters as number, lr: o.lr as number, lbfgsIters: o.lbfgsIters as number, kappa: kappa.length ? kappa : 'auto' });
}

export interface MultiStageFitState {
  ctx: TrainContext;
  /** Whether this epoch's stage is done (a second batch in the same epoch is an error). */
  trainedThisEpoch: boolean;
  reports: StageReport[];
}

/**
 * `fit` adapter: each epoch trains the next stage on the epoch's single batch (pass batchSize >= N).
 * fit's optimizer is not used (each stage builds its own Adam then L-BFGS); pass any, e.g. an SGD
 * over `model.parameters()`. Once every stage is trained, further epochs only evaluate.
 * @example await fit(model, { x, y, batchSize: 300 }, { optimizer, loss: 'mse', epochs: 2, algorithm: new MultiStageFit({ adamIters: 2000 }) })
 */
export class MultiStageFit implements TrainingAlgorithm<MultiStageFitState> {
  readonly name = 'multistage';
  readonly options: ReturnType<typeof parseMultiStageOptions>;

  constructor(options: MultiStageFitOptions = {}) {
    this.options = parseMultiStageOptions(options);
  }

  init(model: Module, ctx: TrainContext): MultiStageFitState {
    checkModel(model, 'MultiStageFit');
    return { ctx, trainedThisEpoch: false, reports: [] };
  }

  step(model: Module, batch: Batch, state: MultiStageFitState): StepMetrics {
    const m = checkModel(model, 'MultiStageFit');
    const [x, y] = batch;
    if (state.trainedThisEpoch) throw new ValueError('MultiStageFit: an epoch must be one batch holding the whole data set (pass batchSize >= the number of samples)', 'INVALID_ARGUMENT');
    state.trainedThisEpoch = true;
    if (m.trainedStages < m.stages.length) state.reports.push(trainStage(m, x, y, this.options));
    const pred = noGrad(() => m.forward(x));
    const loss = state.ctx.loss(pred, y).item();
    const base = { loss, batchSize: x.shape[0]!, metrics: batchMetrics(state.ctx.metrics, pred, y) };
    return Number.isFinite(loss) ? base : { ...base, nonFinite: { culprit: null } };
  }

  onEpochEnd(_model: Module, state: MultiStageFitState, _info: EpochInfo): void {
    state.trainedThisEpoch = false;
  }
}
