/**
 * @file Hostile and broken safetensors files (docs/reliability.md "Model files", "Checksums"): each gives a
 * ModelFormatError with a stable code and a message naming the tensor / values / byte offset, before
 * any tensor is allocated (failsWith checks memory()), without touching Object.prototype.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io } from '../src/index.js';
import { failsWith, makeFile, u8, withLength } from './io-helpers.js';

const parse = (b: Uint8Array, o?: io.ParseOptions): io.SafetensorsFile => io.parseSafetensors(b, o);
const decode = (b: Uint8Array, o?: io.ParseOptions & io.ConvertOptions): unknown => io.decodeSafetensors(b, o);

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  // No case may poison prototypes (docs/reliability.md "Bad input: what every call promises": no global side effects).
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_KEYS);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

/** A small valid file: two tensors, metadata, checksum. */
const valid = (): Uint8Array => io.serializeSafetensors([['a', px.tensor([1, 2, 3])], ['b', px.tensor([7], { dtype: 'int32' })]], { k: 'v' });

describe('row 1: header length over the cap', () => {
  it('2^53+1 is compared as a BigInt, not rounded to 2^53', () => {
    failsWith(() => parse(withLength(2n ** 53n + 1n)), 'HEADER_TOO_LARGE', ['9007199254740993', '100000000']);
  });
  it('0xFFFFFFFFFFFFFFFF', () => {
    failsWith(() => parse(withLength(0xffffffffffffffffn)), 'HEADER_TOO_LARGE', ['18446744073709551615']);
  });
  it('cap+1 is too large; exactly the cap passes the cap check (and then fails the size check)', () => {
    failsWith(() => parse(withLength(100_000_001n)), 'HEADER_TOO_LARGE', ['100000001']);
    failsWith(() => parse(withLength(100_000_000n)), 'INVALID_HEADER_LENGTH', ['100000000']);
  });
  it('a custom cap: a header of exactly maxHeader bytes loads, one byte less of cap does not', () => {
    const b = valid();
    const n = parse(b).headerLength;
    assert.equal(parse(b, { maxHeader: n }).tensors.size, 2);
    failsWith(() => parse(b, { maxHeader: n - 1 }), 'HEADER_TOO_LARGE', [String(n), String(n - 1)]);
  });
});

describe('row 2: too short, empty, header longer than the file', () => {
  it('empty and 7-byte files', () => {
    failsWith(() => decode(new Uint8Array(0)), 'HEADER_TOO_SMALL', ['0 bytes']);
    failsWith(() => decode(new Uint8Array(7)), 'HEADER_TOO_SMALL', ['7 bytes']);
  });
  it('declares 4096 header bytes in a 100-byte file', () => {
    failsWith(() => decode(withLength(4096n, 92)), 'INVALID_HEADER_LENGTH', ['declares 4096 header bytes', 'file has 92']);
  });
});

describe('row 3: every truncation of a valid file fails with a named error', () => {
  for (const [label, file] of [['with checksum', valid()], ['without checksum', io.serializeSafetensors([['x', px.tensor([1, 2])]], undefined, { checksum: false })]] as const) {
    it(label, () => {
      const seen = new Set<string>();
      for (let len = 0; len < file.length; len++) {
        const e = failsWith(() => decode(file.slice(0, len)), codeFor(len, file));
        seen.add(e.code);
      }
      assert.deepEqual([...seen].sort(), ['HEADER_TOO_SMALL', 'INCOMPLETE_BUFFER', 'INVALID_HEADER_LENGTH']);
      assert.equal((io.decodeSafetensors(file).tensors.size > 0), true);
    });
  }
  function codeFor(len: number, file: Uint8Array): string {
    const headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
    return len < 8 ? 'HEADER_TOO_SMALL' : len < headerEnd ? 'INVALID_HEADER_LENGTH' : 'INCOMPLETE_BUFFER';
  }
});

