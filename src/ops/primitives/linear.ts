/**
 * @file `linear`: y = act(x·Wᵀ + b) as one fused primitive (PyTorch's F.linear plus an optional
 * activation), so fast backends run one GEMM with a bias + activation epilogue instead of three
 * kernels and two temporaries. Its composite oracle is act(add(mm(x, W, false, true), b)) (see
 * test/fused.test.ts); the op table checks it against plain float64 loops.
 *
 * Shape contract: x [..., in], weight [out, in] (nn.Linear's layout), bias [out] or absent ->
 * [..., out]. Activations: 'none' | 'relu' | 'tanh' | 'gelu' (exact erf form, like px.gelu).
 *
 * Backward, written with ops so it is differentiable again (z = x·Wᵀ + b, y = act(z)):
 *   gz = g·act'(z):  relu: y <= 0 ? 0 : g   (relu'(0) = 0; a NaN passes g, like the composite)
 *                    tanh: g·(1 - y²)        (from the output: no recompute)
 *                    gelu: g·(Φ(z) + z·φ(z)) (z recomputed: y alone does not determine it; the
 *                          geluBackward primitive, ops/primitives/gelu.ts)
 *   gx = gz·W,  gW = gzᵀ·x (leading dims folded into rows),  gb = Σ_rows gz.
 * An input that does not require grad gets null without its GEMM being run: for the first layer of
 * a network that skips the largest product of the backward pass (gx of the data batch).
 */
import { isFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { checkArgCount, checkEnum, tensorArg } from '../../core/args.js';
import { type Meta, registerPrimitive } from '../../core/primitive.js';
import { numel } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { geluScalar } from '../../core/special.js';
import { le, mul, sub, where } from './binary.js';
import { geluBackward, geluForward } from './gelu.js';
import { isGradEnabled } from '../../core/grad-mode.js';
import { mm } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape-ops.js';

export const LINEAR_ACTIVATIONS = ['none', 'relu', 'tanh', 'gelu'] as const;
export type LinearActivation = (typeof LINEAR_ACTIVATIONS)[number];

export interface LinearAttrs {
  activation: LinearActivation;
}

/** The activations as float64 scalars (the reference's and the js backend's epilogue). */
export function activate(activation: LinearActivation, z: number): number {
  switch (activation) {
    case 'none': return z;
    case 'relu': return z <= 0 ? 0 : z; // not `z > 0 ? z : 0`: a NaN must propagate
    case 'tanh': return Math.tanh(z);
    case 'gelu': return geluScalar(z);
  }
}

/** The shapes of a linear call, for its error messages. */
function linearWhat(x: Meta, w: Meta, b: Meta | undefined): string {
  return `linear: x ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''}`;
}

/**
 * rows, in, out of a linear call; throws a ShapeError naming every shape. Allocation-free on
 * success (no message closure, no shape copies): it runs on every call of a single-sample
 * inference, where the whole call is a few microseconds.
 */
export function linearDims(x: Meta, w: Meta, b: Meta | undefined): { rows: number; inF: number; outF: number } {
  if (w.shape.length !== 2) throw new ShapeError(`${linearWhat(x, w, b)}: weight must be [out, in]`);
  const r = x.shape.length;
  if (r < 1) throw new ShapeError(`${linearWhat(x, w, b)}: x must have rank >= 1 ([..., in])`);
  const outF = w.shape[0]!;
  const inF = w.shape[1]!;
  if (x.shape[r - 1] !== inF) throw new ShapeError(`${linearWhat(x, w, b)}: last dim of x must equal weight's in-features ${inF}`);
  if (b && (b.shape.length !== 1 || b.shape[0] !== outF)) throw new ShapeError(`${linearWhat(x, w, b)}: bias must be [${outF}]`);
  let rows = 1;
  for (let i = 0; i < r - 1; i++) rows *= x.shape[i]!;
  return { rows, inF, outF };
}

export const LINEAR = registerPrimitive<LinearAttrs>({
  name: 'linear',
  infer: ([x, w, b], { activation }) => {
    if (!LINEAR_ACTIVATIONS.includes(activation)) {
      throw new ValueError(`linear: activation must be one of ${LINEAR_ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
    }
    const odd = w!.dtype !== x!.dtype ? w! : b && b.dtype !== x!.dtype ? b : null;
    if (odd) throw new DTypeError(`linear: operand dtypes differ (x ${x!.dtype} vs ${odd.dtype})`);
    if (!isFloat(x!.dtype)) throw new DTypeError(`linear: operands must be float32 or float64, got ${x!.dtype}`);
    const { outF } = linearDims(x!, w!, b);
    const shape = x!.shape.slice(); // [..., in] -> [..., out]
    shape[shape.length - 1] = outF;
    return { shape, dtype: x!.dtype };
  },
  reference: (out, [x, w, b], { activation }) => {
    const { rows, inF, outF } = linearDims(x!, w!, b);
    const xv = x!.values;
    const wv = w!.values;
    const bv = b?.values;
    const o = out.values;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outF; j++) {
        let acc = 0;
        for (let p = 0; p < inF; p++) acc += xv[r * inF + p]! * wv[j * inF + p]!;
        // The bias is added after the sum, as the composite mm(...) + b does.
        o[r * outF + j] = activate(activation, bv ? acc + bv[j]! : acc);
      }
    }
  },
  vjp: (g, [x, w, b], out, { activation }) => {
    const gz = activationGrad(g, out, activation, () => linear(x!, w!, b ?? null, 'none'));
    const inF = w!.shape[1]!;
    const outF = w!.shape[0]!;
    const rows = numel(x!.shape.slice(0, -1));
    const g2 = gz.rank === 2 ? gz : reshape(gz, [rows, outF]);
    const x2 = x!.rank === 2 ? x! : reshape(x!, [rows, inF]);
    const gx = x!.requiresGrad ? mm(g2, w!) : null;
    return [
      gx && gx.rank !== x!.rank ? reshape(gx, x!.shape) : gx,
      w!.requiresGrad ? mm(g2, x2, true, false) : null,
      ...(b ? [b.requiresGrad ? sum(g2, [0]) : null] : []),
    ];
  },
});

/** g·act'(z), from the output where it determines the slope; `z()` recomputes the pre-activation. */
function activationGrad(g: Tensor, y: Tensor, activation: LinearActivation, z: () => Tensor): Tensor {
  switch (activation) {
    case 'none': return g;
    case 'relu': return where(le(y, 0), 0, g);
    case 'tanh': return mul(g, sub(1, mul(y, y)));
    case 'gelu': return geluBackward(g, z()); // g·(Φ(z) + z φ(z)), one fused pass
  }
}

/**
 * act(x·Wᵀ + b) in one kernel. x [..., in], weight [out, in], bias [out] or null -> [..., out].
 * @example px.linear(x, layer.weight, layer.bias, 'relu')
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: LinearActivation = 'none'): Tensor {
  checkArgCount('linear', arguments.length, 4, 'linear(x, weight, bias?, activation?)');
  tensorArg('linear', 'input', x);
  tensorArg('linear', 'weight', weight);
  if (bias !== null && bias !== undefined) tensorArg('linear', 'bias', bias);
  checkEnum('linear', 'activation', activation, LINEAR_ACTIVATIONS);
  const ins = bias ? [x, weight, bias] : [x, weight];
  // Recording a graph: GELU's backward needs z, which the fused output does not determine, so keep
  // z as its own tensor (one elementwise pass) rather than recompute x·Wᵀ + b in the backward.
  if (activation === 'gelu' && isGradEnabled() && ins.some((t) => t.requiresGrad)) return geluForward(apply(LINEAR, ins, { activation: 'none' }));
  return apply(LINEAR, ins, { activation });
}
