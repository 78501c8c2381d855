/**
 * @file CSV tables as tensors: a header row, numeric feature columns and an optional target column
 * (by name or index), numeric or categorical. Categorical labels map to class ids in sorted order
 * (numeric order when every label is a number), or in the order of `classes` when given; the mapping
 * is returned so it can be saved with the model and reused for the test file (a test file lacking a
 * class would otherwise shift the ids). Faults are `CsvError`s with line:column (docs/reliability.md "Data files").
 * Reading files is plexus/node's `readCsv` (csv-file.ts).
 */
import type { FloatDType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { CsvError } from './errors.js';
import { type CsvRecord, type TokenizeOptions, tokenizeCsv } from './csv-tokenize.js';
import { parseNumberCell } from './csv-number.js';
import { fromTyped } from './rows.js';

export interface CsvOptions extends TokenizeOptions {
  /** First record holds column names (default true). */
  header?: boolean;
  /** Target column: a name, or an index (negative counts from the end). None: every column is a feature. */
  target?: string | number;
  /** 'auto' (default): categorical if any target cell is not a number, else numeric. */
  targetType?: 'auto' | 'categorical' | 'numeric';
  /** Fixed class order for a categorical target; a label outside it is an error (UNKNOWN_CLASS). */
  classes?: readonly string[];
  /** Columns to leave out (names or indices), e.g. an id column. */
  ignore?: readonly (string | number)[];
  /** Accept NaN / Infinity cells (default false). */
  allowNonFinite?: boolean;
  /** dtype of x and of a numeric y (default float32). */
  dtype?: FloatDType;
  /** Cap on data rows (default 2^24). */
  maxRows?: number;
  /** Cap on the file size for readCsv (default 256 MiB). */
  maxBytes?: number;
}

export interface CsvTable {
  /** Features [rows, columns.length]. */
  x: Tensor;
  /** int32 class ids [rows] (categorical), float [rows] (numeric), or null without a target. */
  y: Tensor | null;
  /** Feature column names, in x's column order. */
  columns: string[];
  /** Target column name, or null. */
  target: string | null;
  /** Class names by id for a categorical target, else null. */
  classes: string[] | null;
  rows: number;
}

export const CSV_DEFAULT_MAX_ROWS = 2 ** 24;
export const CSV_DEFAULT_MAX_BYTES = 2 ** 28;

function at(name: string, r: CsvRecord, f: number): [number, number, string] {
  return [r.lines[f]!, r.columns[f]!, `${name}:${r.lines[f]}:${r.columns[f]}`];
}

/** Resolves a column given by name or index against the header; `what` names the option in errors. */
function resolveColumn(spec: string | number, names: string[], name: string, what: string): number {
  if (typeof spec === 'number') {
    const k = spec < 0 ? names.length + spec : spec;
    if (Number.isInteger(spec) && k >= 0 && k < names.length) return k;
    throw new CsvError('UNKNOWN_COLUMN', `${name}: ${what} index ${spec} is out of range for ${names.length} columns`);
  }
  const k = names.indexOf(spec);
  if (k < 0) throw new CsvError('UNKNOWN_COLUMN', `${name}: ${what} column ${JSON.stringify(spec)} not found; columns are ${JSON.stringify(names)}`);
  return k;
}

/** Class ids for the target labels (see the file header for the order). */
function mapClasses(labels: string[], recs: [number, number][], opts: CsvOptions, name: string, tcol: string): { ids: Int32Array; classes: string[] } {
  let classes: string[];
  if (opts.classes) classes = [...opts.classes];
  else {
    classes = [...new Set(labels)];
    const numeric = classes.every((c) => parseNumberCell(c, 'float64', false).ok);
    classes.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const id = new Map(classes.map((c, i) => [c, i]));
  const ids = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    const k = id.get(l);
    if (k === undefined) {
      const [line, col] = recs[i]!;
      throw new CsvError('UNKNOWN_CLASS', `${name}:${line}:${col}: column ${JSON.stringify(tcol)}: label ${JSON.stringify(l)} is not one of the classes ${JSON.stringify(classes)}`, line, col);
    }
    ids[i] = k;
  });
  return { ids, classes };
}

