/**
 * @file Grid extension, grid update from samples and the least-squares solver behind them: the
 * function must be preserved (grid extension to within 1e-3 std(y), in practice ~1e-12 with nested
 * knots), knots must land where pykan puts them, and float32 layers must refit in float64.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { assertClose, uniform } from '../src/testing/index.js';

const { nn } = px;

const rmse = (a: px.Tensor, b: px.Tensor): number => Math.sqrt(px.mse(a, b).item());
const std = (y: px.Tensor): number => Math.sqrt(px.variance(y, undefined, { correction: 0 }).item());

/** A KAN whose edges are far from flat: noise 1 instead of pykan's 0.3. */
const wiggly = (widths: number[], grid: number, opts: px.nn.KANOptions = {}): px.nn.KAN =>
  new nn.KAN(widths, { grid, k: 3, scaleNoise: 3, dtype: 'float64', generator: new px.Generator(11), ...opts });

/** Interior knots t_k..t_{G+k} of feature f. */
function interior(layer: px.nn.KANLinear, f = 0): number[] {
  const b = layer.basis as px.nn.BSplineBasis;
  const K = b.size + 2 * b.k + 1;
  return [...b.grid.values].slice(f * K + b.k, f * K + b.k + b.size + 1);
}

describe('grid extension', () => {
  it('refine(G) preserves the network on the samples: 3 -> 5 -> 10 -> 20, RMSE <= 1e-3 std(y)', () => {
    let model = wiggly([2, 3, 1], 3);
    const x = uniform([300, 2], -1, 1);
    for (const G of [5, 10, 20]) {
      const y = model.forward(x);
      const child = model.refine(G, x);
      const err = rmse(child.forward(x), y);
      // ~1e-9 here: nested knots make the old spline space a subspace of the new one wherever a
      // layer's inputs lie inside its grid (some hidden activations here are beyond it).
      assert.ok(err <= 1e-3 * std(y), `G=${G}: RMSE ${err} vs std ${std(y)}`);
      assert.equal(child.layer(0).basis.size, G);
      model = child;
    }
  });

  it('inside the grid, nested refinement is exact to rounding', () => {
    const layer = wiggly([2, 3], 3).layer(0);
    const x = uniform([300, 2], -1, 1);
    const y = layer.forward(x);
    for (const G of [4, 5, 9, 16]) assert.ok(rmse(layer.refine(G, x).forward(x), y) <= 1e-11 * std(y), `G=${G}`);
  });

  it('refine leaves the parent unchanged and returns fresh Parameters of the new shape', () => {
    const parent = wiggly([2, 1], 3);
    const before = [...parent.layer(0).splineWeight.values];
    const child = parent.refine(5);
    assert.deepEqual([...parent.layer(0).splineWeight.values], before);
    assert.deepEqual(child.layer(0).splineWeight.shape, [1, 2 * 8]);
    assert.notEqual(child.parameters()[0], parent.parameters()[0]);
  });

  it("knots: 'nested' keeps the old ones and splits the widest intervals; 'interpolate' is pykan's", () => {
    const layer = wiggly([1, 1], 3).layer(0);
    const third = 2 / 3;
    assertClose(interior(layer.refine(5)), [-1, -1 + third / 2, -1 + third, -1 + 1.5 * third, 1 / 3, 1], { atol: 1e-15, rtol: 0 });
    assertClose(interior(layer.refine(5, undefined, { knots: 'interpolate' })), [-1, -0.6, -0.2, 0.2, 0.6, 1], { atol: 1e-15, rtol: 0 });
    // pykan's piecewise-linear interpolation keeps a non-uniform grid's shape.
    const x = px.tensor([...Array(101).keys()].map((i) => [((i / 100) ** 2) * 2 - 1]), { dtype: 'float64' });
    layer.updateGrid(x, { gridEps: 0 });
    const t = interior(layer);
    const t6 = interior(layer.refine(6, undefined, { knots: 'interpolate' }));
    assertClose([t6[0]!, t6[2]!, t6[4]!, t6[6]!], t, { atol: 1e-15, rtol: 0 });
  });

  it("'interpolate' (not nested for 3 -> 5) is a least-squares approximation", () => {
    const model = wiggly([2, 1], 3);
    const x = uniform([400, 2], -1, 1);
    const y = model.forward(x);
    const err = rmse(model.refine(5, x, { knots: 'interpolate' }).forward(x), y);
    assert.ok(err > 1e-9 * std(y) && err < 0.1 * std(y), `RMSE ${err}`);
  });

  it('without samples it fits on dense points of the grid', () => {
    const layer = wiggly([2, 2], 4).layer(0);
    const x = uniform([200, 2], -1, 1);
    const y = layer.forward(x);
    assertClose(layer.refine(8).forward(x), y, { atol: 1e-10, rtol: 0 });
  });

  it('other bases: nested spaces (Chebyshev degree, Fourier frequencies) are preserved exactly', () => {
    for (const basis of ['chebyshev', 'fourier'] as const) {
      const layer = new nn.KANLinear(2, 2, { basis, grid: 3, scaleNoise: 3, dtype: 'float64', generator: new px.Generator(2) });
      const x = uniform([200, 2], -1, 1);
      const y = layer.forward(x);
      const child = layer.refine(6, x);
      assert.equal(child.basis.size, 6);
      assertClose(child.forward(x), y, { atol: 1e-9, rtol: 0 }, basis);
    }
  });

  it('float32 layers refit in float64', () => {
    const model = wiggly([2, 2, 1], 3, { dtype: 'float32' });
    const x = px.rand([300, 2]).mul(2).sub(1);
    const y = model.forward(x);
    const child = model.refine(6, x);
    assert.equal(child.layer(0).splineWeight.dtype, 'float32');
    assert.ok(rmse(child.forward(x), y) <= 1e-5 * std(y));
  });
});

