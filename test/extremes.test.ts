/**
 * @file Extreme values through the stable composites (docs/reliability.md "Numerics and training"): logits of
 * +-1e4 and +-3.4e38 in float32 and float64, equal and length-1 rows, -Infinity masks, and backward
 * through log(0), sqrt(0), x/0, pow(0, -1) and the masked-`where` trap. Where IEEE overflow is the
 * right answer (a true value beyond float32's range) the asserts say so.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';

type F = px.FloatDType;
const DTYPES: F[] = ['float32', 'float64'];
const BIGS = [1e4, 3.4e38];

/** A seed that is not constant along any axis: with a constant seed softmax's gradient is 0 identically. */
const SEED = [0.3, -1.1, 0.7, 2.0, -0.4];

/** Runs f on a fresh leaf and backpropagates a fixed non-uniform seed; returns output and gradient. */
function fwdBwd(f: (x: px.Tensor) => px.Tensor, data: number[][] | number[], dtype: F): { y: px.Tensor; g: px.Tensor; seed: number[] } {
  const x = px.tensor(data, { dtype, requiresGrad: true });
  const y = f(x);
  const seed = Array.from({ length: y.size }, (_, i) => SEED[i % SEED.length]!);
  px.sum(px.mul(y, px.tensor(seed, { dtype, shape: y.shape }))).backward();
  return { y, g: x.grad!, seed };
}

const vals = (t: px.Tensor): number[] => Array.from(t.values);
const allFinite = (t: px.Tensor, what: string): void => {
  const bad = vals(t).findIndex((v) => !Number.isFinite(v));
  assert.equal(bad, -1, `${what}: element ${bad} is ${vals(t)[bad]}`);
};
const near = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
const rowSums = (t: px.Tensor): number[] => vals(px.sum(t.cast('float64'), -1));
/** Relative tolerance per dtype for the sum-to-1 and value checks. */
const TOL: Record<F, number> = { float32: 1e-6, float64: 1e-12 };

