/**
 * @file Acceptance K1 of issue #5 (KAN paper's grid-extension staircase) in float64; prints its
 * numbers. The protocol lives in bench/kan-accept-protocol.ts, shared with bench/kan-accept.ts,
 * which also runs K2 (KAN vs every MLP with <= 100 parameters; 5-8 minutes, too slow for npm test).
 * About 15 s on one core.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { dataset, k1 } from '../bench/kan-accept-protocol.js';

describe('K1: grid extension staircase, KAN [2,1,1] on exp(sin(pi x) + y^2)', () => {
  const previous = px.getBackend();
  after(() => px.setBackend(previous));

  it('preserves the function at each extension and reaches the test RMSE targets, decreasing', () => {
    px.setBackend('js');
    const r = k1(dataset(1000, 0), dataset(1000, 1));
    const limits: Record<number, number> = { 3: 2.5e-2, 5: 1e-2, 10: 1e-3, 20: 1.5e-4 };
    assert.deepEqual(r.stages.map((s) => s.grid), [3, 5, 10, 20]);
    r.stages.forEach((s, i) => {
      if (i > 0) {
        assert.ok(s.preserve! <= 1e-3 * r.stdY, `G=${s.grid}: child vs parent RMSE ${s.preserve} > 1e-3 std(y)`);
        assert.ok(s.test < r.stages[i - 1]!.test, `G=${s.grid}: test RMSE ${s.test} did not decrease`);
      }
      assert.ok(s.iters >= 200 || (s.grid === 3 && s.iters + 100 >= 200), `G=${s.grid}: only ${s.iters} L-BFGS iterations`);
      assert.ok(s.test <= limits[s.grid]!, `G=${s.grid}: test RMSE ${s.test} > ${limits[s.grid]}`);
    });
    assert.equal(r.stages.at(-1)!.params, 75);
  });
});
