/**
 * @file Every optimizer configuration of test/golden/optimizers.json against PyTorch 1.13 in
 * float64: three steps on a small tanh regression, parameters compared after each step. The
 * gradients come from plexus autograd, so this checks the update rules, their state across steps,
 * and per-group hyperparameters together.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../src/testing/index.js';
import { OPTIMIZERS, freshParams, golden, lossOf } from './optim-golden-helpers.js';

// Float64 vs float64: only rounding order differs (about 1e-16 relative per op); a wrong term in an
// update rule shows up at 1e-4 or worse.
const TOL = { atol: 1e-10, rtol: 1e-10 };

describe('optimizers vs PyTorch (float64, 3 steps)', () => {
  it('covers every configuration the golden file holds', () => {
    assert.ok(golden.optimizers.length >= 15);
    for (const c of golden.optimizers) assert.ok(OPTIMIZERS[c.optimizer], `no constructor for ${c.optimizer}`);
  });

  for (const cfg of golden.optimizers) {
    it(cfg.name, () => {
      const { W, b } = freshParams();
      const named = { W, b };
      const params = cfg.groups ? cfg.groups.map((g) => ({ ...g, params: g.params.map((n) => named[n]) })) : [W, b];
      const opt = OPTIMIZERS[cfg.optimizer]!(params as never, cfg.options);
      cfg.steps.forEach((want, k) => {
        opt.zeroGrad();
        const loss = lossOf(W, b);
        assertClose([loss.item()], [want.loss], TOL, `${cfg.name}: loss before step ${k + 1}`);
        loss.backward();
        opt.step();
        assertClose(W, want.W.values, TOL, `${cfg.name}: W after step ${k + 1}`);
        assertClose(b, want.b.values, TOL, `${cfg.name}: b after step ${k + 1}`);
      });
    });
  }
});
