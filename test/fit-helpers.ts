/**
 * @file Shared by the fitting checks of nn.encoding (nn-rbf.test.ts, nn-grid.test.ts): the 32 x 32
 * test image on [-1, 1]^2 and a full-batch Adam fit on MSE.
 */
import * as px from '../src/index.js';
import { optim, type nn } from '../src/index.js';

/**
 * f sampled on a 32 x 32 grid over [-1, 1]^2, row by row (row i is v, column j is u): points
 * [1024, 2], targets [1024, 1], and the targets as float64 numbers (before float32 rounding).
 */
export function image32(f: (u: number, v: number) => number): { x: px.Tensor; y: px.Tensor; vals: number[] } {
  const pts: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < 32; i++) {
    for (let j = 0; j < 32; j++) {
      const [u, v] = [-1 + (2 * j) / 31, -1 + (2 * i) / 31];
      pts.push(u, v);
      vals.push(f(u, v));
    }
  }
  return { x: px.tensor(pts, { shape: [1024, 2] }), y: px.tensor(vals, { shape: [1024, 1] }), vals };
}

/** Full-batch Adam (lr 1e-2) on MSE for `steps` steps; returns the MSE after the last step. */
export function fitMse(model: nn.Module, x: px.Tensor, y: px.Tensor, steps: number): number {
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    px.mse(model.forward(x), y).backward();
    opt.step();
  }
  return px.noGrad(() => px.mse(model.forward(x), y).item());
}
