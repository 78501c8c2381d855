/**
 * @file Full-batch (or seeded mini-batch) training of KAN-family models on regression data, for
 * the KAN toolkit's multi-phase routines (S-KAN's three phases, symbolic snapping, benchmarks):
 * a "step" is one `optimizer.step(closure)`, so the same loop drives L-BFGS (a step = up to maxIter
 * iterations with a line search, as pykan's fit) and first-order optimizers (a step = one update).
 */
import type { Tensor } from '../../core/tensor.js';
import { scope } from '../../core/memory.js';
import { Generator } from '../../core/rng.js';
import { tensor } from '../../core/create.js';
import { indexSelect } from '../../ops/primitives/index.js';
import { mse } from '../../ops/index.js';
import type { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/module.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { ValueError } from '../../core/errors.js';

/** Builds an optimizer over the given parameters (called again whenever parameters are replaced). */
export type OptimizerFactory = (params: Parameter[]) => Optimizer;

export interface RegressionData {
  x: Tensor;
  y: Tensor;
}

export interface TrainStepsOptions {
  optimizerFactory: OptimizerFactory;
  steps: number;
  /** Samples per step (default: all, full batch). Mini-batches come from a seeded shuffle. */
  batchSize?: number;
  seed?: number;
  /** Extra loss term on each batch (e.g. `(x) => model.regularization(x).mul(1e-3)`). */
  penalty?: (x: Tensor) => Tensor;
  /** Parameters to train (default: all of the model's). */
  params?: Parameter[];
  /** Called after each step with the step index and the loss it returned. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * `steps` optimizer steps of mean squared error on `data`; returns the loss of each step (for
 * L-BFGS: the loss at the start of the step, as PyTorch returns it). Each evaluation runs in a
 * scope, so nothing accumulates over thousands of closure calls.
 */
export function trainSteps(model: Module, data: RegressionData, opts: TrainStepsOptions): number[] {
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new ValueError(`trainSteps: steps must be an integer >= 0, got ${opts.steps}`);
  if (opts.params !== undefined && !(Array.isArray(opts.params) && opts.params.every((p) => p instanceof Parameter))) {
    throw new ValueError('trainSteps: params must be an array of Parameters');
  }
  const params = opts.params ?? model.parameters();
  const opt = opts.optimizerFactory(params);
  const all = model.parameters();
  const N = data.x.shape[0]!;
  const B = Math.min(opts.batchSize ?? N, N);
  const g = new Generator(opts.seed ?? 0);
  let order: number[] = [];
  const losses: number[] = [];
  for (let s = 0; s < opts.steps; s++) {
    let x = data.x;
    let y = data.y;
    let idx: Tensor | null = null;
    if (B < N) {
      if (order.length < B) order = shuffled(N, g);
      idx = tensor(order.splice(0, B), { dtype: 'int32' });
      x = indexSelect(data.x, 0, idx);
      y = indexSelect(data.y, 0, idx);
    }
    const closure = (): number => scope(() => {
      model.zeroGrad(); // parameters outside the optimizer too: their gradients are scope temporaries
      let loss = mse(model.forward(x), y);
      if (opts.penalty) loss = loss.add(opts.penalty(x));
      loss.backward();
      // The gradients are returned from the scope so they survive it.
      return { loss: loss.item(), grads: all.map((p) => p.grad) };
    }).loss;
    const r = opt.step(closure);
    const loss = typeof r === 'number' ? r : closure();
    losses.push(loss);
    opts.onStep?.(s, loss);
    if (idx) { x.dispose(); y.dispose(); idx.dispose(); }
  }
  return losses;
}

function shuffled(n: number, g: Generator): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.nextFloat() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
