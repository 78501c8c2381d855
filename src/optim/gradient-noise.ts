/**
 * @file Annealed Gaussian gradient noise (Neelakantan et al. 2015, "Adding Gradient Noise Improves
 * Learning for Very Deep Networks", https://arxiv.org/abs/1511.06807) as a wrapper around any
 * optimizer:
 *
 *   g_t <- g_t + N(0, sigma_t^2),   sigma_t^2 = eta / (1 + t)^gamma,
 *
 * where t counts the wrapper's steps from 0 (the paper's formula gives the VARIANCE; the standard
 * deviation is its square root). The paper uses eta in {0.01, 0.3, 1} and gamma = 0.55.
 *
 * Order with clipping: the noise is added inside `step()`, so anything that edits the gradients
 * before it (fit's `clipGradNorm`, a manual `clipGradNorm` call) runs first: clip, then noise. The
 * paper uses both but (as far as we read it) does not fix their order; clipping first keeps the
 * injected variance exactly the scheduled eta/(1+t)^gamma, which clipping afterwards would shrink.
 * The wrapped optimizer then applies its own rule (momentum, Adam moments) to the noisy gradient.
 *
 * The wrapper shares the inner optimizer's param groups and state (a scheduler stepping the
 * wrapper moves the inner learning rate); its own state (step count, generator) rides in
 * `stateDict().paramGroups[0].gradientNoise`, so a checkpoint resumes the same noise sequence.
 */
import type { TypedArray } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { enableGrad, noGrad } from '../core/grad-mode.js';
import { Generator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { isNum, isPlainObject, show } from './hyper.js';
import { LBFGS } from './lbfgs.js';
import { type BaseHyper, Optimizer, type ParamGroup, type ParamState } from './optimizer.js';
import type { OptimizerStateDict, OptimizerStateDictInput } from './optimizer-state.js';

export interface GradientNoiseOptions {
  /** Noise variance at t = 0 (> 0; the paper tries 0.01, 0.3 and 1). Required. */
  eta: number;
  /** Decay exponent of the variance (>= 0, default 0.55 as the paper). */
  gamma?: number;
  /** Seed of the noise generator (default 0). */
  seed?: number;
}

const KEYS = ['eta', 'gamma', 'seed'];

/** Validates GradientNoise options (typed ValueError naming the option); returns them resolved. */
export function parseGradientNoiseOptions(opts: unknown): Required<GradientNoiseOptions> {
  const bad = (msg: string, code = 'INVALID_HYPERPARAMETER'): never => { throw new ValueError(`GradientNoise: ${msg}`, code); };
  if (!isPlainObject(opts)) bad(`options must be an object {eta, gamma?, seed?}, got ${show(opts)}`, 'INVALID_ARGUMENT');
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) bad(`unknown option '${k}' (known: ${KEYS.join(', ')})`, 'UNKNOWN_OPTION');
  if (!(isNum(o.eta) && o.eta > 0)) bad(`invalid eta: ${show(o.eta)} (expected a finite number > 0)`);
  const gamma = o.gamma ?? 0.55;
  if (!(isNum(gamma) && gamma >= 0)) bad(`invalid gamma: ${show(gamma)} (expected a finite number >= 0)`);
  const seed = o.seed ?? 0;
  if (!(isNum(seed) && Number.isInteger(seed))) bad(`invalid seed: ${show(seed)} (expected an integer)`);
  return { eta: o.eta as number, gamma: gamma as number, seed: seed as number };
}

/** The saved noise state. */
interface NoiseState {
  eta: number;
  gamma: number;
  step: number;
  rng: number[];
}

/**
 * Wraps `inner`: each `step()` adds N(0, eta/(1+t)^gamma) to every gradient, then runs `inner.step()`.
 * @example
 * const opt = new optim.GradientNoise(new optim.SGD(model.parameters(), { lr: 0.01 }), { eta: 0.01 });
 * await fit(model, data, { optimizer: opt, clipGradNorm: 1 }); // clip, then noise, then SGD
 */
