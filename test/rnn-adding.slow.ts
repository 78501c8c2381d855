/**
 * @file Reproduction check (issue #14): the adding problem at T = 100 (Hochreiter & Schmidhuber
 * 1997, experiment 4; the setup of Le et al. 2015, arXiv 1504.00941, fig. 2): an LSTM learns it, a
 * vanilla tanh RNN of the same size does not. Prints both and fails when either claim is missed.
 *
 * Protocol: 1 layer of 32 units (nn.LSTM / nn.RNN, batchFirst, PyTorch init, px.manualSeed(0)), a
 * Linear(32, 1) read-out of the last step, MSE, Adam lr 1e-2, gradient norm clipped to 1, batch 64
 * of fresh sequences per step (data.addingProblem seeded by the step), budget 2000 steps; test MSE
 * on 256 held-out sequences every 100 steps, and the LSTM stops once it is below 0.01 (the trivial
 * predictor scores ~0.167). Claims: LSTM test MSE < 0.01 within the budget; the RNN's stays >= 0.01.
 *
 * Measured (Dec 2026, wasm, 2-core VM at load ~15): the LSTM sits on the 0.17-0.19 plateau for 900
 * steps, then drops to 0.0376 at step 1000 and 0.0034 at 1100 (stops there); the tanh RNN ends at
 * 0.1776 after 2000 steps (0.177-0.187 throughout). 408 s on that loaded VM, so `npm run test:slow`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';

const { nn, optim, data } = px;
const T = 100;
const H = 32;
const BUDGET = 2000;

function train(kind: 'LSTM' | 'RNN'): { step: number; mse: number; history: string[] } {
  px.manualSeed(0);
  const rnn = kind === 'LSTM' ? new nn.LSTM(2, H, { batchFirst: true }) : new nn.RNN(2, H, { batchFirst: true });
  const head = new nn.Linear(H, 1);
  const params = [...rnn.parameters(), ...head.parameters()];
  const opt = new optim.Adam(params, { lr: 1e-2 });
  const test = data.addingProblem({ n: 256, length: T, seed: 999 });
  const predict = (x: px.Tensor): px.Tensor => {
    const [out] = (rnn as px.nn.RNN).forward(x); // both return [output, state]
    return head.forward(px.reshape(px.slice(out, [null, [T - 1, T]]), [x.shape[0]!, H]));
  };
  const history: string[] = [];
  let mse = Infinity;
  for (let s = 1; s <= BUDGET; s++) {
    const { x, y } = data.addingProblem({ n: 64, length: T, seed: s });
    px.scope(() => {
      opt.zeroGrad();
      px.mse(predict(x), y).backward();
      optim.clipGradNorm(params, 1);
      opt.step();
    });
    if (s % 100 === 0) {
      mse = px.noGrad(() => px.scope(() => px.mse(predict(test.x), test.y).item()));
      history.push(`${s}: ${mse.toFixed(4)}`);
      if (kind === 'LSTM' && mse < 0.01) return { step: s, mse, history };
    }
  }
  return { step: BUDGET, mse, history };
}

describe('adding problem, T = 100 (issue #14)', () => {
  let prev = '';
  before(() => {
    prev = px.getBackend();
    if (px.availableBackends().includes('wasm')) px.setBackend('wasm');
  });
  after(() => px.setBackend(prev));

  it(`an LSTM(32) reaches test MSE < 0.01 within ${BUDGET} steps; a tanh RNN(32) does not`, () => {
    const lstm = train('LSTM');
    console.log(`adding T=${T}: LSTM test MSE ${lstm.mse.toFixed(4)} at step ${lstm.step} (every 100: ${lstm.history.join(', ')})`);
    const rnn = train('RNN');
    console.log(`adding T=${T}: tanh RNN test MSE ${rnn.mse.toFixed(4)} after ${rnn.step} steps (every 100: ${rnn.history.join(', ')})`);
    console.log('trivial predictor (always 1): ~0.167');
    assert.ok(lstm.mse < 0.01, `LSTM test MSE ${lstm.mse} >= 0.01 within ${BUDGET} steps`);
    assert.ok(rnn.mse >= 0.01, `the tanh RNN reached ${rnn.mse} < 0.01: the claim that it fails is not reproduced`);
  });
});
