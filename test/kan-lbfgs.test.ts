/**
 * @file L-BFGS against torch.optim.LBFGS 1.13 in float64 (test/golden/lbfgs.json, written offline by
 * scripts/golden/lbfgs.py): Rosenbrock 2-D and a tiny tanh regression, with the strong-Wolfe line
 * search and with fixed steps. After every step(closure) call we compare the returned loss, the
 * parameters and PyTorch's counters n_iter and func_evals (equal counters mean the same branches
 * were taken: line-search brackets, curvature-pair skips, stopping rules).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { LBFGS, cubicInterpolate } from '../src/optim/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; values: number[] }
interface Config {
  name: string;
  problem: 'rosenbrock' | 'tanh';
  options: Record<string, unknown>;
  init: Record<string, Arr>;
  data: Record<string, Arr>;
  steps: { loss: number; params: Record<string, Arr>; nIter: number; funcEvals: number }[];
}
const golden = JSON.parse(readFileSync(new URL('../../test/golden/lbfgs.json', import.meta.url), 'utf8')) as { configs: Config[] };

const f64 = (a: Arr, requiresGrad = false): px.Tensor => px.tensor(a.values, { dtype: 'float64', shape: a.shape, requiresGrad });

/** Fresh leaves at the golden initial values and the problem's loss over them. */
function problem(c: Config): { params: Record<string, px.Tensor>; loss: () => px.Tensor } {
  const params = Object.fromEntries(Object.entries(c.init).map(([k, v]) => [k, f64(v, true)]));
  if (c.problem === 'rosenbrock') {
    const xy = params.xy!;
    return {
      params,
      loss: () => {
        const x = px.slice(xy, [[0, 1]]);
        const y = px.slice(xy, [[1, 2]]);
        return px.square(px.sub(1, x)).add(px.square(y.sub(x.mul(x))).mul(100)).sum();
      },
    };
  }
  const X = f64(c.data.X!);
  const Y = f64(c.data.Y!);
  return { params, loss: () => px.mean(px.square(px.tanh(px.add(px.matmul(X, params.W!), params.b!)).sub(Y))) };
}

// Float64 against float64 with a different summation order: ~1e-15 per operation, amplified by
// the line search's divisions near convergence; 1e-8 still separates any wrong branch (>= 1e-4).
const TOL = { atol: 1e-8, rtol: 1e-8 };

describe('LBFGS vs PyTorch (float64)', () => {
  it('has the golden configurations', () => assert.ok(golden.configs.length >= 5));

  for (const c of golden.configs) {
    it(c.name, () => {
      const { params, loss } = problem(c);
      const opt = new LBFGS(Object.values(params), c.options);
      const closure = (): px.Tensor => {
        opt.zeroGrad();
        const l = loss();
        l.backward();
        return l;
      };
      c.steps.forEach((want, k) => {
        const got = opt.step(closure);
        assertClose([got], [want.loss], TOL, `${c.name}: loss returned by step ${k + 1}`);
        for (const [name, p] of Object.entries(params)) assertClose(p, want.params[name]!.values, TOL, `${c.name}: ${name} after step ${k + 1}`);
        assert.equal(opt.nIter, want.nIter, `${c.name}: n_iter after step ${k + 1}`);
        assert.equal(opt.funcEvals, want.funcEvals, `${c.name}: func_evals after step ${k + 1}`);
      });
    });
  }
});

describe('LBFGS pieces and errors', () => {
  it('cubicInterpolate finds the minimiser of a cubic from two points', () => {
    // f(t) = (t - 0.3)^2 (t + 2): f' = (t - 0.3)(3t + 3.7), local minimum at 0.3.
    const f = (t: number): number => (t - 0.3) ** 2 * (t + 2);
    const g = (t: number): number => (t - 0.3) * (3 * t + 3.7);
    assert.ok(Math.abs(cubicInterpolate(0, f(0), g(0), 1, f(1), g(1)) - 0.3) < 1e-12);
    // Clamped to the bounds given.
    assert.equal(cubicInterpolate(0, f(0), g(0), 1, f(1), g(1), [0.5, 0.8]), 0.5);
  });

  it('stops at once on a zero gradient and needs a closure', () => {
    const p = px.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new LBFGS([p], { lineSearchFn: 'strong_wolfe' });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = px.sum(px.mul(p, 0));
      l.backward();
      return l;
    });
    assert.equal(loss, 0);
    assert.deepEqual([...p.values], [1, 2]);
    assert.throws(() => opt.step(), (e: unknown) => e instanceof px.ValueError && /closure/.test((e as Error).message));
  });

  it('rejects bad hyperparameters and parameter groups with typed errors', () => {
    const p = px.tensor([1], { dtype: 'float64', requiresGrad: true });
    assert.throws(() => new LBFGS([p], { historySize: 0 }), px.ValueError);
    assert.throws(() => new LBFGS([p], { lr: -1 }), px.ValueError);
    assert.throws(() => new LBFGS([p], { lineSearchFn: 'armijo' as never }), /lineSearchFn/);
    const q = px.tensor([1], { dtype: 'float64', requiresGrad: true });
    assert.throws(() => new LBFGS([{ params: [p] }, { params: [q] }]), /parameter groups/);
  });
});
