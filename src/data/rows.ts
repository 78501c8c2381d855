/**
 * @file Row copying for datasets: build a batch by copying whole rows of the source typed arrays,
 * never through per-sample tensors (one allocation per batch, one `set` per row).
 */
import { empty } from '../core/create.js';
import type { DType, TypedArray } from '../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Shape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';

/**
 * A new tensor holding a copy of `data`. Writing into `values` of a tensor nobody has seen yet is safe:
 * the "write with assign" contract protects tensors saved by autograd, and this one has no history.
 */
export function fromTyped(data: TypedArray | ArrayLike<number>, shape: Shape, dtype: DType): Tensor {
  const t = empty(shape, { dtype }, 'data');
  t._peek().set(data);
  return t;
}

/** Elements per row (product of all dims but the first). */
export function rowSize(shape: Shape): number {
  let n = 1;
  for (let d = 1; d < shape.length; d++) n *= shape[d]!;
  return n;
}

/**
 * Rows `index` of `src` (along dim 0) as a new tensor of shape [index.length, ...src.shape[1:]].
 * `label` names the tensor in errors; `outShape` (same element count) replaces the default shape.
 */
export function gatherRows(src: Tensor, index: ArrayLike<number>, label = 'tensor', outShape?: Shape): Tensor {
  if (src.rank < 1) throw new ShapeError(`${label}: cannot take rows of a rank-0 tensor`);
  const n = src.shape[0]!;
  const rs = rowSize(src.shape);
  const out = empty(outShape ?? [index.length, ...src.shape.slice(1)], { dtype: src.dtype }, 'data');
  const from = src._peek(); // _peek: read right here, no op in between (docs/memory.md)
  const to = out._peek();
  for (let k = 0; k < index.length; k++) {
    const i = index[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) {
      throw new ValueError(`${label}: row index ${i} out of range for ${n} rows (shape ${fmtShape(src.shape)})`, 'INDEX_OUT_OF_RANGE');
    }
    // Short rows (labels) are cheaper element by element than through subarray objects.
    if (rs === 1) to[k] = from[i]!;
    else if (rs < 16) for (let j = 0; j < rs; j++) to[k * rs + j] = from[i * rs + j]!;
    else to.set(from.subarray(i * rs, (i + 1) * rs), k * rs);
  }
  return out;
}
