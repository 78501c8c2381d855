/**
 * @file Loss functions by name for `fit` / `evaluate`. Each takes the model output and the batch
 * target and returns the batch MEAN (so epoch averages can weight batches by their size).
 */
import { isFloat } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { bceWithLogits, crossEntropy, mse } from '../ops/composite/index.js';
import { cast, reshape } from '../ops/primitives/index.js';

/** (output, target) -> scalar mean loss over the batch. */
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

export const LOSS_NAMES = ['crossEntropy', 'mse', 'bce'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/**
 * A target for an elementwise loss: cast to the output's float dtype (labels are often int32) and,
 * for the common one-output case, `[N]` reshaped to the output's `[N, 1]` — without this,
 * broadcasting would silently compare every output with every target ([N,1] - [N] is [N,N]).
 */
function alignTarget(pred: Tensor, target: Tensor): Tensor {
  let t = target.dtype === pred.dtype ? target : cast(target, pred.dtype);
  if (t.rank === pred.rank - 1 && pred.shape[pred.rank - 1] === 1 && t.size === pred.size) t = reshape(t, pred.shape);
  return t; // any other mismatch is reported by the loss op's own shape check
}

/**
 * The loss function for a name or a function (returned as is).
 * - 'crossEntropy': logits [N, C, ...] with int32 class targets or class probabilities;
 * - 'mse': mean squared error; 'bce': binary cross-entropy on logits (stable form).
 * @example const lossFn = resolveLoss('crossEntropy'); lossFn(model.forward(x), y).item();
 */
export function resolveLoss(loss: LossName | LossFn): LossFn {
  if (typeof loss === 'function') return loss;
  switch (loss) {
    case 'crossEntropy':
      return (pred, target) => crossEntropy(pred, target);
    case 'mse':
      return (pred, target) => mse(pred, alignTarget(pred, target));
    case 'bce':
      return (pred, target) => {
        if (!isFloat(pred.dtype)) throw new ValueError(`bce: the model output must be float, got ${pred.dtype}`);
        return bceWithLogits(pred, alignTarget(pred, target));
      };
    default:
      throw new ValueError(`unknown loss ${JSON.stringify(loss)}; expected one of ${LOSS_NAMES.join(', ')} or a function (pred, target) => Tensor`, 'INVALID_LOSS');
  }
}
