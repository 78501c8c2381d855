/**
 * @file Reading a JSON config without the traps of JSON.parse (docs/reliability.md "CLI configs and paths"):
 * parsed by the library's strict parser (duplicate keys are an error, nesting capped, UTF-8 checked,
 * positions named), turned into null-prototype objects, and `__proto__` / `constructor` /
 * `prototype` keys refused wherever they appear, so no later merge or lookup can reach a prototype.
 * Why refuse rather than drop them: a config that says `__proto__` is either an attack or a mistake,
 * and both deserve to be told.
 */
import { readFileSync, statSync } from 'node:fs';
import { JsonNumber, type JsonValue, parseJsonBytes } from '../../src/internal.js';
import { px } from './api.js';
import { CliError, type ConfigProblem } from './errors.js';

/** Largest config file read (a config is a few hundred bytes; this only stops accidents). */
export const MAX_CONFIG_BYTES = 1 << 20;
const MAX_DEPTH = 32;
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON pointer segment escaping (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Plain values from the parser's Maps; forbidden keys become problems instead of properties. */
function toPlain(v: JsonValue, pointer: string, problems: ConfigProblem[]): unknown {
  if (v instanceof JsonNumber) return Number(v.text); // 1e309 -> Infinity: the schema reports it
  if (Array.isArray(v)) return v.map((x, i) => toPlain(x, `${pointer}/${i}`, problems));
  if (v instanceof Map) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of v) {
      const at = `${pointer}/${pointerSegment(k)}`;
      if (FORBIDDEN_KEYS.has(k)) problems.push({ pointer: at, message: `the key ${JSON.stringify(k)} is not allowed (prototype pollution guard)` });
      else out[k] = toPlain(x, at, problems);
    }
    return out;
  }
  return v;
}

/**
 * Parses config text (bytes) to plain values. Syntax errors are a CliError INVALID_JSON naming the
 * file and byte; forbidden keys are returned as problems so they are reported with the rest.
 */
export function parseConfigBytes(bytes: Uint8Array, source: string): { value: unknown; problems: ConfigProblem[] } {
  let tree: JsonValue;
  try {
    tree = parseJsonBytes(bytes, 0, bytes.length, { maxDepth: MAX_DEPTH, fileOffset: 0, source });
  } catch (e) {
    if (e instanceof px.ModelFormatError) {
      // The parser is shared with safetensors, whose messages speak of "the header"; say "JSON".
      const msg = e.message.replace('invalid header JSON', 'invalid JSON').replace(/end of header/g, 'end of file')
        .replace('; safetensors forbids duplicate keys', '').replace(' of the file', '');
      throw new CliError(e.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'INVALID_JSON', msg);
    }
    throw e;
  }
  const problems: ConfigProblem[] = [];
  const value = toPlain(tree, '', problems);
  return { value, problems };
}

/** Reads and parses a config file; size capped before reading. */
export function readConfigFile(file: string, shownName: string): { value: unknown; problems: ConfigProblem[] } {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new CliError('INVALID_CONFIG', `${shownName}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError('CONFIG_NOT_FOUND', `cannot read config ${shownName}: ${(e as { code?: string }).code ?? String(e)}`);
  }
  if (size > MAX_CONFIG_BYTES) throw new CliError('CONFIG_TOO_LARGE', `${shownName}: ${size} bytes, more than the ${MAX_CONFIG_BYTES}-byte cap for a config`);
  return parseConfigBytes(readFileSync(file), shownName);
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/**
 * Throws if anything was added to Object.prototype since this module loaded. Checked after every
 * config is read: the guard above should make it impossible, and this makes sure it stays so.
 */
export function assertPrototypeUnpolluted(): void {
  const now = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  if (now !== PROTO_KEYS) throw new CliError('PROTOTYPE_POLLUTED', `Object.prototype was modified (keys now: ${now})`);
}
