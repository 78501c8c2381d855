/**
 * @file Images (src/data/png.ts, image.ts, png-file.ts, signals.ts) and psnr: PNG decoding of every
 * accepted kind (8/16-bit gray and RGB, sub-byte gray, palette, interlaced, opaque alpha) against
 * hand-built files, refusals with typed errors naming the file (not a PNG, corrupt, bad CRC,
 * transparent pixels, too large: refused from the header before anything is inflated), encode/decode
 * round trips, imageGrid's coordinates and splits, the shipped images (the spectrum image's DFT peaks),
 * comparison images, 1-D signals and psnr.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as px from '../src/node.js';
import { crc32 } from '../src/viz/png.js';

const { data } = px;
const E = px.ImageFormatError;

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, (crc32(out.subarray(4, 8 + body.length)) ^ 0xffffffff) >>> 0);
  return out;
}

/** A PNG from raw scanlines (each row's bytes, already packed; filter 0 is prepended), plus extra chunks before IDAT. */
function png(w: number, h: number, colorType: number, depth: number, rows: number[][], extra: [string, number[]][] = [], interlace = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([depth, colorType, 0, 0, interlace], 8);
  const raw = Uint8Array.from(rows.flatMap((r) => [0, ...r]));
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    ...extra.map(([t, b]) => chunk(t, Uint8Array.from(b))), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `value ${i}: ${a[i]} vs ${b[i]}`);
};

