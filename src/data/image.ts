/**
 * @file Images as coordinate-regression tasks (the setting of Tancik et al. 2020, arXiv 2006.10739, and
 * SIREN, Sitzmann et al. 2020, arXiv 2006.09661): `imageGrid` turns an Image into pixel coordinates in
 * [-1, 1]^2 and their values, split into the even-pixel grid (train) and the other pixels (test) or
 * kept whole; `imageFromTensor` turns a network's predictions back into an Image, and
 * `comparisonImage` puts ground truth, reconstruction and error map side by side.
 *
 * Coordinates: pixel (row r, column c) of an H x W image is x = [-1 + 2c/(W-1), -1 + 2r/(H-1)]
 * (the first coordinate runs left to right, the second top to bottom, both ends included, as
 * SIREN's grid; a one-pixel side is 0). Samples are in row-major pixel order.
 */
import { checkEnum, checkOptions } from '../core/args.js';
import type { FloatDType } from '../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { Split } from './dataset.js';
import { type Image, checkImage } from './png.js';
import { fromTyped } from './rows.js';

export const IMAGE_SPLITS = ['even-odd', 'all'] as const;
export type ImageSplit = (typeof IMAGE_SPLITS)[number];

export interface ImageGridOptions {
  /** 'even-odd' (default): train on pixels with even row and column, test on the rest; 'all': train on every pixel, no test. */
  split?: ImageSplit;
  /** Map pixel values [0, 1] linearly onto this range (default [0, 1]; SIREN uses [-1, 1]). */
  range?: readonly [number, number];
  /** dtype of x and y (default float32). */
  dtype?: FloatDType;
}

export interface ImageGrid {
  /** x [n, 2] coordinates, y [n, channels] values. */
  train: Split;
  /** The held-out pixels ('even-odd'), or null ('all'). */
  test: Split | null;
  /** Every pixel in row-major order (for rendering a reconstruction). */
  all: Split;
  width: number;
  height: number;
  channels: 1 | 3;
  range: [number, number];
}

function checkRange(op: string, range: unknown): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(range[0] < range[1])) {
    throw new ValueError(`${op}: range must be [lo, hi] with finite lo < hi, got ${JSON.stringify(range)}`);
  }
  return [range[0], range[1]];
}

const coord = (i: number, n: number): number => (n > 1 ? -1 + (2 * i) / (n - 1) : 0);

/**
 * Pixel coordinates and values of `image` (see the file comment).
 * @example const { train, test } = data.imageGrid(img, { split: 'even-odd' }); // train.x [n, 2], train.y [n, 1]
 */
