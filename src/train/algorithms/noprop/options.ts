/**
 * @file NoProp's algorithm options, declared as plain data (kind, range, default, doc: the shape the
 * training-algorithm registry's option specs take) and their validating parser. The model-side
 * choices (T, the schedule, the embeddings, the block sizes) are NoPropModel's constructor options.
 */
import { ValueError } from '../../../core/errors.js';

export interface NoPropOptions {
  /** η, the weight of the SNR-weighted denoising term (the paper uses 0.1; default 0.1). */
  eta?: number;
  /** Seed of the algorithm's own generator, which draws the noisy embeddings z_{t-1} ~ q(z_{t-1} | y) (default 0). */
  seed?: number;
  /**
   * Training metrics from the inference chain (eval mode, no gradient) on each batch, default true;
   * false skips that extra forward (a third of a step's cost) and reports the loss only.
   */
  trainMetrics?: boolean;
}

export const NOPROP_OPTIONS = {
  eta: { kind: 'number', gt: 0, default: 0.1, doc: 'η, the weight of the SNR-weighted denoising loss (the paper: 0.1)' },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, default: 0, doc: 'seed of the generator drawing the noisy label embeddings' },
  trainMetrics: { kind: 'boolean', default: true, doc: 'training metrics from the inference chain on each batch (false: loss only, a third faster)' },
} as const;

/**
 * Validates NoProp's options and fills the defaults. Unknown key or bad value: ValueError (code
 * INVALID_ALGORITHM_OPTION) naming the option and what it accepts.
 * @example parseNoPropOptions({ eta: 0.1 }) // { eta: 0.1, seed: 0, trainMetrics: true }
 */
export function parseNoPropOptions(given: unknown = {}): Required<NoPropOptions> {
  const fail = (msg: string): never => { throw new ValueError(`NoProp: ${msg}`, 'INVALID_ALGORITHM_OPTION'); };
  if (given === undefined) given = {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) fail(`options must be an object { ${Object.keys(NOPROP_OPTIONS).join(', ')} }, got ${String(given)}`);
  const o = given as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!Object.hasOwn(NOPROP_OPTIONS, k)) fail(`unknown option '${k}' (its options: ${Object.keys(NOPROP_OPTIONS).join(', ')})`);
  const eta = o.eta ?? NOPROP_OPTIONS.eta.default;
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta <= 0) fail(`option 'eta' must be a finite number > 0, got ${String(eta)}`);
  const seed = o.seed ?? NOPROP_OPTIONS.seed.default;
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > NOPROP_OPTIONS.seed.max) fail(`option 'seed' must be an integer >= 0 and <= ${NOPROP_OPTIONS.seed.max}, got ${String(seed)}`);
  const trainMetrics = o.trainMetrics ?? NOPROP_OPTIONS.trainMetrics.default;
  if (typeof trainMetrics !== 'boolean') fail(`option 'trainMetrics' must be true or false, got ${String(trainMetrics)}`);
  return { eta: eta as number, seed: seed as number, trainMetrics: trainMetrics as boolean };
}