describe('row 4: header not UTF-8, not JSON, not an object, too deep', () => {
  it('invalid UTF-8 inside a key, with the byte offset', () => {
    const b = makeFile('{"aX":{}}');
    b[8 + 3] = 0xff; // the 'X': a lone 0xff is never valid UTF-8; the string's bytes start at file byte 10
    failsWith(() => parse(b), 'INVALID_HEADER', ['UTF-8', 'byte 10']);
  });
  it('not JSON, with the offset of the first bad byte', () => {
    failsWith(() => parse(makeFile('{"a": 1 x}')), 'INVALID_HEADER', ["expected ',' or '}'", 'byte 16']);
    failsWith(() => parse(makeFile('hello')), 'INVALID_HEADER', ["'h'", 'byte 8']);
    failsWith(() => parse(makeFile('{} x')), 'INVALID_HEADER', ['after the JSON value', 'byte 11']);
    failsWith(() => parse(makeFile('{"a":1e309')), 'INVALID_HEADER', ['end of header']);
    failsWith(() => parse(makeFile('')), 'INVALID_HEADER', ['end of header']);
  });
  it('JSON that is not an object', () => {
    for (const h of ['[1]', '"x"', 'null', '42', 'true']) failsWith(() => parse(makeFile(h)), 'INVALID_HEADER', ['must be a JSON object']);
  });
  it('never reads past the header into the data, even when the data looks like JSON', () => {
    // The header lacks its closing brace; the first data byte is '}'.
    failsWith(() => parse(makeFile('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}', [0x7d])), 'INVALID_HEADER', ['end of header']);
  });
  it('20k-deep nesting is refused by the depth cap, without a stack overflow', () => {
    failsWith(() => parse(makeFile('['.repeat(20_000))), 'INVALID_HEADER', ['nesting deeper than 64']);
    failsWith(() => parse(makeFile(`{"a":${'['.repeat(20_000)}`)), 'INVALID_HEADER', ['nesting deeper than 64']);
  });
  it('depth 64 parses (then fails on meaning); depth 65 is refused by the cap', () => {
    // top object = 1, tensor object = 2, shape array = 3, so k extra arrays reach depth 3 + k.
    const nested = (k: number): string => `{"t":{"dtype":"U8","shape":${'['.repeat(k + 1)}${']'.repeat(k + 1)},"data_offsets":[0,0]}}`;
    failsWith(() => parse(makeFile(nested(61))), 'INVALID_SHAPE', ['"t"']);
    failsWith(() => parse(makeFile(nested(62))), 'INVALID_HEADER', ['nesting deeper than 64']);
  });
  it('metadata must be an object of strings', () => {
    failsWith(() => parse(makeFile({ __metadata__: { n: 1 } })), 'INVALID_HEADER', ['"n"', 'must be a string', '1']);
    failsWith(() => parse(makeFile({ __metadata__: [] })), 'INVALID_HEADER', ['__metadata__']);
  });
  it('tensor entries must be objects with exactly dtype, shape and data_offsets', () => {
    failsWith(() => parse(makeFile({ t: 3 })), 'INVALID_HEADER', ['"t"', 'expected an object']);
    failsWith(() => parse(makeFile({ t: { dtype: 'U8', shape: [] } })), 'INVALID_HEADER', ['"t"', 'data_offsets']);
    failsWith(() => parse(makeFile({ t: { ...u8(0, 0), code: 'x' } })), 'INVALID_HEADER', ['"t"', 'unknown field "code"']);
  });
});

describe('row 5: unknown or hostile dtype', () => {
  for (const dt of ['F128', '__proto__', 'constructor', 'toString', 42, null, 'f32', 'F8_E4M3']) {
    it(JSON.stringify(dt), () => {
      failsWith(() => parse(makeFile({ 'fc1.weight': { dtype: dt, shape: [0], data_offsets: [0, 0] } })), 'UNSUPPORTED_DTYPE',
        ['"fc1.weight"', typeof dt === 'string' ? `"${dt}"` : String(dt), 'F32']);
    });
  }
});