describe('grid update from samples', () => {
  it('puts the knots at the sample percentiles (gridEps 0) and at the uniform grid (gridEps 1)', () => {
    const layer = wiggly([1, 1], 4).layer(0);
    const xs = [...Array(100).keys()].map((i) => (i / 99) ** 3); // sorted, skewed to 0
    const x = px.tensor(xs.map((v) => [v]), { dtype: 'float64' });
    layer.updateGrid(x, { gridEps: 0 });
    assertClose(interior(layer), [0, 25, 50, 75, 99].map((i) => xs[i]!), { atol: 1e-15, rtol: 0 });
    layer.updateGrid(x, { gridEps: 1 });
    assertClose(interior(layer), [0, 0.25, 0.5, 0.75, 1], { atol: 1e-15, rtol: 0 });
    layer.updateGrid(x, { gridEps: 1, padding: 0.1 });
    assertClose([interior(layer)[0]!, interior(layer)[4]!], [-0.1, 1.1], { atol: 1e-15, rtol: 0 });
  });

  it('preserves smooth edge functions approximately (least squares on a non-nested grid)', () => {
    const layer = smoothLayer(new nn.KANLinear(2, 3, { grid: 8, dtype: 'float64' }));
    const x = px.tanh(uniform([500, 2], -1.5, 1.5)); // denser near the ends than uniform
    const y = layer.forward(x);
    layer.updateGrid(x);
    const err = rmse(layer.forward(x), y);
    // The new knots are not nested, so what remains is the new grid's approximation error of the
    // old spline (~h^4 |f''''| / 384 ~ 3e-3 for sin(4x) at h = 0.25); a wrong refit is off by O(1).
    assert.ok(err <= 5e-3 * std(y), `RMSE ${err} vs std ${std(y)}`);
    assert.ok(err > 1e-8 * std(y), 'the grid did move');
  });

  it("adapts every layer's grid to that layer's own input range", () => {
    const model = wiggly([2, 3, 1], 5);
    const x = uniform([500, 2], -0.5, 0.9);
    model.updateGrid(x, { gridEps: 0 });
    const acts = model.activations(x);
    for (let l = 0; l < 2; l++) {
      const a = acts[l]!;
      const col = px.slice(a, [null, [0, 1]]);
      assertClose(model.layer(l).basis.domain(0), [px.min(col).item(), px.max(col).item()], { atol: 1e-2, rtol: 0 }, `layer ${l}`);
    }
  });

  it('keeps a usable grid for constant or tied inputs, and refuses non-spline bases', () => {
    const layer = wiggly([2, 1], 4).layer(0);
    const x = px.tensor([[0.3, 0], [0.3, 0], [0.3, 0], [0.3, 1]], { dtype: 'float64' });
    layer.updateGrid(x);
    const t0 = interior(layer, 0);
    const t1 = interior(layer, 1);
    assertClose(t0, [-1, -0.5, 0, 0.5, 1], { atol: 1e-15, rtol: 0 }); // constant feature: grid kept
    for (let i = 0; i < 4; i++) assert.ok(t1[i + 1]! > t1[i]!, 'tied samples: falls back to uniform');
    const rbf = new nn.KANLinear(2, 1, { basis: 'rbf', dtype: 'float64' });
    assert.throws(() => rbf.updateGrid(uniform([10, 2], -1, 1)), (e: unknown) => e instanceof px.ValueError && (e as px.ValueError).code === 'UNSUPPORTED_BASIS');
    assert.throws(() => layer.updateGrid(px.tensor([[NaN, 0], [0, 0]], { dtype: 'float64' })), nn.NonFiniteInputError);
  });
});

