/**
 * @file A Gaussian neural field (Bouzidi et al. 2025, "Gaussian RBFNet" / GNF,
 * https://arxiv.org/abs/2503.06762): a low-resolution learnable feature grid, interpolated at the
 * input coordinates, decoded by ONE layer of Gaussian kernels living in feature space (centres are
 * learned feature vectors) and a linear read-out, in place of a deep MLP decoder.
 *   y(x) = W phi(g(x)) + b,  g = FeatureGrid(x),  phi_k(f) = exp(-||f - c_k||^2 / (2 sigma_k^2)).
 * Shapes: x [..., inFeatures] -> [..., outFeatures]. State keys grid.weight, rbf.centres,
 * rbf.logSigma, readout.weight, readout.bias.
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt } from '../check.js';
import { Linear } from '../linear.js';
import { FeatureGrid } from './grid.js';
import { GaussianRBF } from './rbf.js';

export interface GaussianNeuralFieldOptions {
  /** The coordinate box of the grid (default [-1, 1]). */
  range?: [number, number];
  dtype?: FloatDType;
  generator?: Generator;
}

/** @example new nn.encoding.GaussianNeuralField(2, 16, 8, 64, 3)  // 16x16x8 grid, 64 kernels, RGB */
export class GaussianNeuralField extends Module {
  readonly grid: FeatureGrid;
  readonly rbf: GaussianRBF;
  readonly readout: Linear;

  constructor(inFeatures: number, resolution: number, features: number, numKernels: number, outFeatures: number, opts: GaussianNeuralFieldOptions = {}) {
    super();
    checkOptions('GaussianNeuralField', opts, ['range', 'dtype', 'generator']);
    checkInt('GaussianNeuralField', 'outFeatures', outFeatures, 1);
    const { dtype, generator } = opts;
    // Grid features and kernel centres both start U(-1, 1) in feature space, so the kernels see
    // the features they are meant to separate.
    this.grid = new FeatureGrid(inFeatures, resolution, features, { range: opts.range, dtype, generator });
    this.rbf = new GaussianRBF(features, numKernels, { dtype, generator });
    this.readout = new Linear(numKernels, outFeatures, { dtype, generator });
  }

  forward(x: Tensor): Tensor { return this.readout.forward(this.rbf.forward(this.grid.forward(x))); }

  override getConfig(): ModuleConfig {
    return {
      type: 'GaussianNeuralField', inFeatures: this.grid.inFeatures, resolution: this.grid.resolution, features: this.grid.features,
      numKernels: this.rbf.numKernels, outFeatures: this.readout.outFeatures, range: [...this.grid.range], dtype: this.grid.weight.dtype,
    };
  }
}

registerModule('GaussianNeuralField', (c) => new GaussianNeuralField(c.int('inFeatures'), c.int('resolution'), c.int('features'),
  c.int('numKernels'), c.int('outFeatures'), { range: c.raw('range') as [number, number] | undefined, dtype: c.dtype() }));
