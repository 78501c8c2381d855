/**
 * @file PNG images in and out, in every host: `decodePng(bytes)` (through the pure-JS `fast-png`,
 * https://www.npmjs.com/package/fast-png) gives an `Image` of floats in [0, 1], `encodePng(image)` the
 * file's bytes. PNG spec: https://www.w3.org/TR/png/.
 *
 * What is accepted: grayscale and RGB at 1, 2, 4, 8 or 16 bits (scaled by 2^depth - 1), palette
 * images (expanded to RGB), interlaced or not. Alpha (a gray+alpha or RGBA image, or a tRNS chunk)
 * is dropped when every pixel is opaque; a transparent pixel is refused (IMAGE_HAS_ALPHA) unless
 * `alpha: 'drop'` says to ignore the alpha channel, because there is no right colour to fill in.
 * Before anything is inflated the IHDR chunk is read and checked: the signature, the chunk, the
 * sizes, bit depth and colour type, and width x height against `maxPixels` (IMAGE_TOO_LARGE), so a
 * hostile 60000 x 60000 header costs nothing. Every error is an ImageFormatError naming the source.
 */
import { decode as fastDecode, encode as fastEncode } from 'fast-png';
import { checkEnum, checkOptions } from '../core/args.js';
import { ValueError } from '../core/errors.js';
import { ImageFormatError } from './errors.js';

/** An image as floats in [0, 1], row-major, channels interleaved (1: gray, 3: RGB). */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  /** width * height * channels values in [0, 1]. */
  data: Float32Array;
}

/** What the IHDR chunk says (read without inflating anything). */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  interlace: number;
}

/** Default pixel limit of decodePng / readPng: 4096 x 4096. */
export const IMAGE_DEFAULT_MAX_PIXELS = 4096 * 4096;

