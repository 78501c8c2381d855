/**
 * @file MF2: Mono-Forward's training memory does not grow with depth, backprop's does. An MLP
 * [100, 2000 x depth, 10] (batch 8, SGD without momentum: no optimizer state to allocate) takes one
 * step; `memory()` (exact byte counts of backend storage, independent of GC) gives the peak above
 * what was live before the step: activations, gradients and temporaries. Backprop holds every
 * layer's activations and gradients until the update; Mono-Forward updates each layer right after
 * its local backward, so only one layer's activations and gradients are ever live.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { nn, optim, train } from '../src/node.js';

const WIDTH = 2000;
const BATCH = 8;

/** Peak bytes above the live bytes before one training step (after a warm-up step). */
function stepPeak(algorithm: string, model: nn.MLP): number {
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  const algo = train.createAlgorithm(algorithm, {}, model);
  const ctx = { optimizer, loss: train.resolveLoss('crossEntropy'), lossName: 'crossEntropy', metrics: [], schedulerInterval: 'epoch' as const };
  const state = algo.init(model, ctx);
  const g = new px.Generator(1);
  const x = px.randn([BATCH, 100], { generator: g });
  const y = px.randint(0, 10, [BATCH], { generator: g });
  px.scope(() => algo.step(model, [x, y], state));
  const base = px.memory().numBytes;
  px.resetPeakMemory();
  px.scope(() => algo.step(model, [x, y], state));
  return px.memory().peakBytes - base;
}

describe('MF2: peak training memory against depth', () => {
  it('Mono-Forward stays flat from depth 2 to 5; backprop grows, >= 3x Mono-Forward at depth 5', () => {
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MB`;
    const rows: Record<string, number[]> = {};
    // One model per depth serves both algorithms (the weights' values do not change the byte counts).
    const models = [2, 5].map((d) => new nn.MLP([100, ...Array<number>(d).fill(WIDTH), 10], { generator: new px.Generator(0) }));
    for (const a of ['backprop', 'mono-forward']) rows[a] = models.map((m) => stepPeak(a, m));
    console.log(`MF2 peak above weights, depth 2/5: backprop ${rows.backprop!.map(mb).join(' / ')}; mono-forward ${rows['mono-forward']!.map(mb).join(' / ')}`);
    const [m2, m5] = rows['mono-forward']!;
    const [b2, b5] = rows.backprop!;
    assert.ok(m5! <= 1.05 * m2!, `mono-forward grew with depth: ${mb(m2!)} -> ${mb(m5!)}`);
    assert.ok(b5! >= 2.5 * b2!, `backprop did not grow with depth: ${mb(b2!)} -> ${mb(b5!)}`);
    const ratio = b5! / m5!;
    console.log(`MF2 ratio backprop / mono-forward at depth 5: ${ratio.toFixed(2)}`);
    assert.ok(ratio >= 3, `ratio ${ratio.toFixed(2)} < 3`);
  });
});
