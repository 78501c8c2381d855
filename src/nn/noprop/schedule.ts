/**
 * @file The noise schedule of NoProp-DT (Li, Teh & Pascanu 2025, "NoProp: Training Neural Networks
 * without Back-propagation or Forward-propagation", https://arxiv.org/abs/2503.24322), in closed form.
 *
 * Our reading of the paper's indexing (it runs the diffusion backwards in t): z_0 is (almost) pure
 * noise and z_T (almost) the label embedding u_y. The marginals are
 *   q(z_t | y) = N(sqrt(ᾱ_t) u_y, (1 - ᾱ_t) I),   ᾱ_0 < ᾱ_1 < ... < ᾱ_T < 1,   α_{t-1} = ᾱ_{t-1} / ᾱ_t,
 * and the posterior of one step, which the inference chain follows with û_θt(z_{t-1}, x) in place of u_y:
 *   z_t = a_t u_y + b_t z_{t-1} + sqrt(c_t) ε,
 *   a_t = sqrt(ᾱ_t) (1 - α_{t-1}) / (1 - ᾱ_{t-1}),  b_t = sqrt(α_{t-1}) (1 - ᾱ_t) / (1 - ᾱ_{t-1}),
 *   c_t = (1 - ᾱ_t) (1 - α_{t-1}) / (1 - ᾱ_{t-1}).
 * SNR(t) = ᾱ_t / (1 - ᾱ_t) weights block t's loss by SNR(t) - SNR(t-1) > 0.
 *
 * 'cosine' (the paper's choice for NoProp-DT) is Nichol & Dhariwal's schedule
 * (https://arxiv.org/abs/2102.09672) over T + 1 noising steps, read from the clean end: with
 * f(s) = cos²((s / (T+1) + 0.008) / 1.008 · π/2), ᾱ_t = f(T + 1 - t) / f(0). So ᾱ_0 = f(T+1)/f(0) ≈ 0
 * (z_0 ~ N(0, I), the prior) and ᾱ_T = f(1)/f(0) < 1 (finite SNR at the last block).
 * 'linear' (not from the paper, a plain alternative): ᾱ_t = t / (T + 1).
 * All values are float64 numbers; the model turns them into scalars of its dtype.
 */
import { ValueError } from '../../core/errors.js';

export const NOPROP_SCHEDULES = ['cosine', 'linear'] as const;
export type NoPropScheduleName = (typeof NOPROP_SCHEDULES)[number];

/** Everything the chain and the loss need, index t = 0..T (a, b, c at index 0 are unused: NaN). */
export interface NoPropSchedule {
  readonly name: NoPropScheduleName;
  readonly T: number;
  /** ᾱ_t, increasing in t. */
  readonly alphaBar: readonly number[];
  /** SNR(t) = ᾱ_t / (1 - ᾱ_t). */
  readonly snr: readonly number[];
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly c: readonly number[];
}

const COSINE_OFFSET = 0.008;

/** ᾱ_0..ᾱ_T of the named schedule. */
export function noPropAlphaBar(T: number, name: NoPropScheduleName = 'cosine'): number[] {
  checkScheduleArgs('noPropAlphaBar', T, name);
  if (name === 'linear') return Array.from({ length: T + 1 }, (_, t) => t / (T + 1));
  const S = T + 1;
  const f = (s: number): number => Math.cos(((s / S + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
  // cos(π/2) is 6e-17 in floating point, not 0: pin the prior end to exactly 0.
  return Array.from({ length: T + 1 }, (_, t) => (t === 0 ? 0 : f(S - t) / f(0)));
}

/**
 * The whole schedule: ᾱ, SNR and the chain's a_t, b_t, c_t (closed forms in the file header).
 * @example const s = noPropSchedule(10); s.a[1], s.b[1], s.c[1]
 */
export function noPropSchedule(T: number, name: NoPropScheduleName = 'cosine'): NoPropSchedule {
  const alphaBar = noPropAlphaBar(T, name);
  const snr = alphaBar.map((ab) => ab / (1 - ab));
  const a = [NaN];
  const b = [NaN];
  const c = [NaN];
  for (let t = 1; t <= T; t++) {
    const abT = alphaBar[t]!;
    const abPrev = alphaBar[t - 1]!;
    const alphaPrev = abPrev / abT; // α_{t-1}
    a.push((Math.sqrt(abT) * (1 - alphaPrev)) / (1 - abPrev));
    b.push((Math.sqrt(alphaPrev) * (1 - abT)) / (1 - abPrev));
    c.push(((1 - abT) * (1 - alphaPrev)) / (1 - abPrev));
  }
  return { name, T, alphaBar, snr, a, b, c };
}

function checkScheduleArgs(where: string, T: unknown, name: unknown): void {
  if (!Number.isInteger(T) || (T as number) < 1) throw new ValueError(`${where}: T (the number of blocks) must be an integer >= 1, got ${String(T)}`, 'INVALID_ARGUMENT');
  if (!(NOPROP_SCHEDULES as readonly unknown[]).includes(name)) {
    throw new ValueError(`${where}: schedule must be one of ${NOPROP_SCHEDULES.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(name)}`, 'INVALID_ARGUMENT');
  }
}