/**
 * Parses CSV text into x / y tensors.
 * @example const t = parseCsv(text, { target: 'species' }); // t.classes: ['setosa', ...]
 */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  const name = opts.name ?? 'CSV';
  const dtype = opts.dtype ?? 'float32';
  const maxRows = opts.maxRows ?? CSV_DEFAULT_MAX_ROWS;
  const allowNF = opts.allowNonFinite ?? false;
  let names: string[] | null = null;
  let width = 0;
  let feats: number[] = [];
  let tIdx = -1;
  let xs = new Float64Array(1024);
  let nx = 0;
  let rows = 0;
  const labels: string[] = [];
  const labelAt: [number, number][] = [];

  const setup = (r: CsvRecord): void => {
    width = r.fields.length;
    names = opts.header === false ? r.fields.map((_, i) => String(i)) : r.fields;
    const seen = new Map<string, number>();
    names.forEach((c, i) => {
      if (c !== '' && seen.has(c)) throw new CsvError('DUPLICATE_COLUMN', `${name}:${r.lines[i]}:${r.columns[i]}: column name ${JSON.stringify(c)} repeats column ${seen.get(c)! + 1}`, r.lines[i], r.columns[i]);
      seen.set(c, i);
    });
    tIdx = opts.target === undefined ? -1 : resolveColumn(opts.target, names, name, 'target');
    const ignored = new Set((opts.ignore ?? []).map((s) => resolveColumn(s, names!, name, 'ignore')));
    feats = names.map((_, i) => i).filter((i) => i !== tIdx && !ignored.has(i));
  };

  const onRecord = (r: CsvRecord): void => {
    if (names === null) {
      setup(r);
      if (opts.header !== false) return;
    }
    if (r.fields.length !== width) {
      const k = Math.min(width, r.fields.length);
      const [line, col] = r.fields.length > width ? [r.lines[k]!, r.columns[k]!] : [r.endLine, r.endColumn];
      const what = r.fields.length > width ? 'too many fields' : 'too few fields';
      throw new CsvError('RAGGED_ROW', `${name}:${line}:${col}: ${what}: expected ${width} fields, got ${r.fields.length}`, line, col);
    }
    if (++rows > maxRows) throw new CsvError('TOO_MANY_ROWS', `${name}:${r.lines[0]}:1: more than ${maxRows} data rows (maxRows)`, r.lines[0], 1);
    if (nx + feats.length > xs.length) {
      const grown = new Float64Array(Math.max(xs.length * 2, nx + feats.length));
      grown.set(xs);
      xs = grown;
    }
    for (const f of feats) {
      const v = parseNumberCell(r.fields[f]!, dtype, allowNF);
      if (!v.ok) {
        const [line, col, where] = at(name, r, f);
        throw new CsvError(v.code, `${where}: column ${JSON.stringify(names![f])}: ${v.reason}`, line, col);
      }
      xs[nx++] = v.value;
    }
    if (tIdx >= 0) {
      labels.push(r.fields[tIdx]!);
      labelAt.push([r.lines[tIdx]!, r.columns[tIdx]!]);
    }
  };

  tokenizeCsv(text, opts, onRecord);
  if (names === null) throw new CsvError('EMPTY_DATASET', `${name}: the file is empty (no header and no rows)`);
  if (rows === 0) throw new CsvError('EMPTY_DATASET', `${name}: ${opts.header === false ? 'no rows' : 'a header but no data rows'}`);
  const cols = (names as string[]);
  const x = fromTyped(xs.subarray(0, nx), [rows, feats.length], dtype);
  const table: CsvTable = { x, y: null, columns: feats.map((f) => cols[f]!), target: tIdx >= 0 ? cols[tIdx]! : null, classes: null, rows };
  if (tIdx >= 0) Object.assign(table, targetTensor(labels, labelAt, opts, name, cols[tIdx]!));
  return table;
}

function targetTensor(labels: string[], at: [number, number][], opts: CsvOptions, name: string, tcol: string): Pick<CsvTable, 'y' | 'classes'> {
  const dtype = opts.dtype ?? 'float32';
  const allowNF = opts.allowNonFinite ?? false;
  const type = opts.targetType ?? (opts.classes ? 'categorical' : 'auto');
  const parsed = type === 'categorical' ? null : labels.map((l) => parseNumberCell(l, dtype, allowNF));
  const numeric = parsed !== null && (type === 'numeric' || parsed.every((p) => p.ok));
  if (numeric) {
    const ys = new Float64Array(labels.length);
    parsed.forEach((p, i) => {
      if (!p.ok) {
        const [line, col] = at[i]!;
        throw new CsvError(p.code, `${name}:${line}:${col}: column ${JSON.stringify(tcol)}: ${p.reason}`, line, col);
      }
      ys[i] = p.value;
    });
    return { y: fromTyped(ys, [labels.length], dtype), classes: null };
  }
  labels.forEach((l, i) => {
    if (l.trim() === '') {
      const [line, col] = at[i]!;
      throw new CsvError('EMPTY_CELL', `${name}:${line}:${col}: column ${JSON.stringify(tcol)}: empty label`, line, col);
    }
  });
  const { ids, classes } = mapClasses(labels, at, opts, name, tcol);
  return { y: fromTyped(ids, [labels.length], 'int32'), classes };
}