/** Sets every edge's spline to a smooth function sin(a x + b) (least squares on dense points). */
function smoothLayer(layer: px.nn.KANLinear): px.nn.KANLinear {
  const { inFeatures: F, outFeatures: O, numBases: nb } = layer;
  const M = 400;
  const xs = px.tensor(Array.from({ length: M }, (_, n) => Array(F).fill(-1 + (2 * n) / (M - 1))), { dtype: 'float64' });
  const B = layer.basis.evaluate(xs).values; // [M, F, nb]
  const W = new Float64Array(O * F * nb);
  for (let f = 0; f < F; f++) {
    const A = Float64Array.from({ length: M * nb }, (_, q) => B[(Math.floor(q / nb) * F + f) * nb + (q % nb)]!);
    const Y = Float64Array.from({ length: M * O }, (_, q) => Math.sin((1 + (q % O) + f) * xs.values[Math.floor(q / O) * F]! + f));
    const X = nn.lstsq(A, M, nb, Y, O);
    for (let o = 0; o < O; o++) for (let c = 0; c < nb; c++) W[o * F * nb + f * nb + c] = X[c * O + o]!;
  }
  px.noGrad(() => layer.splineWeight.assign(W));
  return layer;
}

describe('lstsq', () => {
  it('solves a consistent overdetermined system exactly', () => {
    const A = [1, 0, 0, 1, 1, 1, 2, -1];
    const X = [3, -2, 0.5, 4]; // [2, 2]
    const B = [0, 1, 2, 3].flatMap((i) => [0, 1].map((c) => A[2 * i]! * X[c]! + A[2 * i + 1]! * X[2 + c]!));
    assertClose(nn.lstsq(A, 4, 2, B, 2), X, { atol: 1e-12, rtol: 0 });
  });
  it('returns the minimum-norm solution of an underdetermined system (ridge -> 0)', () => {
    // x + y = 2: minimum norm (1, 1).
    assertClose(nn.lstsq([1, 1], 1, 2, [2], 1), [1, 1], { atol: 1e-9, rtol: 0 });
  });
  it('stays finite with an all-zero column and with no rows', () => {
    const x = nn.lstsq([1, 0, 2, 0], 2, 2, [1, 2], 1);
    assertClose(x, [1, 0], { atol: 1e-9, rtol: 0 });
    assertClose(nn.lstsq([], 0, 3, [], 2), [0, 0, 0, 0, 0, 0], { atol: 0, rtol: 0 });
  });
  it('is accurate on an ill-conditioned B-spline design (a normal-equation solve loses digits here)', () => {
    const grid = px.uniformGrid(1, 30, 3, [-1, 1], 'float64');
    const n = 400;
    const xs = px.tensor(Array.from({ length: n }, (_, i) => [-1 + (1.9 * i) / (n - 1)]), { dtype: 'float64' }); // last interval barely sampled
    const A = px.splineBasis(xs, grid, 3).values;
    const c = Float64Array.from({ length: 33 }, (_, j) => Math.sin(j));
    const row = (i: number): number[] => Array.from(A.slice(i * 33, i * 33 + 33));
    const b = Float64Array.from({ length: n }, (_, i) => row(i).reduce((s, v, j) => s + v * c[j]!, 0));
    const fit = nn.lstsq(A, n, 33, b, 1, { relRidge: 0 });
    const resid = Math.max(...Array.from({ length: n }, (_, i) => Math.abs(row(i).reduce((s, v, j) => s + v * fit[j]!, 0) - b[i]!)));
    assert.ok(resid < 1e-10, `max residual ${resid}`);
  });
});
