/**
 * @file Shared helpers of the data tests: assert a typed error with its code and the names the message
 * must contain, and a temp folder removed after the suite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as px from '../src/index.js';
// The entry registers the backends; a test importing only src/data/ and px types would have none.
import '../src/index.js';

type ErrClass = abstract new (...a: never[]) => px.PlexusError;

/** Runs `fn` expecting an instance of `cls` with `code` whose message includes every string in `names`. */
export function throwsTyped<E extends px.PlexusError>(fn: () => unknown, cls: ErrClass, code: string, names: readonly string[] = []): E {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}(${code}), got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, `wrong code; message: ${caught.message}`);
  for (const n of names) assert.ok(caught.message.includes(n), `message ${JSON.stringify(caught.message)} should include ${JSON.stringify(n)}`);
  return caught as E;
}

/** A fresh temp directory and its cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
