/**
 * @file Shared by the coordinate-network checks (test/coord-*.ts): full-batch fitting of a model to
 * (x, y) with Adam and MSE, as the papers' image experiments do, returning PSNR on the training
 * pixels and on held-out ones.
 */
import * as px from '../src/node.js';

export interface FitResult {
  trainPsnr: number;
  testPsnr: number | null;
  finalLoss: number;
  seconds: number;
}

/** Full-batch Adam on MSE for `steps` steps; PSNR with `peak` after the last step (no grad). */
export function fitFullBatch(model: px.nn.Module, train: px.data.Split, test: px.data.Split | null, opts: { lr: number; steps: number; peak: number }): FitResult {
  const opt = new px.optim.Adam(model.parameters(), { lr: opts.lr });
  const t0 = performance.now();
  let finalLoss = NaN;
  for (let s = 0; s < opts.steps; s++) {
    px.scope(() => {
      opt.zeroGrad();
      const loss = px.mse(model.forward(train.x), train.y);
      loss.backward();
      opt.step();
      if (s === opts.steps - 1) finalLoss = loss.item();
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  model.eval();
  const score = (d: px.data.Split): number => px.noGrad(() => px.scope(() => px.psnr(model.forward(d.x), d.y, opts.peak)));
  const r = { trainPsnr: score(train), testPsnr: test ? score(test) : null, finalLoss, seconds };
  model.train();
  return r;
}

/** A ReLU MLP with `hidden` layers of `width` after an optional encoding, and a sigmoid output (Tancik et al.'s image network). */
export function tancikNet(inFeatures: number, outFeatures: number, encoding: px.nn.Module | null, hidden = 3, width = 128): px.nn.Module {
  const encOut = encoding ? (encoding as px.nn.encoding.FourierFeatures).outFeatures : inFeatures;
  const mlp = new px.nn.MLP([encOut, ...Array<number>(hidden).fill(width), outFeatures], { activation: 'relu' });
  return new px.nn.Sequential(...(encoding ? [encoding] : []), mlp, new px.nn.Sigmoid());
}
