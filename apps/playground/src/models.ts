/**
 * @file The playground's models, from its settings and the data's sizes: an MLP (width, depth,
 * activation, norm), a KAN (Liu et al. 2024; grid and basis), a FastKAN (the KAN with Gaussian RBFs
 * and LayerNorm, Li 2024), a SIREN (Sitzmann et al. 2020) or an MLP on Gaussian Fourier features
 * (Tancik et al. 2020), all modules of the library with configs, so io.saveModel writes files that
 * `plexus info` / `eval` and io.loadModel read. Also the training algorithms by name (backprop now;
 * each is a library `TrainingAlgorithm`).
 */
import { nn, train, type Module } from '../../../src/index.js';
import type { Settings } from './settings.js';

/** Widths [in, width x depth, out]. */
export function widthsOf(s: Settings, inFeatures: number, outFeatures: number): number[] {
  return [inFeatures, ...Array.from({ length: s.depth }, () => s.width), outFeatures];
}

/** The model `s` describes for inputs of `inFeatures` columns and `outFeatures` outputs. */
export function buildModel(s: Settings, inFeatures: number, outFeatures: number, bounds: [number, number][]): Module {
  const widths = widthsOf(s, inFeatures, outFeatures);
  switch (s.model) {
    case 'mlp':
      return new nn.MLP(widths, { activation: s.activation as nn.ActivationName, norm: s.norm === 'none' ? null : (s.norm as nn.NormName) });
    case 'kan':
      return new nn.KAN(widths, { basis: s.basis as never, grid: s.grid });
    case 'fastkan':
      return new nn.KAN(widths, { basis: 'rbf', grid: s.grid }); // grid 1 is refused by KANLinear, naming it
    case 'siren':
      return new nn.SIREN(widths, { w0: s.w0, firstW0: s.w0 });
    case 'fourier': {
      // The coordinate range the features map onto [0, 1]: the data's (one range for all inputs).
      const lo = Math.min(...bounds.map((b) => b[0]));
      const hi = Math.max(...bounds.map((b) => b[1]));
      const enc = new nn.encoding.FourierFeatures(inFeatures, s.features, { kind: 'gaussian', scale: s.scale, inputRange: [lo, hi] });
      return new nn.Sequential(enc, new nn.MLP([enc.outFeatures, ...widths.slice(1)], { activation: s.activation as nn.ActivationName }));
    }
  }
}

/** A KAN's edge count (what the edge plots draw), or 0 for other models. */
export function kanEdges(model: Module): number {
  if (!(model instanceof nn.KAN)) return 0;
  let n = 0;
  for (let l = 0; l + 1 < model.widths.length; l++) n += model.widths[l]! * model.widths[l + 1]!;
  return n;
}

/** Training algorithms by the names in settings.ALGORITHMS. */
export const ALGORITHM_FACTORIES: Readonly<Record<Settings['algorithm'], () => train.TrainingAlgorithm>> = {
  backprop: () => new train.Backprop(),
};