describe('row 6: a valid dtype that is not what is expected', () => {
  const f16 = makeFile({ 'fc1.weight': { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, [0x00, 0x3c]);
  it('default: DTYPE_MISMATCH naming the tensor, expected and found dtypes', () => {
    const e = parse(f16).tensors.get('fc1.weight')!;
    failsWith(() => io.toTensor(e, { dtype: 'float32' }), 'DTYPE_MISMATCH', ['fc1.weight', 'expected F32', 'got F16']);
    failsWith(() => decode(f16), 'DTYPE_MISMATCH', ['fc1.weight', 'F16']);
  });
  it('with convert: the value (1.0), not the bits reinterpreted', () => {
    const e = parse(f16).tensors.get('fc1.weight')!;
    assert.deepEqual(Array.from(io.toTensor(e, { dtype: 'float32', convert: true }).values), [1]);
  });
  it('I32 weights where float is expected', () => {
    const e = parse(makeFile({ w: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, [1, 0, 0, 0])).tensors.get('w')!;
    failsWith(() => io.toTensor(e, { dtype: 'float32' }), 'DTYPE_MISMATCH', ['"w"', 'expected F32', 'got I32']);
  });
});

describe('row 7: offsets', () => {
  const data = [1, 2, 3, 4, 5, 6, 7, 8];
  it('end before begin', () => {
    failsWith(() => parse(makeFile({ a: u8(4, 2, [0]) }, data)), 'INVALID_OFFSET', ['"a"', '[4, 2]', 'end before']);
  });
  it('overlapping tensors', () => {
    failsWith(() => parse(makeFile({ a: u8(0, 6), b: u8(4, 8) }, data)), 'INVALID_OFFSET', ['"b"', 'overlap', '"a"']);
    failsWith(() => parse(makeFile({ a: u8(0, 8), b: u8(0, 8) }, data)), 'INVALID_OFFSET', ['overlap']);
  });
  it('a gap (hole) between tensors', () => {
    failsWith(() => parse(makeFile({ a: u8(0, 2), b: u8(4, 8) }, data)), 'INVALID_OFFSET', ['"b"', 'gap', '2..4']);
    failsWith(() => parse(makeFile({ a: u8(2, 8) }, data)), 'INVALID_OFFSET', ['"a"', 'gap', '0..2']);
  });
  it('out of the file', () => {
    failsWith(() => parse(makeFile({ a: u8(0, 8), b: u8(8, 12) }, data)), 'INCOMPLETE_BUFFER', ['need 12', 'has 8']);
    failsWith(() => parse(makeFile({ a: u8(0, 2 ** 60, [2 ** 60]) }, data)), 'SHAPE_OVERFLOW', ['"a"']);
  });
  it('trailing bytes after the last tensor (polyglot)', () => {
    failsWith(() => parse(makeFile({ a: u8(0, 6) }, data)), 'INCOMPLETE_BUFFER', ['2 trailing bytes']);
    failsWith(() => parse(makeFile({}, data)), 'INCOMPLETE_BUFFER', ['8 trailing bytes']);
  });
  it('malformed offsets: negative, fractional, strings, huge, wrong arity', () => {
    for (const off of ['[-1,0]', '[0.5,1]', '["0","8"]', '[0]', '[0,8,9]', '"x"', '[0,8e0]', '[0,-0.0]', '{}']) {
      failsWith(() => parse(makeFile(`{"a":{"dtype":"U8","shape":[8],"data_offsets":${off}}}`, data)), 'INVALID_OFFSET', ['"a"', 'data_offsets']);
    }
    const huge = '{"a":{"dtype":"U8","shape":[0],"data_offsets":[18446744073709551616,18446744073709551616]}}';
    failsWith(() => parse(makeFile(huge, data)), 'INVALID_OFFSET', ['"a"', 'gap']);
  });
});

describe('row 8: shape x dtype size differs from the byte span', () => {
  it('names shape, element size, bytes and span', () => {
    const h = { 'fc1.weight': { dtype: 'F32', shape: [128, 784], data_offsets: [0, 401404] } };
    failsWith(() => parse(makeFile(h, new Uint8Array(401404))), 'TENSOR_INFO_MISMATCH', ['fc1.weight', '[128,784]×4', '401408 bytes', 'span 401404']);
  });
});

describe('row 9: bad shape entries', () => {
  for (const s of ['[-1]', '[1.5]', '["3"]', '[1e2]', '[null]', '"3"', '{}', '[[2]]']) {
    it(s, () => {
      failsWith(() => parse(makeFile(`{"t":{"dtype":"U8","shape":${s},"data_offsets":[0,0]}}`)), 'INVALID_SHAPE', ['"t"']);
    });
  }
  it('NaN is not JSON', () => {
    failsWith(() => parse(makeFile('{"t":{"dtype":"U8","shape":[NaN],"data_offsets":[0,0]}}')), 'INVALID_HEADER', ["'N'"]);
  });
  it('[2, 9223372036854775807] and products past 2^53 overflow, checked with exact integers', () => {
    failsWith(() => parse(makeFile('{"t":{"dtype":"F32","shape":[2,9223372036854775807],"data_offsets":[0,0]}}')), 'SHAPE_OVERFLOW', ['"t"', '9223372036854775807']);
    failsWith(() => parse(makeFile('{"t":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}')), 'SHAPE_OVERFLOW', ['"t"']);
    // 2^53 - 1 elements is the largest allowed product: it then fails only on the span.
    failsWith(() => parse(makeFile(`{"t":{"dtype":"U8","shape":[${2 ** 53 - 1}],"data_offsets":[0,0]}}`)), 'TENSOR_INFO_MISMATCH', ['"t"']);
    // A zero anywhere makes the product 0, whatever the other entries are (below the cap each).
    assert.equal(parse(makeFile(`{"t":{"dtype":"U8","shape":[0,${2 ** 53 - 1}],"data_offsets":[0,0]}}`)).tensors.get('t')!.shape[0], 0);
  });
});

describe('row 10: duplicate keys', () => {
  it('duplicate tensor names', () => {
    const h = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}';
    failsWith(() => parse(makeFile(h, [1, 2])), 'DUPLICATE_KEY', ['"w"', `byte ${8 + h.lastIndexOf('"w"')}`]);
  });
  it('duplicate metadata keys and duplicate fields', () => {
    failsWith(() => parse(makeFile('{"__metadata__":{"a":"1","a":"2"}}')), 'DUPLICATE_KEY', ['"a"']);
    failsWith(() => parse(makeFile('{"__metadata__":{}, "__metadata__":{}}')), 'DUPLICATE_KEY', ['"__metadata__"']);
    failsWith(() => parse(makeFile('{"t":{"dtype":"U8","dtype":"F32","shape":[0],"data_offsets":[0,0]}}')), 'DUPLICATE_KEY', ['"dtype"']);
  });
  it('a key equal after unescaping is a duplicate too', () => {
    failsWith(() => parse(makeFile('{"__metadata__":{"a":"1","\\u0061":"2"}}')), 'DUPLICATE_KEY', ['"a"']);
  });
});

describe('row 12: hostile names', () => {
  it('__proto__, constructor, prototype, toString are ordinary tensor and metadata names', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
    const header = `{"__metadata__":{"__proto__":"{\\"polluted\\":1}","constructor":"c"},${names.map((n, i) => `"${n}":{"dtype":"U8","shape":[1],"data_offsets":[${i},${i + 1}]}`).join(',')}}`;
    const { tensors, metadata } = io.decodeSafetensors(makeFile(header, [0, 1, 2, 3, 4]), { convert: true });
    assert.deepEqual([...tensors.keys()], names);
    names.forEach((n, i) => assert.deepEqual(Array.from(tensors.get(n)!.values), [i]));
    assert.equal(metadata.get('__proto__'), '{"polluted":1}');
    assert.equal(metadata.get('constructor'), 'c');
    assert.equal(Object.getPrototypeOf(tensors), Map.prototype);
  });
  it('a __proto__ object as tensor info is still only data', () => {
    failsWith(() => parse(makeFile('{"__proto__":{"polluted":1}}')), 'INVALID_HEADER', ['"__proto__"', 'unknown field "polluted"']);
  });
});

describe('row 14: header bloat', () => {
  it('100k tiny tensors stop at the tensor cap, quickly', () => {
    const parts: string[] = [];
    for (let i = 0; i < 100_000; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
    const file = makeFile(`{${parts.join(',')}}`);
    // CPU time of this process, not the wall clock: other processes on a busy machine do not add to it.
    const t0 = process.cpuUsage();
    failsWith(() => decode(file), 'TOO_MANY_TENSORS', ['65536']);
    const cpu = process.cpuUsage(t0);
    const ms = (cpu.user + cpu.system) / 1000;
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms of CPU`);
  });
  it('cap exactly loads; cap + 1 does not (metadata does not count)', () => {
    const file = (n: number): Uint8Array => makeFile(`{"__metadata__":{},${Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`).join(',')}}`);
    assert.equal(parse(file(10), { maxTensors: 10 }).tensors.size, 10);
    failsWith(() => parse(file(11), { maxTensors: 10 }), 'TOO_MANY_TENSORS', ['more than 10']);
  });
});

describe('row 16: bit flips and future versions', () => {
  it('every single-bit flip of a checksummed file is detected', () => {
    const file = valid();
    const codes = new Map<string, number>();
    for (let i = 0; i < file.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = file.slice();
        b[i]! ^= 1 << bit;
        let code = 'none';
        try {
          io.decodeSafetensors(b, { requireChecksum: true });
        } catch (e) {
          assert.ok(e instanceof io.ModelFormatError, `byte ${i} bit ${bit}: ${String(e)}`);
          code = e.code;
        }
        assert.notEqual(code, 'none', `flip of byte ${i} bit ${bit} went unnoticed`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    assert.ok((codes.get('CHECKSUM_MISMATCH') ?? 0) > 0);
  });
  it('a data flip is CHECKSUM_MISMATCH; without verification it loads (so the checksum is what catches it)', () => {
    const b = valid();
    b[b.length - 1]! ^= 0x40;
    failsWith(() => decode(b), 'CHECKSUM_MISMATCH', ['sha256', 'corrupt']);
    assert.equal(io.decodeSafetensors(b, { verifyChecksum: false }).tensors.size, 2);
  });
  it('requireChecksum refuses files without one', () => {
    const b = io.serializeSafetensors([['a', px.tensor([1])]], undefined, { checksum: false });
    failsWith(() => decode(b, { requireChecksum: true }), 'CHECKSUM_MISSING', [io.CHECKSUM_KEY]);
  });
  it('format version 99 is UNSUPPORTED_VERSION 99 (max 1); version 1 loads', () => {
    failsWith(() => parse(makeFile({ __metadata__: { [io.VERSION_KEY]: '99' } })), 'UNSUPPORTED_VERSION', ['99 (max 1)']);
    failsWith(() => parse(makeFile({ __metadata__: { [io.VERSION_KEY]: 'x' } })), 'UNSUPPORTED_VERSION', ['x (max 1)']);
    assert.equal(parse(makeFile({ __metadata__: { [io.VERSION_KEY]: '1' } })).metadata.size, 1);
  });
});