export class GradientNoise<H extends BaseHyper = BaseHyper> extends Optimizer<H> {
  readonly inner: Optimizer<H>;
  readonly eta: number;
  readonly gamma: number;
  /** Steps taken (t of the formula for the next step). */
  t = 0;
  private readonly gen: Generator;

  constructor(inner: Optimizer<H>, options: GradientNoiseOptions) {
    if (!(inner instanceof Optimizer)) throw new ValueError(`GradientNoise: inner must be an Optimizer, got ${show(inner)}`, 'INVALID_ARGUMENT');
    // L-BFGS evaluates the loss many times per step from its closure: noise added once before it would not reach those gradients.
    if (inner instanceof LBFGS) throw new ValueError('GradientNoise: cannot wrap LBFGS (it recomputes the gradients inside step)', 'INVALID_ARGUMENT');
    const o = parseGradientNoiseOptions(options);
    super(inner.paramGroups.flatMap((g) => g.params), {}, { ...inner.defaults }, { ...inner.spec, name: `GradientNoise(${inner.spec.name})` });
    // Share the inner groups and state: schedulers and checkpoints see one optimizer.
    (this as { paramGroups: ParamGroup<H>[] }).paramGroups = inner.paramGroups;
    (this as { state: Map<Tensor, ParamState> }).state = inner.state;
    this.inner = inner;
    this.eta = o.eta;
    this.gamma = o.gamma;
    this.gen = new Generator(o.seed);
  }

  /** The noise variance at step t: eta / (1 + t)^gamma. */
  variance(t = this.t): number {
    return this.eta / (1 + t) ** this.gamma;
  }

  override zeroGrad(): void {
    this.inner.zeroGrad();
  }

  /** Adds the step's noise to every gradient present (in place), then steps the inner optimizer. */
  override step(closure?: () => Tensor | number): number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    const std = Math.sqrt(this.variance());
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          p.grad?.mutate((v) => {
            for (let i = 0; i < v.length; i++) v[i] = v[i]! + std * this.gen.nextNormal();
          });
        }
      }
    });
    this.t++;
    this.inner.step();
    return loss === undefined ? undefined : typeof loss === 'number' ? loss : loss.item();
  }

  protected update(_p: Tensor, _grad: TypedArray, _state: ParamState, _group: ParamGroup<H>): void {
    // Never reached: step() delegates to the inner optimizer.
    throw new ValueError('GradientNoise.update: internal (step delegates to the inner optimizer)', 'INTERNAL');
  }

  override stateDict(): OptimizerStateDict {
    const sd = this.inner.stateDict();
    const noise: NoiseState = { eta: this.eta, gamma: this.gamma, step: this.t, rng: this.gen.getState() };
    sd.paramGroups[0] = { ...sd.paramGroups[0]!, gradientNoise: noise };
    return sd;
  }

  override loadStateDict(sd: OptimizerStateDictInput): void {
    const g0 = isPlainObject(sd) && Array.isArray(sd.paramGroups) && isPlainObject(sd.paramGroups[0]) ? sd.paramGroups[0] : null;
    const n = g0?.gradientNoise as NoiseState | undefined;
    const ok = isPlainObject(n) && isNum(n.step) && Number.isInteger(n.step) && n.step >= 0 && Array.isArray(n.rng) && n.rng.length === 4 &&
      n.rng.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff) && n.eta === this.eta && n.gamma === this.gamma;
    if (!ok) {
      throw new ValueError(`GradientNoise.loadStateDict: paramGroups[0].gradientNoise must be {eta: ${this.eta}, gamma: ${this.gamma}, step, rng} (from a GradientNoise with the same options), got ${show(n)}`, 'INVALID_STATE_DICT');
    }
    const { gradientNoise: _, ...rest } = g0!;
    // The inner optimizer validates the rest (and leaves everything unchanged if it fails).
    this.inner.loadStateDict({ ...sd, paramGroups: [rest as typeof g0 & { params: number[] }, ...sd.paramGroups.slice(1)] });
    this.t = n.step;
    this.gen.setState(n.rng);
  }
}
