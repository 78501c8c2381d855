/** @file Shape conveniences built on reshape/expand/concat: squeeze, unsqueeze, flatten, stack, clone. */
import { ShapeError, fmtShape } from '../../core/errors.js';
import { axesArg, axisArg, checkArgCount, tensorArg } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { concat, expand, reshape } from '../primitives/index.js';
import { tensorList } from '../args.js';

/** Inserts a dim of size 1 at `axis` (may be `rank`, i.e. -1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkArgCount('unsqueeze', arguments.length, 2, 'unsqueeze(x, dim)');
  tensorArg('unsqueeze', 'input', x);
  const a = axisArg('unsqueeze', axis, x.rank + 1);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return reshape(x, s);
}

/** Removes size-1 dims (all, or those in `axes`; naming a dim that is not 1 is an error). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkArgCount('squeeze', arguments.length, 2, 'squeeze(x, dim?)');
  tensorArg('squeeze', 'input', x);
  if (axes === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const list = axesArg('squeeze', axes, x.rank, x.shape);
  for (const a of list) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: dim ${a} of shape ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !list.includes(i)));
}

/** Merges dims startAxis..endAxis into one (default: everything). */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkArgCount('flatten', arguments.length, 3, 'flatten(x, startDim?, endDim?)');
  tensorArg('flatten', 'input', x);
  const s = axisArg('flatten', startAxis, x.rank, x.shape, 'startDim');
  const e = axisArg('flatten', endAxis, x.rank, x.shape, 'endDim');
  if (x.rank === 0) return reshape(x, [1]);
  if (e < s) throw new ShapeError(`flatten: endAxis ${endAxis} comes before startAxis ${startAxis} for shape ${fmtShape(x.shape)}`);
  const mid = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/** Joins equally shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkArgCount('stack', arguments.length, 2, 'stack(tensors, dim?)');
  const xs = tensorList('stack', tensors);
  const first = xs[0]!;
  for (const x of xs) {
    if (x.shape.length !== first.shape.length || x.shape.some((d, i) => d !== first.shape[i])) {
      throw new ShapeError(`stack: shapes ${xs.map((t) => fmtShape(t.shape)).join(', ')} differ`);
    }
  }
  const a = axisArg('stack', axis, first.rank + 1);
  return concat(xs.map((x) => unsqueeze(x, a)), a);
}

/** A differentiable copy with its own storage. */
export function clone(x: Tensor): Tensor {
  checkArgCount('clone', arguments.length, 1, 'clone(x)');
  tensorArg('clone', 'input', x);
  return expand(x, x.shape);
}
