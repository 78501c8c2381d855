/**
 * @file X1: single-layer XOR with PReLU (Pinto & Tavares 2024, "PReLU: Yet Another Single-Layer
 * Solution to the XOR Problem", https://arxiv.org/abs/2409.10821). Their setup, as stated in the
 * paper (Fig. 1-2): inputs in {-1, 1}, XOR targets in {0, 1} (1 when the inputs differ), MSE loss,
 * Adam, 300 full-batch epochs, 100 trials per learning rate.
 *   - PReLU: y = PReLU(w1 x1 + w2 x2), no bias: 3 parameters (w1, w2, slope a). PyTorch init:
 *     w ~ U(-1/sqrt(2), 1/sqrt(2)) (nn.Linear(2, 1, bias=False)), a = 0.25 (nn.PReLU). The exact
 *     solution is w = +-(0.5, -0.5), a = -1: y = |x1 - x2| / 2.
 *   - GCU: y = GCU(w1 x1 + w2 x2 + b), 3 parameters, nn.Linear(2, 1) init.
 *   - MLP: 2-2-1, tanh hidden layer, linear output, 9 parameters, nn.Linear init.
 * "Solved" (our reading; the paper counts a trial as a success when it learns XOR): after the 300
 * epochs every one of the four outputs is on the target's side of 0.5 (round(y) == target).
 * Thresholds (from the brief): PReLU >= 98/100 at every lr in {0.003, ..., 1}; GCU >= 95/100 at lr
 * 0.03-0.3; the MLP < 100/100 at lr 1; |a + 1| < 0.05 in >= 90% of PReLU runs at lr 0.1.
 *
 * The 100 trials run as one batch: every parameter is a [100, 1] column, the loss is the sum of the
 * trials' own MSEs, so each trial's gradient is its own and Adam (elementwise) updates each trial
 * exactly as it would alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';

const TRIALS = 100;
const EPOCHS = 300;
const LRS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0];
const X1 = px.tensor([[-1, -1, 1, 1]], { dtype: 'float64' });
const X2 = px.tensor([[-1, 1, -1, 1]], { dtype: 'float64' });
const T = px.tensor([[0, 1, 1, 0]], { dtype: 'float64' });
const TARGETS = [0, 1, 1, 0];

type Model = { params: px.Tensor[]; forward: () => px.Tensor };

/** A [TRIALS, 1] parameter column drawn U(-b, b) from `g`, or filled with `value`. */
function column(g: px.Generator, bound: number | null, value = 0): px.Tensor {
  const v = Float64Array.from({ length: TRIALS }, () => (bound === null ? value : (2 * g.nextFloat() - 1) * bound));
  return px.tensor(v, { dtype: 'float64', shape: [TRIALS, 1] }).requiresGrad_();
}

const B2 = 1 / Math.sqrt(2);
function prelu(g: px.Generator): Model {
  const [w1, w2, a] = [column(g, B2), column(g, B2), column(g, null, 0.25)];
  return {
    params: [w1, w2, a],
    forward: () => {
      const z = px.add(px.mul(w1, X1), px.mul(w2, X2));
      return px.where(px.gt(z, 0), z, px.mul(a, z));
    },
  };
}
function gcu(g: px.Generator): Model {
  const [w1, w2, b] = [column(g, B2), column(g, B2), column(g, B2)];
  return { params: [w1, w2, b], forward: () => px.gcu(px.add(px.add(px.mul(w1, X1), px.mul(w2, X2)), b)) };
}
function mlp(g: px.Generator): Model {
  const hidden = [0, 1].map(() => [column(g, B2), column(g, B2), column(g, B2)]); // w1, w2, b per unit
  const out = [column(g, B2), column(g, B2), column(g, B2)]; // bound 1/sqrt(2): fan-in 2 again
  return {
    params: [...hidden.flat(), ...out],
    forward: () => {
      const h = hidden.map(([w1, w2, b]) => px.tanh(px.add(px.add(px.mul(w1!, X1), px.mul(w2!, X2)), b!)));
      return px.add(px.add(px.mul(out[0]!, h[0]!), px.mul(out[1]!, h[1]!)), out[2]!);
    },
  };
}

/** Trains TRIALS independent copies; returns how many solve XOR, and the model. */
function run(make: (g: px.Generator) => Model, lr: number, seed: number): { solved: number; model: Model } {
  const model = make(new px.Generator(seed));
  const opt = new optim.Adam(model.params, { lr });
  for (let e = 0; e < EPOCHS; e++) {
    opt.zeroGrad();
    // Sum over trials of each trial's mean over the 4 patterns.
    px.sum(px.mean(px.square(px.sub(model.forward(), T)), 1)).backward();
    opt.step();
  }
  const y = px.noGrad(() => model.forward()).values;
  let solved = 0;
  for (let s = 0; s < TRIALS; s++) {
    if (TARGETS.every((t, j) => Number.isFinite(y[s * 4 + j]!) && (y[s * 4 + j]! > 0.5 ? 1 : 0) === t)) solved++;
  }
  return { solved, model };
}

describe('X1: single-layer XOR (Pinto & Tavares 2024)', () => {
  it('PReLU solves XOR in >= 98/100 trials at every lr; its slope goes to -1', () => {
    const runs = LRS.map((lr) => run(prelu, lr, 1));
    const counts = runs.map((r) => r.solved);
    console.log(`  PReLU solved/100 at lr ${LRS.join(', ')}: ${counts.join(', ')}`);
    const a = runs[LRS.indexOf(0.1)]!.model.params[2]!.values;
    const near = [...a].filter((v) => Math.abs(v + 1) < 0.05).length;
    console.log(`  PReLU lr 0.1: slope within 0.05 of -1 in ${near}/100 runs (median ${[...a].sort((p, q) => p - q)[50]!.toFixed(4)})`);
    counts.forEach((c, i) => assert.ok(c >= 98, `PReLU at lr ${LRS[i]}: ${c}/100 < 98`));
    assert.ok(near >= 90, `slope near -1 in ${near}/100 < 90`);
  });
  it('GCU solves XOR in >= 95/100 trials at lr 0.03-0.3; a 2-2-1 tanh MLP misses some at lr 1', () => {
    // Only the asserted learning rates run (the suite's time budget); at the others we measured
    // GCU 69 (lr 0.003), 95 (0.01), 88 (1) and the MLP 46, 87, 93, 89, 69 (0.003-0.3).
    const gLrs = [0.03, 0.1, 0.3];
    const g = gLrs.map((lr) => run(gcu, lr, 2).solved);
    const m = run(mlp, 1, 3).solved;
    console.log(`  GCU   solved/100 at lr ${gLrs.join(', ')}: ${g.join(', ')}; 2-2-1 tanh MLP at lr 1: ${m}/100`);
    gLrs.forEach((lr, i) => assert.ok(g[i]! >= 95, `GCU at lr ${lr}: ${g[i]}/100 < 95`));
    assert.ok(m < 100, `MLP at lr 1: ${m}/100 (expected < 100)`);
  });
});
