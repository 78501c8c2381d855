/**
 * @file Shared by the optimizer tests: the golden file (test/golden/optimizers.json, written offline
 * by scripts/golden/optimizers.py), its small model and loss, and a name -> constructor table.
 */
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';

export interface Arr { shape: number[]; values: number[] }
export interface OptConfig {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups?: ({ params: ('W' | 'b')[] } & Record<string, unknown>)[];
  steps: { loss: number; W: Arr; b: Arr }[];
}
export interface SchedConfig {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: string;
  optimizerOptions: Record<string, unknown>;
  groupLrs: number[];
  lrs: number[][];
  metrics?: number[];
  momentum?: number[][];
}
export interface Golden {
  problem: { X: Arr; Y: Arr; W: Arr; b: Arr };
  optimizers: OptConfig[];
  schedulers: SchedConfig[];
}

// Tests run from dist/test/, so the JSON (not copied by tsc) is two levels up in the source tree.
export const golden = JSON.parse(readFileSync(new URL('../../test/golden/optimizers.json', import.meta.url), 'utf8')) as Golden;

export const f64 = (a: Arr, requiresGrad = false): px.Tensor => px.tensor(a.values, { dtype: 'float64', shape: a.shape, requiresGrad });

/** Fresh leaves W [3,4] and b [4] at the golden initial values. */
export function freshParams(): { W: px.Tensor; b: px.Tensor } {
  const W = f64(golden.problem.W, true);
  const b = f64(golden.problem.b, true);
  W.name = 'W';
  b.name = 'b';
  return { W, b };
}

const X = f64(golden.problem.X);
const Y = f64(golden.problem.Y);

/** mean((tanh(X W + b) - Y)^2), the golden loss, through plexus autograd. */
export function lossOf(W: px.Tensor, b: px.Tensor): px.Tensor {
  return px.mean(px.square(px.sub(px.tanh(px.add(px.matmul(X, W), b)), Y)));
}

type Ctor = (params: optim.Params<never>, options: Record<string, unknown>) => optim.Optimizer<optim.BaseHyper>;
/** Every registered optimizer (optim.OPTIMIZERS), by class name as the golden file names them. */
export const OPTIMIZERS: Record<string, Ctor> = Object.fromEntries(optim.OPTIMIZERS.map((o) => [o.ctor.name, (p: optim.Params<never>, opts: Record<string, unknown>) => new o.ctor(p, opts)]));

/** One training step on the golden loss; returns the loss value. */
export function trainStep(opt: optim.Optimizer<optim.BaseHyper>, W: px.Tensor, b: px.Tensor): number {
  opt.zeroGrad();
  const loss = lossOf(W, b);
  loss.backward();
  opt.step();
  return loss.item();
}
