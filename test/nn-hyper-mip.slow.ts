/**
 * @file Hypernetwork reproduction check (Ortiz et al. 2023, arXiv 2304.07645): on a family of tasks
 * indexed by a scalar loss weight lambda in [0, 1] (fit a 1-16-1 tanh MLP to
 * (1 - lambda) MSE(f, sin 2x) + lambda MSE(f, x^2 / 2) on 32 points of [-2, 2], measured above its
 * floor lambda (1 - lambda) MSE(sin 2x, x^2 / 2)), a HyperNetwork with
 * MIP (cos/sin encoding, additive output) reaches the plain hypernetwork's final loss (no encoding,
 * theta = h(lambda)) in fewer steps, for each of 5 seeds. Both: h = MLP [., 32, 32, P] LeakyReLU,
 * Adam lr 1e-3, 4 lambdas drawn per step, 1000 steps; the loss is evaluated every 10 steps on
 * lambda in {0, 0.25, 0.5, 0.75, 1}. Prints the steps and the losses. About 12 s (js/wasm, 2 cores),
 * more than the area's share of `npm test`, hence a *.slow.ts file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

const STEPS = 1000;
const EVERY = 10;
const x = px.reshape(px.linspace(-2, 2, 32), [32, 1]);
const y1 = px.sin(px.mul(x, 2));
const y2 = px.mul(px.mul(x, x), 0.5);
const EVAL = [0, 0.25, 0.5, 0.75, 1];

function taskLoss(h: nn.HyperNetwork, lam: number): px.Tensor {
  // (1 - l) |f - y1|^2 + l |f - y2|^2 = |f - y_l|^2 + l (1 - l) |y1 - y2|^2 with y_l = (1 - l) y1 + l y2:
  // the weighted loss minus its floor, so a curve that reaches the floor is not mistaken for a tie.
  const f = h.forward(x, px.tensor([lam]));
  return px.mse(f, px.add(px.mul(y1, 1 - lam), px.mul(y2, lam)));
}

/** Eval-loss curve (one value per EVERY steps, the first before training). */
function run(seed: number, mip: boolean): number[] {
  px.manualSeed(seed);
  const h = new nn.HyperNetwork(new nn.MLP([1, 16, 1], { activation: 'tanh' }), 1, [32, 32],
    mip ? { encoding: 'cosSin', additive: true } : { encoding: 'none', additive: false });
  const opt = new px.optim.Adam(h.parameters(), { lr: 1e-3 });
  const rng = new px.Generator(seed + 100);
  const evalLoss = (): number => px.noGrad(() => EVAL.reduce((s, l) => s + taskLoss(h, l).item(), 0) / EVAL.length);
  const curve = [evalLoss()];
  for (let step = 1; step <= STEPS; step++) {
    px.scope(() => {
      opt.zeroGrad();
      let loss = taskLoss(h, rng.nextFloat());
      for (let k = 1; k < 4; k++) loss = px.add(loss, taskLoss(h, rng.nextFloat()));
      px.div(loss, 4).backward();
      opt.step();
    });
    if (step % EVERY === 0) curve.push(evalLoss());
  }
  return curve;
}

describe('HyperNetwork: MIP reaches the plain hypernetwork\'s final loss in fewer steps', () => {
  it('5 seeds', (t) => {
    const missed: string[] = [];
    for (let seed = 0; seed < 5; seed++) {
      const plain = run(seed, false);
      const mip = run(seed, true);
      const target = plain.at(-1)!;
      const idx = mip.findIndex((l) => l <= target);
      const steps = idx < 0 ? Infinity : idx * EVERY;
      t.diagnostic(`seed ${seed}: plain final loss ${target.toFixed(5)} at step ${STEPS}; MIP reaches it at step ${steps} (MIP final ${mip.at(-1)!.toFixed(5)}; initial plain ${plain[0]!.toFixed(4)}, MIP ${mip[0]!.toFixed(4)})`);
      if (!(steps < STEPS)) missed.push(`seed ${seed}: MIP did not reach the plain final loss ${target} within ${STEPS} steps`);
    }
    assert.deepEqual(missed, []);
  });
});