describe('decodePng: what is accepted', () => {
  it('8-bit gray and RGB', () => {
    const g = data.decodePng(png(2, 2, 0, 8, [[0, 255], [51, 102]]));
    assert.deepEqual([g.width, g.height, g.channels], [2, 2, 1]);
    close(g.data, [0, 1, 0.2, 0.4]);
    const c = data.decodePng(png(2, 1, 2, 8, [[255, 0, 0, 0, 51, 255]]));
    assert.equal(c.channels, 3);
    close(c.data, [1, 0, 0, 0, 0.2, 1]);
  });

  it('16-bit gray and RGB, scaled by 65535', () => {
    const g = data.decodePng(png(2, 1, 0, 16, [[0xff, 0xff, 0x80, 0x00]]));
    close(g.data, [1, 0x8000 / 65535]);
    const c = data.decodePng(png(1, 1, 2, 16, [[0, 0, 0x40, 0, 0xff, 0xff]]));
    close(c.data, [0, 0x4000 / 65535, 1]);
  });

  it('sub-byte gray (1, 2, 4 bits) with rows padded to a byte', () => {
    close(data.decodePng(png(3, 2, 0, 1, [[0b10100000], [0b01100000]])).data, [1, 0, 1, 0, 1, 1]);
    close(data.decodePng(png(3, 1, 0, 2, [[0b00011011]])).data, [0, 1 / 3, 2 / 3]);
    close(data.decodePng(png(3, 1, 0, 4, [[0xf0, 0x80]])).data, [1, 0, 8 / 15]);
  });

  it('palette images expand to RGB (8 and 2 bits)', () => {
    const plte: [string, number[]] = ['PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255]];
    const p8 = data.decodePng(png(3, 1, 3, 8, [[2, 0, 1]], [plte]));
    assert.equal(p8.channels, 3);
    close(p8.data, [0, 0, 1, 1, 0, 0, 0, 1, 0]);
    close(data.decodePng(png(3, 1, 3, 2, [[0b10000100]], [plte])).data, [0, 0, 1, 1, 0, 0, 0, 1, 0]);
    assert.throws(() => data.decodePng(png(1, 1, 3, 8, [[5]], [plte]), { name: 'pal.png' }), (e: Error) => e instanceof E && e.code === 'IMAGE_CORRUPT' && /pal\.png/.test(e.message));
  });

  it('alpha: dropped when every pixel is opaque, refused (naming the file) when one is not, unless alpha: drop', () => {
    close(data.decodePng(png(2, 1, 4, 8, [[10, 255, 20, 255]])).data, [10 / 255, 20 / 255]);
    close(data.decodePng(png(1, 1, 6, 8, [[1, 2, 3, 255]])).data, [1 / 255, 2 / 255, 3 / 255]);
    const rgba = png(2, 1, 6, 8, [[1, 2, 3, 255, 4, 5, 6, 0]]);
    assert.throws(() => data.decodePng(rgba, { name: 'logo.png' }), (e: Error) => e instanceof E && e.code === 'IMAGE_HAS_ALPHA' && /logo\.png: 1 of 2 pixels/.test(e.message) && (e as InstanceType<typeof E>).source === 'logo.png');
    close(data.decodePng(rgba, { alpha: 'drop' }).data, [1 / 255, 2 / 255, 3 / 255, 4 / 255, 5 / 255, 6 / 255]);
    // tRNS: a transparent palette entry in use, and a gray key colour.
    const plte: [string, number[]] = ['PLTE', [0, 0, 0, 255, 255, 255]];
    assert.throws(() => data.decodePng(png(2, 1, 3, 8, [[0, 1]], [plte, ['tRNS', [255, 0]]])), (e: Error) => e instanceof E && e.code === 'IMAGE_HAS_ALPHA');
    data.decodePng(png(2, 1, 3, 8, [[0, 0]], [plte, ['tRNS', [255, 0]]])); // the transparent entry is unused
    assert.throws(() => data.decodePng(png(2, 1, 0, 8, [[7, 9]], [['tRNS', [0, 9]]])), (e: Error) => e instanceof E && e.code === 'IMAGE_HAS_ALPHA');
  });

  it('interlaced (Adam7) images decode to the same pixels', () => {
    const img = data.spectrumImage({ size: 32 });
    const rows = Array.from({ length: 32 }, (_, r) => Array.from(img.data.subarray(r * 32, (r + 1) * 32), (v) => Math.round(v * 255)));
    const plain = data.decodePng(png(32, 32, 0, 8, rows));
    // Adam7 passes of an 8-bit gray image: pass p holds pixels (r, c) with the pass's offsets and steps.
    const passes = [[0, 0, 8, 8], [0, 4, 8, 8], [4, 0, 8, 4], [0, 2, 4, 4], [2, 0, 4, 2], [0, 1, 2, 2], [1, 0, 2, 1]];
    const raw: number[] = [];
    for (const [r0, c0, rs, cs] of passes) for (let r = r0!; r < 32; r += rs!) { raw.push(0); for (let c = c0!; c < 32; c += cs!) raw.push(rows[r]![c]!); }
    const ihdr = png(32, 32, 0, 8, [], [], 1).subarray(0, 33);
    const bytes = new Uint8Array([...ihdr, ...chunk('IDAT', deflateSync(Uint8Array.from(raw))), ...chunk('IEND', new Uint8Array(0))]);
    assert.deepEqual(Array.from(data.decodePng(bytes).data), Array.from(plain.data));
  });
});

describe('decodePng / readPng: what is refused', () => {
  const good = png(2, 2, 0, 8, [[0, 1], [2, 3]]);
  it('not a PNG, truncated, bad IHDR, bad CRC, bad data: typed errors naming the source', () => {
    const err = (code: string, name: string) => (e: Error): boolean => e instanceof E && e.code === code && e.message.startsWith(`${name}:`);
    assert.throws(() => data.decodePng(new TextEncoder().encode('GIF89a....'), { name: 'a.gif' }), err('IMAGE_NOT_PNG', 'a.gif'));
    assert.throws(() => data.decodePng(good.subarray(0, 20), { name: 't.png' }), err('IMAGE_CORRUPT', 't.png'));
    assert.throws(() => data.decodePng(good.subarray(0, 60), { name: 't.png' }), err('IMAGE_CORRUPT', 't.png'));
    const crc = good.slice();
    crc[40] = crc[40]! ^ 0xff;
    assert.throws(() => data.decodePng(crc, { name: 'crc.png' }), err('IMAGE_CORRUPT', 'crc.png'));
    const depth = good.slice();
    depth[24] = 3;
    assert.throws(() => data.decodePng(depth, { name: 'd.png' }), (e: Error) => err('IMAGE_CORRUPT', 'd.png')(e) && /bit depth 3/.test(e.message));
    const zero = good.slice();
    zero.fill(0, 16, 20);
    assert.throws(() => data.decodePng(zero), err('IMAGE_CORRUPT', 'PNG data'));
    assert.throws(() => data.decodePng(png(4, 4, 0, 8, [[1, 2, 3, 4]]), { name: 'short.png' }), err('IMAGE_CORRUPT', 'short.png'));
  });

  it('an image over the pixel limit is refused from its header, before decoding', () => {
    // A header claiming 60000 x 60000 followed by garbage: refused as too large, not as corrupt.
    const huge = good.slice(0, 33);
    new DataView(huge.buffer).setUint32(16, 60000);
    new DataView(huge.buffer).setUint32(20, 60000);
    const bytes = new Uint8Array([...huge, 1, 2, 3]);
    assert.throws(() => data.decodePng(bytes, { name: 'big.png' }), (e: Error) => e instanceof E && e.code === 'IMAGE_TOO_LARGE' && /big\.png: 60000x60000/.test(e.message));
    assert.throws(() => data.decodePng(good, { maxPixels: 3 }), (e: Error) => e instanceof E && e.code === 'IMAGE_TOO_LARGE');
    data.decodePng(good, { maxPixels: 4 });
    assert.throws(() => data.decodePng(good, { maxPixels: 0 }), px.ValueError);
    assert.throws(() => data.decodePng(good, { alpha: 'keep' as never }), px.ValueError);
    assert.throws(() => data.decodePng(good, { max: 4 } as never), px.ValueError);
  });

  it('readPng names the path, and reads only the header of an oversized file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plexus-png-'));
    try {
      const big = new Uint8Array(33 + 1000);
      big.set(good.subarray(0, 33));
      new DataView(big.buffer).setUint32(16, 50000);
      new DataView(big.buffer).setUint32(20, 50000);
      writeFileSync(join(dir, 'big.png'), big);
      assert.throws(() => data.readPng(join(dir, 'big.png')), (e: Error) => e instanceof E && e.code === 'IMAGE_TOO_LARGE' && e.message.includes(join(dir, 'big.png')));
      writeFileSync(join(dir, 'bad.png'), good.subarray(0, 50));
      assert.throws(() => data.readPng(join(dir, 'bad.png')), (e: Error) => e instanceof E && e.message.startsWith(join(dir, 'bad.png')));
      assert.throws(() => data.readPng(join(dir, 'none.png')), (e: Error) => e instanceof px.DataError && e.code === 'DATASET_NOT_FOUND');
      const img = data.spectrumImage({ size: 32 });
      data.writePng(join(dir, 'out.png'), img);
      const back = data.readPng(join(dir, 'out.png'));
      close(back.data, Array.from(img.data), 0.5 / 255 + 1e-7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('images as coordinate tasks', () => {
  it('encodePng / decodePng round-trip 8-bit values exactly (gray and RGB)', () => {
    for (const channels of [1, 3] as const) {
      const d = Float32Array.from({ length: 5 * 3 * channels }, (_, i) => ((i * 37) % 256) / 255);
      const back = data.decodePng(data.encodePng({ width: 5, height: 3, channels, data: d }));
      assert.deepEqual([back.width, back.height, back.channels], [5, 3, channels]);
      assert.deepEqual(Array.from(back.data), Array.from(d));
    }
    assert.throws(() => data.encodePng({ width: 2, height: 2, channels: 1, data: new Float32Array(3) }), px.ValueError);
    assert.throws(() => data.encodePng({ width: 2, height: 2, channels: 2 as never, data: new Float32Array(8) }), px.ValueError);
  });

  it('imageGrid: coordinates in [-1, 1]^2, even-odd and all splits, value range', () => {
    const img = { width: 3, height: 2, channels: 1 as const, data: Float32Array.from([0, 0.2, 0.4, 0.6, 0.8, 1]) };
    const g = data.imageGrid(img, { split: 'even-odd', dtype: 'float64' });
    assert.deepEqual(Array.from(g.train.x.values), [-1, -1, 1, -1]);
    close(g.train.y.values, [0, 0.4]);
    assert.deepEqual(Array.from(g.test!.x.values), [0, -1, -1, 1, 0, 1, 1, 1]);
    close(g.test!.y.values, [0.2, 0.6, 0.8, 1]);
    const all = data.imageGrid(img, { split: 'all', range: [-1, 1] });
    assert.equal(all.test, null);
    assert.deepEqual(all.train.x.shape, [6, 2]);
    close(all.train.y.values, [-1, -0.6, -0.2, 0.2, 0.6, 1]);
    const back = data.imageFromTensor(all.train.y, 3, 2, { range: [-1, 1] });
    close(back.data, Array.from(img.data));
    assert.throws(() => data.imageGrid(img, { split: 'odd' as never }), (e: Error) => e instanceof px.ValueError && /'even-odd', 'all'/.test(e.message));
    assert.throws(() => data.imageGrid(img, { range: [1, 0] }), px.ValueError);
    assert.throws(() => data.imageGrid(img, { splits: 'all' } as never), px.ValueError);
    assert.throws(() => data.imageFromTensor(px.zeros([5, 1]), 3, 2), px.ShapeError);
  });

  it('the shipped images: the mosaics, and the spectrum image with its three DFT peaks', () => {
    const m = data.builtinImage('mosaic');
    assert.deepEqual([m.width, m.height, m.channels], [112, 112, 1]);
    const s = data.builtinImage('mosaic-56');
    assert.deepEqual([s.width, s.height], [56, 56]);
    // The 56x56 version is the 2x2 block mean of the 112x112 one (to 8-bit rounding).
    for (const [r, c] of [[10, 10], [30, 17], [55, 55]] as const) {
      const mean = (m.data[2 * r * 112 + 2 * c]! + m.data[2 * r * 112 + 2 * c + 1]! + m.data[(2 * r + 1) * 112 + 2 * c]! + m.data[(2 * r + 1) * 112 + 2 * c + 1]!) / 4;
      assert.ok(Math.abs(s.data[r * 56 + c]! - mean) <= 0.5 / 255 + 1e-6);
    }
    const sp = data.builtinImage('spectrum');
    const exact = data.spectrumImage();
    close(sp.data, Array.from(exact.data), 0.5 / 255 + 1e-6);
    const n = 64;
    const mag = (u: number, v: number): number => {
      let re = 0, im = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
        const a = (-2 * Math.PI * (u * c + v * r)) / n;
        re += sp.data[r * n + c]! * Math.cos(a);
        im += sp.data[r * n + c]! * Math.sin(a);
      }
      return Math.hypot(re, im) / (n * n);
    };
    // A cosine of amplitude A puts A/2 at its frequency and its mirror; quantisation noise is ~1e-3.
    for (const [u, v, a] of [[0, 0, 1], [2, 0, 0.1], [0, 5, 0.075], [9, 13, 0.05], [64 - 9, 64 - 13, 0.05]]) {
      assert.ok(Math.abs(mag(u!, v!) - (u === 0 && v === 0 ? 0.5 : a!)) < 2e-3, `bin (${u}, ${v}): ${mag(u!, v!)}`);
    }
    for (const [u, v] of [[1, 0], [3, 3], [9, 12], [20, 7]]) assert.ok(mag(u!, v!) < 2e-3, `bin (${u}, ${v}) should be empty: ${mag(u!, v!)}`);
    assert.throws(() => data.builtinImage('lena' as never), (e: Error) => e instanceof px.ValueError && /'mosaic', 'mosaic-56', 'spectrum'/.test(e.message));
  });

  it('comparisonImage: target | reconstruction | error map', () => {
    const t = { width: 2, height: 1, channels: 1 as const, data: Float32Array.from([0, 1]) };
    const p = { width: 2, height: 1, channels: 1 as const, data: Float32Array.from([0, 0.5]) };
    const c = data.comparisonImage(t, p);
    assert.deepEqual([c.width, c.height, c.channels], [3 * 2 + 4, 1, 3]);
    close(c.data.subarray(0, 6), [0, 0, 0, 1, 1, 1]);
    close(c.data.subarray(12, 18), [0, 0, 0, 0.5, 0.5, 0.5]);
    close(c.data.subarray(24, 30), [0, 0, 0, 1, 1, 1]); // error 0 is black; 0.5 x gain 4 saturates to white
    assert.throws(() => data.comparisonImage(t, { ...p, width: 1, data: new Float32Array(1) }), px.ShapeError);
  });

  it('signal1d: sines and a step on [-1, 1]', () => {
    const s = data.signal1d('sines', { n: 5, frequencies: [1], amplitudes: [2] });
    close(s.x.values, [-1, -0.5, 0, 0.5, 1]);
    close(s.y.values, [-1, -0.5, 0, 0.5, 1].map((t) => 2 * Math.sin(2 * Math.PI * t)), 1e-6);
    close(data.signal1d('step', { n: 4, at: 0.5 }).y.values, [-1, -1, -1, 1]);
    assert.throws(() => data.signal1d('saw' as never), px.ValueError);
    assert.throws(() => data.signal1d('sines', { n: 1 }), px.ValueError);
    assert.throws(() => data.signal1d('sines', { frequencies: [1, 2], amplitudes: [1] }), px.ValueError);
  });
});

describe('psnr', () => {
  it('10 log10(peak^2 / mse), Infinity when equal; typed errors', () => {
    const a = px.tensor([0, 0.5, 1, 1]);
    const b = px.tensor([0, 0.5, 1, 0.9]);
    assert.ok(Math.abs(px.psnr(b, a) - 10 * Math.log10(1 / (0.01 / 4))) < 1e-4);
    assert.ok(Math.abs(px.psnr(b, a, 2) - px.psnr(b, a) - 20 * Math.log10(2)) < 1e-9);
    assert.equal(px.psnr(a, a), Infinity);
    assert.throws(() => px.psnr(a, px.zeros([3])), px.ShapeError);
    assert.throws(() => px.psnr(a, b, 0), px.ValueError);
    assert.throws(() => px.psnr(a, [1, 2] as never), px.ValueError);
    assert.throws(() => (px.psnr as (...a: unknown[]) => number)(a, b, 1, 1), px.ValueError);
  });
});
