/**
 * @file Finite-difference gradient checking, as torch.autograd.gradcheck: the analytic gradient of
 * a random projection <w, f(x)> against central differences, in float64.
 */
import { Tensor } from '../core/tensor.js';
import { gradients } from '../core/autograd.js';
import { enableGrad, noGrad } from '../core/grad-mode.js';
import { Generator } from '../core/rng.js';
import { tensor } from '../core/create.js';
import { compareClose } from './allclose.js';
import { apply } from '../core/dispatch.js';
import { getPrimitive } from '../core/primitive.js';

export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6, PyTorch's). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Which inputs to check (default: every float64 input). */
  wrt?: readonly number[];
  seed?: number;
}

export interface GradcheckReport {
  ok: boolean;
  /** Per checked input: max |analytic - numeric|. */
  maxErrors: number[];
  message: string;
}

function projection(y: Tensor, w: Tensor): Tensor {
  const prod = apply(getPrimitive('mul'), [y, w], {});
  return apply(getPrimitive('sum'), [prod], { axes: prod.shape.map((_, i) => i), keepDims: false });
}

/** Compares autograd against central differences; returns a report (see assertGradcheck). */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 1234 } = opts;
  const wrt = opts.wrt ?? inputs.flatMap((x, i) => (x.dtype === 'float64' ? [i] : []));
  const g = new Generator(seed);
  const leaves = inputs.map((x, i) => (wrt.includes(i) ? x.detach().requiresGrad_() : x));
  const y0 = enableGrad(() => f(...leaves));
  const w = tensor(Float64Array.from({ length: y0.size }, () => g.nextFloat() * 2 - 1), { shape: y0.shape, dtype: y0.dtype });
  const analytic = y0.requiresGrad
    ? gradients([projection(y0, w)], wrt.map((i) => leaves[i]!), { allowUnused: true })
    : wrt.map((i) => tensor(new Float64Array(inputs[i]!.size), { shape: inputs[i]!.shape }));
  const maxErrors: number[] = [];
  const failures: string[] = [];
  wrt.forEach((idx, k) => {
    const base = inputs[idx]!.dataSync();
    const numeric = new Float64Array(base.length);
    for (let j = 0; j < base.length; j++) {
      const at = (delta: number): number => {
        const v = Float64Array.from(base);
        v[j] = v[j]! + delta;
        const xs = inputs.map((x, i) => (i === idx ? tensor(v, { shape: x.shape, dtype: 'float64' }) : x));
        return noGrad(() => projection(f(...xs), w)).item();
      };
      numeric[j] = (at(eps) - at(-eps)) / (2 * eps);
    }
    const r = compareClose(analytic[k]!.values, numeric, { atol, rtol });
    maxErrors.push(r.maxAbsError);
    if (!r.ok) failures.push(`input ${idx}: ${r.message}`);
  });
  return { ok: failures.length === 0, maxErrors, message: failures.length ? failures.join('; ') : `gradients match (max error ${Math.max(0, ...maxErrors).toExponential(2)})` };
}

/** Throws when gradcheck fails, with the worst element in the message. */
export function assertGradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts?: GradcheckOptions): void {
  const r = gradcheck(f, inputs, opts);
  if (!r.ok) throw new Error(`gradcheck failed: ${r.message}`);
}
