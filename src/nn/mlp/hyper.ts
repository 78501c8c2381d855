/**
 * @file `HyperNetwork`: an MLP h that maps a conditioning vector z to the parameters of a target
 * module, which then runs with those parameters through `functionalCall` (gradients flow through
 * the generated weights into h). With the Magnitude Invariant Parametrization (Ortiz, Guttag, Dalca
 * 2023, "Magnitude Invariant Parametrizations Improve Hypernetwork Learning",
 * https://arxiv.org/abs/2304.07645) as the default:
 * - input encoding (`encoding: 'cosSin'`): z in [0, 1]^k enters h as [cos(pi z / 2), sin(pi z / 2)]
 *   (2k values, every (cos, sin) pair of norm 1), so the size of h's input, and with it the size of
 *   the generated weights, no longer scales with the magnitude of z; `'none'` feeds z as it is;
 * - additive output (`additive: true`): theta = theta_0 + h(E(z)), where theta_0 are learned
 *   parameters independent of z, stored as the target's own parameters (`target.*` keys, initialised
 *   by the target's usual init), and h's output layer starts small (weights ~ N(0, 1/P), P = number
 *   of generated values: Kaiming normal in fan-out mode, bias 0, as the authors' HyperLight library),
 *   so training starts from a normally initialised target. `additive: false` is the plain
 *   hypernetwork theta = h(z) (every layer of h with the default Linear init); the target's
 *   parameters are then only shape templates, frozen (requiresGrad false) and never used.
 * Every parameter of the target is generated; its buffers stay its own.
 * Shapes: forward(x, z): z [condSize], x whatever the target takes -> the target's output;
 * generate(z) -> Map of target parameter key -> tensor of that parameter's shape.
 * State keys: net.layers.i.* (h, an nn.MLP [2k or k, ...hidden, P]) and target.* (theta_0).
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, cat, cos, mul, reshape, sin, sliceAxis } from '../../ops/primitives/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, paramDType, show } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName } from '../activation.js';
import { Linear } from '../linear.js';
import { MLP } from '../mlp.js';
import * as init from '../init.js';
import { functionalCall } from '../functional-call.js';

export const HYPER_ENCODINGS = ['cosSin', 'none'] as const;
export type HyperEncoding = (typeof HYPER_ENCODINGS)[number];

export interface HyperNetworkOptions {
  /** How z enters h (default 'cosSin', MIP's encoding). */
  encoding?: HyperEncoding;
  /** theta = theta_0 + h(z) (default true, MIP's output form) or theta = h(z). */
  additive?: boolean;
  /** Hidden activation of h (default 'leakyRelu', as HyperLight). */
  activation?: ActivationName;
  dtype?: FloatDType;
  generator?: Generator;
}

/** A hypernetwork generating every parameter of `target` from z; see the file header. */
export class HyperNetwork extends Module {
  readonly target: Module;
  readonly net: MLP;
  readonly condSize: number;
  readonly hidden: number[];
  readonly encoding: HyperEncoding;
  readonly additive: boolean;
  readonly activationName: ActivationName;
  /** The generated parameters: target key, shape and offset into h's output. */
  private readonly slots: { key: string; shape: number[]; offset: number; size: number }[];

