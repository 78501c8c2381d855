/**
 * @file The autograd path of the empirical NTK: per-sample Jacobians of the outputs with respect to
 * every parameter, one reverse pass per (sample, output), contracted block by block. Works for any
 * model whose samples are independent in eval mode (the usual case: no batch statistics).
 *
 * A block holds the Jacobian rows of `count` samples, per parameter tensor p: J_p [count * O, P_p],
 * row n * O + o = d f_o(x_n) / d theta_p. The model's parameters are read, never written: gradients()
 * returns the derivatives without touching `.grad`.
 */
import { tensor, zeros } from '../../core/create.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import { gradients } from '../../core/autograd.js';
import { enableGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import type { Module, Parameter } from '../../nn/module.js';
import { abt } from './host.js';

/** One chunk's factors, as each path defines them, and how to contract two of them. */
export interface KernelPath<B> {
  /** Parameter-tensor names (state-dict keys) in the order contract() returns their parts. */
  readonly names: readonly string[];
  /** The factors of samples [start, end). */
  block(start: number, end: number, set: 0 | 1): B;
  /** Samples in a block. */
  count(b: B): number;
  /** Per parameter: [c1, c2] (traced over outputs) or [c1 * O, c2 * O] (row n * O + o). */
  contract(b1: B, b2: B, traced: boolean): Float64Array[];
}

export interface JacobianBlock { count: number; rows: Float64Array[] }

/** The data of one input set, kept on the host: values and the per-sample shape. */
export interface HostData { values: Float64Array; sampleShape: number[]; n: number }

/**
 * The autograd path over `model` for outputs `outputs` (indices into the model's output features).
 * `params` are the model's trainable parameters with their names.
 */
export function jacobianPath(
  model: Module, named: readonly [string, Parameter][], data: readonly [HostData, HostData], outputs: readonly number[], where: string,
): KernelPath<JacobianBlock> {
  const params = named.map(([, p]) => p);
  const sizes = params.map((p) => p.size);
  const dtype = (params[0]?.dtype ?? 'float64') as 'float32' | 'float64';
  const O = outputs.length;
  return {
    names: named.map(([k]) => k),
    count: (b) => b.count,
    block(start, end, set) {
      const d = data[set];
      const per = d.sampleShape.reduce((a, s) => a * s, 1);
      const c = end - start;
      const rows = sizes.map((s) => new Float64Array(c * O * s));
      for (let n = 0; n < c; n++) {
        frame(() => enableGrad(() => {
          const part = d.values.subarray((start + n) * per, (start + n + 1) * per);
          const x = tensor(dtype === 'float64' ? part : Float32Array.from(part), { dtype, shape: [1, ...d.sampleShape] });
          const y = model.forward(x);
          const width = checkOutput(y, where);
          outputs.forEach((o, oi) => {
            if (o >= width) throw new ShapeError(`${where}: outputs index ${o} is out of range for the model's ${width} outputs`);
            const seedData = new Float64Array(width);
            seedData[o] = 1;
            const seed = tensor(dtype === 'float64' ? seedData : Float32Array.from(seedData), { dtype, shape: y.shape });
            const gs = y.requiresGrad
              ? gradients([y], params, { gradOutputs: [seed], retainGraph: true, allowUnused: true })
              : params.map((p) => zeros(p.shape, { dtype }));
            gs.forEach((g, pi) => rows[pi]!.set(g._peek() as Float32Array | Float64Array, (n * O + oi) * sizes[pi]!));
          });
        }));
      }
      return { count: c, rows };
    },
    contract(b1, b2, traced) {
      return sizes.map((s, pi) => (traced
        ? abt(b1.rows[pi]!, b1.count, b2.rows[pi]!, b2.count, O * s)
        : abt(b1.rows[pi]!, b1.count * O, b2.rows[pi]!, b2.count * O, s)));
    },
  };
}

/** The width of a one-sample output ([1, O] or [1]), or a ShapeError naming the shape. */
function checkOutput(y: Tensor, where: string): number {
  if ((y.rank === 2 || y.rank === 1) && y.shape[0] === 1) return y.rank === 2 ? y.shape[1]! : 1;
  throw new ShapeError(`${where}: the model must map [1, ...] to [1, O] (or [1]), got an output of shape ${fmtShape(y.shape)} for one sample`);
}