export interface DecodePngOptions {
  /** Name for messages (a path, a URL); default "PNG data". */
  name?: string;
  /** Refuse images with more pixels than this (default IMAGE_DEFAULT_MAX_PIXELS), before decoding. */
  maxPixels?: number;
  /** 'error' (default): a transparent pixel is refused; 'drop': the alpha channel is ignored. */
  alpha?: 'error' | 'drop';
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** The PNG size limit of the spec (2^31 - 1). */
const MAX_DIM = 0x7fffffff;

/** Reads and checks the signature and IHDR (the first 33 bytes are enough). */
export function readPngHeader(bytes: Uint8Array, name = 'PNG data'): PngHeader {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`readPngHeader: bytes must be a Uint8Array, got ${typeof bytes}`);
  const bad = (code: string, why: string): never => {
    throw new ImageFormatError(code, `${name}: ${why}`, name);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) bad('IMAGE_NOT_PNG', 'not a PNG file (the 8-byte PNG signature is missing)');
  if (bytes.length < 33) bad('IMAGE_CORRUPT', `truncated: ${bytes.length} bytes, too short for the IHDR chunk`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR' || dv.getUint32(8) !== 13) bad('IMAGE_CORRUPT', `the first chunk must be a 13-byte IHDR, got ${JSON.stringify(type)} of ${dv.getUint32(8)} bytes`);
  const h: PngHeader = { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: bytes[24]!, colorType: bytes[25]!, interlace: bytes[28]! };
  if (h.width === 0 || h.height === 0 || h.width > MAX_DIM || h.height > MAX_DIM) bad('IMAGE_CORRUPT', `invalid size ${h.width}x${h.height}`);
  const depths = DEPTHS[h.colorType];
  if (!depths) bad('IMAGE_CORRUPT', `invalid colour type ${h.colorType}`);
  if (!depths!.includes(h.bitDepth)) bad('IMAGE_CORRUPT', `bit depth ${h.bitDepth} is not allowed for colour type ${h.colorType} (allowed: ${depths!.join(', ')})`);
  if (bytes[26] !== 0 || bytes[27] !== 0 || h.interlace > 1) bad('IMAGE_CORRUPT', `unknown compression, filter or interlace method (${bytes[26]}, ${bytes[27]}, ${h.interlace})`);
  return h;
}

/** Checks the header's pixel count against the limit (IMAGE_TOO_LARGE names both). */
export function checkPngSize(h: PngHeader, maxPixels: number, name: string): void {
  if (h.width * h.height > maxPixels) {
    throw new ImageFormatError('IMAGE_TOO_LARGE', `${name}: ${h.width}x${h.height} = ${h.width * h.height} pixels is more than the limit of ${maxPixels} (option maxPixels); nothing was decoded`, name);
  }
}

function checkDecodeOptions(op: string, opts: DecodePngOptions): { name: string; maxPixels: number; alpha: 'error' | 'drop' } {
  checkOptions(op, opts, ['name', 'maxPixels', 'alpha']);
  const maxPixels = opts.maxPixels ?? IMAGE_DEFAULT_MAX_PIXELS;
  if (typeof maxPixels !== 'number' || !Number.isInteger(maxPixels) || maxPixels < 1) throw new ValueError(`${op}: maxPixels must be an integer >= 1, got ${String(maxPixels)}`);
  if (opts.name !== undefined && typeof opts.name !== 'string') throw new ValueError(`${op}: name must be a string`);
  return { name: opts.name ?? 'PNG data', maxPixels, alpha: checkEnum(op, 'alpha', opts.alpha ?? 'error', ['error', 'drop'] as const) };
}

/** Sample k of a row of packed sub-byte samples. */
function packed(row: ArrayLike<number>, start: number, k: number, depth: number): number {
  const bit = k * depth;
  return (row[start + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/**
 * Decodes PNG bytes into an Image (see the file comment for what is accepted and refused).
 * @example const img = data.decodePng(new Uint8Array(await (await fetch('cat.png')).arrayBuffer()), { name: 'cat.png' });
 */
export function decodePng(bytes: Uint8Array, opts: DecodePngOptions = {}): Image {
  const { name, maxPixels, alpha } = checkDecodeOptions('decodePng', opts);
  const h = readPngHeader(bytes, name);
  checkPngSize(h, maxPixels, name);
  let png: ReturnType<typeof fastDecode>;
  try {
    png = fastDecode(bytes, { checkCrc: true });
  } catch (e) {
    throw new ImageFormatError('IMAGE_CORRUPT', `${name}: corrupt PNG (${e instanceof Error ? e.message : String(e)})`, name);
  }
  const { width, height, depth } = png;
  const src = png.data;
  const n = width * height;
  const palette = h.colorType === 3 ? png.palette : undefined;
  if (h.colorType === 3 && (!palette || palette.length === 0)) throw new ImageFormatError('IMAGE_CORRUPT', `${name}: palette image without a PLTE chunk`, name);
  const inChannels = palette ? 1 : png.channels;
  const hasAlphaChannel = !palette && (inChannels === 2 || inChannels === 4);
  const colour = palette ? 3 : hasAlphaChannel ? inChannels - 1 : inChannels;
  const channels = (colour === 1 ? 1 : 3) as 1 | 3;
  const max = (1 << depth) - 1;
  const out = new Float32Array(n * channels);
  const rowBytes = depth < 8 ? Math.ceil((width * inChannels * depth) / 8) : width * inChannels;
  if (src.length < (depth < 8 ? rowBytes * height : n * inChannels)) throw new ImageFormatError('IMAGE_CORRUPT', `${name}: the image data is shorter than ${width}x${height} pixels`, name);
  const trns = png.transparency;
  let transparent = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const p = r * width + c;
      if (palette) {
        const idx = depth < 8 ? packed(src, r * rowBytes, c, depth) : src[p]!;
        const entry = palette[idx];
        if (!entry) throw new ImageFormatError('IMAGE_CORRUPT', `${name}: pixel (${c}, ${r}) uses palette index ${idx} of ${palette.length}`, name);
        for (let k = 0; k < 3; k++) out[p * 3 + k] = entry[k]! / 255;
        if (entry.length > 3 && entry[3]! < 255) transparent++; // fast-png appends tRNS alpha to the entries
        continue;
      }
      const sample = (k: number): number => (depth < 8 ? packed(src, r * rowBytes, c * inChannels + k, depth) : src[p * inChannels + k]!);
      for (let k = 0; k < channels; k++) out[p * channels + k] = sample(colour === 1 ? 0 : k) / max;
      if (hasAlphaChannel && sample(inChannels - 1) < max) transparent++;
      else if (!hasAlphaChannel && trns && trns.length === colour) {
        let same = true;
        for (let k = 0; k < colour && same; k++) same = sample(k) === trns[k];
        if (same) transparent++;
      }
    }
  }
  if (transparent > 0 && alpha === 'error') {
    throw new ImageFormatError('IMAGE_HAS_ALPHA', `${name}: ${transparent} of ${n} pixels are (partly) transparent; flatten the image first, or pass alpha: 'drop' to ignore the alpha channel`, name);
  }
  return { width, height, channels, data: out };
}

/** Checks an Image value (sizes, channels, data length and range). */
export function checkImage(op: string, image: Image): Image {
  if (typeof image !== 'object' || image === null) throw new ValueError(`${op}: image must be { width, height, channels, data }, got ${String(image)}`);
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) throw new ValueError(`${op}: image width and height must be integers >= 1, got ${String(width)}x${String(height)}`);
  if (channels !== 1 && channels !== 3) throw new ValueError(`${op}: image channels must be 1 or 3, got ${String(channels)}`);
  if (!(data instanceof Float32Array) || data.length !== width * height * channels) {
    throw new ValueError(`${op}: image data must be a Float32Array of ${width * height * channels} values (${width}x${height}x${channels})`);
  }
  return image;
}

/** PNG bytes of an image (8-bit gray or RGB; values clamped to [0, 1] and rounded to 1/255). */
export function encodePng(image: Image): Uint8Array {
  const { width, height, channels, data } = checkImage('encodePng', image);
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    bytes[i] = Number.isNaN(v) ? 0 : Math.round(Math.min(Math.max(v, 0), 1) * 255);
  }
  return fastEncode({ width, height, channels, depth: 8, data: bytes });
}
