/**
 * @file `DataLoader`: batches of a `Dataset`, optionally shuffled by a seeded Fisher-Yates that is
 * redrawn each epoch, with a checkpointable position for bit-exact resume.
 *
 * Position model: the order of epoch e is a function of the generator state at the start of e alone.
 * `state()` records that start state, the epoch index and the batches already yielded; `setState()`
 * restores the generator to it and replays the shuffle, so the generator ends where it was and the
 * next iteration continues mid-epoch with the same order (or starts epoch e+1 if e was finished).
 */
import { ValueError } from '../core/errors.js';
import { Generator, defaultGenerator } from '../core/rng.js';
import { type Batch, type Dataset, collate } from './dataset.js';
import { DataError } from './errors.js';

export interface DataLoaderOptions {
  /** Samples per batch (default 1, as PyTorch). */
  batchSize?: number;
  /** Reshuffle the order at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the loader's own generator (default: drawn from the global generator, so manualSeed applies). */
  seed?: number;
  /** Use this generator instead (dedicate it to the loader, or resume cannot reproduce its state). */
  generator?: Generator;
}

/** JSON-serialisable position of a loader, for checkpoints. */
export interface DataLoaderState {
  /** Epoch the position is in (0-based). */
  epoch: number;
  /** Batches of that epoch already yielded. */
  batch: number;
  /** Generator state at the start of that epoch, before its shuffle. */
  generator: number[];
  /** The loader's settings, checked on restore so a state is not applied to another loader. */
  length: number;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
}

/**
 * Iterable over `[x, y]` batches; each `for...of` runs one epoch.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  private readonly n: number;
  private epoch = 0;
  private batch = 0;
  private epochStart: number[] = [];
  private order: Int32Array | null = null;
  /** Set by setState: the next iteration continues the restored epoch instead of starting one. */
  private resumePending = false;
  /** Only the newest iterator moves the loader's position; older ones keep their own order. */
  private iterToken = 0;

  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    const n = dataset?.length;
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`DataLoader: dataset.length must be a non-negative integer, got ${String(n)}`);
    if (n === 0) throw new DataError('EMPTY_DATASET', 'DataLoader: the dataset has no samples');
    const bs = opts.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${String(bs)}`, 'INVALID_BATCH_SIZE');
    if (opts.dropLast && bs > n) {
      throw new ValueError(`DataLoader: batchSize ${bs} > dataset length ${n} with dropLast would give no batch`, 'INVALID_BATCH_SIZE');
    }
    this.dataset = dataset;
    this.n = n;
    this.batchSize = bs;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    // Draw from the global generator only when a shuffle needs randomness, so plain loaders do not
    // shift other seeded code.
    this.generator = opts.generator ?? new Generator(opts.seed ?? (this.shuffle ? defaultGenerator.nextU32() : 0));
  }

  /** Batches per epoch (PyTorch's len(loader)). */
  get length(): number {
    return this.dropLast ? Math.floor(this.n / this.batchSize) : Math.ceil(this.n / this.batchSize);
  }

  /**
   * Starts the next epoch, or continues one restored by setState. Not a generator method on purpose:
   * the epoch begins when the iterator is created, so `state()` right after it already reports the
   * position the first batch will come from (fit reads it to number resumed batches).
   */
  [Symbol.iterator](): IterableIterator<Batch> {
    if (this.order === null) this.beginEpoch(this.epoch);
    else if (!this.resumePending || this.batch >= this.length) this.beginEpoch(this.epoch + 1);
    this.resumePending = false;
    return this.run(++this.iterToken, this.order!, this.batch);
  }

  /** The current position (see the file header). Safe to JSON.stringify. */
  state(): DataLoaderState {
    return {
      epoch: this.epoch,
      batch: this.batch,
      generator: this.order === null ? this.generator.getState() : [...this.epochStart],
      length: this.n,
      batchSize: this.batchSize,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
    };
  }

  /** Restores a position from `state()`; validated completely before anything changes. */
  setState(s: DataLoaderState): void {
    checkState(s, this);
    this.generator.setState(s.generator);
    this.epochStart = [...s.generator];
    this.order = this.makeOrder();
    this.epoch = s.epoch;
    this.batch = s.batch;
    this.resumePending = true;
    this.iterToken++;
  }

  private beginEpoch(epoch: number): void {
    this.epochStart = this.generator.getState();
    this.order = this.makeOrder();
    this.epoch = epoch;
    this.batch = 0;
  }

  /** Identity, or a Fisher-Yates permutation drawn from the generator. */
  private makeOrder(): Int32Array {
    const order = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    if (this.shuffle) {
      for (let i = this.n - 1; i > 0; i--) {
        const j = this.generator.nextInt(0, i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    return order;
  }

  private *run(token: number, order: Int32Array, start: number): IterableIterator<Batch> {
    const nb = this.length;
    for (let b = start; b < nb; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, this.n));
      const ds = this.dataset;
      const out = ds.getBatch ? ds.getBatch(idx) : collate(ds, idx);
      // Count the batch as consumed before handing it out: a state() taken inside the loop body
      // then resumes with the next batch.
      if (token === this.iterToken) this.batch = b + 1;
      yield out;
    }
  }
}

function checkState(s: DataLoaderState, l: DataLoader): void {
  const u32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
  if (typeof s !== 'object' || s === null) throw new ValueError('DataLoader.setState: expected a state object', 'INVALID_LOADER_STATE');
  const bad: string[] = [];
  if (!Number.isInteger(s.epoch) || s.epoch < 0) bad.push(`epoch must be a non-negative integer, got ${String(s.epoch)}`);
  if (!Number.isInteger(s.batch) || s.batch < 0 || s.batch > l.length) bad.push(`batch must be an integer in [0, ${l.length}], got ${String(s.batch)}`);
  if (!Array.isArray(s.generator) || s.generator.length !== 4 || !s.generator.every(u32)) bad.push('generator must be four uint32 values');
  if (bad.length) throw new ValueError(`DataLoader.setState: ${bad.join('; ')}`, 'INVALID_LOADER_STATE');
  const diff: string[] = [];
  if (s.length !== l.dataset.length) diff.push(`dataset length ${String(s.length)} vs ${l.dataset.length}`);
  if (s.batchSize !== l.batchSize) diff.push(`batchSize ${String(s.batchSize)} vs ${l.batchSize}`);
  if (s.shuffle !== l.shuffle) diff.push(`shuffle ${String(s.shuffle)} vs ${l.shuffle}`);
  if (s.dropLast !== l.dropLast) diff.push(`dropLast ${String(s.dropLast)} vs ${l.dropLast}`);
  if (diff.length) throw new DataError('LOADER_STATE_MISMATCH', `DataLoader.setState: the state is from another loader (saved vs this): ${diff.join(', ')}`);
}
