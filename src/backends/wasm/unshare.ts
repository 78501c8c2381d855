/**
 * @file The non-shared-memory kernel module, derived from the shared one instead of shipped: the
 * two builds (scripts/build-wasm.mjs, with and without `--sharedMemory`) differ only in the memory
 * import's limits — `shared, min 1, max 65536` vs `min 1` — so rewriting that one import gives the
 * plain module byte for byte (test/wasm-unshare.test.ts checks it against the SHA-256 of the
 * compiled plain build that the generator records). Shipping two builds instead of four halves the
 * base64 the browser bundle carries.
 * Binary format: https://webassembly.github.io/spec/core/binary/modules.html (import section, id 2;
 * limits 0x00 min | 0x01 min max | 0x03 min max for shared).
 */

/** Unsigned LEB128 at `pos`: the value and the position after it. */
function readU32(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[pos++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, pos];
    shift += 7;
    if (shift > 35 || pos >= b.length) throw new Error('wasm module: malformed LEB128');
  }
}

function writeU32(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Skips a limits field; returns the position after it. */
function skipLimits(b: Uint8Array, pos: number): number {
  const flag = b[pos++]!;
  pos = readU32(b, pos)[1];
  return flag & 1 ? readU32(b, pos)[1] : pos;
}

/**
 * `bytes` (a module importing a shared memory) with that import turned into a plain memory of the
 * same minimum and no maximum. Throws when the module has no shared memory import.
 */
export function unsharedMemoryImport(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  let pos = 8; // magic + version
  while (pos < bytes.length) {
    const id = bytes[pos]!;
    const [size, body] = readU32(bytes, pos + 1);
    const end = body + size;
    if (id === 2) {
      let [count, p] = readU32(bytes, body);
      for (; count > 0; count--) {
        for (let name = 0; name < 2; name++) {
          const [len, q] = readU32(bytes, p);
          p = q + len;
        }
        const kind = bytes[p++]!;
        if (kind === 0x02) {
          const flag = bytes[p]!;
          if ((flag & 0x02) === 0) throw new Error('wasm module: the memory import is not shared');
          const [min] = readU32(bytes, p + 1);
          const after = skipLimits(bytes, p);
          const section = [...bytes.subarray(body, p), 0x00, ...writeU32(min), ...bytes.subarray(after, end)];
          const out = [...bytes.subarray(0, pos), 2, ...writeU32(section.length), ...section];
          const result = new Uint8Array(out.length + (bytes.length - end));
          result.set(out);
          result.set(bytes.subarray(end), out.length);
          return result;
        }
        if (kind === 0x00) p = readU32(bytes, p)[1];
        else if (kind === 0x01) p = skipLimits(bytes, p + 1);
        else if (kind === 0x03) p += 2;
        else if (kind === 0x04) p = readU32(bytes, p + 1)[1];
        else throw new Error(`wasm module: unknown import kind ${kind}`);
      }
    }
    pos = end;
  }
  throw new Error('wasm module: no memory import');
}
