/**
 * @file safetensors interop and round trips: files written by the reference implementation read to the
 * right values (ints/F16 converted only on request, never reinterpreted), plexus-written files are
 * bit-exact (NaN payloads included) and are read to the same bytes by an independent numpy reader.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as px from '../src/node.js';
import { io } from '../src/node.js';
import { bytesOf, failsWith, hex, makeFile } from './io-helpers.js';

// dist/test/x.js -> repo root is ../../; the fixtures are committed under test/fixtures/.
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/safetensors/', import.meta.url));
const CHECKER = fileURLToPath(new URL('../../scripts/check_safetensors.py', import.meta.url));

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, `${name}.safetensors`)));
const arr = (t: px.Tensor): number[] => Array.from(t.values);

/**
 * Expected contents, from the README: each file holds numpy's -3..2 cast to its type code, so the
 * unsigned types wrap modulo 2^bits (253, 254, 255 for U8). Written out by hand, not computed by plexus.
 */
const EXPECTED: Record<string, { dtype: io.SafeDType; plexus: px.DType; values: number[] }> = {
  B: { dtype: 'U8', plexus: 'int32', values: [253, 254, 255, 0, 1, 2] },
  H: { dtype: 'U16', plexus: 'int32', values: [65533, 65534, 65535, 0, 1, 2] },
  I: { dtype: 'U32', plexus: 'float64', values: [4294967293, 4294967294, 4294967295, 0, 1, 2] },
  b: { dtype: 'I8', plexus: 'int32', values: [-3, -2, -1, 0, 1, 2] },
  h: { dtype: 'I16', plexus: 'int32', values: [-3, -2, -1, 0, 1, 2] },
  i: { dtype: 'I32', plexus: 'int32', values: [-3, -2, -1, 0, 1, 2] },
  e: { dtype: 'F16', plexus: 'float32', values: [-3, -2, -1, 0, 1, 2] },
  f: { dtype: 'F32', plexus: 'float32', values: [-3, -2, -1, 0, 1, 2] },
  d: { dtype: 'F64', plexus: 'float64', values: [-3, -2, -1, 0, 1, 2] },
};
const NATIVE = new Set(['f', 'd', 'i']);

describe('files written by the reference implementation', () => {
  if (!existsSync(FIXTURES)) {
    it('fixtures are absent', (t) => t.skip(`no fixtures at ${FIXTURES}; the interop checks did not run`));
    return;
  }

  for (const [name, exp] of Object.entries(EXPECTED)) {
    it(`${name}.safetensors (${exp.dtype}) reads to ${exp.values.join(', ')}`, () => {
      const file = io.parseSafetensors(fixture(name));
      assert.deepEqual([...file.metadata], [['test', 'a']]);
      assert.deepEqual([...file.tensors.keys()], [name]);
      const entry = file.tensors.get(name)!;
      assert.equal(entry.dtype, exp.dtype);
      assert.deepEqual(entry.shape, [6]);
      if (NATIVE.has(name)) {
        const t = io.toTensor(entry);
        assert.equal(t.dtype, exp.plexus);
        assert.deepEqual(arr(t), exp.values);
      } else {
        // Not a plexus dtype: refused by default, naming tensor, file dtype and what plexus holds.
        failsWith(() => io.toTensor(entry), 'DTYPE_MISMATCH', [`"${name}"`, exp.dtype, 'F32', 'convert']);
        const t = io.toTensor(entry, { convert: true });
        assert.equal(t.dtype, exp.plexus);
        assert.deepEqual(arr(t), exp.values);
      }
    });
  }

  it('overall.safetensors holds all nine tensors with metadata {test: "a"}', () => {
    const { tensors, metadata } = io.decodeSafetensors(fixture('overall'), { convert: true });
    assert.deepEqual(Object.fromEntries(metadata), { test: 'a' });
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(EXPECTED).sort());
    for (const [name, exp] of Object.entries(EXPECTED)) {
      const t = tensors.get(name)!;
      assert.equal(t.dtype, exp.plexus, name);
      assert.deepEqual(arr(t), exp.values, name);
    }
  });

  it('overall.safetensors without convert is refused before any tensor is made', () => {
    failsWith(() => io.decodeSafetensors(fixture('overall')), 'DTYPE_MISMATCH', ['U8']);
  });

  it('an explicit dtype converts exactly or names the value that does not fit', () => {
    const file = io.parseSafetensors(fixture('overall'));
    assert.deepEqual(arr(io.toTensor(file.tensors.get('b')!, { convert: true, dtype: 'float32' })), [-3, -2, -1, 0, 1, 2]);
    assert.deepEqual(arr(io.toTensor(file.tensors.get('e')!, { convert: true, dtype: 'int32' })), [-3, -2, -1, 0, 1, 2]);
    // U32 4294967293 is not an int32: an error naming tensor, element and value, never a wrapped -3.
    failsWith(() => io.toTensor(file.tensors.get('I')!, { convert: true, dtype: 'int32' }), 'INEXACT_CONVERSION', ['"I"', 'element 0', '4294967293', 'int32']);
    // F64 where float32 is expected: refused without convert (docs/reliability.md "Model files").
    failsWith(() => io.toTensor(file.tensors.get('d')!, { dtype: 'float32' }), 'DTYPE_MISMATCH', ['"d"', 'expected F32', 'got F64']);
  });
});

