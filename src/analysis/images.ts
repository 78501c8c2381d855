/**
 * @file Signed images (eigenvectors, weights) as one PNG grid, for the analysis helpers: each tile
 * is scaled by its own largest magnitude and drawn with a diverging map (blue negative, white 0,
 * red positive), as in Pearce et al.'s eigenvector figures.
 *
 * Shape contract: images [N, H, W] or [N, k, H, W] (k tiles per row group: row i holds the k images
 * of item i when `cols` is not given) -> PNG bytes.
 */
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { encodePng } from '../viz/png.js';

export interface ImageGridOptions {
  /** Pixels per image pixel (default 4). */
  scale?: number;
  /** Tiles per grid row (default: k for [N, k, H, W], else min(N, 10)). */
  cols?: number;
  /** Grey gap between tiles, in output pixels (default 2). */
  pad?: number;
}

function intOpt(where: string, name: string, v: unknown, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${where}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/**
 * PNG bytes of a grid of signed images (diverging colour map, each tile normalised to its max |value|).
 * @example writeFileSync('eig.png', analysis.imageGridPng(topEigenImages(model, { shape: [28, 28] }).images));
 */
export function imageGridPng(images: Tensor, opts: ImageGridOptions = {}): Uint8Array {
  const where = 'imageGridPng';
  if (opts === null || typeof opts !== 'object') throw new ValueError(`${where}: options must be an object`);
  for (const k of Object.keys(opts)) if (!['scale', 'cols', 'pad'].includes(k)) throw new ValueError(`${where}: unknown option ${JSON.stringify(k)} (allowed: scale, cols, pad)`);
  if (images.rank !== 3 && images.rank !== 4) throw new ShapeError(`${where}: images must be [N, H, W] or [N, k, H, W], got ${fmtShape(images.shape)}`);
  const [H, W] = images.shape.slice(-2) as [number, number];
  const count = images.size / (H * W);
  if (count === 0 || H === 0 || W === 0) throw new ShapeError(`${where}: no image to draw in ${fmtShape(images.shape)}`);
  const scale = intOpt(where, 'scale', opts.scale, 4, 1);
  const pad = intOpt(where, 'pad', opts.pad, 2, 0);
  const cols = Math.min(count, intOpt(where, 'cols', opts.cols, images.rank === 4 ? images.shape[1]! : Math.min(count, 10), 1));
  const rows = Math.ceil(count / cols);
  const tw = W * scale, th = H * scale;
  const width = cols * tw + (cols + 1) * pad, height = rows * th + (rows + 1) * pad;
  const rgb = new Uint8Array(width * height * 3).fill(160);
  const data = images._peek();
  for (let t = 0; t < count; t++) {
    const off = t * H * W;
    let m = 0;
    for (let i = 0; i < H * W; i++) m = Math.max(m, Math.abs(data[off + i]!));
    const x0 = pad + (t % cols) * (tw + pad), y0 = pad + Math.floor(t / cols) * (th + pad);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = m > 0 ? data[off + Math.floor(y / scale) * W + Math.floor(x / scale)]! / m : 0;
        // White at 0, towards red (+1) or blue (-1).
        const a = Math.round(255 * (1 - Math.min(1, Math.abs(v))));
        const o = ((y0 + y) * width + x0 + x) * 3;
        rgb[o] = v >= 0 ? 255 : a;
        rgb[o + 1] = a;
        rgb[o + 2] = v >= 0 ? a : 255;
      }
    }
  }
  return encodePng(width, height, rgb);
}
