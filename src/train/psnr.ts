/**
 * @file Peak signal-to-noise ratio, the score of image and signal fitting: PSNR = 10 log10(peak^2 / MSE)
 * in dB over every element (as torchmetrics' peak_signal_noise_ratio with data_range = peak).
 */
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';

/**
 * PSNR of `pred` against `target` (same shape) in dB; `peak` is the signal's range (1 for values in
 * [0, 1], 2 for [-1, 1], 255 for bytes). Infinity when they are equal. Accumulated in float64.
 * @example psnr(model.forward(x), y, 1) // 31.7
 */
export function psnr(pred: Tensor, target: Tensor, peak = 1): number {
  if (arguments.length > 3) throw new ValueError(`psnr: expected (pred, target, peak?), got ${arguments.length} arguments`);
  if (!(pred instanceof Tensor) || !(target instanceof Tensor)) throw new ValueError('psnr: pred and target must be Tensors');
  if (typeof peak !== 'number' || !Number.isFinite(peak) || peak <= 0) throw new ValueError(`psnr: peak must be a finite number > 0, got ${String(peak)}`);
  if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`psnr: pred ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} must have the same shape`);
  }
  if (pred.size === 0) throw new ValueError('psnr: the tensors are empty');
  const p = pred._peek();
  const t = target._peek();
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = Number(p[i]) - Number(t[i]);
    s += d * d;
  }
  return 10 * Math.log10((peak * peak) / (s / p.length));
}
