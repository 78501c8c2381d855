/**
 * @file Training dynamics on Fashion-MNIST (10 000 training images, the 10 000 test images, pixels / 255):
 * - layer rotation (Carbonnelle & De Vleeschouwer 2018): a 784-256-256-256-10 ReLU MLP trained 5
 *   epochs with SGD (momentum 0.9, batch 128) at lr 0.01 and 0.1, and with Layca (lr 3^-3); each
 *   layer's rotation curve (cosine distance to its initial weights per epoch) and the final test
 *   accuracy are printed. Shown, not asserted strictly: only that the larger learning rate rotates
 *   every layer further (the paper's Fig. 1 mechanism), and that Layca's final rotations are within a
 *   factor 2 of each other across layers (it controls each layer's rotation per step);
 * - neural collapse, local rank and activation sparsity of the lr 0.1 network, at initialisation and
 *   after training (printed; asserted: NC1 falls with training, as Papyan et al. report);
 * - edge of stability (Cohen et al. 2021): a 784-64-10 MLP trained by full-batch GD (lr 0.1, 300 steps,
 *   on 1000 images), top Hessian eigenvalue printed beside 2 / lr = 20 (not asserted).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { analysis, nn, optim, fit } from '../src/node.js';
import { fashion, skippedWithoutFmnist } from './fmnist-helpers.js';

const first = (t: px.Tensor, n: number): px.Tensor => px.sliceAxis(t, 0, 0, n);

/** Hidden features of an MLP (the post-activation of each hidden block) for x. */
function hidden(model: nn.MLP, x: px.Tensor): px.Tensor[] {
  return px.noGrad(() => {
    const out: px.Tensor[] = [];
    let h = x;
    for (let i = 0; i < model.layers.length - 1; i++) { h = model.activation.forward(model.layers.at(i).forward(h)); out.push(h); }
    return out;
  });
}

describe('analysis on Fashion-MNIST (slow)', () => {
  if (skippedWithoutFmnist('the layer-rotation, neural-collapse and edge-of-stability checks')) return;
  const { train, test } = fashion();
  const x = first(train.x, 10_000), y = first(train.y, 10_000);

  it('layer rotation for two learning rates and Layca; neural collapse, local rank and sparsity', async () => {
    const runs: { name: string; curves: Record<string, number[]>; acc: number }[] = [];
    let nc: { before: analysis.NeuralCollapse; after: analysis.NeuralCollapse } | null = null;
    for (const [name, make] of [
      ['SGD lr 0.01', (m: nn.Module) => new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 })],
      ['SGD lr 0.1', (m: nn.Module) => new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 })],
      ['Layca lr 3^-3', (m: nn.Module) => new optim.Layca(m.parameters(), { lr: 3 ** -3 })],
    ] as const) {
      px.manualSeed(0);
      const model = new nn.MLP([784, 256, 256, 256, 10]);
      const xs = first(x, 2000), ys = first(y, 2000);
      const before = name === 'SGD lr 0.1' ? analysis.neuralCollapse(hidden(model, xs).at(-1)!, ys, { classifier: model.layers.at(3) as nn.Linear }) : null;
      const rot = new analysis.LayerRotation();
      await fit(model, { x, y, batchSize: 128, shuffle: true }, { optimizer: make(model), loss: 'crossEntropy', epochs: 5, callbacks: [rot], progress: false });
      const { accuracy } = await px.evaluate(model, test, { loss: 'crossEntropy' });
      runs.push({ name, curves: rot.curves, acc: accuracy! });
      console.log(`  ${name}: test accuracy ${(100 * accuracy!).toFixed(2)}%`);
      for (const [k, c] of Object.entries(rot.curves)) console.log(`    ${k.padEnd(16)} rotation per epoch ${c.map((v) => v.toFixed(4)).join(' ')}`);
      if (before) {
        const feats = hidden(model, xs);
        const after = analysis.neuralCollapse(feats.at(-1)!, ys, { classifier: model.layers.at(3) as nn.Linear });
        nc = { before, after };
        const fmt = (n: analysis.NeuralCollapse): string => `NC1 ${n.nc1.toFixed(3)}, NC2 equinorm ${n.nc2.equinorm.toFixed(3)} equiangular ${n.nc2.equiangular.toFixed(3)}, NC3 ${n.nc3!.toFixed(3)}, NC4 ${n.nc4!.toFixed(3)}`;
        console.log(`    neural collapse (2000 training images): init ${fmt(before)}; trained ${fmt(after)}`);
        const sp = analysis.activationSparsity(feats);
        console.log(`    activation sparsity per hidden layer: ${Object.values(sp).map((s) => `${(100 * s.sparsity).toFixed(1)}% (dead ${(100 * s.deadUnits).toFixed(1)}%)`).join(', ')}`);
        const lr = analysis.localRank(model, first(xs, 16));
        console.log(`    local rank (16 images, tol 1e-3): ${Object.entries(lr).map(([k, r]) => `${k} ${r.mean.toFixed(1)}/${r.features}`).join(', ')}`);
      }
    }
    const [slow, fast, layca] = runs;
    for (const k of Object.keys(slow!.curves)) assert.ok(fast!.curves[k]!.at(-1)! > slow!.curves[k]!.at(-1)!, `${k}: lr 0.1 rotated less than lr 0.01`);
    const finals = Object.values(layca!.curves).map((c) => c.at(-1)!);
    console.log(`  Layca: final rotations ${finals.map((v) => v.toFixed(3)).join(', ')} (every step turns each layer by atan(lr); no LR decay here, so the paper's rho = 3^-3 keeps rotating)`);
    assert.ok(Math.max(...finals) < 2 * Math.min(...finals), `Layca rotations not uniform: ${finals}`);
    assert.ok(nc!.after.nc1 < nc!.before.nc1, `NC1 did not fall: ${nc!.before.nc1} -> ${nc!.after.nc1}`);
  });

  it('edge of stability: top Hessian eigenvalue after full-batch GD beside 2/lr', () => {
    px.manualSeed(1);
    const model = new nn.MLP([784, 64, 10]);
    const xs = first(x, 1000), ys = first(y, 1000);
    const lr = 0.1;
    const opt = new optim.SGD(model.parameters(), { lr });
    for (let s = 0; s < 300; s++) px.scope(() => { opt.zeroGrad(); px.crossEntropy(model.forward(xs), ys).backward(); opt.step(); });
    const { fn, params } = analysis.lossFunction(model, xs, ys, { loss: 'crossEntropy' });
    const top = analysis.hessianEigenvalue(fn, params, { maxIter: 100, tol: 1e-4 });
    const tr = analysis.hessianTrace(fn, params, { probes: 20 });
    console.log(`  784-64-10, full-batch GD lr ${lr}, 300 steps: top Hessian eigenvalue ${top.value.toFixed(3)} (${top.iterations} iterations, converged ${top.converged}) vs 2/lr = ${2 / lr}; trace ${tr.value.toFixed(1)} +- ${tr.stderr.toFixed(1)}`);
    assert.ok(Number.isFinite(top.value) && top.value > 0);
  });
});
