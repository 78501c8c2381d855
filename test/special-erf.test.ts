/**
 * @file erfScalar (src/core/special.ts), the erf under px.erf, px.gelu and the 'gelu' epilogue of
 * `linear` on every backend: values in each of its approximation intervals against CPython's
 * math.erf (libm), to 2 ulp, and the special values.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { erfScalar } from '../src/core/special.js';

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