export function imageGrid(image: Image, opts: ImageGridOptions = {}): ImageGrid {
  checkOptions('imageGrid', opts, ['split', 'range', 'dtype']);
  const { width, height, channels, data } = checkImage('imageGrid', image);
  const split = checkEnum('imageGrid', 'split', opts.split ?? 'even-odd', IMAGE_SPLITS);
  const [lo, hi] = checkRange('imageGrid', opts.range ?? [0, 1]);
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`imageGrid: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const pick = (keep: (r: number, c: number) => boolean): Split => {
    let n = 0;
    for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) if (keep(r, c)) n++;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n * channels);
    let i = 0;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        if (!keep(r, c)) continue;
        x[2 * i] = coord(c, width);
        x[2 * i + 1] = coord(r, height);
        const p = (r * width + c) * channels;
        for (let k = 0; k < channels; k++) y[i * channels + k] = lo + (hi - lo) * data[p + k]!;
        i++;
      }
    }
    return { x: fromTyped(x, [n, 2], dtype), y: fromTyped(y, [n, channels], dtype) };
  };
  const all = pick(() => true);
  const even = (r: number, c: number): boolean => r % 2 === 0 && c % 2 === 0;
  const [train, test] = split === 'all' ? [all, null] : [pick(even), pick((r, c) => !even(r, c))];
  return { train, test, all, width, height, channels, range: [lo, hi] };
}

/**
 * An Image from values of [height * width, channels] or [height, width, channels] (or [height, width]
 * for gray), mapped from `range` (default [0, 1]) back to [0, 1]. Out-of-range values are kept (encodePng clamps).
 */
export function imageFromTensor(values: Tensor, width: number, height: number, opts: { range?: readonly [number, number] } = {}): Image {
  checkOptions('imageFromTensor', opts, ['range']);
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) throw new ValueError(`imageFromTensor: width and height must be integers >= 1, got ${String(width)}x${String(height)}`);
  const [lo, hi] = checkRange('imageFromTensor', opts.range ?? [0, 1]);
  const n = width * height;
  const s = values.shape;
  const channels = s.length === 2 && s[0] === n ? s[1] : s.length === 3 && s[0] === height && s[1] === width ? s[2] : s.length === 2 && s[0] === height && s[1] === width ? 1 : -1;
  if (channels !== 1 && channels !== 3) {
    throw new ShapeError(`imageFromTensor: values of shape ${fmtShape(s)} are not a ${width}x${height} image: expected [${n}, 1 or 3], [${height}, ${width}, 1 or 3] or [${height}, ${width}]`);
  }
  const v = values._peek();
  const data = new Float32Array(n * channels);
  for (let i = 0; i < data.length; i++) data[i] = (Number(v[i]) - lo) / (hi - lo);
  return { width, height, channels, data };
}

/** Black -> red -> yellow -> white for t in [0, 1] (a "hot" map: errors stand out on dark). */
function hot(t: number): [number, number, number] {
  const u = Math.min(Math.max(t, 0), 1) * 3;
  return [Math.min(u, 1), Math.min(Math.max(u - 1, 0), 1), Math.min(Math.max(u - 2, 0), 1)];
}

/**
 * Ground truth | reconstruction | error map, side by side with a 2-pixel gap, as one RGB Image. The
 * error map shows the per-pixel absolute error averaged over channels, times `errorGain` (default 4),
 * in a black-red-yellow-white map (so white is an error of 1/errorGain or more).
 */
export function comparisonImage(target: Image, pred: Image, opts: { errorGain?: number } = {}): Image {
  checkOptions('comparisonImage', opts, ['errorGain']);
  checkImage('comparisonImage', target);
  checkImage('comparisonImage', pred);
  const gain = opts.errorGain ?? 4;
  if (typeof gain !== 'number' || !Number.isFinite(gain) || gain <= 0) throw new ValueError(`comparisonImage: errorGain must be a finite number > 0, got ${String(gain)}`);
  const { width: w, height: h, channels: ch } = target;
  if (pred.width !== w || pred.height !== h || pred.channels !== ch) {
    throw new ShapeError(`comparisonImage: the reconstruction is ${pred.width}x${pred.height}x${pred.channels}, the target ${w}x${h}x${ch}`);
  }
  const gap = 2;
  const W = 3 * w + 2 * gap;
  const out = new Float32Array(W * h * 3).fill(1);
  const clamp = (v: number): number => Math.min(Math.max(v, 0), 1);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const p = (r * w + c) * ch;
      let err = 0;
      for (let k = 0; k < 3; k++) {
        const kk = ch === 1 ? 0 : k;
        out[(r * W + c) * 3 + k] = clamp(target.data[p + kk]!);
        out[(r * W + w + gap + c) * 3 + k] = clamp(pred.data[p + kk]!);
      }
      for (let k = 0; k < ch; k++) err += Math.abs(pred.data[p + k]! - target.data[p + k]!);
      const rgb = hot((err / ch) * gain);
      for (let k = 0; k < 3; k++) out[(r * W + 2 * (w + gap) + c) * 3 + k] = rgb[k]!;
    }
  }
  return { width: W, height: h, channels: 3, data: out };
}

/**
 * The synthetic image with a known spectrum that ships as data/builtin/spectrum-64.png (unquantised):
 * f(r, c) = 0.5 + 0.2 cos(2 pi 2c/N) + 0.15 cos(2 pi 5r/N) + 0.1 cos(2 pi (9c + 13r)/N) on an N x N grid
 * (default N = 64), so its DFT has peaks at (u, v) = (2, 0), (0, 5), (9, 13) and their mirrors.
 */
export function spectrumImage(opts: { size?: number } = {}): Image {
  checkOptions('spectrumImage', opts, ['size']);
  const n = opts.size ?? 64;
  if (!Number.isInteger(n) || n < 32) throw new ValueError(`spectrumImage: size must be an integer >= 32 (the highest frequency is 13), got ${String(n)}`);
  const t = (2 * Math.PI) / n;
  const data = new Float32Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) data[r * n + c] = 0.5 + 0.2 * Math.cos(t * 2 * c) + 0.15 * Math.cos(t * 5 * r) + 0.1 * Math.cos(t * (9 * c + 13 * r));
  return { width: n, height: n, channels: 1, data };
}
