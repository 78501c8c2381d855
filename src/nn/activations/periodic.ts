/**
 * @file Periodic activations as modules: Sine (SIREN's sin(w0 x), Sitzmann et al. 2020,
 * https://arxiv.org/abs/2006.09661), SPDER (sin(x) sqrt(|x|), Shah & Sitawarin 2023,
 * https://arxiv.org/abs/2306.15242) and GCU (x cos x, Noel et al. 2021,
 * https://arxiv.org/abs/2108.12943). Parameter-free; any shape in, same shape out.
 */
import { checkOptions } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sin } from '../../ops/primitives/index.js';
import { SPDER_EPS, gcu, spder } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkPositive } from '../check.js';

/**
 * sin(w0 x). w0 (default 1) is SIREN's frequency factor omega_0: the reference implementation
 * computes sin(omega_0 * (W x + b)), so w0 scales the whole pre-activation, bias included. Use
 * `nn.SIREN` for the matching initialisation; a bare Sine(30) after a default-initialised Linear
 * starts far too high in frequency.
 */
export class Sine extends Module {
  readonly w0: number;

  constructor(w0 = 1) {
    super();
    this.w0 = checkPositive('Sine', 'w0', w0);
  }

  forward(x: Tensor): Tensor { return sin(this.w0 === 1 ? x : mul(x, this.w0)); }
  override getConfig(): ModuleConfig { return { type: 'Sine', w0: this.w0 }; }
}

/**
 * SPDER: sin(x) * sqrt(|x|), the square-root damping letting a network keep low frequencies (and
 * with them the image's mean) that a pure sine aliases. |x| is floored at eps (default 1e-6) so the
 * gradient at 0 is finite (see px.spder).
 */
export class SPDER extends Module {
  readonly eps: number;

  constructor(opts: { eps?: number } = {}) {
    super();
    checkOptions('SPDER', opts, ['eps']);
    this.eps = checkPositive('SPDER', 'eps', opts.eps ?? SPDER_EPS);
  }

  forward(x: Tensor): Tensor { return spder(x, this.eps); }
  override getConfig(): ModuleConfig { return { type: 'SPDER', eps: this.eps }; }
}

/** Growing Cosine Unit x * cos(x). */
export class GCU extends Module {
  forward(x: Tensor): Tensor { return gcu(x); }
  override getConfig(): ModuleConfig { return { type: 'GCU' }; }
}

registerModule('Sine', (c) => new Sine(c.number('w0', 1)));
registerModule('SPDER', (c) => new SPDER({ eps: c.number('eps', SPDER_EPS) }));
registerModule('GCU', () => new GCU());
