/**
 * @file CSV reader: RFC 4180 tokenizing (quotes, CRLF, BOM, embedded newlines, last line without
 * newline), targets (name, index, categorical with the mapping returned, numeric), every fault of
 * docs/reliability.md "Data files" as a CsvError with line:column, the caps at cap and cap+1, and
 * standardisation statistics that survive JSON.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { data } from '../src/node.js';
import { tempDir, throwsTyped } from './data-helpers.js';

const tokens = (text: string, opts: data.TokenizeOptions = {}): string[][] => {
  const out: string[][] = [];
  data.tokenizeCsv(text, opts, (r) => out.push(r.fields));
  return out;
};

/** Asserts a CsvError with `code` at line:column, its message naming `name:line:col` and `names`. */
function csvFails(fn: () => unknown, code: string, line: number, column: number, names: string[] = [], file = 'CSV'): void {
  const e = throwsTyped<data.CsvError>(fn, data.CsvError, code, [`${file}:${line}:${column}`, ...names]);
  assert.deepEqual([e.line, e.column], [line, column]);
}

describe('CSV tokenizer', () => {
  it('splits quoted fields with commas, doubled quotes and newlines', () => {
    assert.deepEqual(tokens('a,"b,c","say ""hi""","x\ny"\n1,2,3,4\n'), [['a', 'b,c', 'say "hi"', 'x\ny'], ['1', '2', '3', '4']]);
  });

  it('CRLF, LF, a BOM and a last line without newline parse the same', () => {
    const want = [['a', 'b'], ['1', '2'], ['3', '4']];
    assert.deepEqual(tokens('a,b\n1,2\n3,4\n'), want);
    assert.deepEqual(tokens('a,b\r\n1,2\r\n3,4'), want);
    assert.deepEqual(tokens('\uFEFFa,b\r\n1,2\r\n3,4\r\n'), want);
  });

  it('skips empty lines and keeps empty fields', () => {
    assert.deepEqual(tokens('a,b\n\n1,\n\r\n,2\n\n'), [['a', 'b'], ['1', ''], ['', '2']]);
  });

  it('reports line:column of each field, counting newlines inside quotes', () => {
    const recs: data.CsvRecord[] = [];
    data.tokenizeCsv('"a\nb",c\nd,"e"', {}, (r) => recs.push(r));
    assert.deepEqual(recs.map((r) => [r.lines, r.columns]), [[[1, 2], [1, 4]], [[3, 3], [1, 3]]]);
  });

  it('a quote inside an unquoted field or text after a closing quote is BAD_QUOTE', () => {
    csvFails(() => tokens('a,b\n1,2"3\n'), 'BAD_QUOTE', 2, 4);
    csvFails(() => tokens('a,b\n"1"x,2\n'), 'BAD_QUOTE', 2, 4, ['"x"']);
  });

  it('an unterminated quote names where it opened', () => {
    csvFails(() => tokens('a,b\n1,"2\n3,4\n'), 'UNTERMINATED_QUOTE', 2, 3);
  });

  it('formatCsvRow output reads back to the same fields', () => {
    const row = ['plain', 'with,comma', 'with "quote"', 'multi\nline', 3.5];
    assert.deepEqual(tokens(data.formatCsvRow(row)), [row.map(String)]);
  });

  it('record length cap: cap passes, cap + 1 is LINE_TOO_LONG', () => {
    const ok = `${'1'.repeat(5)},${'2'.repeat(4)}`; // 10 characters
    assert.deepEqual(tokens(`${ok}\n`, { maxLineLength: 10 }), [['11111', '2222']]);
    csvFails(() => tokens(`h\n${ok}2\n`, { maxLineLength: 10 }), 'LINE_TOO_LONG', 2, 1, ['10 characters']);
    // A quoted newline does not reset the count.
    csvFails(() => tokens(`"${'x'.repeat(6)}\n${'y'.repeat(6)}"\n`, { maxLineLength: 10 }), 'LINE_TOO_LONG', 1, 1);
  });
});