describe('extreme logits (docs/reliability.md "Numerics and training")', () => {
  for (const dtype of DTYPES) {
    for (const big of BIGS) {
      const B = dtype === 'float32' ? Math.fround(big) : big;
      // float32: big - (-big) = 2 * 3.4e38 overflows to Inf. The true value is out of range, so Inf is the
      // IEEE answer; PyTorch float32 gives the same (log_softmax([3.4e38, -3.4e38]) = [0, -inf]).
      const overflows = dtype === 'float32' && big > 1e38;
      describe(`${dtype}, logits +-${big}`, () => {
        it('softmax is finite, one-hot-like, rows sum to 1; gradient finite', () => {
          const { y, g } = fwdBwd((x) => px.softmax(x, -1), [[B, -B, 0], [-B, 0, B], [0, -B, -B]], dtype);
          allFinite(y, 'softmax');
          allFinite(g, 'softmax grad');
          assert.deepEqual(vals(y), [1, 0, 0, 0, 0, 1, 1, 0, 0]);
          for (const s of rowSums(y)) near(s, 1, TOL[dtype], 'row sum');
        });

        it('logSoftmax: 0 at the max, -2B (or -Inf on float32 overflow) elsewhere; gradient finite', () => {
          const { y, g } = fwdBwd((x) => px.logSoftmax(x, -1), [[B, -B]], dtype);
          allFinite(g, 'logSoftmax grad');
          assert.equal(vals(y)[0], 0);
          assert.equal(vals(y)[1], overflows ? -Infinity : -2 * B);
          // d/dx of sum(seed * logSoftmax) = seed - softmax * sum(seed) = [0.3 - (-0.8), -1.1 - 0] here.
          near(vals(g)[0]!, 1.1, TOL[dtype], 'grad 0');
          near(vals(g)[1]!, -1.1, TOL[dtype], 'grad 1');
        });

        it('crossEntropy (index, smoothed and probability targets): loss 2B/2 or Inf on overflow; gradient finite and exact', () => {
          const data = [[B, -B], [B, -B]];
          const target = px.tensor([0, 1], { dtype: 'int32' });
          for (const opts of [{}, { labelSmoothing: 0.1 }]) {
            const x = px.tensor(data, { dtype, requiresGrad: true });
            const loss = px.crossEntropy(x, target, opts);
            loss.backward();
            // Sample 1 puts its target on the -B logit: loss (2B + 0) / 2 = B without smoothing.
            if (overflows) assert.equal(loss.item(), Infinity);
            else if (!('labelSmoothing' in opts)) near(loss.item(), B, TOL[dtype], 'loss');
            else assert.ok(Number.isFinite(loss.item()));
            allFinite(x.grad!, 'crossEntropy grad');
            // grad = (softmax - smoothed one-hot) / N: softmax is [1, 0] for both rows.
            const e = 'labelSmoothing' in opts ? 0.05 : 0;
            const want = [(1 - (1 - e)) / 2, (0 - e) / 2, (1 - e) / 2, (0 - (1 - e)) / 2];
            vals(x.grad!).forEach((v, i) => near(v, want[i]!, TOL[dtype], `grad ${i}`));
          }
          const xp = px.tensor(data, { dtype, requiresGrad: true });
          const lp = px.crossEntropy(xp, px.tensor([[1, 0], [0.5, 0.5]], { dtype }));
          lp.backward();
          if (!overflows) near(lp.item(), (0 + B) / 2, TOL[dtype], 'probability-target loss');
          allFinite(xp.grad!, 'probability-target grad');
        });

        it('logSumExp: B + log(n) without overflow; gradient is softmax', () => {
          const { y, g } = fwdBwd((x) => px.logSumExp(x, -1), [[B, B], [-B, -B], [B, -B]], dtype);
          allFinite(y, 'logSumExp');
          allFinite(g, 'logSumExp grad');
          vals(y).forEach((v, i) => near(v, [B + Math.LN2, -B + Math.LN2, B][i]!, TOL[dtype], `lse ${i}`));
          // seed is [0.3, -1.1, 0.7] per row, gradient = seed_row * softmax_row.
          vals(g).forEach((v, i) => near(v, [0.15, 0.15, -0.55, -0.55, 0.7, 0][i]!, TOL[dtype], `grad ${i}`));
        });

        it('sigmoid: exactly 1 and 0, gradient exactly 0 (no Inf/Inf)', () => {
          const { y, g } = fwdBwd(px.sigmoid, [B, -B], dtype);
          assert.deepEqual(vals(y), [1, 0]);
          assert.deepEqual(vals(g).map(Math.abs), [0, 0]);
        });

        it('softplus (beta 1 and 2): x above the threshold, 0 far below; gradient 1 and 0', () => {
          for (const beta of [1, 2]) {
            const { y, g } = fwdBwd((x) => px.softplus(x, beta), [B, -B], dtype);
            assert.deepEqual(vals(y), [B, 0], `beta ${beta}`);
            near(vals(g)[0]!, SEED[0]!, TOL[dtype], `beta ${beta} grad`);
            assert.equal(Math.abs(vals(g)[1]!), 0, `beta ${beta} grad`);
          }
        });

        it('bceWithLogits: 0 for confident right answers, B for confident wrong ones; gradient sigmoid - t', () => {
          const t = px.tensor([1, 0, 0, 1], { dtype });
          for (const posWeight of [undefined, px.tensor([2], { dtype })]) {
            const pw = posWeight ? 2 : 1;
            const { y, g, seed } = fwdBwd((x) => px.bceWithLogits(x, t, { reduction: 'none', ...(posWeight ? { posWeight } : {}) }), [B, -B, B, -B], dtype);
            // pw * B is 6.8e38 with posWeight 2: Inf in float32 (out of range), finite in float64.
            assert.deepEqual(vals(y), [0, 0, B, dtype === 'float32' ? Math.fround(pw * B) : pw * B]);
            // d/dx = (1 + (pw - 1) t) sigmoid(x) - pw t (PyTorch): [0, 0, 1, -pw] here, times the seed.
            vals(g).forEach((v, i) => near(v, [0, 0, 1, -pw][i]! * seed[i]!, TOL[dtype], `grad ${i}`));
          }
        });
      });
    }

    describe(`${dtype}, equal and length-1 rows`, () => {
      it('equal rows give uniform softmax at any magnitude; CE is log C', () => {
        for (const c of [0, 1e4, -1e4, 3.4e38, -3.4e38]) {
          const { y, g } = fwdBwd((x) => px.softmax(x, -1), [[c, c, c, c]], dtype);
          assert.deepEqual(vals(y), [0.25, 0.25, 0.25, 0.25], `c = ${c}`);
          allFinite(g, `grad at c = ${c}`);
          const ce = px.crossEntropy(px.tensor([[c, c, c, c]], { dtype }), px.tensor([2], { dtype: 'int32' }));
          near(ce.item(), Math.log(4), TOL[dtype], `CE at c = ${c}`);
        }
      });

      it('length-1 rows: softmax 1, logSoftmax 0, CE 0, all gradients 0', () => {
        const data = [[3.4e38], [-3.4e38], [0], [1e4]];
        const s = fwdBwd((x) => px.softmax(x, -1), data, dtype);
        assert.deepEqual(vals(s.y), [1, 1, 1, 1]);
        assert.deepEqual(vals(s.g).map(Math.abs), [0, 0, 0, 0]);
        const l = fwdBwd((x) => px.logSoftmax(x, -1), data, dtype);
        assert.deepEqual(vals(l.y).map(Math.abs), [0, 0, 0, 0]);
        assert.deepEqual(vals(l.g).map(Math.abs), [0, 0, 0, 0]);
        const x = px.tensor(data, { dtype, requiresGrad: true });
        const ce = px.crossEntropy(x, px.tensor([0, 0, 0, 0], { dtype: 'int32' }));
        ce.backward();
        assert.equal(Math.abs(ce.item()), 0);
        assert.deepEqual(vals(x.grad!).map(Math.abs), [0, 0, 0, 0]);
      });
    });

    describe(`${dtype}, -Infinity masks`, () => {
      const I = -Infinity;
      it('partially masked rows: softmax finite, masked entries exactly 0, rows sum to 1; gradient finite, 0 at masks', () => {
        const { y, g } = fwdBwd((x) => px.softmax(x, -1), [[0.5, I, 2], [I, I, 3], [I, 1e4, -1e4]], dtype);
        allFinite(y, 'softmax');
        allFinite(g, 'softmax grad');
        for (const i of [1, 3, 4, 6]) assert.equal(vals(y)[i], 0, `masked ${i}`);
        for (const i of [1, 3, 4, 6]) assert.equal(Math.abs(vals(g)[i]!), 0, `masked grad ${i}`);
        for (const s of rowSums(y)) near(s, 1, TOL[dtype], 'row sum');
      });

      it('fully masked row: softmax gives zeros forward and backward (documented _safe_softmax choice)', () => {
        const { y, g } = fwdBwd((x) => px.softmax(x, -1), [[I, I, I], [0, 1, 2]], dtype);
        assert.deepEqual(vals(y).slice(0, 3), [0, 0, 0]);
        assert.deepEqual(vals(g).slice(0, 3).map(Math.abs), [0, 0, 0]);
        allFinite(g, 'grad');
        near(rowSums(y)[1]!, 1, TOL[dtype], 'unmasked row sum');
      });

      it('fully masked row: logSoftmax is -Inf; its gradient is the upstream seed (softmax taken as 0), finite', () => {
        const { y, g, seed } = fwdBwd((x) => px.logSoftmax(x, -1), [[I, I, I], [0, 1, 2]], dtype);
        assert.deepEqual(vals(y).slice(0, 3), [I, I, I]);
        allFinite(g, 'grad');
        vals(g).slice(0, 3).forEach((v, i) => near(v, seed[i]!, TOL[dtype], `grad ${i}`));
      });

      it('fully masked row: logSumExp is -Inf with gradient 0 (PyTorch gives NaN); partially masked row is exact', () => {
        const { y, g } = fwdBwd((x) => px.logSumExp(x, -1), [[I, I], [I, 0]], dtype);
        assert.deepEqual(vals(y), [I, 0]);
        assert.deepEqual(vals(g).slice(0, 3).map(Math.abs), [0, 0, 0]);
        near(vals(g)[3]!, SEED[1]!, TOL[dtype], 'grad of the live entry');
      });

      it('crossEntropy with masked logits: finite loss and gradient when the target is unmasked', () => {
        const data = [[0.5, I, 2], [I, 1, I]];
        const x = px.tensor(data, { dtype, requiresGrad: true });
        const loss = px.crossEntropy(x, px.tensor([0, 1], { dtype: 'int32' }));
        loss.backward();
        // Row 2 has one live class: its loss is 0. Row 1: -log softmax([0.5, 2])[0] = log(1 + e^1.5).
        near(loss.item(), Math.log1p(Math.exp(1.5)) / 2, TOL[dtype], 'loss');
        allFinite(x.grad!, 'grad');
        for (const i of [1, 3, 5]) assert.equal(Math.abs(vals(x.grad!)[i]!), 0, `masked grad ${i}`);
        // Probability targets with 0 on masked classes: 0 log 0 = 0, finite (PyTorch returns NaN).
        const xp = px.tensor(data, { dtype, requiresGrad: true });
        const lp = px.crossEntropy(xp, px.tensor([[0.4, 0, 0.6], [0, 1, 0]], { dtype }));
        lp.backward();
        near(lp.item(), (0.4 * Math.log1p(Math.exp(1.5)) + 0.6 * Math.log1p(Math.exp(-1.5))) / 2, TOL[dtype], 'probability loss');
        allFinite(xp.grad!, 'probability grad');
      });

      it('crossEntropy with a fully masked row: loss +Inf (the target is impossible), gradient still finite', () => {
        const x = px.tensor([[I, I], [0, 1]], { dtype, requiresGrad: true });
        const loss = px.crossEntropy(x, px.tensor([0, 1], { dtype: 'int32' }));
        loss.backward();
        assert.equal(loss.item(), Infinity);
        allFinite(x.grad!, 'grad');
      });

      it('sigmoid and softplus at +-Infinity are exact; softplus(-Inf) has gradient 0', () => {
        assert.deepEqual(vals(fwdBwd(px.sigmoid, [Infinity, -Infinity], dtype).y), [1, 0]);
        const sp = fwdBwd(px.softplus, [Infinity, -Infinity], dtype);
        assert.deepEqual(vals(sp.y), [Infinity, 0]);
        assert.equal(Math.abs(vals(sp.g)[1]!), 0);
      });

      it('bceWithLogits at infinite logits is NaN even for the right target ((1 - t) x = 0 * Inf), as PyTorch', () => {
        // Documented, not endorsed: logits are finite in practice, and the finite extremes above are exact.
        const b = fwdBwd((x) => px.bceWithLogits(x, px.tensor([1, 0], { dtype }), { reduction: 'none' }), [Infinity, -Infinity], dtype);
        assert.ok(vals(b.y).every(Number.isNaN), `got ${vals(b.y)}`);
      });
    });
  }
});

