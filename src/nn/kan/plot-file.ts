/**
 * @file Node-only (plexus/node): plotKAN / plotKANPng with `path`, writing the picture to a file
 * (PNG when the path ends in .png, else SVG); plot.ts draws it.
 */
import { writeFileSync } from 'node:fs';
import type { Tensor } from '../../core/tensor.js';
import { type PlotKANOptions, type PlotModel, pngBytes, renderKAN } from './plot.js';

/**
 * Draws every edge function of `model` on samples x [N, n_0], returns the SVG text, and with `path`
 * writes the picture there (PNG when it ends in .png).
 * @example nn.plotKAN(model, xTrain, { path: 'kan.png' });
 */
export function plotKAN(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): string {
  const { svg, png } = renderKAN(model, x, opts, 'plotKAN', true);
  if (opts.path) writeFileSync(opts.path, png ?? `${svg}\n`);
  return svg;
}

/** The same picture as PNG bytes (8-bit RGB, `scale` pixels per SVG unit, default 2), also written to `path`. */
export function plotKANPng(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): Uint8Array {
  const png = pngBytes(model, x, opts);
  if (opts.path) writeFileSync(opts.path, png);
  return png;
}
