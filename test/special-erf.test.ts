/**
 * @file erfScalar and erfcScalar (src/core/special.ts), the erf under px.erf, px.gelu and the
 * 'gelu' epilogue of `linear` on every backend, and the erfc under its negative tail: values in each
 * approximation interval against CPython's math.erf / math.erfc (libm), to 2 ulp, and the special
 * values; geluScalar's tail (no cancellation to 0).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { erfScalar, erfcScalar, geluGradScalar, geluScalar } from '../src/core/special.js';

// [x, math.erf(x)] from CPython 3 (glibc libm): both sides of 0.84375, 1.25, 1/0.35 and 6.
const CASES: [number, number][] = [
  [1e-10, 1.1283791670955126e-10],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [0.84, 0.7651427114549946],
  [0.85, 0.7706680576083526],
  [1.0, 0.8427007929497149],
  [1.2, 0.9103139782296353],
  [1.3, 0.9340079449406524],
  [2.0, 0.9953222650189527],
  [2.8, 0.9999249868053346],
  [2.9, 0.9999589021219005],
  [4.0, 0.9999999845827421],
  [5.5, 0.9999999999999927],
  [5.9, 0.9999999999999999],
  [-0.3, -0.3286267594591274],
  [-1.1, -0.8802050695740817],
  [-3.3, -0.9999969422902035],
];

describe('erfScalar', () => {
  it('matches libm erf to 2 ulp in every interval', () => {
    for (const [x, want] of CASES) {
      const got = erfScalar(x);
      assert.ok(Math.abs(got - want) <= 2 * Number.EPSILON * Math.abs(want), `erf(${x}) = ${got}, libm ${want}`);
    }
  });

  it('is odd and saturates', () => {
    for (const [x] of CASES) assert.equal(erfScalar(-x), -erfScalar(x));
    assert.equal(erfScalar(6), 1);
    assert.equal(erfScalar(-30), -1);
    assert.equal(erfScalar(Infinity), 1);
    assert.equal(erfScalar(-Infinity), -1);
    assert.ok(Number.isNaN(erfScalar(NaN)));
    assert.ok(Object.is(erfScalar(-0), -0));
    assert.equal(erfScalar(0), 0);
  });
});

// [x, math.erfc(x)] from CPython 3 (glibc libm).
const ERFC: [number, number][] = [
  [0.5, 0.4795001221869535], [0.84, 0.23485728854500548], [0.9, 0.20309178757716786], [1.2, 0.08968602177036465],
  [2.0, 0.004677734981047265], [3.0, 2.2090496998585438e-05], [5.0, 1.5374597944280351e-12], [8.0, 1.1224297172982928e-29],
  [12.0, 1.3562611692059042e-64], [20.0, 5.3958656116079005e-176], [26.5, 2.2109076642637343e-307],
  [-0.5, 1.5204998778130465], [-2.0, 1.9953222650189528], [-7.0, 2.0],
];

describe('erfcScalar and the GELU tail', () => {
  it('matches libm erfc to 2 ulp, deep into the tail where 1 - erf is 0', () => {
    for (const [x, want] of ERFC) {
      const got = erfcScalar(x);
      assert.ok(Math.abs(got - want) <= 2 * Number.EPSILON * Math.abs(want), `erfc(${x}) = ${got}, libm ${want}`);
    }
    assert.equal(erfcScalar(Infinity), 0);
    assert.equal(erfcScalar(-Infinity), 2);
    assert.equal(erfcScalar(30), 0);
    assert.ok(Number.isNaN(erfcScalar(NaN)));
  });

  it('geluScalar keeps relative accuracy for negative z (z·erfc(-z/√2)/2), and its special values', () => {
    // z = -9: 1 + erf(-9/√2) is 0 in float64; the value is -9·erfc(9/√2)/2 (CPython math.erfc).
    // 1e-13: the condition number of erfc's argument there is 2x² ~ 81.
    const want = -1.015729565358458e-18;
    assert.ok(Math.abs(geluScalar(-9) / want - 1) < 1e-13, `gelu(-9) = ${geluScalar(-9)}`);
    assert.equal(geluScalar(2), 2 * 0.5 * (erfScalar(2 / Math.SQRT2) + 1));
    assert.equal(geluScalar(Infinity), Infinity);
    assert.ok(Number.isNaN(geluScalar(-Infinity)) && Number.isNaN(geluScalar(NaN)));
    assert.ok(Object.is(geluScalar(-0), -0));
    // GELU'(0) = 1/2; GELU' crosses 0 near z = -0.7518 (GELU's minimum)
    assert.equal(geluGradScalar(0), 0.5);
    assert.ok(geluGradScalar(-0.75) > 0 && geluGradScalar(-0.76) < 0);
  });
});
