/**
 * @file nn.MultiheadAttention's masks (PyTorch conventions: a bool key_padding_mask / attn_mask is
 * true where attention is NOT allowed; a float one is added to the scores) turned into the one mask
 * of scaledDotProductAttention (bool true = attend, or additive float), shaped [N|1, H|1, L|1, S] so
 * the fused kernel broadcasts it by strides instead of materialising [N, H, L, S].
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import type { FloatDType } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { add, eq, reshape, where } from '../../ops/primitives/index.js';
import { causalMask } from '../../ops/primitives/attention.js';

export interface MaskInputs {
  keyPaddingMask: Tensor | null;
  attnMask: Tensor | null;
  isCausal: boolean;
}

/** Checks a mask's dtype: bool, or the float dtype of the query (PyTorch refuses other pairs too). */
function checkDType(where: string, name: string, m: Tensor, dtype: FloatDType): void {
  if (m.dtype !== 'bool' && m.dtype !== dtype) throw new DTypeError(`${where}: ${name} must be bool or ${dtype} (the query's dtype), got ${m.dtype} ${fmtShape(m.shape)}`);
}

/**
 * The merged mask [N|1, H|1, L|1, S] (bool true = attend when every part is bool, else additive
 * float), or null when there is none. batched: whether inputs had a batch dim (else N = 1 and the
 * key padding mask is [S]).
 */
export function mergeMasks(where_: string, m: MaskInputs, N: number, H: number, L: number, S: number, batched: boolean, dtype: FloatDType): Tensor | null {
  const parts: Tensor[] = [];
  if (m.keyPaddingMask) {
    const k = m.keyPaddingMask;
    checkDType(where_, 'keyPaddingMask', k, dtype);
    const want = batched ? [N, S] : [S];
    if (k.rank !== want.length || k.shape.some((d, i) => d !== want[i])) throw new ShapeError(`${where_}: keyPaddingMask must be ${batched ? '[N, S]' : '[S]'} = ${fmtShape(want)}, got ${fmtShape(k.shape)}`);
    parts.push(flip(reshape(k, [batched ? N : 1, 1, 1, S])));
  }
  if (m.attnMask) {
    const a = m.attnMask;
    checkDType(where_, 'attnMask', a, dtype);
    const ok2 = a.rank === 2 && a.shape[0] === L && a.shape[1] === S;
    const ok3 = a.rank === 3 && a.shape[0] === N * H && a.shape[1] === L && a.shape[2] === S;
    if (!ok2 && !ok3) throw new ShapeError(`${where_}: attnMask must be [L, S] = ${fmtShape([L, S])} or [N·numHeads, L, S] = ${fmtShape([N * H, L, S])}, got ${fmtShape(a.shape)}`);
    parts.push(flip(ok2 ? reshape(a, [1, 1, L, S]) : reshape(a, [N, H, L, S])));
  }
  if (m.isCausal) parts.push(reshape(causalMask(L, S), [1, 1, L, S]));
  if (parts.length === 0) return null;
  if (parts.every((p) => p.dtype === 'bool')) return parts.reduce((a, b) => where(a, b, a));
  return parts.map((p) => (p.dtype === 'bool' ? where(p, 0, -Infinity).cast(dtype) : p)).reduce((a, b) => add(a, b));
}

/** PyTorch's "true = masked out" to scaledDotProductAttention's "true = attend"; float masks pass as they are. */
function flip(m: Tensor): Tensor {
  return m.dtype === 'bool' ? eq(m, 0) : m;
}