  constructor(target: Module, condSize: number, hidden: readonly number[], opts: HyperNetworkOptions = {}) {
    super();
    checkOptions('HyperNetwork', opts, ['encoding', 'additive', 'activation', 'dtype', 'generator']);
    if (!(target instanceof Module)) throw new ValueError(`HyperNetwork: target must be an nn.Module, got ${show(target)}`);
    this.condSize = checkInt('HyperNetwork', 'condSize', condSize, 1);
    if (!Array.isArray(hidden)) throw new ValueError(`HyperNetwork: hidden must be an array of layer widths, got ${show(hidden)}`);
    this.hidden = hidden.map((h, i) => checkInt('HyperNetwork', `hidden[${i}]`, h, 1));
    this.encoding = opts.encoding ?? 'cosSin';
    if (!HYPER_ENCODINGS.includes(this.encoding)) {
      throw new ValueError(`HyperNetwork: encoding must be one of ${HYPER_ENCODINGS.map((e) => `'${e}'`).join(', ')}, got ${show(this.encoding)}`);
    }
    this.additive = checkBool('HyperNetwork', 'additive', opts.additive ?? true);
    this.activationName = opts.activation ?? 'leakyRelu';
    if (!ACTIVATION_NAMES.includes(this.activationName)) {
      throw new ValueError(`HyperNetwork: activation must be one of ${ACTIVATION_NAMES.join(', ')}, got ${show(this.activationName)}`);
    }
    const dtype = paramDType('HyperNetwork', opts.dtype);
    const params = target.namedParameters();
    if (params.length === 0) throw new ValueError(`HyperNetwork: target ${target.constructor.name} has no parameters to generate`);
    const wrong = params.find(([, p]) => p.dtype !== dtype);
    if (wrong) throw new ValueError(`HyperNetwork: target parameter ${wrong[0]} is ${wrong[1].dtype} but dtype is ${dtype}; build the target with the same dtype`);
    let offset = 0;
    this.slots = params.map(([key, p]) => {
      const s = { key, shape: [...p.shape], offset, size: p.size };
      offset += p.size;
      return s;
    });
    this.target = target;
    if (!this.additive) target.requiresGrad_(false); // templates only: theta = h(z)
    const inSize = this.encoding === 'cosSin' ? 2 * this.condSize : this.condSize;
    this.net = new MLP([inSize, ...this.hidden, offset], { activation: this.activationName, dtype, generator: opts.generator });
    if (this.additive) {
      const out = this.net.layers.at(this.net.layers.length - 1) as Linear;
      init.kaimingNormal(out.weight, { mode: 'fanOut', nonlinearity: 'linear', generator: opts.generator });
      if (out.bias) init.zeros(out.bias);
    }
  }

  /** Number of generated values P (the output width of h). */
  get numGenerated(): number {
    return this.slots.reduce((n, s) => n + s.size, 0);
  }

  /** h's input for z: [cos(pi z/2), sin(pi z/2)] or z itself. */
  encode(z: Tensor): Tensor {
    if (z.rank !== 1 || z.shape[0] !== this.condSize) {
      throw new ShapeError(`HyperNetwork: z must have shape ${fmtShape([this.condSize])}, got ${fmtShape(z.shape)}`);
    }
    checkInputDType('HyperNetwork', z, (this.net.layers.at(0) as Linear).weight.dtype as FloatDType);
    if (this.encoding === 'none') return z;
    const s = mul(z, Math.PI / 2);
    return cat([cos(s), sin(s)], 0);
  }

  /** The target's parameters for z, by key (each with the parameter's shape). */
  generate(z: Tensor): Map<string, Tensor> {
    const flat = this.net.forward(this.encode(z));
    const own = this.additive ? new Map(this.target.namedParameters()) : null;
    const out = new Map<string, Tensor>();
    for (const s of this.slots) {
      const delta = reshape(sliceAxis(flat, 0, s.offset, s.offset + s.size), s.shape);
      out.set(s.key, own ? add(own.get(s.key)!, delta) : delta);
    }
    return out;
  }

  /** The target's output on x with the parameters generated from z. */
  forward(x: Tensor, z: Tensor): Tensor {
    if (z === undefined) throw new ValueError('HyperNetwork.forward: takes (x, z); the conditioning vector z is missing');
    return functionalCall(this.target, this.generate(z), x);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'HyperNetwork', target: this.target.getConfig(), condSize: this.condSize, hidden: [...this.hidden],
      encoding: this.encoding, additive: this.additive, activation: this.activationName,
      dtype: (this.net.layers.at(0) as Linear).weight.dtype,
    };
  }
}

registerModule('HyperNetwork', (c) => new HyperNetwork(c.module('target'), c.int('condSize'), c.ints('hidden'), {
  encoding: c.oneOf('encoding', HYPER_ENCODINGS, 'cosSin'), additive: c.bool('additive', true),
  activation: c.oneOf('activation', ACTIVATION_NAMES, 'leakyRelu'), dtype: c.dtype(),
}));
