/**
 * @file The three training phases of S-KAN (Yang et al. 2024, arXiv 2408.08338) as one call:
 *   1. full training: every node's candidate spaces are mixed by learnable softmax weights and
 *      trained together (mixing weights included, or held uniform with `mixing: 'fixed'`);
 *   2. selection + selective training: each node keeps its space with the largest mixing weight
 *      (the kept space is refit by least squares to the node's whole mixed edge functions on the
 *      training inputs, so training resumes from the function learned so far), then only the
 *      selected spaces are trained;
 *   3. pruning (optional): nodes and edges below the importance threshold are removed
 *      (nn/kan/prune.ts) and the smaller model is trained again.
 * Each phase builds a fresh optimizer from `optimizerFactory`, since selection and pruning
 * replace the parameters.
 */
import type { Tensor } from '../../core/tensor.js';
import { noGrad } from '../../core/grad-mode.js';
import { mse } from '../../ops/index.js';
import { ValueError } from '../../core/errors.js';
import type { BasisName } from '../../nn/kan/basis.js';
import { SKAN, type SelectCriterion } from '../../nn/kan/s-kan.js';
import { type PruneOptions, pruneKAN } from '../../nn/kan/prune.js';
import { type OptimizerFactory, type RegressionData, trainSteps } from './steps.js';

export interface TrainSKANOptions {
  optimizerFactory: OptimizerFactory;
  /** Optimizer steps of phase 1 (mixture) and phase 2 (selected spaces). */
  stepsFull: number;
  stepsSelective: number;
  /** Phase 3: prune with these thresholds, then train `steps` more (absent: no pruning). */
  prune?: PruneOptions & { steps: number };
  /** Refit the kept spaces to the mixture at selection (default true; false = keep coefficients, scaled by the weight). */
  refit?: boolean;
  /** How each node's space is chosen (SKANLinear.select; default 'weight', the paper's). */
  criterion?: SelectCriterion;
  /**
   * 'train' (default, the paper): the mixing logits are trained with everything else in phase 1.
   * 'fixed': the mixture stays uniform and only the spaces' functions train; selection must then
   * look at the functions ('fit' or 'contribution'). Why: under L-BFGS the logits are a badly
   * scaled direction (tiny gradients, shared scale with the coefficients); training them made the
   * mixture stall in poor minima far more often (measured on the 4-D toy function of S1).
   */
  mixing?: 'train' | 'fixed';
  batchSize?: number;
  seed?: number;
  /** Called after every step of every phase. */
  onStep?: (phase: 'full' | 'selective' | 'prune', step: number, loss: number) => void;
}

export interface TrainSKANResult {
  /** The final model (a new one when pruned; else the input model, selected in place). */
  model: SKAN;
  /** Loss per step of each phase. */
  losses: { full: number[]; selective: number[]; prune: number[] };
  /** Per layer, the space each input node selected. */
  spaces: BasisName[][];
  /** Mixing weights at the end of phase 1, per layer [in][pool]. */
  mixing: number[][][];
  pruned: { removedNodes: number; removedEdges: number } | null;
}

/**
 * Runs the three S-KAN phases on regression data {x [N, n_0], y [N, n_L]} (mean squared error).
 * @example
 * const r = trainSKAN(new nn.SKAN([2, 5, 1], { grid: 5 }), { x, y }, {
 *   optimizerFactory: (p) => new optim.LBFGS(p, { lineSearchFn: 'strong_wolfe' }), stepsFull: 10, stepsSelective: 10,
 * });
 * r.spaces // [['bspline', 'fourier'], ['chebyshev', ...]]
 */
export function trainSKAN(model: SKAN, data: RegressionData, opts: TrainSKANOptions): TrainSKANResult {
  if (!(model instanceof SKAN)) throw new ValueError('trainSKAN: model must be an nn.SKAN');
  if (model.isSelected) throw new ValueError('trainSKAN: the model is already selected; phase 1 needs the mixture (build a fresh SKAN)', 'INVALID_STATE');
  const common = { optimizerFactory: opts.optimizerFactory, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), seed: opts.seed ?? 0 };
  const mixMode = opts.mixing ?? 'train';
  if (mixMode !== 'train' && mixMode !== 'fixed') throw new ValueError(`trainSKAN: mixing must be 'train' or 'fixed', got ${JSON.stringify(mixMode)}`);
  if (mixMode === 'fixed' && (opts.criterion ?? 'weight') === 'weight') throw new ValueError("trainSKAN: with mixing 'fixed' the weights stay uniform; choose criterion 'fit' or 'contribution'");
  const logits = new Set(Array.from({ length: model.depth }, (_, l) => model.layer(l).mixLogits));
  const params = mixMode === 'fixed' ? model.parameters().filter((p) => !logits.has(p)) : model.parameters();
  if (mixMode === 'fixed') for (const p of logits) p?.requiresGrad_(false);
  const full = trainSteps(model, data, { ...common, params, steps: opts.stepsFull, onStep: (s, l) => opts.onStep?.('full', s, l) });
  const mixing = Array.from({ length: model.depth }, (_, l) => model.layer(l).mixingWeights().map((w) => Array.from(w)));
  noGrad(() => model.select(data.x, { criterion: opts.criterion ?? 'weight', refit: opts.refit !== false }));
  const selective = trainSteps(model, data, { ...common, steps: opts.stepsSelective, onStep: (s, l) => opts.onStep?.('selective', s, l) });
  let final = model;
  let pruned: TrainSKANResult['pruned'] = null;
  let prune: number[] = [];
  if (opts.prune) {
    const r = pruneKAN(model, data.x, opts.prune);
    final = r.model;
    pruned = { removedNodes: r.removedNodes, removedEdges: r.removedEdges };
    prune = trainSteps(final, data, { ...common, steps: opts.prune.steps, onStep: (s, l) => opts.onStep?.('prune', s, l) });
  }
  return { model: final, losses: { full, selective, prune }, spaces: final.nodeSpaces() as BasisName[][], mixing, pruned };
}

/** Root mean squared error of `model` on {x, y} (no gradient). */
export function rmse(model: { forward(x: Tensor): Tensor }, data: RegressionData): number {
  return Math.sqrt(noGrad(() => mse(model.forward(data.x), data.y).item()));
}
