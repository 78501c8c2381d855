/**
 * @file The memory check of `plexus train`, before the model is built (building a 30000x30000 MLP
 * already allocates gigabytes). The estimate is a lower bound of what training holds at once:
 *   weights + gradients + the optimizer's per-parameter buffers + one param-sized temporary
 *   (a layer's fresh gradient before it is accumulated, the update's scratch)   (4 bytes each, float32)
 *   + one batch's activations, kept for backward (about 4 tensors of batch x width per layer)
 *   + the data set itself.
 * The limit is the smallest of the library's memory budget (setMemoryBudget, 16 GiB by default),
 * 80% of this machine's memory (os.totalmem) and, on the wasm backend, the 4 GiB of a wasm32 memory.
 */
import os from 'node:os';
import { px } from './api.js';
import { type TrainConfig, builtinModel, isLayerModel } from './config-schema.js';
import { ConfigError } from './errors.js';


/** Parameters of the model `cfg` describes, computed from the widths alone (nothing allocated). */
export function estimateParameters(cfg: TrainConfig, inputs: number, outputs: number): number {
  const m = builtinModel(cfg.model);
  const widths = [inputs, ...m.hidden, outputs];
  let n = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const a = widths[l]!;
    const b = widths[l + 1]!;
    // KAN: a spline coefficient per basis function plus base and scale weights per edge.
    const perEdge = m.type === 'mlp' ? 1 : (m.grid ?? 8) + (m.k ?? 3) + 2;
    n += a * b * perEdge + b;
  }
  return n;
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Bytes training `cfg` needs at least, and its parts (for the message). */
export function estimateTrainingBytes(cfg: TrainConfig, inputs: number, outputs: number, samples: number, built?: number): { total: number; parts: string } {
  const params = built ?? estimateParameters(cfg, inputs, outputs);
  const buffers = 3 + (px.optim.optimizerEntry(cfg.optimizer.name)?.buffers ?? 3);
  const weights = params * 4 * buffers;
  // A layer model's inner widths are its own: only its input and output rows are counted.
  const widths = isLayerModel(cfg.model) ? [inputs, outputs] : [inputs, ...builtinModel(cfg.model).hidden, outputs];
  const acts = cfg.batchSize * widths.reduce((a, b) => a + b, 0) * 4 * 4;
  const data = samples * (inputs + 1) * 4;
  return { total: weights + acts + data, parts: `${params} parameters x ${buffers} (weights, gradients, optimizer state, a temporary) = ${gib(weights)}, activations ${gib(acts)}, data ${gib(data)}` };
}

/**
 * Refuses (exit 2, before anything is written) a run that cannot fit. Built-in models are checked
 * before they are built; a layer model (whose size only its module knows) after, with its actual
 * parameter count `built`.
 */
export function checkMemory(cfg: TrainConfig, backend: string, inputs: number, outputs: number, samples: number, source: string, built?: number): void {
  const { total, parts } = estimateTrainingBytes(cfg, inputs, outputs, samples, built);
  const limits: [number, string][] = [
    [px.getMemoryBudget(), 'the plexus memory budget (setMemoryBudget)'],
    [Math.floor(os.totalmem() * 0.8), `80% of this machine's ${gib(os.totalmem())}`],
  ];
  if (backend === 'wasm') limits.push([4 * 2 ** 30, 'the 4 GiB of a wasm32 memory (backend wasm)']);
  const [limit, what] = limits.reduce((a, b) => (b[0] < a[0] ? b : a));
  if (total > limit) {
    throw new ConfigError(source, [{ pointer: isLayerModel(cfg.model) ? '/model' : '/model/hidden', message: `the model needs about ${gib(total)} to train (${parts}), more than the limit of ${gib(limit)}, ${what}; use smaller layers or a smaller batch` }]);
  }
}
