/**
 * @file RFC 4180 tokenizer: records of string fields, each with the line:column where it starts.
 * Accepts CRLF, LF (and a lone CR) line ends, a leading BOM, quoted fields with `""` escapes and
 * embedded delimiters/newlines, and a last record without a newline. Strict where guessing would
 * corrupt data: a quote inside an unquoted field, text after a closing quote and an unterminated quote
 * are errors, and a record longer than `maxLineLength` characters stops the scan (LINE_TOO_LONG).
 * Entirely empty lines between records are skipped (they carry no fields).
 */
import { CsvError } from './errors.js';

export interface CsvRecord {
  fields: string[];
  /** 1-based line and column where each field starts (a quoted field: its opening quote). */
  lines: number[];
  columns: number[];
  /** Line and column just past the record's last character (where a missing field would be). */
  endLine: number;
  endColumn: number;
}

export interface TokenizeOptions {
  name?: string;
  delimiter?: string;
  /** Characters per record (a quoted newline does not end it); default 1 MiB. */
  maxLineLength?: number;
}

export const CSV_DEFAULT_MAX_LINE = 2 ** 20;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Calls `onRecord` for each record in order; stops at the first error. */
export function tokenizeCsv(text: string, opts: TokenizeOptions, onRecord: (r: CsvRecord) => void): void {
  const name = opts.name ?? 'CSV';
  const delim = opts.delimiter ?? ',';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new CsvError('INVALID_OPTION', `${name}: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delim)}`);
  }
  const D = delim.charCodeAt(0);
  const maxLen = opts.maxLineLength ?? CSV_DEFAULT_MAX_LINE;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i; // index of the current line's first character, for columns
  const col = (at: number): number => at - lineStart + 1;
  const fail = (code: string, msg: string, l: number, c: number): never => {
    throw new CsvError(code, `${name}:${l}:${c}: ${msg}`, l, c);
  };
  /** Consumes one line end at i (CRLF, LF or CR). */
  const newline = (): void => {
    if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
    else i += 1;
    line++;
    lineStart = i;
  };

  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (c0 === LF || c0 === CR) { newline(); continue; }
    const rec: CsvRecord = { fields: [], lines: [], columns: [], endLine: 0, endColumn: 0 };
    const recStart = i;
    const recLine = line;
    for (;;) {
      rec.lines.push(line);
      rec.columns.push(col(i));
      if (text.charCodeAt(i) === QUOTE) {
        const qLine = line;
        const qCol = col(i);
        let value = '';
        let seg = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) fail('UNTERMINATED_QUOTE', 'quoted field is never closed', qLine, qCol);
          // Track line numbers through newlines inside the quotes.
          for (let k = i; k < q; k++) {
            const ch = text.charCodeAt(k);
            if (ch === LF || (ch === CR && text.charCodeAt(k + 1) !== LF)) { line++; lineStart = k + 1; }
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(seg, q + 1);
            i = seg = q + 2;
            continue;
          }
          value += text.slice(seg, q);
          i = q + 1;
          break;
        }
        rec.fields.push(value);
        const c = text.charCodeAt(i);
        if (i < n && c !== D && c !== LF && c !== CR) {
          fail('BAD_QUOTE', `unexpected ${JSON.stringify(text[i])} after a closing quote (expected ${JSON.stringify(delim)} or end of line)`, line, col(i));
        }
      } else {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === D || c === LF || c === CR) break;
          if (c === QUOTE) fail('BAD_QUOTE', 'quote inside an unquoted field (quote the whole field and double inner quotes)', line, col(j));
          if (j - recStart > maxLen) break;
        }
        rec.fields.push(text.slice(i, j));
        i = j;
      }
      if (i - recStart > maxLen) {
        fail('LINE_TOO_LONG', `record is longer than ${maxLen} characters (maxLineLength)`, recLine, 1);
      }
      if (i < n && text.charCodeAt(i) === D) { i++; continue; }
      break;
    }
    rec.endLine = line;
    rec.endColumn = col(i);
    if (i < n) newline();
    onRecord(rec);
  }
}

/** One CSV line: fields quoted when they hold the delimiter, a quote or a newline (inner quotes doubled). */
export function formatCsvRow(fields: readonly (string | number)[], delimiter = ','): string {
  return fields.map((f) => {
    const s = String(f);
    return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(delimiter);
}
