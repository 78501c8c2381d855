/**
 * @file The plain-memory kernel builds are derived at load time from the shared ones
 * (src/backends/wasm/unshare.ts) instead of shipped: the derived bytes must be exactly the
 * compiled plain builds, whose SHA-256 the generator records; malformed or unexpected modules are
 * refused with a message rather than patched blindly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plainBuild } from '../src/backends/wasm/module.js';
import { unsharedMemoryImport } from '../src/backends/wasm/unshare.js';
import { WASM_PLAIN_RELAXED_SHA256, WASM_PLAIN_SHA256 } from '../src/backends/wasm/generated/kernels.js';
import { sha256Hex } from '../src/io/sha256.js';

/** A minimal module importing one memory with the given limits bytes (and a function import first). */
function moduleWith(limits: number[]): Uint8Array<ArrayBuffer> {
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const type = [1, 4, 1, 0x60, 0, 0]; // one type: () -> ()
  const imports = [2, 0, ...[2, ...name('env'), ...name('f'), 0x00, 0, ...name('env'), ...name('memory'), 0x02, ...limits]];
  imports[1] = imports.length - 2;
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imports]);
}

describe('plain builds derived from the shared ones', () => {
  it('equal the compiled plain builds byte for byte (baseline and relaxed SIMD)', () => {
    assert.equal(sha256Hex([plainBuild(false)]), WASM_PLAIN_SHA256);
    assert.equal(sha256Hex([plainBuild(true)]), WASM_PLAIN_RELAXED_SHA256);
    assert.ok(WebAssembly.validate(plainBuild(false)));
  });

  it('rewrites only the memory limits, after other imports; the result is a valid module', () => {
    const shared = moduleWith([0x03, 0x02, 0x80, 0x80, 0x04]);
    assert.ok(WebAssembly.validate(shared));
    const plain = unsharedMemoryImport(shared);
    assert.deepEqual(Array.from(plain), Array.from(moduleWith([0x00, 0x02])));
    assert.ok(WebAssembly.validate(plain));
  });

  it('refuses a module whose memory is not shared, or that imports none', () => {
    assert.throws(() => unsharedMemoryImport(moduleWith([0x00, 0x01])), /not shared/);
    assert.throws(() => unsharedMemoryImport(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), /no memory import/);
  });
});
