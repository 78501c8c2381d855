/**
 * @file Autograd semantics beyond single-op vjps (those live in the op table): seeds, accumulation,
 * grad modes, function transforms, higher-order gradients, customGrad, and the misuse errors of
 * docs/reliability.md "Numerics and training". Expected values are closed-form derivatives, never plexus's own output.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { assertClose } from '../src/testing/index.js';
import { frame } from '../src/core/memory.js';

const f64 = (data: number[] | number[][], requiresGrad = false): px.Tensor => px.tensor(data, { dtype: 'float64', requiresGrad });
const T = (x: unknown): px.Tensor => x as px.Tensor; // grad() returns Tensor | Tensor[] by argnums
const TIGHT = { atol: 1e-12, rtol: 1e-12 };

/** Asserts `fn` throws `cls` with the given code (and a message matching `re`, if given). */
function throwsCode(fn: () => unknown, cls: new (...a: never[]) => px.PlexusError, code: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal(e.code, code);
    if (re) assert.match(e.message, re);
    return true;
  });
}

describe('backward', () => {
  it('uses the seed gradient for a non-scalar output (vector-Jacobian product)', () => {
    const x = f64([1, -2, 3], true);
    // y = x^2, so x.grad = seed * 2x
    x.mul(x).backward(f64([1, 10, 100]));
    assertClose(x.grad!, [2, -40, 600], TIGHT);
  });

  it('accumulates into .grad over two backward calls (retainGraph on the first)', () => {
    const x = f64([0.5, 2], true);
    const y = x.mul(x).mul(x).sum(); // dy/dx = 3x^2
    y.backward(undefined, { retainGraph: true });
    assertClose(x.grad!, [0.75, 12], TIGHT);
    y.backward();
    assertClose(x.grad!, [1.5, 24], TIGHT);
  });

  it('leaves plain .grad without a graph (no createGraph)', () => {
    const x = f64([1, 2], true);
    x.exp().sum().backward();
    assert.equal(x.grad!.gradFn, null);
    assert.equal(x.grad!.requiresGrad, false);
  });

  it('does not populate .grad of intermediate (non-leaf) tensors', () => {
    const x = f64([1, 2], true);
    const h = x.mul(3);
    h.sum().backward();
    assert.equal(h.grad, null);
    assertClose(x.grad!, [3, 3], TIGHT);
  });
});

describe('grad modes', () => {
  it('noGrad records nothing', () => {
    const x = f64([1, 2], true);
    const y = px.noGrad(() => x.mul(x).exp().sum());
    assert.equal(y.gradFn, null);
    assert.equal(y.requiresGrad, false);
    assert.equal(px.isGradEnabled(), true, 'grad mode is restored after noGrad');
  });

  it('detach cuts the graph: the detached factor is a constant', () => {
    const x = f64([2, 3], true);
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.gradFn, null);
    // d/dx [x * stop(x)] = stop(x) = x, not 2x
    x.mul(d).sum().backward();
    assertClose(x.grad!, [2, 3], TIGHT);
  });

  it('requiresGrad_ on an int32 tensor throws DTypeError', () => {
    const i = px.tensor([1, 2], { dtype: 'int32' });
    assert.throws(() => i.requiresGrad_(), px.DTypeError);
    assert.equal(i.requiresGrad, false);
  });
});

