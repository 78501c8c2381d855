/**
 * @file Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT licence) from the Debian package
 * `dataset-fashion-mnist` (gzipped IDX in /usr/share/datasets/fashion-mnist) or a directory the user
 * gives. `loadIdxPair` does the checking any MNIST-family pair needs: image and label counts agree
 * (DATASET_MISMATCH) and every label is a valid class (LABEL_OUT_OF_RANGE, with its index).
 * Node-only (plexus/node): it reads files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Split } from './dataset.js';
import { DataError } from './errors.js';
import { ValueError } from '../core/errors.js';
import type { IdxArray } from './idx.js';
import { readIdx } from './idx-file.js';
import { empty } from '../core/create.js';
import { fromTyped } from './rows.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
/** Class names by label id (from the dataset's README). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export interface IdxPairOptions {
  numClasses?: number;
  /** Divide pixels by 255 (default true), as torchvision's ToTensor. */
  normalize?: boolean;
  /** x as [N, H*W] (default true) or [N, H, W]. */
  flatten?: boolean;
  /** Byte cap per file (see IdxOptions.maxBytes). */
  maxBytes?: number;
  /**
   * Keep only the first `limit` examples (a positive integer; all when absent or larger than the
   * file). Only those are converted to float32, so a run that needs a few thousand images does not
   * hold all 60000 in memory.
   */
  limit?: number;
}

function expectUbyte(a: IdxArray, path: string, ndim: number, what: string): void {
  if (a.type !== 'ubyte' || a.shape.length !== ndim) {
    throw new DataError('UNEXPECTED_FORMAT', `${path}: expected ${what} as ubyte with ${ndim} dims, got ${a.type} [${a.shape.join(',')}]`);
  }
}

/** out[i] = lut[src[i]]; a separate monomorphic function so V8 optimises the 47M-iteration loop. */
function fillFromLut(out: Float32Array, src: Uint8Array, lut: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
}

function checkLimit(op: string, limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new ValueError(`${op}: option limit must be a positive integer, got ${String(limit)}`);
  }
}

/** Reads an images file [N,H,W] and a labels file [N] (IDX ubyte, gzipped or not) into float32 x and int32 y. */
export function loadIdxPair(imagesPath: string, labelsPath: string, opts: IdxPairOptions = {}): Split {
  const numClasses = opts.numClasses ?? 10;
  checkLimit('loadIdxPair', opts.limit);
  const idxOpts = opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes };
  const images = readIdx(imagesPath, idxOpts);
  const labels = readIdx(labelsPath, idxOpts);
  expectUbyte(images, imagesPath, 3, 'images');
  expectUbyte(labels, labelsPath, 1, 'labels');
  const [total, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== total) {
    throw new DataError('DATASET_MISMATCH', `${imagesPath} has ${total} images but ${labelsPath} has ${labels.shape[0]} labels`);
  }
  const n = Math.min(total, opts.limit ?? total);
  const lab = n === total ? labels.data : labels.data.subarray(0, n);
  for (let i = 0; i < lab.length; i++) {
    if (lab[i]! >= numClasses) {
      throw new DataError('LABEL_OUT_OF_RANGE', `${labelsPath}: label at index ${i} is ${lab[i]}, expected 0 to ${numClasses - 1}`);
    }
  }
  // A 256-entry table: one lookup per pixel instead of a division (same float32 result).
  const scale = opts.normalize === false ? 1 : 255;
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / scale;
  const x = empty(opts.flatten === false ? [n, h, w] : [n, h * w], { dtype: 'float32' }, 'loadIdxPair');
  // Written in place: the tensor is brand new, so no autograd history can see the write.
  fillFromLut(x._peek() as Float32Array, (images.data as Uint8Array).subarray(0, n * h * w), lut);
  return { x, y: fromTyped(lab, [n], 'int32') };
}

export interface FashionMnistOptions extends Omit<IdxPairOptions, 'numClasses'> {
  /** Folder with the four files (`train-images-idx3-ubyte[.gz]`, ...); default the Debian path. */
  dir?: string;
}

/** The file for `base` in `dir`: gzipped first, then plain; a typed error naming the package when absent. */
function locate(dir: string, base: string): string {
  for (const f of [`${base}.gz`, base]) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  throw new DataError('DATASET_NOT_FOUND',
    `fashionMnist: ${join(dir, base)}.gz (or ${base}) not found. Install the Debian package ${FASHION_MNIST_PACKAGE} ` +
    `(apt-get install ${FASHION_MNIST_PACKAGE}) for ${FASHION_MNIST_DIR}, or pass { dir } pointing at the four IDX files`);
}

/**
 * Fashion-MNIST train (60000) and test (10000): x float32 [N,784] in [0,1], y int32 [N]. `limit`
 * keeps the first N of each split.
 * @example const { train, test } = fashionMnist();
 * @example const { train } = fashionMnist({ limit: 8192 }); // train.x: [8192, 784]
 */
export function fashionMnist(opts: FashionMnistOptions = {}): { train: Split; test: Split; classes: readonly string[] } {
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  checkLimit('fashionMnist', opts.limit);
  const pair = (prefix: string): Split =>
    loadIdxPair(locate(dir, `${prefix}-images-idx3-ubyte`), locate(dir, `${prefix}-labels-idx1-ubyte`), { ...opts, numClasses: 10 });
  // Locate all four before reading any, so a half-installed folder fails fast.
  for (const p of ['train', 't10k']) for (const k of ['images-idx3', 'labels-idx1']) locate(dir, `${p}-${k}-ubyte`);
  return { train: pair('train'), test: pair('t10k'), classes: FASHION_MNIST_CLASSES };
}
