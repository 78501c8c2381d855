/**
 * @file IDX reader and MNIST-family loading: good files of every type (plain and gzipped), every fault
 * of docs/reliability.md "Data files" as an IdxFormatError naming the file, the byte and expected vs actual,
 * count mismatch and out-of-range labels (row 19), the byte cap at cap and cap+1, and the real
 * Fashion-MNIST files from the Debian package when installed.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as px from '../src/node.js';
import { data } from '../src/node.js';
import { tempDir, throwsTyped } from './data-helpers.js';

/** IDX bytes: magic 00 00 type ndim, big-endian dims, then `body`. */
function idx(type: number, dims: number[], body: ArrayLike<number> | Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  const dv = new DataView(head.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const images = (n: number, fill = (i: number) => i % 256): Uint8Array => idx(0x08, [n, 2, 3], Array.from({ length: n * 6 }, (_, i) => fill(i)));
const labels = (ls: number[]): Uint8Array => idx(0x08, [ls.length], ls);

const tmp = tempDir('plexus-idx-');
after(tmp.cleanup);
let fileNo = 0;
function file(bytes: Uint8Array, name = `f${fileNo++}.idx`): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('IDX good files', () => {
  it('reads ubyte images with shape and values', () => {
    const a = data.parseIdx(images(2));
    assert.equal(a.type, 'ubyte');
    assert.deepEqual(a.shape, [2, 2, 3]);
    assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('decodes big-endian int, short, float, double and signed byte', () => {
    const be = (n: number, set: (dv: DataView) => void): Uint8Array => {
      const b = new Uint8Array(n);
      set(new DataView(b.buffer));
      return b;
    };
    const i32 = data.parseIdx(idx(0x0c, [2], be(8, (d) => { d.setInt32(0, -2); d.setInt32(4, 70000); })));
    assert.deepEqual([i32.type, [...i32.data]], ['int', [-2, 70000]]);
    const i16 = data.parseIdx(idx(0x0b, [2], be(4, (d) => { d.setInt16(0, -300); d.setInt16(2, 1234); })));
    assert.deepEqual([i16.type, [...i16.data]], ['short', [-300, 1234]]);
    const f32 = data.parseIdx(idx(0x0d, [1, 2], be(8, (d) => { d.setFloat32(0, 1.5); d.setFloat32(4, -0.25); })));
    assert.deepEqual([f32.type, f32.shape, [...f32.data]], ['float', [1, 2], [1.5, -0.25]]);
    const f64 = data.parseIdx(idx(0x0e, [1], be(8, (d) => d.setFloat64(0, Math.PI))));
    assert.deepEqual([f64.type, [...f64.data]], ['double', [Math.PI]]);
    const i8 = data.parseIdx(idx(0x09, [2], [0xff, 0x7f]));
    assert.deepEqual([i8.type, [...i8.data]], ['byte', [-1, 127]]);
  });

  it('reads gzipped files the same as plain ones', () => {
    const plain = images(3);
    assert.deepEqual(data.readIdx(file(gzipSync(plain))), data.parseIdx(plain));
  });

  it('accepts a zero-sample file', () => {
    assert.deepEqual(data.parseIdx(idx(0x08, [0, 28, 28], [])).shape, [0, 28, 28]);
  });

  it('does not alias the caller buffer', () => {
    const b = labels([1, 2]);
    const a = data.parseIdx(b);
    b[8] = 9;
    assert.deepEqual([...a.data], [1, 2]);
  });
});

describe('IDX faults (docs/reliability.md "Data files")', () => {
  it('wrong magic names the byte, its value and the file', () => {
    const b = images(1);
    b[0] = 0x01;
    const p = file(b);
    const e = throwsTyped<data.IdxFormatError>(() => data.readIdx(p), data.IdxFormatError, 'BAD_MAGIC', [p, 'byte 0', '0x01', '0x00']);
    assert.equal(e.offset, 0);
    const c = images(1);
    c[1] = 0x08;
    throwsTyped(() => data.parseIdx(c, { name: 'x.idx' }), data.IdxFormatError, 'BAD_MAGIC', ['x.idx', 'byte 1', '0x08']);
  });

  it('unknown type code names byte 2 and the accepted codes', () => {
    throwsTyped(() => data.parseIdx(idx(0x07, [1], [0]), { name: 'x.idx' }), data.IdxFormatError, 'UNKNOWN_TYPE', ['x.idx', 'byte 2', '0x07', '0x08']);
  });

  it('ndim 0 and 5 are refused', () => {
    throwsTyped(() => data.parseIdx(new Uint8Array([0, 0, 8, 0])), data.IdxFormatError, 'BAD_NDIM', ['byte 3', 'is 0', '1 to 4']);
    throwsTyped(() => data.parseIdx(idx(0x08, [1, 1, 1, 1, 1], [0])), data.IdxFormatError, 'BAD_NDIM', ['is 5']);
  });

  it('an image file one byte short or one byte long is a size mismatch with both numbers', () => {
    const good = images(2); // 16-byte header + 12 data bytes
    const p = file(good.subarray(0, good.length - 1));
    throwsTyped(() => data.readIdx(p), data.IdxFormatError, 'IDX_SIZE_MISMATCH', [p, '[2,2,3]', '12 data bytes', '28 in all', 'the file has 27']);
    const q = file(new Uint8Array([...good, 0]));
    throwsTyped(() => data.readIdx(q), data.IdxFormatError, 'IDX_SIZE_MISMATCH', [q, '28 in all', 'the file has 29']);
  });

  it('label files are checked as strictly (unlike torchvision)', () => {
    const good = labels([1, 2, 3]);
    throwsTyped(() => data.parseIdx(good.subarray(0, 10), { name: 'l.idx' }), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['l.idx', '11 in all', 'has 10']);
    throwsTyped(() => data.parseIdx(new Uint8Array([...good, 7]), { name: 'l.idx' }), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['has 12']);
  });

  it('a header cut inside the dims is a size mismatch', () => {
    throwsTyped(() => data.parseIdx(images(1).subarray(0, 9)), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['3 dims needs 16 bytes', 'has 9']);
    throwsTyped(() => data.parseIdx(new Uint8Array([0, 0])), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['2 bytes']);
  });

  it('gzipped files are checked the same way, truncated or padded', () => {
    const good = images(2);
    throwsTyped(() => data.parseIdx(gzipSync(good.subarray(0, 27))), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['gunzipped', 'the file has 27']);
    throwsTyped(() => data.parseIdx(gzipSync(new Uint8Array([...good, 0, 0]))), data.IdxFormatError, 'IDX_SIZE_MISMATCH', ['gunzipped', '28 in all']);
    const gz = gzipSync(good);
    throwsTyped(() => data.parseIdx(gz.subarray(0, gz.length - 12)), data.IdxFormatError, 'BAD_GZIP', ['truncated']);
  });

  it('huge declared dims are refused from the header, before inflating or allocating (row 20)', () => {
    const bomb = idx(0x08, [2 ** 31, 2 ** 31], [1, 2, 3]);
    throwsTyped(() => data.parseIdx(bomb), data.IdxFormatError, 'IDX_TOO_LARGE', ['[2147483648,2147483648]']);
    // A gzip whose header declares 2^48 bytes: refused although the stream itself is small.
    throwsTyped(() => data.parseIdx(gzipSync(idx(0x08, [2 ** 16, 2 ** 16, 2 ** 16], new Uint8Array(1000)))), data.IdxFormatError, 'IDX_TOO_LARGE', ['[65536,65536,65536]']);
  });

  it('the byte cap holds at cap and fails at cap + 1 (plain, gzipped and by file size)', () => {
    const b = images(2); // 28 bytes
    assert.deepEqual(data.parseIdx(b, { maxBytes: 28 }).shape, [2, 2, 3]);
    throwsTyped(() => data.parseIdx(b, { maxBytes: 27 }), data.IdxFormatError, 'IDX_TOO_LARGE', ['28 bytes', 'cap of 27']);
    assert.deepEqual(data.parseIdx(gzipSync(b), { maxBytes: 28 }).shape, [2, 2, 3]);
    throwsTyped(() => data.parseIdx(gzipSync(b), { maxBytes: 27 }), data.IdxFormatError, 'IDX_TOO_LARGE', ['cap of 27']);
    const p = file(b);
    assert.deepEqual(data.readIdx(p, { maxBytes: 28 }).shape, [2, 2, 3]);
    throwsTyped(() => data.readIdx(p, { maxBytes: 27 }), data.IdxFormatError, 'IDX_TOO_LARGE', [p, 'file has 28 bytes']);
  });

  it('a missing file is DATASET_NOT_FOUND naming the path', () => {
    const p = join(tmp.dir, 'nope.idx');
    throwsTyped(() => data.readIdx(p), data.DataError, 'DATASET_NOT_FOUND', [p]);
  });
});

describe('loadIdxPair (row 19)', () => {
  it('loads images as float32 /255 [N, H*W] and labels as int32', () => {
    const s = data.loadIdxPair(file(images(2, (i) => i * 20)), file(labels([4, 9])));
    assert.deepEqual([s.x.shape, s.x.dtype, s.y.shape, s.y.dtype], [[2, 6], 'float32', [2], 'int32']);
    assert.deepEqual([...s.x.values], Array.from({ length: 12 }, (_, i) => Math.fround((i * 20) / 255)));
    assert.deepEqual([...s.y.values], [4, 9]);
    const raw = data.loadIdxPair(file(images(1, () => 255)), file(labels([0])), { normalize: false, flatten: false });
    assert.deepEqual([raw.x.shape, raw.x.values[0]], [[1, 2, 3], 255]);
  });

  it('image/label count mismatch names both files and counts', () => {
    const ip = file(images(3));
    const lp = file(labels([1, 2]));
    throwsTyped(() => data.loadIdxPair(ip, lp), data.DataError, 'DATASET_MISMATCH', [ip, lp, '3 images', '2 labels']);
  });

  it('label 255 is out of range, with its index', () => {
    const lp = file(labels([1, 2, 255, 3]));
    throwsTyped(() => data.loadIdxPair(file(images(4)), lp), data.DataError, 'LABEL_OUT_OF_RANGE', [lp, 'index 2', 'is 255', '0 to 9']);
  });

  it('labels given as an image file are refused', () => {
    const ip = file(images(2));
    throwsTyped(() => data.loadIdxPair(ip, ip), data.DataError, 'UNEXPECTED_FORMAT', [ip, 'labels', '1 dims']);
  });

  it('fashionMnist with a folder lacking the files names the path and the Debian package', () => {
    throwsTyped(() => data.fashionMnist({ dir: tmp.dir }), data.DataError, 'DATASET_NOT_FOUND', [join(tmp.dir, 'train-images-idx3-ubyte'), 'dataset-fashion-mnist']);
  });

  it('fashionMnist reads a folder of small plain IDX files with the standard names', () => {
    const d = join(tmp.dir, 'fm');
    mkdirSync(d);
    writeFileSync(join(d, 'train-images-idx3-ubyte'), images(3));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), labels([0, 1, 2]));
    writeFileSync(join(d, 't10k-images-idx3-ubyte.gz'), gzipSync(images(1)));
    writeFileSync(join(d, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels([9])));
    const f = data.fashionMnist({ dir: d });
    assert.deepEqual([f.train.x.shape, f.test.x.shape, [...f.test.y.values]], [[3, 6], [1, 6], [9]]);
  });

  it('fashionMnist({ limit }) keeps the first N examples of each split; a bad limit is a ValueError naming the option', () => {
    const d = join(tmp.dir, 'fm-limit');
    mkdirSync(d);
    writeFileSync(join(d, 'train-images-idx3-ubyte'), images(3));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), labels([4, 1, 2]));
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), images(1));
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), labels([9]));
    const full = data.fashionMnist({ dir: d });
    const f = data.fashionMnist({ dir: d, limit: 2 });
    assert.deepEqual([f.train.x.shape, [...f.train.y.values], f.test.x.shape], [[2, 6], [4, 1], [1, 6]]);
    assert.deepEqual([...f.train.x.values], [...full.train.x.values].slice(0, 12));
    for (const bad of [0, -1, 1.5, Number.NaN]) throwsTyped(() => data.fashionMnist({ dir: d, limit: bad }), px.ValueError, 'INVALID_VALUE', ['fashionMnist', 'limit']);
  });
});