describe('grad / valueAndGrad', () => {
  it('grad(f) of a scalar function', () => {
    const g = T(px.grad((x: px.Tensor) => x.sin().sum())(f64([0, 1, 2])));
    assertClose(g, [1, Math.cos(1), Math.cos(2)], TIGHT);
  });

  it('valueAndGrad returns the value and the gradient (single argnum)', () => {
    const f = (x: px.Tensor, y: px.Tensor) => x.mul(y).sum();
    const [v, g] = px.valueAndGrad(f, { argnums: 1 })(f64([1, 2]), f64([3, 4]));
    assert.equal(v.item(), 11);
    assertClose(T(g), [1, 2], TIGHT); // d/dy sum(x*y) = x
  });

  it('argnums arrays give one gradient per argument, including Tensor[] arguments', () => {
    // f(x, [a, b]) = sum(x*a) + sum(b^2): df/dx = a, df/da = x, df/db = 2b
    const f = (x: px.Tensor, ab: px.Tensor[]) => x.mul(ab[0]!).sum().add(ab[1]!.mul(ab[1]!).sum());
    const [v, gs] = px.valueAndGrad(f, { argnums: [0, 1] })(f64([1, 2]), [f64([3, 4]), f64([5])]);
    assert.equal(v.item(), 36);
    const [gx, gab] = gs as [px.Tensor, px.Tensor[]];
    assertClose(gx, [3, 4], TIGHT);
    assertClose(gab[0]!, [1, 2], TIGHT);
    assertClose(gab[1]!, [10], TIGHT);
    const gOnlyX = px.grad(f, { argnums: [0] })(f64([1, 2]), [f64([3, 4]), f64([5])]) as px.Tensor[];
    assert.equal(gOnlyX.length, 1);
    assertClose(gOnlyX[0]!, [3, 4], TIGHT);
  });

  it('grad does not touch .grad of its arguments', () => {
    const x = f64([1, 2], true);
    px.grad((t: px.Tensor) => t.mul(t).sum())(x);
    assert.equal(x.grad, null);
  });
});

describe('higher-order gradients', () => {
  it('grad of grad of x^3 is 6x', () => {
    const d1 = (x: px.Tensor) => T(px.grad((y: px.Tensor) => y.mul(y).mul(y).sum())(x));
    const xs = [-1.5, 0.25, 2];
    assertClose(d1(f64(xs)), xs.map((v) => 3 * v * v), TIGHT);
    const d2 = T(px.grad((x: px.Tensor) => d1(x).sum())(f64(xs)));
    assertClose(d2, xs.map((v) => 6 * v), TIGHT);
  });

  it('grad of grad of sin is -sin', () => {
    const xs = [-1, 0.3, 2.5];
    const d2 = T(px.grad((x: px.Tensor) => T(px.grad((y: px.Tensor) => y.sin().sum())(x)).sum())(f64(xs)));
    assertClose(d2, xs.map((v) => -Math.sin(v)), TIGHT);
  });

  it('backward with createGraph gives a differentiable .grad', () => {
    const x = f64([0.5, -2], true);
    x.mul(x).mul(x).sum().backward(undefined, { createGraph: true });
    const g = x.grad!; // 3x^2, recorded
    x.grad = null;
    g.sum().backward();
    assertClose(x.grad!, [3, -12], TIGHT); // 6x
  });

  it('Hessian-vector product of a 2-layer tanh MLP matches central differences of the gradient', () => {
    // f(W1, b1, W2) = mean((tanh(X W1 + b1) W2 - Y)^2); differentiate w.r.t. all three.
    px.manualSeed(11);
    const X = px.randn([6, 3], { dtype: 'float64' });
    const Y = px.randn([6, 2], { dtype: 'float64' });
    const f = (p: px.Tensor[]) => px.mse(px.tanh(X.matmul(p[0]!).add(p[1]!)).matmul(p[2]!), Y);
    const params = [px.randn([3, 4], { dtype: 'float64' }), px.randn([4], { dtype: 'float64' }), px.randn([4, 2], { dtype: 'float64' })];
    const v = params.map((p) => px.randn(p.shape, { dtype: 'float64' }));
    const gradF = (p: px.Tensor[]) => px.grad(f)(p) as px.Tensor[];

    // Hv = d/dp <grad f(p), v>: reverse-over-reverse through the recorded backward pass.
    const dot = (p: px.Tensor[]) => gradF(p).reduce((acc, g, i) => acc.add(g.mul(v[i]!).sum()), px.scalar(0, { dtype: 'float64' }));
    const hv = px.grad(dot)(params) as px.Tensor[];

    const eps = 1e-5;
    const shifted = (s: number) => gradF(params.map((p, i) => p.add(v[i]!.mul(s * eps))));
    const [gp, gm] = [shifted(1), shifted(-1)];
    const fd = gp.map((g, i) => g.sub(gm[i]!).div(2 * eps));
    const scale = Math.max(...fd.flatMap((t) => Array.from(t.values, Math.abs)));
    assert.ok(scale > 1e-3, 'the Hessian is not trivially zero on this input');
    hv.forEach((h, i) => {
      assert.deepEqual(h.shape, params[i]!.shape);
      assertClose(h, fd[i]!, { rtol: 1e-6, atol: 1e-6 * scale }, `Hv block ${i}`);
    });
  });
});