/** A float32 tensor whose element 1 is the signalling NaN 0x7fa00001, written as bits. */
function nanPayloadF32(): px.Tensor {
  const t = px.tensor([1.5, 0, -0, Infinity], { dtype: 'float32' });
  new Uint32Array(t.values.buffer, t.values.byteOffset, 4)[1] = 0x7fa00001;
  return t;
}

function nanPayloadF64(): px.Tensor {
  const t = px.tensor([0, -Infinity, 2 ** -1074], { dtype: 'float64' });
  new DataView(t.values.buffer, t.values.byteOffset).setBigUint64(0, 0x7ff4000000000001n, true);
  return t;
}

/** A mixed set: every plexus dtype, rank 0, zero-size, NaN payloads, hostile and non-ASCII names. */
function sample(): Map<string, px.Tensor> {
  return new Map<string, px.Tensor>([
    ['w.f32', nanPayloadF32()],
    ['w.f64', nanPayloadF64()],
    ['idx', px.tensor([[-2147483648, 2147483647], [0, 7]], { dtype: 'int32' })],
    ['mask', px.tensor([true, false, true])],
    ['scalar', px.scalar(3.25, { dtype: 'float64' })],
    ['empty', px.zeros([0, 3])],
    ['__proto__', px.tensor([1, 2], { dtype: 'float32' })],
    ['constructor', px.tensor([3], { dtype: 'int32' })],
    ['名前 ☃', px.tensor([0.1], { dtype: 'float32' })],
  ]);
}

