/**
 * @file A strict JSON parser over bytes, for headers taken from untrusted files. Why not JSON.parse:
 * it silently keeps the last of duplicate keys, reports no byte offsets, accepts any nesting depth
 * (later recursive code then overflows the stack), turns `1e309` into Infinity and big integers into
 * rounded doubles, and yields plain objects where a `__proto__` key invites prototype pollution.
 *
 * Here objects are `Map`s (any key is an ordinary key), duplicate keys are an error, nesting is capped,
 * numbers are kept as their source text (callers decide: BigInt for offsets, Number for the rest), and
 * every error names the byte offset. Strings must be valid UTF-8 (RFC 8259).
 */
import { ModelFormatError } from './errors.js';

/** A JSON number, kept as written so that integers beyond 2^53 are not rounded. */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** True for an integer literal (no fraction, no exponent), as offsets and shape entries must be. */
  get isIntegerLiteral(): boolean {
    return /^-?(0|[1-9][0-9]*)$/.test(this.text);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface JsonParseOptions {
  /** Deepest allowed nesting of objects and arrays (the outermost value is depth 1). */
  maxDepth: number;
  /** Offset of `start` in the file, added to every reported position. */
  fileOffset: number;
  /** Prefix of error messages (e.g. the file name). */
  source: string;
  /** Called after each key of the outermost object is read, so a caller can stop early (key counts). */
  onTopKey?: (key: string, count: number) => void;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ascii = new TextDecoder('ascii');
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Short, printable form of a byte for messages. */
function showByte(c: number): string {
  if (c < 0) return 'end of header';
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
}

class Parser {
  pos: number;
  constructor(private readonly b: Uint8Array, start: number, private readonly end: number, private readonly o: JsonParseOptions) {
    this.pos = start;
  }

  fail(what: string, at = this.pos): never {
    throw new ModelFormatError('INVALID_HEADER', `${this.o.source}: invalid header JSON: ${what} at byte ${at + this.o.fileOffset} of the file`);
  }

  /** The byte at the cursor, or -1 past the end (never a byte after `end`: that is tensor data). */
  peek(): number {
    return this.pos < this.end ? this.b[this.pos]! : -1;
  }

  ws(): void {
    while (this.pos < this.end && WS.has(this.b[this.pos]!)) this.pos++;
  }

  value(depth: number): JsonValue {
    this.ws();
    if (this.pos >= this.end) this.fail('unexpected end of header');
    const c = this.b[this.pos]!;
    if (c === 0x7b || c === 0x5b) {
      if (depth + 1 > this.o.maxDepth) this.fail(`nesting deeper than ${this.o.maxDepth} levels`);
      return c === 0x7b ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    return this.fail(`unexpected ${showByte(c)}`);
  }

  literal(word: string): boolean {
    if (this.pos + word.length > this.end) return false;
    for (let i = 0; i < word.length; i++) if (this.b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  object(depth: number): JsonObject {
    const map: JsonObject = new Map();
    this.pos++; // '{'
    this.ws();
    if (this.peek() === 0x7d) {
      this.pos++;
      return map;
    }
    for (;;) {
      this.ws();
      if (this.pos >= this.end) this.fail('unexpected end of header inside an object');
      if (this.peek() !== 0x22) this.fail(`expected a string key, got ${showByte(this.peek())}`);
      const keyAt = this.pos;
      const key = this.string();
      if (map.has(key)) {
        throw new ModelFormatError('DUPLICATE_KEY', `${this.o.source}: duplicate key ${JSON.stringify(clip(key))} at byte ${keyAt + this.o.fileOffset} of the file; safetensors forbids duplicate keys`);
      }
      this.ws();
      if (this.peek() !== 0x3a) this.fail(this.pos >= this.end ? 'unexpected end of header, expected \':\'' : `expected ':' after a key, got ${showByte(this.peek())}`);
      this.pos++;
      map.set(key, this.value(depth));
      if (depth === 1) this.o.onTopKey?.(key, map.size);
      this.ws();
      const c = this.peek();
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return map;
      }
      this.fail(this.pos >= this.end ? 'unexpected end of header inside an object' : `expected ',' or '}', got ${showByte(c)}`);
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++; // '['
    this.ws();
    if (this.peek() === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.peek();
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      this.fail(this.pos >= this.end ? 'unexpected end of header inside an array' : `expected ',' or ']', got ${showByte(c)}`);
    }
  }

  number(): JsonNumber {
    const b = this.b;
    const start = this.pos;
    const digits = (): number => {
      const s = this.pos;
      while (this.pos < this.end && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x39) this.pos++;
      return this.pos - s;
    };
    if (this.peek() === 0x2d) this.pos++;
    if (this.peek() === 0x30) this.pos++;
    else if (digits() === 0) this.fail('malformed number', start);
    if (this.peek() === 0x2e) {
      this.pos++;
      if (digits() === 0) this.fail('malformed number: no digits after the decimal point', start);
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      this.pos++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.pos++;
      if (digits() === 0) this.fail('malformed number: no digits in the exponent', start);
    }
    // ASCII only; a decoder rather than fromCharCode(...spread), which overflows on megabyte-long numbers.
    return new JsonNumber(ascii.decode(b.subarray(start, this.pos)));
  }

  string(): string {
    const b = this.b;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let seg = this.pos;
    const flush = (to: number): void => {
      if (to > seg) {
        try {
          out += decoder.decode(b.subarray(seg, to));
        } catch {
          this.fail('string is not valid UTF-8', seg);
        }
      }
    };
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated string', start);
      const c = b[this.pos]!;
      if (c === 0x22) {
        flush(this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail(`control character ${showByte(c)} inside a string`);
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      flush(this.pos);
      const e = this.pos + 1 < this.end ? b[this.pos + 1]! : -1;
      const esc = ESCAPES.get(e);
      if (esc !== undefined) {
        out += esc;
        this.pos += 2;
      } else if (e === 0x75 && this.pos + 6 <= this.end) {
        const hex = ascii.decode(b.subarray(this.pos + 2, this.pos + 6));
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('malformed \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        this.fail('malformed escape sequence');
      }
      seg = this.pos;
    }
  }
}

const ESCAPES = new Map<number, string>([
  [0x22, '"'], [0x5c, '\\'], [0x2f, '/'], [0x62, '\b'], [0x66, '\f'], [0x6e, '\n'], [0x72, '\r'], [0x74, '\t'],
]);

/** Long names shortened for messages (a hostile file may use megabyte-long keys). */
export function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Parses bytes [start, end) as one JSON value surrounded by optional whitespace (safetensors writers
 * pad the header with spaces). Throws ModelFormatError INVALID_HEADER / DUPLICATE_KEY with offsets.
 */
export function parseJsonBytes(bytes: Uint8Array, start: number, end: number, opts: JsonParseOptions): JsonValue {
  const p = new Parser(bytes, start, end, opts);
  const v = p.value(0);
  p.ws();
  if (p.pos !== end) p.fail(`unexpected ${showByte(bytes[p.pos]!)} after the JSON value`);
  return v;
}

/** A one-word description of a parsed value, for messages ("a string", "-1", "an array"). */
export function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(clip(v, 40));
  if (v instanceof JsonNumber) return clip(v.text, 40);
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}
