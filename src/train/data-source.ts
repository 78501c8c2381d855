/**
 * @file The data `fit` / `evaluate` accept: a DataLoader, any iterable of [x, y] batches, or whole
 * tensors {x, y} that are batched here.
 */
import { ValueError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { type Batch, TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';

/** Whole tensors (first dimension = sample) with optional batching settings. */
export interface TensorData {
  x: Tensor;
  y: Tensor;
  batchSize?: number;
  /** Reshuffle every epoch (fit's default true; evaluate never shuffles). */
  shuffle?: boolean;
}

export type DataSource = DataLoader | TensorData | Iterable<Batch>;

export interface LoaderDefaults {
  batchSize: number;
  shuffle: boolean;
  /** Seed of the shuffle for {x, y} data (default: drawn from the global generator). */
  seed?: number;
}

function isTensorData(d: unknown): d is TensorData {
  return typeof d === 'object' && d !== null && (d as TensorData).x instanceof Tensor && (d as TensorData).y instanceof Tensor;
}

/** An iterable of batches for `data`; {x, y} becomes a DataLoader over a TensorDataset. */
export function toBatches(data: DataSource, defaults: LoaderDefaults, who: string): DataLoader | Iterable<Batch> {
  if (data instanceof DataLoader) return data;
  if (isTensorData(data)) {
    return new DataLoader(new TensorDataset(data.x, data.y), {
      batchSize: data.batchSize ?? defaults.batchSize,
      shuffle: data.shuffle ?? defaults.shuffle,
      ...(defaults.seed === undefined ? {} : { seed: defaults.seed }),
    });
  }
  if (typeof data === 'object' && data !== null && typeof (data as Iterable<Batch>)[Symbol.iterator] === 'function') return data as Iterable<Batch>;
  throw new ValueError(`${who}: data must be a DataLoader, an iterable of [x, y] batches or {x, y} tensors`, 'INVALID_DATA');
}

/** Batches per epoch when known. */
export function batchesPerEpoch(b: DataLoader | Iterable<Batch>): number | null {
  return b instanceof DataLoader ? b.length : null;
}

/** Checks a yielded batch is [x, y] tensors, so a bad custom loader fails with a clear message. */
export function checkBatch(b: unknown, who: string, index: number): Batch {
  if (!Array.isArray(b) || b.length !== 2 || !(b[0] instanceof Tensor) || !(b[1] instanceof Tensor)) {
    throw new ValueError(`${who}: batch ${index} is not an [x, y] pair of tensors`, 'INVALID_BATCH');
  }
  return b as Batch;
}
