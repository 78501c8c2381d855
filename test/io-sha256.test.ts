/**
 * @file The portable SHA-256 (src/io/sha256.ts) that checks safetensors files where node:crypto is
 * absent (browsers): the NIST vectors, every split of the input across update calls and block
 * boundaries, and agreement with node:crypto on random data, so files written in a browser carry
 * the same checksum as files written in Node. Also the version constant written into files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sha256Hex, sha256HexJs } from '../src/io/sha256.js';
import { PLEXUS_VERSION } from '../src/core/version.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('pure-JS SHA-256', () => {
  it('matches the FIPS 180-4 examples', () => {
    assert.equal(sha256HexJs([enc('abc')]), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256HexJs([]), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256HexJs([enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')]), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto for lengths around block boundaries and any split into parts', () => {
    let seed = 1;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70000]) {
      const b = Uint8Array.from({ length: n }, rand);
      const want = createHash('sha256').update(b).digest('hex');
      assert.equal(sha256HexJs([b]), want, `length ${n}`);
      const cut1 = Math.floor(n / 3);
      const cut2 = Math.floor((2 * n) / 3) + 1;
      assert.equal(sha256HexJs([b.subarray(0, cut1), b.subarray(cut1, Math.min(n, cut2)), b.subarray(Math.min(n, cut2))]), want, `length ${n} in parts`);
      assert.equal(sha256Hex([b]), want);
    }
  });
});

describe('PLEXUS_VERSION', () => {
  it('equals package.json "version"', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(PLEXUS_VERSION, pkg.version);
  });
});
