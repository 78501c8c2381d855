/**
 * @file The text format of the shipped digits set (data/builtin/digits.txt, described in
 * data/builtin/README.md), decoded without any file access: plexus/node's `data.digits()` reads the
 * file, a browser can fetch it and call `data.parseDigitsText`.
 */
import { DataError } from './errors.js';

const B17 = '0123456789abcdefg';
export const DIGITS_N = 1797;

/** Decodes digits.txt (format in data/builtin/README.md), checking every line. */
export function parseDigitsText(text: string, name = 'digits.txt'): { px: Uint8Array; labels: Int32Array } {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length !== DIGITS_N) throw new DataError('CORRUPT_BUILTIN', `${name}: expected ${DIGITS_N} samples, found ${lines.length}`);
  const px = new Uint8Array(DIGITS_N * 64);
  const labels = new Int32Array(DIGITS_N);
  lines.forEach((l, i) => {
    if (!/^[0-9] [0-9a-g]{64}$/.test(l)) throw new DataError('CORRUPT_BUILTIN', `${name}: sample ${i} is not "label 64×[0-9a-g]": ${JSON.stringify(l.slice(0, 80))}`);
    labels[i] = l.charCodeAt(0) - 48;
    for (let j = 0; j < 64; j++) px[i * 64 + j] = B17.indexOf(l[2 + j]!);
  });
  return { px, labels };
}

