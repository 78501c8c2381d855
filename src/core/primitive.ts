/**
 * @file What a primitive is, and the registry of all of them. A primitive is defined once:
 * `infer` (shape/dtype rule, throws before allocation), `reference` (float64 loops, the oracle and
 * the fallback of every backend) and `vjp` (the backward rule, written with other ops so that
 * gradients of gradients work on every backend).
 */
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import { BackendError } from './errors.js';

/** The closed set. Adding a name here makes the compiler demand its definition in ops/primitives. */
export const PRIMITIVE_NAMES = [
  // elementwise unary
  'neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sign', 'erf', 'cast', 'clamp',
  // elementwise binary (NumPy broadcasting)
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  // ternary
  'where',
  // reductions
  'sum', 'max', 'min', 'argmax', 'argmin',
  // linear algebra
  'matmul',
  // movement and indexing
  'reshape', 'permute', 'expand', 'slice', 'pad', 'concat',
  'gather', 'scatterAdd', 'indexSelect', 'indexAdd', 'oneHot',
  // fused: B-spline bases for Kolmogorov-Arnold layers (composite oracle: the Cox-de Boor recursion)
  'splineBasis',
  // fused: Gaussian RBF bases for FastKAN and their input gradient (composite oracle: exp(-((x - c)/h)²) from primitives)
  'rbfBasis', 'rbfBasisBackward',
  // fused: layer norm rows and their input gradient (composite oracle: standardize in composite/norm.ts)
  'layerNormForward', 'layerNormBackward',
  // fused: LSTM / GRU cell updates and their input gradients (composite oracles: the gate formulas with ops)
  'lstmCell', 'lstmCellBackward', 'gruCell', 'gruCellBackward',
  // fused: the exact GELU and its input gradient (composite oracles: z·Φ(z), g·(Φ(z) + z·φ(z)) from erf and exp)
  'geluForward', 'geluBackward',
  // fused: Fourier features [cos p, sin p] along the last dim (composite oracle: cat([cos(p), sin(p)], -1))
  'cosSin',
  // fused hot paths (composite oracles: mm + add + activation; the shifted exp/sum/log composite)
  'linear', 'logSoftmax',
  // fused: scaled dot-product attention (composite oracle: softmax(q kᵀ·scale + mask) v from primitives)
  'scaledDotProductAttention',
  // sparse weights in CSR form (SET): x Wᵀ and its values' gradient (aᵀ b sampled at the nonzeros)
  'sparseLinear', 'sampledMatmul',
] as const;

export type PrimitiveName = (typeof PRIMITIVE_NAMES)[number];

/** Shape and dtype: all `infer` sees, so it can run before anything is allocated. */
export interface Meta {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** What a kernel reads and writes: contiguous row-major data plus its shape. */
export interface View extends Meta {
  readonly values: TypedArray;
}

/** A kernel writes every element of `out` from `inputs`. Backends provide these per primitive. */
export type Kernel<A = unknown> = (out: View, inputs: readonly View[], attrs: A) => void;

export interface Primitive<A = unknown> {
  readonly name: PrimitiveName;
  /** Output shape and dtype; throws ShapeError/DTypeError naming the op and shapes. */
  infer(inputs: readonly Meta[], attrs: A): Meta;
  /** Float64 loops: obviously right, slow on purpose. */
  readonly reference: Kernel<A>;
  /**
   * Backward rule: gradients of the inputs (in the output's broadcast shape is fine: autograd sums
   * them back to each input's shape centrally), `null` where an input gets none. Absent = not
   * differentiable (argmax, comparisons, oneHot).
   */
  vjp?(g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A): (Tensor | null)[];
  /** The output shares the first input's storage (reshape): no kernel runs. */
  readonly view?: boolean;
}

const registry = new Map<PrimitiveName, Primitive<never>>();

export function registerPrimitive<A>(p: Primitive<A>): Primitive<A> {
  registry.set(p.name, p as unknown as Primitive<never>);
  return p;
}

/** Looks a primitive up by name (core's autograd uses this to stay free of imports from ops). */
export function getPrimitive<A = unknown>(name: PrimitiveName): Primitive<A> {
  const p = registry.get(name);
  if (!p) throw new BackendError('UNKNOWN_PRIMITIVE', `primitive '${name}' is not registered (import 'plexus' rather than a deep path)`);
  return p as unknown as Primitive<A>;
}

export function registeredPrimitives(): Primitive<unknown>[] {
  return [...registry.values()] as unknown as Primitive<unknown>[];
}
