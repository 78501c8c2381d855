/**
 * @file Tensor methods (`x.add(y)`, `x.relu()`, `x.sum(1, { keepDims: true })`, ...): forwards to the
 * functional ops with `this` as the first argument and every other argument passed on unchanged, so
 * each method checks its arguments exactly as its function does (extra or wrong-typed arguments are
 * the same typed errors). Installed on Tensor.prototype here so core stays free of imports from ops.
 */
import type { DType } from '../core/dtype.js';
import { Tensor } from '../core/tensor.js';
import * as P from './primitives/index.js';
import * as C from './composite/index.js';
import type { TensorLike } from './tensor-like.js';
import type { Axes, IndexLike, ReduceOptions } from './primitives/index.js';

type Dims = readonly number[] | [readonly number[]];

declare module '../core/tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(other: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    matmul(other: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sign(): Tensor;
    erf(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    rsqrt(): Tensor;
    cast(dtype: DType): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    /** PyTorch's alias of clamp. */
    clip(min?: number | null, max?: number | null): Tensor;
    sum(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    mean(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    max(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    min(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    amax(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    amin(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    argmax(dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    argmin(dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    variance(dim?: Axes | null | C.VarOptions, opts?: C.VarOptions): Tensor;
    /** PyTorch's name for variance. */
    var(dim?: Axes | null | C.VarOptions, opts?: C.VarOptions): Tensor;
    std(dim?: Axes | null | C.VarOptions, opts?: C.VarOptions): Tensor;
    logSumExp(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    /** PyTorch's name for logSumExp. */
    logsumexp(dim?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor;
    /** `x.reshape(2, 3)` or `x.reshape([2, 3])`. */
    reshape(...shape: Dims): Tensor;
    /** Same as reshape (plexus tensors are contiguous, so every reshape is a view). */
    view(...shape: Dims): Tensor;
    /** `x.permute(1, 0)` or `x.permute([1, 0])`. */
    permute(...dims: Dims): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** Matrix transpose of a tensor of rank <= 2 (PyTorch t()). */
    t(): Tensor;
    /** The matrix transpose (last two dims). */
    readonly T: Tensor;
    /** `x.expand(4, -1)` or `x.expand([4, -1])`. */
    expand(...sizes: Dims): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    clone(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    gather(dim: number, index: IndexLike): Tensor;
    indexSelect(dim: number, index: IndexLike): Tensor;
  }
}

type Fn = (x: Tensor, ...args: never[]) => Tensor;

/** Method name -> the function it forwards to (aliases share the function, hence its checks). */
const methods: Record<string, Fn> = {
  add: P.add, sub: P.sub, mul: P.mul, div: P.div, pow: P.pow, maximum: P.maximum, minimum: P.minimum,
  eq: P.eq, ne: P.ne, lt: P.lt, le: P.le, gt: P.gt, ge: P.ge, matmul: P.matmul,
  neg: P.neg, exp: P.exp, log: P.log, log1p: P.log1p, sqrt: P.sqrt, abs: P.abs, sin: P.sin, cos: P.cos,
  tanh: P.tanh, sign: P.sign, erf: P.erf, square: C.square, reciprocal: C.reciprocal, rsqrt: C.rsqrt,
  cast: P.cast, clamp: P.clamp, clip: P.clip,
  sum: P.sum, mean: C.mean, max: P.max, min: P.min, amax: P.amax, amin: P.amin, argmax: P.argmax, argmin: P.argmin,
  variance: C.variance, var: C.var, std: C.std, logSumExp: C.logSumExp, logsumexp: C.logsumexp,
  reshape: P.reshape, view: P.reshape, permute: P.permute, transpose: P.transpose, t: P.t, expand: P.expand,
  squeeze: C.squeeze, unsqueeze: C.unsqueeze, flatten: C.flatten, clone: C.clone,
  relu: C.relu, sigmoid: C.sigmoid, softmax: C.softmax, logSoftmax: P.logSoftmax,
  gather: P.gather, indexSelect: P.indexSelect,
};

/** Names of the op methods (for the API-conventions coverage test). */
export const TENSOR_METHODS: readonly string[] = Object.keys(methods);

for (const [name, fn] of Object.entries(methods)) {
  const f = fn as (...args: unknown[]) => Tensor;
  const method = { [name](this: Tensor, ...args: unknown[]): Tensor { return f(this, ...args); } }[name]!;
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) { return P.transpose(this); },
  configurable: true,
});