describe('backward at IEEE edge points and the masked-where trap (docs/reliability.md "Numerics and training")', () => {
  const f64 = (v: number[]): px.Tensor => px.tensor(v, { dtype: 'float64' });
  /** Gradient of sum(f(x)) at x (seed 1 everywhere). */
  const gradAt = (f: (x: px.Tensor) => px.Tensor, v: number[]): { y: number[]; g: number[] } => {
    const x = f64(v).requiresGrad_();
    const y = f(x);
    px.sum(y).backward();
    return { y: vals(y), g: vals(x.grad!) };
  };

  it('log: log(0) = -Inf with gradient +Inf; log(-0) = -Inf with gradient -Inf (1/x, IEEE; PyTorch alike)', () => {
    assert.deepEqual(gradAt(px.log, [0, -0, 1]), { y: [-Infinity, -Infinity, 0], g: [Infinity, -Infinity, 1] });
  });

  it('sqrt: sqrt(0) = 0 with gradient +Inf (1 / (2 sqrt x))', () => {
    assert.deepEqual(gradAt(px.sqrt, [0, 4]), { y: [0, 2], g: [Infinity, 0.25] });
  });

  it('x / 0: +-Inf or NaN forward; dx = 1/0 = Inf, dy = -out/y = -Inf, +Inf, NaN (PyTorch alike)', () => {
    const x = f64([1, -1, 0]).requiresGrad_();
    const y = f64([0, 0, 0]).requiresGrad_();
    const q = px.div(x, y);
    px.sum(q).backward();
    assert.deepEqual(vals(q), [Infinity, -Infinity, NaN]);
    assert.deepEqual(vals(x.grad!), [Infinity, Infinity, Infinity]);
    assert.deepEqual(vals(y.grad!), [-Infinity, Infinity, NaN]);
  });

  it('pow(0, -1) = Inf with gradient -1 * 0^-2 = -Inf', () => {
    assert.deepEqual(gradAt((x) => px.pow(x, -1), [0, 2]), { y: [Infinity, 0.5], g: [-Infinity, -0.25] });
  });

  it('std of a constant slice is 0 with gradient 0 (PyTorch), not sqrt\'(0) * 0 = NaN', () => {
    const { y, g } = gradAt((x) => px.std(x.reshape([2, 2]), 1), [3, 3, 1, 2]);
    assert.deepEqual(g.slice(0, 2).map(Math.abs), [0, 0]);
    // The live row: d std / dx = (x - mean) / ((N - 1) std) = -+0.5 / sqrt(0.5).
    [0, Math.SQRT1_2].forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-15, `y ${i}`));
    [-Math.SQRT1_2, Math.SQRT1_2].forEach((v, i) => assert.ok(Math.abs(g[i + 2]! - v) < 1e-15, `g ${i + 2}`));
  });

  it('masked where, naive: where(x > 0, log(x), 0) has a NaN gradient at x = 0 (0 * Inf), as in PyTorch/JAX', () => {
    const { y, g } = gradAt((x) => px.where(px.gt(x, 0), px.log(x), 0), [0, 2]);
    assert.deepEqual(y, [0, Math.log(2)]);
    assert.ok(Number.isNaN(g[0]), `expected NaN, got ${g[0]}`);
    assert.equal(g[1], 0.5);
  });

  it('masked where, safe (double where): where(x > 0, log(where(x > 0, x, 1)), 0) has finite gradient 0 at x <= 0', () => {
    const { y, g } = gradAt((x) => {
      const pos = px.gt(x, 0);
      return px.where(pos, px.log(px.where(pos, x, 1)), 0);
    }, [0, -0, -3, 2]);
    assert.deepEqual(y, [0, 0, 0, Math.log(2)]);
    assert.deepEqual(g.map(Math.abs), [0, 0, 0, 0.5]);
  });

  it('masked division, safe: where(y != 0, x / where(y != 0, y, 1), 0) has finite gradients at y = 0', () => {
    const x = f64([1, 2]).requiresGrad_();
    const y = f64([0, 4]).requiresGrad_();
    const nz = px.ne(y, 0);
    const q = px.where(nz, px.div(x, px.where(nz, y, 1)), 0);
    px.sum(q).backward();
    assert.deepEqual(vals(q), [0, 0.5]);
    assert.deepEqual([...vals(x.grad!), ...vals(y.grad!)].map(Math.abs), [0, 0.25, 0, 0.125]);
  });
});
