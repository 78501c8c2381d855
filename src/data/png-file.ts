/**
 * @file Node-only (plexus/node): PNG files by path, and the built-in test images of data/builtin/.
 * `readPng` reads the first 33 bytes (signature + IHDR) and checks the size limit before it reads
 * the rest of the file, so an oversized image is refused without reading or inflating it.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ValueError } from '../core/errors.js';
import { builtinPath } from './builtin.js';
import { fileSize } from './files.js';
import { type DecodePngOptions, type Image, IMAGE_DEFAULT_MAX_PIXELS, checkPngSize, decodePng, encodePng, readPngHeader } from './png.js';

/** Decodes the PNG file at `path` (errors name the path; see decodePng for what is accepted). */
export function readPng(path: string, opts: Omit<DecodePngOptions, 'name'> = {}): Image {
  if (typeof path !== 'string' || path === '') throw new ValueError(`readPng: path must be a non-empty string, got ${JSON.stringify(path)}`);
  if (opts !== null && typeof opts === 'object' && 'name' in opts) throw new ValueError("readPng: unknown option 'name' (the path names the file)", 'UNKNOWN_OPTION');
  fileSize(path); // DATASET_NOT_FOUND naming the path
  const head = new Uint8Array(33);
  const fd = openSync(path, 'r');
  let got: number;
  try {
    got = readSync(fd, head, 0, 33, 0);
  } finally {
    closeSync(fd);
  }
  checkPngSize(readPngHeader(head.subarray(0, got), path), opts.maxPixels ?? IMAGE_DEFAULT_MAX_PIXELS, path);
  return decodePng(readFileSync(path), { ...opts, name: path });
}

/** Writes `image` as an 8-bit PNG at `path` through a temporary file and a rename (a crash leaves the old file or none). */
export function writePng(path: string, image: Image): void {
  if (typeof path !== 'string' || path === '') throw new ValueError(`writePng: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const bytes = encodePng(image);
  const tmp = `${path}.plexus-tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, bytes, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The shipped test images (data/builtin/, described in its README). */
export const BUILTIN_IMAGES = {
  /** 4x4 mosaic of the first 16 Fashion-MNIST test images, 112x112 gray. */
  mosaic: 'fmnist-mosaic-112.png',
  /** The same mosaic downsampled to 56x56 (2x2 means). */
  'mosaic-56': 'fmnist-mosaic-56.png',
  /** A 64x64 sum of three 2-D cosines with a known spectrum (data.spectrumImage, quantised to 8 bits). */
  spectrum: 'spectrum-64.png',
} as const;
export type BuiltinImageName = keyof typeof BUILTIN_IMAGES;

/** A shipped test image by name ('mosaic', 'mosaic-56', 'spectrum'). */
export function builtinImage(name: BuiltinImageName): Image {
  if (typeof name !== 'string' || !Object.hasOwn(BUILTIN_IMAGES, name)) {
    throw new ValueError(`builtinImage: name must be one of ${Object.keys(BUILTIN_IMAGES).map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(name)}`);
  }
  return readPng(builtinPath(BUILTIN_IMAGES[name]));
}