describe('customGrad', () => {
  it('straight-through estimator: sign forward, identity backward', () => {
    const ste = px.customGrad((x: px.Tensor) => px.sign(x), (g: px.Tensor) => [g]);
    const x = f64([-0.7, 0.2, 3], true);
    const y = ste(x);
    assert.equal(y.gradFn, 'customGrad');
    assert.deepEqual(Array.from(y.values), [-1, 1, 1]);
    y.mul(f64([1, 2, 3])).sum().backward();
    assertClose(x.grad!, [1, 2, 3], TIGHT); // sign' would be 0; the STE passes g through
  });

  it('a custom vjp written with ops is itself differentiable (cube: 3x^2 then 6x)', () => {
    const cube = px.customGrad((x: px.Tensor) => x.mul(x).mul(x), (g: px.Tensor, _out: px.Tensor, x: px.Tensor) => [g.mul(x.mul(x).mul(3))]);
    const xs = [-1, 0.5, 2];
    const d1 = (x: px.Tensor) => T(px.grad((y: px.Tensor) => cube(y).sum())(x));
    assertClose(d1(f64(xs)), xs.map((v) => 3 * v * v), TIGHT);
    assertClose(T(px.grad((x: px.Tensor) => d1(x).sum())(f64(xs))), xs.map((v) => 6 * v), TIGHT);
  });

  it('keeps its saved inputs alive past a frame: an intermediate input is still there for the backward', () => {
    const twice = px.customGrad((a: px.Tensor, b: px.Tensor) => a.mul(b), (g: px.Tensor, _out: px.Tensor, a: px.Tensor, b: px.Tensor) => [g.mul(b), g.mul(a)]);
    const x = f64([1, 2], true);
    // b = x + 1, made inside the frame without recording, is saved by the custom node alone.
    const y = frame(() => twice(x, px.noGrad(() => px.add(x, 1))));
    y.sum().backward();
    assertClose(x.grad!, [2, 3], TIGHT);
  });

  it('records nothing when no input requires grad', () => {
    const ident = px.customGrad((x: px.Tensor) => x.mul(1), (g: px.Tensor) => [g]);
    assert.equal(ident(f64([1])).gradFn, null);
  });
});

describe('autograd misuse errors (docs/reliability.md "Numerics and training")', () => {
  it("backward twice without retainGraph throws 'GRAPH_FREED'", () => {
    const x = f64([1, 2], true);
    const y = x.exp().sum();
    y.backward();
    throwsCode(() => y.backward(), px.AutogradError, 'GRAPH_FREED', /retainGraph/);
  });

  it("backward on a non-scalar without a seed throws 'NON_SCALAR' naming the shape", () => {
    const x = f64([1, 2], true);
    throwsCode(() => x.mul(2).backward(), px.AutogradError, 'NON_SCALAR', /\[2\]/);
  });

  it("modifying a tensor saved for backward, then backward, throws 'INPLACE_MODIFIED'", () => {
    const x = f64([0.1, 0.2], true);
    const t = x.exp(); // exp saves its output; mul saves both inputs
    const y = t.mul(t).sum();
    px.noGrad(() => t.assign([5, 6]));
    throwsCode(() => y.backward(), px.AutogradError, 'INPLACE_MODIFIED', /modified in place/);
  });

  it('assign on a leaf that requires grad, with grad mode on, throws', () => {
    const w = f64([1, 2], true);
    throwsCode(() => w.assign([3, 4]), px.AutogradError, 'INPLACE_ON_LEAF', /noGrad/);
    assert.deepEqual(Array.from(w.values), [1, 2], 'values untouched by the refused assign');
    px.noGrad(() => w.assign([3, 4])); // the sanctioned optimizer-update path
    assert.deepEqual(Array.from(w.values), [3, 4]);
  });
});