const debianFiles = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
  .every((f) => existsSync(join(data.FASHION_MNIST_DIR, f)));

describe('Fashion-MNIST from the Debian package', () => {
  it('loads 60000 + 10000 samples in under 2 s with 6000 / 1000 of each class', {
    skip: debianFiles ? false : `Debian package ${data.FASHION_MNIST_PACKAGE} not installed (${data.FASHION_MNIST_DIR})`,
  }, () => {
    // CPU time, not wall time: other processes on a shared machine must not fail this test.
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const f = data.fashionMnist();
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`fashionMnist() loaded in ${(performance.now() - t0).toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
    assert.ok(cpuMs < 2000, `loading took ${cpuMs.toFixed(0)} ms of CPU`);
    assert.deepEqual([f.train.x.shape, f.train.x.dtype, f.train.y.shape, f.train.y.dtype], [[60000, 784], 'float32', [60000], 'int32']);
    assert.deepEqual([f.test.x.shape, f.test.y.shape], [[10000, 784], [10000]]);
    const hist = (y: px.Tensor): number[] => {
      const h = new Array<number>(10).fill(0);
      for (const v of y.values) h[v]!++;
      return h;
    };
    assert.deepEqual(hist(f.train.y), new Array(10).fill(6000));
    assert.deepEqual(hist(f.test.y), new Array(10).fill(1000));
    // The published per-pixel mean of the training images is 0.2860 (std 0.3530).
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of f.train.x.values) {
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    assert.ok(Math.abs(sum / f.train.x.size - 0.286) < 5e-4, `mean ${sum / f.train.x.size}`);
    assert.deepEqual([lo, hi], [0, 1]);
    assert.equal(f.classes[9], 'Ankle boot');
  });
});