describe('round trip', () => {
  it('is bit-exact for every dtype, including NaN payloads, -0, Inf and subnormals', () => {
    const src = sample();
    const bytes = io.serializeSafetensors(src, { note: 'hi' });
    const { tensors, metadata } = io.decodeSafetensors(bytes);
    assert.equal(metadata.get('note'), 'hi');
    assert.equal(metadata.get(io.VERSION_KEY), '1');
    assert.match(metadata.get(io.CHECKSUM_KEY)!, /^[0-9a-f]{64}$/);
    assert.deepEqual([...tensors.keys()].sort(), [...src.keys()].sort());
    for (const [name, t] of src) {
      const back = tensors.get(name)!;
      assert.equal(back.dtype, t.dtype, name);
      assert.deepEqual(back.shape, t.shape, name);
      assert.equal(hex(bytesOf(back)), hex(bytesOf(t)), name);
    }
    const bits = new Uint32Array(tensors.get('w.f32')!.values.buffer, tensors.get('w.f32')!.values.byteOffset, 4);
    assert.equal(bits[1], 0x7fa00001, 'signalling NaN payload changed');
    assert.equal(bits[2], 0x80000000, '-0 lost its sign');
    // Serializing what was read gives the same file: nothing drifts over repeated saves.
    assert.equal(hex(io.serializeSafetensors(tensors, { note: 'hi' })), hex(bytes));
  });

  it('pads the header to 8 bytes and aligns every tensor to its element size', () => {
    const bytes = io.serializeSafetensors(sample());
    const file = io.parseSafetensors(bytes);
    assert.equal((8 + file.headerLength) % 8, 0);
    for (const e of file.tensors.values()) {
      const size = e.dtype === 'F64' ? 8 : e.dtype === 'BOOL' ? 1 : 4;
      assert.equal((8 + file.headerLength + e.dataOffsets[0]) % size, 0, e.name);
    }
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + file.headerLength)).trimEnd();
    // Keys sorted by name in the header (code-unit order), metadata first.
    const keys = [...header.matchAll(/"((?:[^"\\]|\\.)*)":\{"dtype"/g)].map((m) => JSON.parse(`"${m[1]!}"`) as string);
    assert.equal(keys.length, 9);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('hostile names load as ordinary names and Object.prototype is untouched', () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    // JSON.parse makes "__proto__" an own key (an object literal would set the prototype instead).
    const meta = JSON.parse('{"__proto__": "m", "toString": "x"}') as Record<string, string>;
    const bytes = io.serializeSafetensors(sample(), meta);
    const { tensors, metadata } = io.decodeSafetensors(bytes);
    assert.deepEqual(arr(tensors.get('__proto__')!), [1, 2]);
    assert.deepEqual(arr(tensors.get('constructor')!), [3]);
    assert.equal(metadata.get('toString'), 'x');
    assert.equal(metadata.get('__proto__'), 'm');
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('writes without a checksum when asked, and the file is still a valid container', () => {
    const bytes = io.serializeSafetensors([['a', px.tensor([1, 2])]], undefined, { checksum: false });
    const file = io.parseSafetensors(bytes);
    assert.equal(file.metadata.size, 0);
    assert.deepEqual(arr(io.toTensor(file.tensors.get('a')!)), [1, 2]);
  });

  it('rejects bad writer input with typed errors', () => {
    const t = px.tensor([1]);
    assert.throws(() => io.serializeSafetensors([['a', t], ['a', t]]), { code: 'DUPLICATE_KEY' });
    assert.throws(() => io.serializeSafetensors([['__metadata__', t]]), { code: 'RESERVED_KEY' });
    assert.throws(() => io.serializeSafetensors([['a', t]], { [io.CHECKSUM_KEY]: 'x' }), { code: 'RESERVED_KEY' });
    assert.throws(() => io.serializeSafetensors([['a', t]], { k: 1 as unknown as string }), px.ValueError);
    assert.throws(() => io.serializeSafetensors([['a', [1] as unknown as px.Tensor]]), px.ValueError);
  });

  it('saves to disk atomically and loads back with the path in errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plexus-io-'));
    try {
      const file = path.join(dir, 'w.safetensors');
      await io.saveSafetensors(file, sample(), { run: '1' });
      const { tensors } = await io.loadSafetensors(file);
      assert.equal(hex(bytesOf(tensors.get('w.f32')!)), hex(bytesOf(nanPayloadF32())));
      writeFileSync(file, new Uint8Array(3));
      await assert.rejects(io.loadSafetensors(file), (e: io.ModelFormatError) => e.code === 'HEADER_TOO_SMALL' && e.message.includes(file));
      await assert.rejects(io.readSafetensorsFile(path.join(dir, 'nope')), (e: io.ModelFormatError) => e.code === 'READ_FAILED' && e.message.includes('ENOENT'));
      // A sparse 3 GiB file declaring a 2^40-byte header: refused from its first 8 bytes. Reading the
      // body first would fail differently (Node cannot read a file over 2 GiB into one buffer).
      const big = path.join(dir, 'big.safetensors');
      const h = await open(big, 'w');
      const prefix = new Uint8Array(8);
      new DataView(prefix.buffer).setBigUint64(0, 2n ** 40n, true);
      await h.write(prefix, 0, 8, 0);
      await h.truncate(3 * 2 ** 30);
      await h.close();
      await assert.rejects(io.loadSafetensors(big), (e: io.ModelFormatError) => e.code === 'HEADER_TOO_LARGE' && e.message.includes(big));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** True when /usr/bin/python3 imports numpy (the independent reader needs nothing else). */
function havePythonNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe('independent reader (scripts/check_safetensors.py, numpy only)', () => {
  if (!havePythonNumpy()) {
    it('python3 with numpy is absent', (t) => t.skip('no /usr/bin/python3 with numpy; the independent reader check did not run'));
    return;
  }
  interface Report {
    metadata: Record<string, string>;
    checksum: string;
    tensors: Record<string, { dtype: string; shape: number[]; hex: string; values: unknown[] }>;
  }
  const check = (bytes: Uint8Array): Report => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plexus-py-'));
    try {
      const file = path.join(dir, 'x.safetensors');
      writeFileSync(file, bytes);
      return JSON.parse(execFileSync('/usr/bin/python3', [CHECKER, file], { encoding: 'utf8', timeout: 60_000 })) as Report;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reads a plexus-written file to the same bytes, shapes, dtypes and metadata, and verifies its checksum', () => {
    const src = sample();
    const report = check(io.serializeSafetensors(src, { note: 'hi' }));
    assert.equal(report.checksum, 'ok');
    assert.equal(report.metadata.note, 'hi');
    assert.deepEqual(Object.keys(report.tensors).sort(), [...src.keys()].sort());
    const fileDType: Record<px.DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
    for (const [name, t] of src) {
      const r = report.tensors[name]!;
      assert.equal(r.dtype, fileDType[t.dtype], name);
      assert.deepEqual(r.shape, t.shape, name);
      assert.equal(r.hex, hex(bytesOf(t)), name);
    }
    assert.deepEqual(report.tensors.idx!.values, [-2147483648, 2147483647, 0, 7]);
    assert.deepEqual(report.tensors.mask!.values, [true, false, true]);
  });

  it('catches a flipped data bit through the checksum (so the script can fail)', () => {
    const bytes = io.serializeSafetensors([['a', px.tensor([1, 2, 3])]]);
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(() => check(bytes), /does not match/);
  });
});

describe('tensor specs (docs/reliability.md "Model files", checked on the file before anything is allocated)', () => {
  it('lists every missing, unexpected, mis-shaped and mistyped tensor at once', () => {
    const bytes = io.serializeSafetensors([
      ['fc1.weight', px.zeros([64, 784])], ['fc1.bias', px.zeros([64], { dtype: 'float64' })], ['extra', px.zeros([1])],
    ]);
    const file = io.parseSafetensors(bytes);
    const want = new Map<string, io.TensorSpec>([
      ['fc1.weight', { shape: [128, 784], dtype: 'float32' }],
      ['fc1.bias', { shape: [64], dtype: 'float32' }],
      ['fc2.weight', { shape: [10, 128] }],
    ]);
    failsWith(() => io.checkTensorSpecs(file, want), 'STATE_MISMATCH',
      ['missing 1: "fc2.weight"', 'unexpected 1: "extra"', '"fc1.weight" has shape [64,784] in the file, expected [128,784]', '"fc1.bias" is F64 in the file, expected F32']);
    // Not strict: unexpected tensors are allowed, the rest still reported.
    const e = failsWith(() => io.checkTensorSpecs(file, want, { strict: false }), 'STATE_MISMATCH', ['fc2.weight']);
    assert.ok(!e.message.includes('extra'));
    io.checkTensorSpecs(file, new Map([['fc1.weight', { shape: [64, 784] }], ['fc1.bias', { shape: [64] }], ['extra', { shape: [1] }]]));
  });
});

describe('conversions are exact or refused', () => {
  const one = (dtype: string, data: number[], shape = [data.length / sizeOf(dtype)]): io.SafetensorsEntry =>
    io.parseSafetensors(makeFile({ t: { dtype, shape, data_offsets: [0, data.length] } }, data)).tensors.get('t')!;
  function sizeOf(d: string): number {
    return d.endsWith('64') ? 8 : d.endsWith('32') ? 4 : d.endsWith('16') ? 2 : 1;
  }
  const le64 = (v: bigint): number[] => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return [...b];
  };

  it('F16 and BF16 decode by value (subnormal, -0, Inf, NaN), not by reinterpreting bits', () => {
    // F16: 1 (0x3c00), smallest subnormal 2^-24 (0x0001), -0 (0x8000), -Inf (0xfc00), 65504 (0x7bff)
    const h = io.toTensor(one('F16', [0x00, 0x3c, 0x01, 0x00, 0x00, 0x80, 0x00, 0xfc, 0xff, 0x7b]), { convert: true });
    assert.deepEqual(arr(h), [1, 2 ** -24, -0, -Infinity, 65504]);
    assert.ok(Object.is(arr(h)[2], -0));
    // BF16: 1 (0x3f80), -2 (0xc000), a NaN payload 0x7fc1 stays a NaN with its payload bits.
    const b = io.toTensor(one('BF16', [0x80, 0x3f, 0x00, 0xc0, 0xc1, 0x7f]), { convert: true });
    assert.deepEqual(arr(b).slice(0, 2), [1, -2]);
    assert.equal(new Uint32Array(b.values.buffer, b.values.byteOffset, 3)[2], 0x7fc10000);
  });

  it('I64 reads as int32 (float64 when asked, up to 2^53); U64 converts to float64; both refuse what does not fit', () => {
    const ok = io.toTensor(one('I64', [...le64(2n ** 53n), ...le64(-5n)]), { convert: true, dtype: 'float64' });
    assert.equal(ok.dtype, 'float64');
    assert.deepEqual(arr(ok), [2 ** 53, -5]);
    failsWith(() => io.toTensor(one('I64', [...le64(0n), ...le64(2n ** 53n + 1n)]), { convert: true, dtype: 'float64' }), 'INEXACT_CONVERSION', ['element 1', '9007199254740993']);
    failsWith(() => io.toTensor(one('I64', [...le64(0n), ...le64(2n ** 53n + 1n)]), { convert: true }), 'INEXACT_CONVERSION', ['element 1', '9007199254740993', 'int32']);
    failsWith(() => io.toTensor(one('U64', le64(2n ** 64n - 1n)), { convert: true }), 'INEXACT_CONVERSION', ['18446744073709551615']);
    assert.deepEqual(arr(io.toTensor(one('I64', [...le64(-7n), ...le64(3n)]), { convert: true, dtype: 'int32' })), [-7, 3]);
    failsWith(() => io.toTensor(one('I64', le64(2n ** 31n)), { convert: true, dtype: 'int32' }), 'INEXACT_CONVERSION', ['2147483648']);
  });

  it('refuses lossy float conversions and BOOL bytes other than 0/1', () => {
    const f64 = new Uint8Array(new Float64Array([0.5, 0.1]).buffer);
    failsWith(() => io.toTensor(one('F64', [...f64]), { convert: true, dtype: 'float32' }), 'INEXACT_CONVERSION', ['element 1', '0.1', 'float32']);
    failsWith(() => io.toTensor(one('F64', [...f64]), { convert: true, dtype: 'int32' }), 'INEXACT_CONVERSION', ['element 0', '0.5']);
    failsWith(() => io.toTensor(one('BOOL', [1, 0, 2])), 'INVALID_VALUE', ['element 2']);
    assert.deepEqual(arr(io.toTensor(one('BOOL', [1, 0, 1]))), [1, 0, 1]);
  });

  it('a failed conversion in decodeSafetensors frees the tensors already made', () => {
    const bytes = makeFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, z: { dtype: 'I64', shape: [1], data_offsets: [4, 12] } },
      [0, 0, 128, 63, ...le64(2n ** 60n)]);
    failsWith(() => io.decodeSafetensors(bytes, { convert: true }), 'INEXACT_CONVERSION', ['"z"']);
  });
});
