/**
 * @file The composite ops. Those made of several primitives are re-exported as frames
 * (core/memory.ts): their intermediates are freed on return, or handed to the autograd graph when
 * saved for backward, so they never pile up in a loop without `scope`. Local exports shadow the
 * star exports of the same name.
 */
import { framed } from '../../core/memory.js';
import * as A from './activations.js';
import * as L from './losses.js';
import * as S from './stats.js';
import * as N from './norm.js';
import * as P from './periodic.js';
import * as Pool from './pool.js';

export * from './shape.js';
export * from './math.js';
export { mean, type VarOptions } from './stats.js';
export * from './activations.js';
export * from './losses.js';
export { SPDER_EPS } from './periodic.js';
export type { AvgPool2dOptions } from './pool.js';

export const silu = framed(A.silu);
export const gelu = framed(A.gelu);
export const softplus = framed(A.softplus);
export const elu = framed(A.elu);
export const softmax = framed(A.softmax);
export const mse = framed(L.mse);
export const nll = framed(L.nll);
export const crossEntropy = framed(L.crossEntropy);
export const bceWithLogits = framed(L.bceWithLogits);
export const variance = framed(S.variance);
const var_ = framed(S.var_);
export { var_ as var };
export const std = framed(S.std);
export const logSumExp = framed(S.logSumExp);
export const logsumexp = logSumExp;
export const layerNorm = framed(N.layerNorm);
export const rmsNorm = framed(N.rmsNorm);
export const spder = framed(P.spder);
export const gcu = framed(P.gcu);
export const patchify = framed(Pool.patchify);
export const avgPool2d = framed(Pool.avgPool2d);
