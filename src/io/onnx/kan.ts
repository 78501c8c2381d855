/**
 * @file ONNX lowerings of KANLinear and KAN (Liu et al. 2024, arXiv 2404.19756; FastKAN, Li 2024,
 * arXiv 2405.06721): the basis expansion is written in standard operators and the layer is then
 * the same "bases flattened, one MatMul" shape as its forward.
 *
 * - B-splines: Cox-de Boor on the layer's knot grid, order 0 as indicator functions of the
 *   half-open intervals [t_j, t_{j+1}) (so every basis is 0 outside [t_0, t_last), as the
 *   splineBasis op), then k rounds of B_{j,p} = (x - t_j)/(t_{j+p} - t_j) B_{j,p-1}
 *   + (t_{j+p+1} - x)/(t_{j+p+1} - t_{j+1}) B_{j+1,p-1}, the knot differences precomputed as
 *   initializers.
 * - Gaussian RBF (FastKAN): exp(-((x - c)/h)^2); Chebyshev: T_n(tanh x) by the recurrence;
 *   Fourier: [cos(jx)..., sin(jx)...].
 * A layer built with extrapolate: false refuses out-of-grid inputs in plexus; the exported graph
 * has no such check and evaluates them (to 0 spline contribution for B-splines).
 */
import { BSplineBasis, ChebyshevBasis, FourierBasis, GaussianRBFBasis } from '../../nn/kan/basis.js';
import { KAN } from '../../nn/kan/kan.js';
import { KANLinear } from '../../nn/kan/kan-linear.js';
import { activationFromName } from '../../nn/activation.js';
import { noGrad } from '../../core/grad-mode.js';
import { type Dim, type OnnxGraph, type Value, checkLastDim } from './graph.js';
import { OnnxExportError, activationLowering, binary, cos, join, linear, lower, registerOnnxLowering, sliceAxis, unary } from './lowerings.js';

/** x [N, F] -> [N, F, 1]. */
function lastAxis(g: OnnxGraph, x: Value, path: string): Value {
  return g.op('Unsqueeze', [x, g.ints(join(path, 'axis'), [-1])], [...x.shape, 1], {}, join(path, 'x3'));
}

function bspline(g: OnnxGraph, basis: BSplineBasis, x3: Value, path: string): Value {
  const t = basis.grid._peek();
  const [F, K] = basis.grid.shape as [number, number];
  const cols = (from: number, n: number, fn: (f: number, j: number) => number): Float64Array => {
    const out = new Float64Array(F * n);
    for (let f = 0; f < F; f++) for (let j = 0; j < n; j++) out[f * n + j] = fn(f, from + j);
    return out;
  };
  const at = (f: number, j: number): number => Number(t[f * K + j]);
  const lead = x3.shape.slice(0, -1);
  const ge = g.op('GreaterOrEqual', [x3, g.constant(join(path, 't_lo'), cols(0, K - 1, at), [F, K - 1])], [...lead, K - 1], {}, path);
  const lt = g.op('Less', [x3, g.constant(join(path, 't_hi'), cols(1, K - 1, at), [F, K - 1])], [...lead, K - 1], {}, path);
  const inside = g.op('And', [ge, lt], [...lead, K - 1], {}, path);
  let b = g.op('Cast', [inside], [...lead, K - 1], { to: { int: g.float === 'float32' ? 1 : 11 } }, join(path, 'B0'));
  for (let p = 1; p <= basis.k; p++) {
    const n = K - 1 - p;
    const shape: Dim[] = [...lead, n];
    const tl = g.constant(join(path, `t_left${p}`), cols(0, n, at), [F, n]);
    const il = g.constant(join(path, `inv_left${p}`), cols(0, n, (f, j) => 1 / (at(f, j + p) - at(f, j))), [F, n]);
    const tr = g.constant(join(path, `t_right${p}`), cols(p + 1, n, at), [F, n]);
    const ir = g.constant(join(path, `inv_right${p}`), cols(0, n, (f, j) => 1 / (at(f, j + p + 1) - at(f, j + 1))), [F, n]);
    const left = g.op('Mul', [g.op('Sub', [x3, tl], shape, {}, path), il], shape, {}, path);
    const right = g.op('Mul', [g.op('Sub', [tr, x3], shape, {}, path), ir], shape, {}, path);
    const lo = sliceAxis(g, b, -1, 0, n, join(path, `lo${p}`));
    const hi = sliceAxis(g, b, -1, 1, n + 1, join(path, `hi${p}`));
    b = g.op('Add', [g.op('Mul', [left, lo], shape, {}, path), g.op('Mul', [right, hi], shape, {}, path)], shape, {}, join(path, `B${p}`));
  }
  return b;
}

