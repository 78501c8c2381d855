/**
 * @file `Dataset` (PyTorch's map-style dataset: a length and an indexed getter) and `TensorDataset`
 * (samples are the rows of two tensors). A dataset may offer `getBatch` so the loader copies whole
 * rows at once; `collate` is the fallback that stacks per-sample tensors.
 */
import { ShapeError, DTypeError, ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { empty } from '../core/create.js';
import { DataError } from './errors.js';
import { gatherRows } from './rows.js';

/** One sample: input and target. */
export interface Sample {
  x: Tensor;
  y: Tensor;
}

/** A whole split of a dataset (train or test): inputs and targets, first dimension = sample. */
export interface Split {
  x: Tensor;
  y: Tensor;
}

/** A batch as the loader yields it: `[x, y]` with the batch as the first dimension. */
export type Batch = [Tensor, Tensor];

export interface Dataset {
  readonly length: number;
  get(i: number): Sample;
  /** Optional fast path: the samples at `indices`, stacked. */
  getBatch?(indices: ArrayLike<number>): Batch;
}

/**
 * Samples are the rows of `x` and `y` (first dimension = sample). Both tensors are kept by reference.
 * @example const ds = new TensorDataset(px.randn([100, 4]), px.randint(0, 3, [100]));
 */
export class TensorDataset implements Dataset {
  readonly x: Tensor;
  readonly y: Tensor;

  constructor(x: Tensor, y: Tensor) {
    if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError('TensorDataset: x and y must be tensors');
    if (x.rank < 1 || y.rank < 1) {
      throw new ShapeError(`TensorDataset: x and y need a sample dimension, got x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)}`);
    }
    if (x.shape[0] !== y.shape[0]) {
      throw new DataError('DATASET_MISMATCH',
        `TensorDataset: x has ${x.shape[0]} samples (shape ${fmtShape(x.shape)}) but y has ${y.shape[0]} (shape ${fmtShape(y.shape)}); the first dimensions must match`);
    }
    this.x = x;
    this.y = y;
  }

  get length(): number {
    return this.x.shape[0]!;
  }

  get(i: number): Sample {
    return {
      x: gatherRows(this.x, [i], 'TensorDataset.get', this.x.shape.slice(1)),
      y: gatherRows(this.y, [i], 'TensorDataset.get', this.y.shape.slice(1)),
    };
  }

  getBatch(indices: ArrayLike<number>): Batch {
    return [gatherRows(this.x, indices, 'TensorDataset x'), gatherRows(this.y, indices, 'TensorDataset y')];
  }
}

/** Stacks the samples at `indices` of a dataset without `getBatch`; all samples must agree in shape and dtype. */
export function collate(ds: Dataset, indices: ArrayLike<number>): Batch {
  const samples: Sample[] = [];
  for (let k = 0; k < indices.length; k++) samples.push(ds.get(indices[k]!));
  return [stack(samples, 'x', indices), stack(samples, 'y', indices)];
}

function stack(samples: Sample[], key: 'x' | 'y', indices: ArrayLike<number>): Tensor {
  const first = samples[0]?.[key];
  if (!first) throw new ValueError('collate: empty batch');
  const out = empty([samples.length, ...first.shape], { dtype: first.dtype }, 'collate');
  const to = out._peek();
  samples.forEach((s, k) => {
    const t = s[key];
    if (!shapesEqual(t.shape, first.shape)) {
      throw new ShapeError(`collate: sample ${indices[k]}: ${key} shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)} (as sample ${indices[0]})`);
    }
    if (t.dtype !== first.dtype) throw new DTypeError(`collate: sample ${indices[k]}: ${key} dtype ${t.dtype}, expected ${first.dtype}`);
    to.set(t._peek(), k * first.size);
  });
  return out;
}
