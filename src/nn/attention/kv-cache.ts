/**
 * @file The key/value cache of incremental (token by token) decoding: keys and values of the tokens
 * seen so far, so each new token costs one projection and one attention row instead of re-running
 * the whole prefix. Storage is allocated once at the stated `maxLength` ([B, Hkv, maxLength, D] for
 * keys and for values), so `memory()` shows its full size up front and grouped-query / multi-query
 * attention's saving is visible: a cache with Hkv = 1 holds 1/H of multi-head attention's bytes.
 *
 * A batch of independent caches: row b has its own length, `reset(rows)` restarts some rows while
 * the others keep their context (continuous batching), and `append` writes each row's new tokens
 * after its own last one. The cache is an inference structure: it stores values, not autograd
 * history (appended tensors are read, never differentiated through).
 */
import { checkOptions } from '../../core/args.js';
import { type FloatDType, getDefaultDType } from '../../core/dtype.js';
import { PlexusError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { zeros, tensor } from '../../core/create.js';
import { keep } from '../../core/memory.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Tensor } from '../../core/tensor.js';
import { sliceAxis } from '../../ops/primitives/index.js';
import { checkInt, paramDType } from '../check.js';

/** Appending past a cache's stated maxLength (nothing is written: the cache is unchanged). */
export class KVCacheOverflowError extends PlexusError {
  constructor(message: string) {
    super('KV_CACHE_OVERFLOW', message);
  }
}

export interface KVCacheOptions {
  /** Storage dtype (default: the default dtype); appended keys/values must have it. */
  dtype?: FloatDType;
}

/** What `read()` returns: keys and values [B, Hkv, S, D] with S the longest row, and which are valid. */
export interface KVCacheView {
  key: Tensor;
  value: Tensor;
  /** Row lengths before the read (a copy). */
  lengths: number[];
}

/**
 * Preallocated keys and values for `batchSize` independent sequences of up to `maxLength` tokens.
 * Shapes: append(key, value) with key, value [B, Hkv, T, D]; read() -> [B, Hkv, max length, D].
 * @example const cache = new nn.KVCache(1, 2, 16, 128); cache.append(k, v); const { key, value } = cache.read();
 */
export class KVCache {
  readonly batchSize: number;
  readonly numKVHeads: number;
  readonly headDim: number;
  readonly maxLength: number;
  readonly dtype: FloatDType;
  private readonly keys: Tensor;
  private readonly values: Tensor;
  private readonly lens: number[];

  constructor(batchSize: number, numKVHeads: number, headDim: number, maxLength: number, opts: KVCacheOptions = {}) {
    checkOptions('KVCache', opts, ['dtype']);
    this.batchSize = checkInt('KVCache', 'batchSize', batchSize, 1);
    this.numKVHeads = checkInt('KVCache', 'numKVHeads', numKVHeads, 1);
    this.headDim = checkInt('KVCache', 'headDim', headDim, 1);
    this.maxLength = checkInt('KVCache', 'maxLength', maxLength, 1);
    this.dtype = opts.dtype === undefined ? getDefaultDType() : paramDType('KVCache', opts.dtype);
    const shape = [batchSize, numKVHeads, maxLength, headDim];
    this.keys = keep(zeros(shape, { dtype: this.dtype }));
    this.values = keep(zeros(shape, { dtype: this.dtype }));
    this.lens = new Array<number>(batchSize).fill(0);
  }

  /** Tokens held per row (a copy). */
  get lengths(): number[] {
    return this.lens.slice();
  }

  /** The longest row's length: the S of read(). */
  get length(): number {
    return Math.max(...this.lens);
  }

  /** Bytes of the preallocated storage (keys and values). */
  get numBytes(): number {
    return 2 * this.batchSize * this.numKVHeads * this.maxLength * this.headDim * (this.dtype === 'float64' ? 8 : 4);
  }

  /**
   * Writes T new tokens per row after each row's last one. key, value: [B, Hkv, T, D]. Throws a
   * ShapeError for wrong shapes or dtype and a KVCacheOverflowError when a row would pass maxLength;
   * in both cases nothing is written.
   */
  append(key: Tensor, value: Tensor): void {
    const want = [this.batchSize, this.numKVHeads, -1, this.headDim];
    const where = `KVCache(${this.batchSize}, ${this.numKVHeads}, ${this.headDim}, ${this.maxLength}).append`;
    for (const [name, t] of [['key', key], ['value', value]] as const) {
      if (t.rank !== 4 || t.shape.some((d, i) => want[i] !== -1 && d !== want[i])) throw new ShapeError(`${where}: ${name} must be [B, Hkv, T, D] = [${this.batchSize},${this.numKVHeads},T,${this.headDim}], got ${fmtShape(t.shape)}`);
      if (t.dtype !== this.dtype) throw new ShapeError(`${where}: ${name} dtype ${t.dtype} differs from the cache's ${this.dtype}`, 'DTYPE_MISMATCH');
    }
    const T = key.shape[2]!;
    if (value.shape[2] !== T) throw new ShapeError(`${where}: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} hold different token counts`);
    const full = this.lens.findIndex((n) => n + T > this.maxLength);
    if (full >= 0) throw new KVCacheOverflowError(`${where}: row ${full} holds ${this.lens[full]} tokens; appending ${T} passes maxLength ${this.maxLength}`);
    const { batchSize: B, numKVHeads: H, maxLength: M, headDim: D } = this;
    const kv = key._peek();
    const vv = value._peek();
    const write = (dst: Tensor, src: ArrayLike<number>): void => {
      noGrad(() => dst.mutate((o) => {
        for (let b = 0; b < B; b++) {
          for (let h = 0; h < H; h++) {
            for (let t = 0; t < T; t++) {
              const from = ((b * H + h) * T + t) * D;
              const to = ((b * H + h) * M + this.lens[b]! + t) * D;
              for (let d = 0; d < D; d++) o[to + d] = src[from + d]!;
            }
          }
        }
      }));
    };
    write(this.keys, kv);
    write(this.values, vv);
    for (let b = 0; b < B; b++) this.lens[b]! += T;
  }

  /** Keys and values of the first max-length positions, [B, Hkv, S, D] (rows shorter than S hold zeros past their length). */
  read(): KVCacheView {
    const S = this.length;
    if (S === 0) throw new ValueError(`KVCache.read: the cache is empty (append first)`);
    return { key: sliceAxis(this.keys, 2, 0, S), value: sliceAxis(this.values, 2, 0, S), lengths: this.lengths };
  }

  /** Empties every row, or only `rows` (the others keep their tokens). */
  reset(rows?: readonly number[]): void {
    const list = rows ?? this.lens.map((_, i) => i);
    for (const r of list) {
      if (!Number.isInteger(r) || r < 0 || r >= this.batchSize) throw new ValueError(`KVCache.reset: rows must be integers in [0, ${this.batchSize}), got ${String(r)}`);
    }
    for (const r of list) this.lens[r] = 0;
  }

  /**
   * The bool mask [B, 1, T, S] (true = attend) for T new queries appended at each row's old length:
   * query t of row b sees keys j <= old_b + t, i.e. causal within the new tokens and blind to the
   * unused tail of shorter rows. Call after append, with the lengths from before it.
   */
  static decodeMask(before: readonly number[], T: number, S: number): Tensor {
    const B = before.length;
    const v = new Uint8Array(B * T * S);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let j = 0; j <= before[b]! + t && j < S; j++) v[(b * T + t) * S + j] = 1;
    return tensor(v, { dtype: 'bool', shape: [B, 1, T, S] });
  }
}
