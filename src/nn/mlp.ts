/**
 * @file A configurable multi-layer perceptron, the workhorse model of plexus.
 */
import { checkOptions } from '../core/args.js';
import type { FloatDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Generator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { type LinearActivation, add, reshape } from '../ops/primitives/index.js';
import { Module } from './module.js';
import { type ModuleConfig, registerModule } from './config.js';
import { checkInt, checkNumber } from './check.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from './activation.js';
import { ModuleList, Sequential } from './container.js';
import { Dropout, Linear } from './linear.js';
import { BatchNorm1d, LayerNorm, RMSNorm } from './norm.js';

export const NORM_NAMES = ['layer', 'rms', 'batch'] as const;
export type NormName = (typeof NORM_NAMES)[number];

/** Activations the fused `linear` primitive computes itself (same function as the module's). */
const FUSED_ACTIVATIONS: Partial<Record<ActivationName, LinearActivation>> = { relu: 'relu', tanh: 'tanh', gelu: 'gelu' };

export interface MLPOptions {
  /** Hidden-layer activation (default 'relu'). */
  activation?: ActivationName;
  /** Normalisation after each hidden Linear, before the activation (default none). */
  norm?: NormName | null;
  /** Dropout probability after each hidden activation (default 0: no Dropout module). */
  dropout?: number;
  /** Add the block's input to its output wherever a hidden layer keeps the width (default false). */
  residual?: boolean;
  /** Biases in the Linear layers (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * sizes = [in, h1, ..., hk, out]: k hidden blocks, each
 *   z = act(norm(Linear(h))), dropout(z), then h' = h + z if residual and the width is unchanged, else z,
 * and a final Linear without activation (logits / regression output).
 * Shapes: x [..., sizes[0]] -> [..., sizes.at(-1)] (with norm 'batch', the leading dims are flattened
 * into the batch for the BatchNorm1d and restored after).
 * State keys: layers.i.weight / layers.i.bias (Linear i), norms.i.* (the norm after Linear i).
 * @example new nn.MLP([784, 256, 256, 10], { activation: 'relu' })
 */
export class MLP extends Module {
  readonly sizes: number[];
  readonly activationName: ActivationName;
  readonly normName: NormName | null;
  readonly residual: boolean;
  readonly layers: ModuleList;
  readonly norms: ModuleList | null;
  readonly activation: Module;
  readonly dropout: Dropout | null;

  constructor(sizes: readonly number[], opts: MLPOptions = {}) {
    super();
    checkOptions('MLP', opts, ['activation', 'norm', 'dropout', 'residual', 'bias', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`MLP: sizes needs at least [in, out], got ${JSON.stringify(sizes)}`);
    this.sizes = sizes.map((s, i) => checkInt('MLP', `sizes[${i}]`, s, 1));
    this.activationName = opts.activation ?? 'relu';
    this.normName = opts.norm ?? null;
    if (this.normName !== null && !NORM_NAMES.includes(this.normName)) {
      throw new ValueError(`MLP: norm must be null or one of ${NORM_NAMES.join(', ')}, got ${JSON.stringify(this.normName)}`);
    }
    this.residual = opts.residual ?? false;
    const p = checkNumber('MLP', 'dropout', opts.dropout ?? 0, 0, 1);
    const { dtype, generator } = opts;
    this.layers = new ModuleList(this.sizes.slice(1).map((out, i) => new Linear(this.sizes[i]!, out, { bias: opts.bias ?? true, dtype, generator })));
    const hidden = this.sizes.slice(1, -1);
    this.norms = this.normName === null ? null : new ModuleList(hidden.map((w) => makeNorm(this.normName!, w, dtype)));
    this.activation = activationFromName(this.activationName);
    this.dropout = p > 0 ? new Dropout(p, { generator }) : null;
  }

  forward(x: Tensor): Tensor {
    const last = this.layers.length - 1;
    let h = x;
    // Without a norm in between, the activation runs as the epilogue of the fused linear kernel.
    const fused = this.norms ? undefined : FUSED_ACTIVATIONS[this.activationName];
    for (let i = 0; i < last; i++) {
      let z: Tensor;
      if (fused) z = (this.layers.at(i) as Linear).forwardWith(h, fused);
      else {
        z = this.layers.at(i).forward(h);
        if (this.norms) z = this.applyNorm(this.norms.at(i), z);
        z = this.activation.forward(z);
      }
      if (this.dropout) z = this.dropout.forward(z);
      h = this.residual && this.sizes[i] === this.sizes[i + 1] ? add(h, z) : z;
    }
    return this.layers.at(last).forward(h);
  }

  /**
   * The same network as a Sequential in PyTorch's layout, sharing this MLP's Parameters and buffers:
   * [Linear, norm?, activation, Dropout?] per hidden layer, then the last Linear, so its state-dict
   * keys are those of the equivalent `torch.nn.Sequential` (`0.weight`, `1.weight` for a norm, ...).
   * Loading a PyTorch state dict into it loads this MLP; saving its stateDict() gives a file PyTorch
   * loads. Residual MLPs have no Sequential form (ValueError).
   * @example mlp.toSequential().loadStateDict((await io.loadSafetensors('torch.safetensors')).tensors)
   */
  toSequential(): Sequential {
    if (this.residual && this.sizes.slice(1, -1).some((w, i) => w === this.sizes[i])) {
      throw new ValueError('MLP.toSequential: a residual MLP (residual: true with equal widths) has no nn.Sequential form', 'UNSUPPORTED');
    }
    const parts: Module[] = [];
    const last = this.layers.length - 1;
    for (let i = 0; i < last; i++) {
      parts.push(this.layers.at(i));
      if (this.norms) parts.push(this.norms.at(i));
      parts.push(activationFromName(this.activationName));
      if (this.dropout) parts.push(this.dropout);
    }
    parts.push(this.layers.at(last));
    return new Sequential(...parts);
  }

  /** BatchNorm1d wants [N, C]: fold leading dims into N and restore them after. */
  private applyNorm(norm: Module, z: Tensor): Tensor {
    if (!(norm instanceof BatchNorm1d) || z.rank === 2) return norm.forward(z);
    const w = z.shape[z.rank - 1]!;
    return reshape(norm.forward(reshape(z, [z.size / Math.max(w, 1), w])), z.shape);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'MLP', sizes: [...this.sizes], activation: this.activationName, norm: this.normName,
      dropout: this.dropout?.p ?? 0, residual: this.residual, bias: (this.layers.at(0) as Linear).bias !== null,
      dtype: (this.layers.at(0) as Linear).weight.dtype,
    };
  }
}

function makeNorm(name: NormName, width: number, dtype: FloatDType | undefined): Module {
  switch (name) {
    case 'layer': return new LayerNorm(width, { dtype });
    case 'rms': return new RMSNorm(width, { dtype });
    case 'batch': return new BatchNorm1d(width, { dtype });
  }
}

registerModule('MLP', (c) => new MLP(c.ints('sizes'), {
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'relu'),
  norm: c.oneOfOrNull('norm', NORM_NAMES, null),
  dropout: c.number('dropout', 0),
  residual: c.bool('residual', false),
  bias: c.bool('bias', true),
  dtype: c.dtype(),
}));
