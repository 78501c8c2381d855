/**
 * @file Synthetic generators: shapes and dtypes, determinism per seed (and no use of the global
 * generator), and each set's geometry checked against its defining formula.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data } from '../src/index.js';
import { throwsTyped } from './data-helpers.js';

const vals = (t: px.Tensor): number[] => Array.from(t.values);
const points = (s: data.Split): [number, number, number][] => vals(s.y).map((c, i) => [s.x.values[2 * i]!, s.x.values[2 * i + 1]!, c]);
const classCounts = (s: data.Split, k: number): number[] => {
  const h = new Array<number>(k).fill(0);
  for (const c of s.y.values) h[c]!++;
  return h;
};
const f32 = 2e-7; // relative float32 rounding of x and y

const generators: [string, (seed: number) => data.Split][] = [
  ['spiral', (seed) => data.spiral({ seed })],
  ['circles', (seed) => data.circles({ seed })],
  ['moons', (seed) => data.moons({ seed })],
  ['xor', (seed) => data.xor({ seed, noise: 0.1 })],
  ['gaussians', (seed) => data.gaussians({ seed })],
  ['fitFunction', (seed) => data.fitFunction(([a, b]) => a! * b!, { seed })],
  ['expSinSquare', (seed) => data.expSinSquare({ seed })],
];

describe('synthetic: determinism', () => {
  for (const [name, gen] of generators) {
    it(`${name}: same seed same tensors, other seed other tensors, global generator untouched`, () => {
      const before = px.defaultGenerator.getState();
      const a = gen(1);
      const b = gen(1);
      const c = gen(2);
      assert.deepEqual(px.defaultGenerator.getState(), before);
      assert.deepEqual([vals(a.x), vals(a.y)], [vals(b.x), vals(b.y)]);
      assert.notDeepEqual(vals(a.x), vals(c.x));
    });
  }
});

describe('synthetic: shapes and geometry', () => {
  it('spiral: [k*n, 2], ordered by class, radius i/(n-1) whatever the noise', () => {
    const s = data.spiral({ nPerClass: 50, classes: 4, noise: 0.3, seed: 0 });
    assert.deepEqual([s.x.shape, s.x.dtype, s.y.shape, s.y.dtype], [[200, 2], 'float32', [200], 'int32']);
    points(s).forEach(([a, b, c], k) => {
      assert.equal(c, Math.floor(k / 50));
      assert.ok(Math.abs(Math.hypot(a, b) - (k % 50) / 49) < 1e-6);
    });
  });

  it('circles without noise: class 0 on the unit circle, class 1 on radius factor, balanced', () => {
    const s = data.circles({ n: 101, noise: 0, factor: 0.3, dtype: 'float64' });
    assert.deepEqual([s.x.shape, classCounts(s, 2)], [[101, 2], [50, 51]]);
    for (const [a, b, c] of points(s)) assert.ok(Math.abs(Math.hypot(a, b) - (c === 0 ? 1 : 0.3)) < 1e-12);
  });

  it('moons without noise follow the two half-circle formulas', () => {
    const s = data.moons({ n: 40, noise: 0, dtype: 'float64' });
    assert.deepEqual(classCounts(s, 2), [20, 20]);
    for (const [a, b, c] of points(s)) {
      const r = c === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5);
      assert.ok(Math.abs(r - 1) < 1e-12 && (c === 0 ? b >= -1e-12 : b <= 0.5 + 1e-12));
    }
  });

  it('xor without noise: label 1 exactly when the signs differ, points in [-1,1]^2', () => {
    const s = data.xor({ n: 300, seed: 4 });
    for (const [a, b, c] of points(s)) {
      assert.equal(c, a > 0 !== b > 0 ? 1 : 0);
      assert.ok(Math.abs(a) <= 1 && Math.abs(b) <= 1);
    }
    const h = classCounts(s, 2);
    assert.ok(h[0]! > 100 && h[1]! > 100, `unbalanced ${h}`);
  });

  it('gaussians: given centers, per-class means near them; random centers in any dim', () => {
    const centers = [[5, 0, 0], [0, -5, 2]];
    const s = data.gaussians({ centers, nPerCenter: 2000, std: 0.5, seed: 9 });
    assert.deepEqual([s.x.shape, classCounts(s, 2)], [[4000, 3], [2000, 2000]]);
    centers.forEach((c, k) => {
      for (let d = 0; d < 3; d++) {
        const xs = vals(s.y).flatMap((cls, i) => (cls === k ? [s.x.values[3 * i + d]!] : []));
        const m = xs.reduce((p, q) => p + q, 0) / xs.length;
        assert.ok(Math.abs(m - c[d]!) < 0.05, `center ${k} dim ${d}: mean ${m}`); // 4 sigma of 0.5/sqrt(2000)
      }
    });
    assert.deepEqual(data.gaussians({ centers: 4, dim: 5, nPerCenter: 3 }).x.shape, [12, 5]);
    throwsTyped(() => data.gaussians({ centers: [[1, 2], [3]] }), px.ValueError, 'INVALID_VALUE', ['centers']);
  });

  it('fitFunction: x uniform in range^dim, y = f(x) as [n, 1]', () => {
    const s = data.fitFunction((v) => v.reduce((a, b) => a + b * b, 0), { n: 400, dim: 3, range: [2, 5], seed: 1, dtype: 'float64' });
    assert.deepEqual([s.x.shape, s.y.shape, s.y.dtype], [[400, 3], [400, 1], 'float64']);
    for (let i = 0; i < 400; i++) {
      const row = vals(s.x).slice(3 * i, 3 * i + 3);
      assert.ok(row.every((v) => v >= 2 && v <= 5));
      assert.equal(s.y.values[i], row.reduce((a, b) => a + b * b, 0));
    }
    throwsTyped(() => data.fitFunction(() => NaN, { n: 2 }), px.ValueError, 'INVALID_VALUE', ['sample 0']);
    throwsTyped(() => data.fitFunction((v) => v[0]!, { range: [1, 1] }), px.ValueError, 'INVALID_VALUE', ['range']);
  });

  it('expSinSquare is exp(sin(pi x) + y^2) on [-1,1]^2', () => {
    const s = data.expSinSquare({ n: 500, seed: 2 });
    assert.deepEqual([s.x.shape, s.y.shape, s.x.dtype], [[500, 2], [500, 1], 'float32']);
    for (let i = 0; i < 500; i++) {
      const [a, b] = [s.x.values[2 * i]!, s.x.values[2 * i + 1]!];
      assert.ok(Math.abs(a) <= 1 && Math.abs(b) <= 1);
      const want = Math.exp(Math.sin(Math.PI * a) + b * b);
      // x was rounded to float32 after y was computed from the float64 draw: allow that slack.
      assert.ok(Math.abs(s.y.values[i]! - want) <= 1e-5 * want + f32, `${i}: ${s.y.values[i]} vs ${want}`);
    }
  });

  it('bad sizes and noise are ValueErrors naming the option', () => {
    throwsTyped(() => data.spiral({ nPerClass: 0 }), px.ValueError, 'INVALID_VALUE', ['nPerClass']);
    throwsTyped(() => data.moons({ noise: -1 }), px.ValueError, 'INVALID_VALUE', ['noise']);
    throwsTyped(() => data.circles({ factor: 1 }), px.ValueError, 'INVALID_VALUE', ['factor']);
    throwsTyped(() => data.xor({ n: 2.5 }), px.ValueError, 'INVALID_VALUE', ['n must']);
  });
});
