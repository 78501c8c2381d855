/**
 * @file An MLP of SparseLinear layers (SET-MLP, Mocanu et al. 2018,
 * https://doi.org/10.1038/s41467-018-04316-3): every layer, the output one included, is an
 * Erdős–Rényi sparse layer with the same epsilon; act after each hidden layer, then Dropout.
 * State keys: layers.i.values / layers.i.indices / layers.i.bias.
 * Shapes: x [..., sizes[0]] -> [..., sizes.at(-1)].
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from '../activation.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkNumber, show } from '../check.js';
import { ModuleList } from '../container.js';
import { Dropout } from '../linear.js';
import { Module } from '../module.js';
import { SparseLinear, erdosRenyiCount } from './sparse-linear.js';

export interface SparseMLPOptions {
  /** Erdős–Rényi epsilon of every layer (> 0, default 20). */
  epsilon?: number;
  /** Hidden activation (default 'relu'). */
  activation?: ActivationName;
  /** Dropout after each hidden activation (default 0). */
  dropout?: number;
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/** @example new nn.SparseMLP([784, 1000, 1000, 1000, 10], { epsilon: 20, dropout: 0.3 }) */
export class SparseMLP extends Module {
  readonly sizes: number[];
  readonly epsilon: number;
  readonly activationName: ActivationName;
  readonly layers: ModuleList;
  private readonly act: Module;
  readonly dropout: Dropout | null;

  constructor(sizes: readonly number[], opts: SparseMLPOptions = {}) {
    super();
    checkOptions('SparseMLP', opts, ['epsilon', 'activation', 'dropout', 'bias', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`SparseMLP: sizes needs at least [in, out], got ${show(sizes)}`);
    this.sizes = sizes.map((s, i) => checkInt('SparseMLP', `sizes[${i}]`, s, 1));
    this.epsilon = opts.epsilon ?? 20;
    erdosRenyiCount(1, 1, this.epsilon); // validates epsilon before anything is built
    this.activationName = opts.activation ?? 'relu';
    if (!ACTIVATION_NAMES.includes(this.activationName)) throw new ValueError(`SparseMLP: activation must be one of ${ACTIVATION_NAMES.join(', ')}, got ${show(this.activationName)}`);
    const p = checkNumber('SparseMLP', 'dropout', opts.dropout ?? 0, 0, 1);
    const { dtype, generator } = opts;
    this.layers = new ModuleList(this.sizes.slice(1).map((out, i) => new SparseLinear(this.sizes[i]!, out, { epsilon: this.epsilon, bias: opts.bias ?? true, dtype, generator })));
    this.act = activationFromName(this.activationName);
    this.dropout = p > 0 ? new Dropout(p, { generator }) : null;
  }

  /** The sparse layers, in order. */
  sparseLayers(): SparseLinear[] {
    return [...this.layers] as SparseLinear[];
  }

  forward(x: Tensor): Tensor {
    const last = this.layers.length - 1;
    let h = x;
    for (let i = 0; i < last; i++) {
      h = this.act.forward(this.layers.at(i).forward(h));
      if (this.dropout) h = this.dropout.forward(h);
    }
    return this.layers.at(last).forward(h);
  }

  override getConfig(): ModuleConfig {
    const first = this.layers.at(0) as SparseLinear;
    return {
      type: 'SparseMLP', sizes: [...this.sizes], epsilon: this.epsilon, activation: this.activationName,
      dropout: this.dropout?.p ?? 0, bias: first.bias !== null, dtype: first.values.dtype,
    };
  }
}

registerModule('SparseMLP', (c) => new SparseMLP(c.ints('sizes'), {
  epsilon: c.number('epsilon', 20),
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'relu'),
  dropout: c.number('dropout', 0),
  bias: c.bool('bias', true),
  dtype: c.dtype(),
}));