function rbf(g: OnnxGraph, basis: GaussianRBFBasis, x3: Value, path: string): Value {
  const c = basis.getBuffer('centers')!;
  const z = binary(g, 'Div', binary(g, 'Sub', x3, g.weight(join(path, 'centers'), c), path), g.scalar(join(path, 'width'), basis.width), path);
  return unary(g, 'Exp', unary(g, 'Neg', binary(g, 'Mul', z, z, path), {}, path), {}, join(path, 'B'));
}

function chebyshev(g: OnnxGraph, basis: ChebyshevBasis, x3: Value, path: string): Value {
  const t = unary(g, 'Tanh', x3, {}, path);
  const T: Value[] = [binary(g, 'Add', binary(g, 'Mul', t, g.scalar(join(path, 'zero'), 0), path), g.scalar(join(path, 'one'), 1), path), t];
  const two = g.scalar(join(path, 'two'), 2);
  for (let n = 2; n <= basis.size; n++) T.push(binary(g, 'Sub', binary(g, 'Mul', binary(g, 'Mul', t, T[n - 1]!, path), two, path), T[n - 2]!, path));
  return g.op('Concat', T.slice(0, basis.size + 1), [...x3.shape.slice(0, -1), basis.size + 1], { axis: { int: -1 } }, join(path, 'B'));
}

function fourier(g: OnnxGraph, basis: FourierBasis, x3: Value, path: string): Value {
  const K = basis.size;
  const jx = binary(g, 'Mul', x3, g.constant(join(path, 'j'), Array.from({ length: K }, (_, i) => i + 1), [K]), path);
  return g.op('Concat', [cos(g, jx, path), unary(g, 'Sin', jx, {}, path)], [...x3.shape.slice(0, -1), 2 * K], { axis: { int: -1 } }, join(path, 'B'));
}

/** B(x) [N, F, nb] for the layer's basis. */
function bases(g: OnnxGraph, m: KANLinear, x3: Value, path: string): Value {
  const b = m.basis;
  if (b instanceof BSplineBasis) return bspline(g, b, x3, path);
  if (b instanceof GaussianRBFBasis) return rbf(g, b, x3, path);
  if (b instanceof ChebyshevBasis) return chebyshev(g, b, x3, path);
  if (b instanceof FourierBasis) return fourier(g, b, x3, path);
  throw new OnnxExportError(`exportOnnx: ${path} has a basis of kind ${String(b.kind)} without an ONNX lowering`, path, 'KANLinear');
}

function kanLinear(g: OnnxGraph, m: KANLinear, x: Value, path: string): Value {
  const F = m.inFeatures;
  checkLastDim(path, x, F);
  // The layer works on [N, F]; other ranks are flattened and restored, as its forward does.
  const flat = x.shape.length !== 2;
  const x2 = flat ? g.op('Reshape', [x, g.ints(join(path, 'flat'), [-1, F])], [null, F], {}, join(path, 'x2')) : x;
  const xb = m.layerNorm ? lower(g, m.layerNorm, x2, join(path, 'layerNorm')) : x2;
  const B = bases(g, m, lastAxis(g, xb, join(path, 'basis')), join(path, 'basis'));
  const nb = m.numBases;
  const Bf = g.op('Reshape', [B, g.ints(join(path, 'bshape'), [0, F * nb])], [x2.shape[0]!, F * nb], {}, join(path, 'bases'));
  const W = noGrad(() => m.effectiveSplineWeight());
  let y = linear(g, Bf, { values: W._peek(), out: m.outFeatures, in: F * nb }, null, join(path, 'spline'));
  if (m.baseWeight && m.options.baseActivation !== 'zero') {
    const act = activationLowering(activationFromName(m.options.baseActivation), join(path, 'base'));
    const base = linear(g, act(g, x2, join(path, 'base')), { values: m.baseWeight._peek(), out: m.outFeatures, in: F }, null, join(path, 'base'));
    y = binary(g, 'Add', y, base, path);
  }
  if (m.bias) y = binary(g, 'Add', y, g.weight(join(path, 'bias'), m.bias), path);
  if (!flat) return y;
  const lead = g.op('Slice', [g.op('Shape', [x], [x.shape.length], {}, path), g.ints(join(path, 's0'), [0]), g.ints(join(path, 's1'), [-1])], [x.shape.length - 1], {}, path);
  const shape = g.op('Concat', [lead, g.ints(join(path, 'out_dim'), [m.outFeatures])], [x.shape.length], { axis: { int: 0 } }, path);
  return g.op('Reshape', [y, shape], [...x.shape.slice(0, -1), m.outFeatures], {}, join(path, 'out'));
}

registerOnnxLowering('KANLinear', (g, m, x, path) => kanLinear(g, m as KANLinear, x, path));
registerOnnxLowering('KAN', (g, m, x, path) => {
  const k = m as KAN;
  let h = x;
  for (let l = 0; l < k.depth; l++) h = kanLinear(g, k.layer(l), h, join(path, `layers.${l}`));
  return h;
});
