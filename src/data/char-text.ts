/**
 * @file Character-level text for language modelling (as in Karpathy's char-rnn / nanoGPT
 * shakespeare_char): a vocabulary of the distinct characters, encode/decode, a seeded train/val
 * split by blocks, and (input, next-character target) windows as int32 tensors.
 *
 * The split cuts the text into consecutive blocks of `blockSize` characters and holds out a seeded
 * random `valFraction` of them (at least one), so validation text is contiguous prose the model has
 * not seen rather than characters interleaved with training ones. Portable: the text is a string;
 * plexus/node's `data.builtinText('gnu-licenses')` (data/builtin.ts) reads the shipped corpus.
 */
import { checkOptions } from '../core/args.js';
import { tensor } from '../core/create.js';
import { ValueError } from '../core/errors.js';
import { Generator, defaultGenerator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { DataError } from './errors.js';

export interface CharTextOptions {
  /** Fraction of blocks held out for validation, in (0, 1) (default 0.1). */
  valFraction?: number;
  /** Characters per split block (default 1024). */
  blockSize?: number;
  /** Seed of the split (default 0). */
  seed?: number;
}

/** Inputs x and targets y (x shifted by one character), int32 [B, length]. */
export interface CharWindows {
  x: Tensor;
  y: Tensor;
}

export type CharSplit = 'train' | 'val';

/** An encoded text with its vocabulary and split; see charText. */
export interface CharText {
  /** The distinct characters, sorted by code point; token id = index. */
  vocab: string[];
  vocabSize: number;
  /** Token ids of the training blocks, in text order. */
  train: Int32Array;
  /** Token ids of the held-out blocks, in text order. */
  val: Int32Array;
  /** Ids of `s`; a character outside the vocabulary is a DataError naming it. */
  encode(s: string): Int32Array;
  /** The text of `ids` (an int32 tensor or any array of ids). */
  decode(ids: ArrayLike<number> | Tensor): string;
  /** `batchSize` windows of `length` at random starts in `split` (from `generator`, default the default one). */
  batch(split: CharSplit, batchSize: number, length: number, opts?: { generator?: Generator }): CharWindows;
  /** Every non-overlapping window of `length` in `split`, in order (evaluation): [floor((n-1)/length), length]. */
  windows(split: CharSplit, length: number): CharWindows;
}

const posInt = (op: string, name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be an integer >= 1, got ${String(v)}`);
  return v;
};

/**
 * Character-level dataset of `text`: vocabulary, encode/decode, seeded block split, windows.
 * @example const ds = data.charText(text, { valFraction: 0.1, seed: 0 }); const { x, y } = ds.batch('train', 32, 64);
 */
export function charText(text: string, opts: CharTextOptions = {}): CharText {
  const OP = 'charText';
  if (typeof text !== 'string') throw new ValueError(`${OP}: text must be a string, got ${typeof text}`);
  checkOptions(OP, opts, ['valFraction', 'blockSize', 'seed']);
  const valFraction = opts.valFraction ?? 0.1;
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) throw new ValueError(`${OP}: valFraction must be in (0, 1), got ${String(valFraction)}`);
  const blockSize = posInt(OP, 'blockSize', opts.blockSize ?? 1024);
  const seed = opts.seed ?? 0;
  const chars = Array.from(text);
  const nBlocks = Math.ceil(chars.length / blockSize);
  if (nBlocks < 2) throw new DataError('TEXT_TOO_SHORT', `${OP}: the text (${chars.length} characters) must span at least 2 blocks of blockSize ${blockSize} to split`);
  const vocab = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const index = new Map(vocab.map((c, i) => [c, i]));
  const encode = (s: string): Int32Array => Int32Array.from(Array.from(s), (c) => {
    const i = index.get(c);
    if (i === undefined) throw new DataError('UNKNOWN_CHARACTER', `${OP}.encode: character ${JSON.stringify(c)} is not in the vocabulary`);
    return i;
  });
  const ids = Int32Array.from(chars, (c) => index.get(c)!);
  // Seeded Fisher-Yates over block indices; the first nVal are held out.
  const order = Array.from({ length: nBlocks }, (_, i) => i);
  const g = new Generator(seed);
  for (let i = nBlocks - 1; i > 0; i--) {
    const j = g.nextInt(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nVal = Math.max(1, Math.round(valFraction * nBlocks));
  const isVal = new Set(order.slice(0, nVal));
  const gather = (want: boolean): Int32Array => {
    const parts: Int32Array[] = [];
    for (let b = 0; b < nBlocks; b++) if (isVal.has(b) === want) parts.push(ids.subarray(b * blockSize, Math.min((b + 1) * blockSize, ids.length)));
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  const train = gather(false);
  const val = gather(true);
  const pick = (split: unknown): Int32Array => {
    if (split !== 'train' && split !== 'val') throw new ValueError(`${OP}: split must be one of 'train', 'val', got ${JSON.stringify(split)}`);
    return split === 'train' ? train : val;
  };
  const make = (src: Int32Array, starts: number[], length: number): CharWindows => {
    const x = new Int32Array(starts.length * length);
    const y = new Int32Array(starts.length * length);
    starts.forEach((s, r) => {
      x.set(src.subarray(s, s + length), r * length);
      y.set(src.subarray(s + 1, s + 1 + length), r * length);
    });
    const shape = [starts.length, length];
    return { x: tensor(x, { dtype: 'int32', shape }), y: tensor(y, { dtype: 'int32', shape }) };
  };
  const tooLong = (split: CharSplit, src: Int32Array, length: number): void => {
    if (length + 1 > src.length) throw new ValueError(`${OP}: window length ${length} needs ${length + 1} characters; the ${split} split has ${src.length}`);
  };
  return {
    vocab, vocabSize: vocab.length, train, val, encode,
    decode: (t) => Array.from((t as Tensor)._peek ? (t as Tensor)._peek() : (t as ArrayLike<number>), (i) => {
      const c = vocab[i];
      if (c === undefined) throw new ValueError(`${OP}.decode: id ${i} is outside the vocabulary [0, ${vocab.length})`);
      return c;
    }).join(''),
    batch(split, batchSize, length, o = {}) {
      const src = pick(split);
      posInt(`${OP}.batch`, 'batchSize', batchSize);
      posInt(`${OP}.batch`, 'length', length);
      checkOptions(`${OP}.batch`, o, ['generator']);
      tooLong(split, src, length);
      const gen = o.generator ?? defaultGenerator;
      return make(src, Array.from({ length: batchSize }, () => gen.nextInt(0, src.length - length)), length);
    },
    windows(split, length) {
      const src = pick(split);
      posInt(`${OP}.windows`, 'length', length);
      tooLong(split, src, length);
      return make(src, Array.from({ length: Math.floor((src.length - 1) / length) }, (_, i) => i * length), length);
    },
  };
}