describe('parseCsv tables', () => {
  const iris = 'sl,sw,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n';

  it('target by name: features, categorical ids in sorted order, the mapping', () => {
    const t = data.parseCsv(iris, { target: 'species' });
    assert.deepEqual([t.x.shape, t.x.dtype, t.rows, t.columns, t.target], [[4, 2], 'float32', 4, ['sl', 'sw'], 'species']);
    assert.deepEqual([...t.x.values], [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0].map(Math.fround));
    assert.deepEqual(t.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual([t.y!.dtype, [...t.y!.values]], ['int32', [0, 1, 2, 0]]);
  });

  it('target by index and negative index; a classes list fixes the order', () => {
    const a = data.parseCsv(iris, { target: 2, classes: ['virginica', 'setosa', 'versicolor'] });
    assert.deepEqual([...a.y!.values], [1, 2, 0, 1]);
    assert.deepEqual(data.parseCsv(iris, { target: -1 }).classes, ['setosa', 'versicolor', 'virginica']);
    const b = data.parseCsv(iris, { target: 0, targetType: 'numeric', dtype: 'float64', ignore: ['species'] });
    assert.deepEqual([b.columns, b.y!.dtype, [...b.y!.values]], [['sw'], 'float64', [5.1, 7.0, 6.3, 4.9]]);
  });

  it('numeric labels sort numerically (10 after 9), and auto picks numeric for numbers', () => {
    const t = data.parseCsv('x,c\n1,10\n2,9\n3,10\n', { target: 'c', targetType: 'categorical' });
    assert.deepEqual([t.classes, [...t.y!.values]], [['9', '10'], [1, 0, 1]]);
    const r = data.parseCsv('x,c\n1,10\n2,9.5\n', { target: 'c' });
    assert.deepEqual([r.classes, r.y!.dtype, [...r.y!.values]], [null, 'float32', [10, 9.5]]);
  });

  it('no target, ignored columns, no header, surrounding spaces', () => {
    const t = data.parseCsv('id,a,b\n7, 1.5 ,2\n8,-3e2,+.5\n', { ignore: ['id'] });
    assert.deepEqual([t.y, t.columns, [...t.x.values]], [null, ['a', 'b'], [1.5, 2, -300, 0.5]]);
    const h = data.parseCsv('1,2,0\n3,4,1\n', { header: false, target: 2, targetType: 'categorical' });
    assert.deepEqual([h.columns, h.target, [...h.y!.values]], [['0', '1'], '2', [0, 1]]);
  });

  it('an unknown target column lists the columns; a duplicate header name is refused', () => {
    throwsTyped(() => data.parseCsv(iris, { target: 'label' }), data.CsvError, 'UNKNOWN_COLUMN', ['"label"', '"species"']);
    throwsTyped(() => data.parseCsv(iris, { target: 3 }), data.CsvError, 'UNKNOWN_COLUMN', ['3', '3 columns']);
    csvFails(() => data.parseCsv('a,b,a\n1,2,3\n'), 'DUPLICATE_COLUMN', 1, 5, ['"a"']);
  });

  it('a label outside the given classes is UNKNOWN_CLASS at its cell', () => {
    csvFails(() => data.parseCsv(iris, { target: 'species', classes: ['setosa', 'versicolor'] }), 'UNKNOWN_CLASS', 4, 9, ['"virginica"']);
  });
});

describe('CSV faults (docs/reliability.md "Data files")', () => {
  it('too few fields: line:column at the end of the row, expected vs actual', () => {
    csvFails(() => data.parseCsv('a,b,c\n1,2,3\n4,5\n'), 'RAGGED_ROW', 3, 4, ['too few', 'expected 3 fields, got 2']);
  });

  it('too many fields: line:column of the first extra field', () => {
    csvFails(() => data.parseCsv('a,b,c\n1,2,3,4\n'), 'RAGGED_ROW', 2, 7, ['too many', 'expected 3 fields, got 4']);
  });

  it('a ragged final line without newline is caught too', () => {
    csvFails(() => data.parseCsv('a,b,c\r\n1,2,3\r\n4,5'), 'RAGGED_ROW', 3, 4, ['expected 3 fields, got 2']);
  });

  it('each bad numeric cell is an error naming line:column, column and cell', () => {
    const cases: [string, string, number, string][] = [
      ['', 'EMPTY_CELL', 3, 'empty'],
      [' ', 'EMPTY_CELL', 3, '" "'],
      ['abc', 'INVALID_NUMBER', 3, '"abc"'],
      ['"1,5"', 'INVALID_NUMBER', 3, '"1,5"'],
      ['0x10', 'INVALID_NUMBER', 3, '"0x10"'],
      ['1.2.3', 'INVALID_NUMBER', 3, '"1.2.3"'],
      ['1e', 'INVALID_NUMBER', 3, '"1e"'],
      ['NaN', 'NON_FINITE', 3, 'allowNonFinite'],
      ['Infinity', 'NON_FINITE', 3, 'allowNonFinite'],
      ['-inf', 'NON_FINITE', 3, 'allowNonFinite'],
      ['1e400', 'NUMBER_OVERFLOW', 3, 'overflows float32'],
      ['-1e39', 'NUMBER_OVERFLOW', 3, 'overflows float32'],
    ];
    for (const [cell, code, col, name] of cases) {
      csvFails(() => data.parseCsv(`a,b\n1,2\n3,${cell}\n`), code, 3, col, ['column "b"', name]);
    }
  });

  it('NaN / Infinity only when enabled; 1e400 overflows even then; float64 holds 1e39', () => {
    const t = data.parseCsv('a,b,c\nNaN,Infinity,-inf\n', { allowNonFinite: true });
    assert.deepEqual([...t.x.values], [NaN, Infinity, -Infinity]);
    csvFails(() => data.parseCsv('a\n1e400\n', { allowNonFinite: true, dtype: 'float64' }), 'NUMBER_OVERFLOW', 2, 1, ['overflows float64']);
    assert.deepEqual([...data.parseCsv('a\n1e39\n', { dtype: 'float64' }).x.values], [1e39]);
  });

  it('a bad numeric target cell names the target column', () => {
    csvFails(() => data.parseCsv('a,y\n1,2\n3,abc\n', { target: 'y', targetType: 'numeric' }), 'INVALID_NUMBER', 3, 3, ['column "y"']);
    csvFails(() => data.parseCsv('a,y\n1,cat\n3,\n', { target: 'y' }), 'EMPTY_CELL', 3, 3, ['empty label']);
  });

  it('empty file, BOM only, blank lines only and header-only are EMPTY_DATASET', () => {
    for (const text of ['', '\uFEFF', '\n\r\n\n']) throwsTyped(() => data.parseCsv(text), data.CsvError, 'EMPTY_DATASET', ['empty']);
    throwsTyped(() => data.parseCsv('a,b,c\r\n'), data.CsvError, 'EMPTY_DATASET', ['header but no data rows']);
    throwsTyped(() => data.parseCsv('a,b,c', { name: 'h.csv' }), data.CsvError, 'EMPTY_DATASET', ['h.csv']);
  });

  it('row cap: maxRows rows pass, one more is TOO_MANY_ROWS', () => {
    assert.equal(data.parseCsv('a\n1\n2\n3\n', { maxRows: 3 }).rows, 3);
    csvFails(() => data.parseCsv('a\n1\n2\n3\n4\n', { maxRows: 3 }), 'TOO_MANY_ROWS', 5, 1, ['3 data rows']);
  });
});

describe('readCsv', () => {
  const tmp = tempDir('plexus-csv-');
  after(tmp.cleanup);

  it('reads a file; errors carry its path', () => {
    const p = join(tmp.dir, 'd.csv');
    writeFileSync(p, '\uFEFFa,label\r\n1,x\r\n2,y\r\n3\r\n');
    csvFails(() => data.readCsv(p, { target: 'label' }), 'RAGGED_ROW', 4, 2, [], p);
    writeFileSync(p, 'a,label\n1,x\n2,y\n');
    assert.deepEqual(data.readCsv(p, { target: 'label' }).classes, ['x', 'y']);
  });

  it('invalid UTF-8, a missing file and the byte cap are typed errors', () => {
    const p = join(tmp.dir, 'bad.csv');
    writeFileSync(p, new Uint8Array([0x61, 0x0a, 0xff, 0x0a]));
    throwsTyped(() => data.readCsv(p), data.CsvError, 'BAD_ENCODING', [p]);
    throwsTyped(() => data.readCsv(join(tmp.dir, 'none.csv')), data.DataError, 'DATASET_NOT_FOUND', ['none.csv']);
    const q = join(tmp.dir, 'cap.csv');
    writeFileSync(q, 'a\n1\n'); // 4 bytes
    assert.equal(data.readCsv(q, { maxBytes: 4 }).rows, 1);
    throwsTyped(() => data.readCsv(q, { maxBytes: 3 }), data.CsvError, 'FILE_TOO_LARGE', [q, '4 bytes']);
  });
});

describe('standardisation', () => {
  const x = px.tensor([[1, 10, 5], [3, 20, 5], [5, 60, 5]], { dtype: 'float64' });

  it('fits column mean and population std; a constant column gets std 1', () => {
    const s = data.fitStandardizer(x);
    assert.deepEqual(s.mean, [3, 30, 5]);
    const sd1 = Math.sqrt(8 / 3);
    const sd2 = Math.sqrt((400 + 100 + 900) / 3);
    assert.ok(Math.abs(s.std[0]! - sd1) < 1e-14 && Math.abs(s.std[1]! - sd2) < 1e-12);
    assert.equal(s.std[2], 1);
  });

  it('survives JSON and standardises new data with the saved numbers', () => {
    const s = JSON.parse(JSON.stringify(data.fitStandardizer(x))) as data.Standardizer;
    const z = data.applyStandardizer(px.tensor([[3, 30, 5], [5, 60, 7]], { dtype: 'float64' }), s);
    const want = [0, 0, 0, 2 / s.std[0]!, 30 / s.std[1]!, 2];
    z.values.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `${i}: ${v} vs ${want[i]}`));
    assert.equal(z.dtype, 'float64');
  });

  it('refuses a wrong column count and malformed statistics', () => {
    throwsTyped(() => data.applyStandardizer(px.zeros([2, 2]), data.fitStandardizer(x)), px.ShapeError, 'SHAPE_MISMATCH', ['3 columns', '[2,2]']);
    const bad = [{ mean: [0], std: [0] }, { mean: [NaN], std: [1] }, { mean: [0, 1], std: [1] }, { mean: [0] }];
    for (const s of bad) throwsTyped(() => data.applyStandardizer(px.zeros([1, 1]), s as data.Standardizer), px.ValueError, 'INVALID_STANDARDIZER');
  });
});
