/**
 * @file Tensor methods (`x.add(y)`, `x.relu()`, ...): thin forwards to the functional ops, installed
 * on Tensor.prototype here so core stays free of imports from ops.
 */
import type { DType } from '../core/dtype.js';
import { Tensor } from '../core/tensor.js';
import * as P from './primitives/index.js';
import * as C from './composite/index.js';
import type { TensorLike } from './tensor-like.js';
import type { Axes } from './primitives/reduce.js';

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
    sum(axes?: Axes, keepDims?: boolean): Tensor;
    mean(axes?: Axes, keepDims?: boolean): Tensor;
    max(axes?: Axes, keepDims?: boolean): Tensor;
    min(axes?: Axes, keepDims?: boolean): Tensor;
    argmax(axis?: number, keepDims?: boolean): Tensor;
    argmin(axis?: number, keepDims?: boolean): Tensor;
    variance(axes?: Axes, opts?: C.VarOptions): Tensor;
    std(axes?: Axes, opts?: C.VarOptions): Tensor;
    logSumExp(axes?: Axes, keepDims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** The matrix transpose (last two dims). */
    readonly T: Tensor;
    expand(shape: readonly number[]): Tensor;
    squeeze(axes?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    flatten(startAxis?: number, endAxis?: number): Tensor;
    clone(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

type Method = (this: Tensor, ...args: never[]) => Tensor;

const methods: Record<string, Method> = {
  add(o: TensorLike) { return P.add(this, o); },
  sub(o: TensorLike) { return P.sub(this, o); },
  mul(o: TensorLike) { return P.mul(this, o); },
  div(o: TensorLike) { return P.div(this, o); },
  pow(o: TensorLike) { return P.pow(this, o); },
  maximum(o: TensorLike) { return P.maximum(this, o); },
  minimum(o: TensorLike) { return P.minimum(this, o); },
  eq(o: TensorLike) { return P.eq(this, o); },
  ne(o: TensorLike) { return P.ne(this, o); },
  lt(o: TensorLike) { return P.lt(this, o); },
  le(o: TensorLike) { return P.le(this, o); },
  gt(o: TensorLike) { return P.gt(this, o); },
  ge(o: TensorLike) { return P.ge(this, o); },
  matmul(o: TensorLike) { return P.matmul(this, o); },
  neg() { return P.neg(this); },
  exp() { return P.exp(this); },
  log() { return P.log(this); },
  log1p() { return P.log1p(this); },
  sqrt() { return P.sqrt(this); },
  abs() { return P.abs(this); },
  sin() { return P.sin(this); },
  cos() { return P.cos(this); },
  tanh() { return P.tanh(this); },
  sign() { return P.sign(this); },
  erf() { return P.erf(this); },
  square() { return C.square(this); },
  reciprocal() { return C.reciprocal(this); },
  rsqrt() { return C.rsqrt(this); },
  cast(d: DType) { return P.cast(this, d); },
  clamp(lo?: number | null, hi?: number | null) { return P.clamp(this, lo, hi); },
  sum(a?: Axes, k?: boolean) { return P.sum(this, a, k); },
  mean(a?: Axes, k?: boolean) { return C.mean(this, a, k); },
  max(a?: Axes, k?: boolean) { return P.max(this, a, k); },
  min(a?: Axes, k?: boolean) { return P.min(this, a, k); },
  argmax(a?: number, k?: boolean) { return P.argmax(this, a, k); },
  argmin(a?: number, k?: boolean) { return P.argmin(this, a, k); },
  variance(a?: Axes, o?: C.VarOptions) { return C.variance(this, a, o); },
  std(a?: Axes, o?: C.VarOptions) { return C.std(this, a, o); },
  logSumExp(a?: Axes, k?: boolean) { return C.logSumExp(this, a, k); },
  reshape(s: readonly number[]) { return P.reshape(this, s); },
  permute(p: readonly number[]) { return P.permute(this, p); },
  transpose(a?: number, b?: number) { return P.transpose(this, a, b); },
  expand(s: readonly number[]) { return P.expand(this, s); },
  squeeze(a?: number | readonly number[]) { return C.squeeze(this, a); },
  unsqueeze(a: number) { return C.unsqueeze(this, a); },
  flatten(s?: number, e?: number) { return C.flatten(this, s, e); },
  clone() { return C.clone(this); },
  relu() { return C.relu(this); },
  sigmoid() { return C.sigmoid(this); },
  softmax(a?: number) { return C.softmax(this, a); },
  logSoftmax(a?: number) { return P.logSoftmax(this, a); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) { return P.transpose(this); },
  configurable: true,
});
