import { describe, expect, it } from 'vitest';
import { DelimitedParser, parseDelimited } from '../../src/core/data/delimited';
import { countNewlines, firstInvalidUtf8, jsonErrorOffset, lineColAt, topLevelKeys } from '../../src/core/data/text';
import { buildCategoryTree, categoryLevelsFromLeaves, splitCategoryPath } from '../../src/core/data/categories';
import { carveValid, leaveLastOutCode } from '../../src/core/data/splits';
import { InteractionBuilder, splitCsrs } from '../../src/core/data/build';
import { InputError } from '../../src/shared/errors';

const TSV = 'id\ttitle\tcat\n1\tplain\tA > B\n2\t"has\ttab and\nnewline, ""quotes"""\tA\r\n3\t\t\n\n4\t"x"\t"y"';

describe('DelimitedParser', () => {
  it('parses quoted fields with tabs, newlines and doubled quotes, and reports row start lines', () => {
    const rows = parseDelimited(TSV, { delimiter: '\t', file: 't.tsv' });
    expect(rows.map((r) => r.fields)).toEqual([
      ['id', 'title', 'cat'],
      ['1', 'plain', 'A > B'],
      ['2', 'has\ttab and\nnewline, "quotes"', 'A'],
      ['3', '', ''],
      ['4', 'x', 'y'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 5, 7]);
  });

  it('gives the same rows for every chunking of the input', () => {
    const whole = parseDelimited(TSV, { delimiter: '\t', file: 't.tsv' });
    for (let size = 1; size <= TSV.length; size++) {
      const p = new DelimitedParser({ delimiter: '\t', file: 't.tsv' });
      const rows = [];
      for (let i = 0; i < TSV.length; i += size) rows.push(...p.push(TSV.slice(i, i + size)));
      rows.push(...p.end());
      expect(rows, `chunk size ${size}`).toEqual(whole);
    }
  });

  it('names line and column of an unterminated quote and of junk after a closing quote', () => {
    const p = new DelimitedParser({ delimiter: ',', file: 'f.csv', header: true });
    p.push('a,b\n1,"open\n2,3\n');
    expect(() => p.end()).toThrow(/f\.csv:2: field "b": quoted field is never closed/);
    expect(() => parseDelimited('a,b\n1,"x"y\n', { delimiter: ',', file: 'f.csv', header: true })).toThrow(/f\.csv:2: field "b": unexpected character "y"/);
  });
});

describe('text helpers', () => {
  it('finds the first invalid UTF-8 byte', () => {
    const ok = new TextEncoder().encode('café ☕ 𝄞');
    expect(firstInvalidUtf8(ok)).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xff, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xc3, 0x28]))).toBe(1); // bad continuation
    expect(firstInvalidUtf8(Uint8Array.from([0xc0, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe2, 0x98]), 0, true)).toBe(-1); // cut by a chunk boundary
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe2, 0x98]))).toBe(1);
    expect(countNewlines(Uint8Array.from([10, 65, 10]), 2)).toBe(1);
  });

  it('locates JSON errors and top-level keys by line', () => {
    const text = '{\n "a": {"x": "\\"b\\": 1"},\n "b": [1, {"c": 2}],\n "a": 3\n}';
    expect(topLevelKeys(text)).toEqual([
      { key: 'a', line: 2 },
      { key: 'b', line: 3 },
      { key: 'a', line: 4 },
    ]);
    const bad = '{\n "a": 1,\n}';
    let msg = '';
    try {
      JSON.parse(bad);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(lineColAt(bad, jsonErrorOffset(msg, bad)!).line).toBe(3);
  });
});

describe('category tree', () => {
  it('splits lcrec paths with ",(?! )" keeping names that contain ", "', () => {
    expect(splitCategoryPath('Industrial & Scientific,Tapes, Adhesives & Sealants,Tape', /,(?! )/)).toEqual([
      'Industrial & Scientific',
      'Tapes, Adhesives & Sealants',
      'Tape',
    ]);
    expect(splitCategoryPath('', /,/)).toEqual([]);
  });

  it('assigns level-major ids unique across levels, with node identity = path prefix', () => {
    const t = buildCategoryTree([['A', 'X', 'Tools'], ['A', 'Y', 'Tools'], [], ['B'], ['A', 'X']]);
    expect(t.depth).toBe(3);
    expect(t.levelCounts).toEqual([2, 2, 2]);
    expect(t.nodes.map((n) => n.path)).toEqual(['A', 'B', 'A > X', 'A > Y', 'A > X > Tools', 'A > Y > Tools']);
    expect(t.nodes.map((n) => n.items)).toEqual([3, 1, 2, 1, 1, 1]);
    expect(Array.from(t.leaf)).toEqual([4, 5, -1, 1, 2]);
    const levels = categoryLevelsFromLeaves(t.nodes, t.leaf, t.depth);
    expect(Array.from(levels)).toEqual([0, 2, 4, 0, 3, 5, -1, -1, -1, 1, -1, -1, 0, 2, -1]);
  });
});

describe('splits', () => {
  it('leave-last-out: last test, second-to-last valid, short sequences keep what they can', () => {
    expect([0, 1, 2, 3].map((p) => leaveLastOutCode(p, 4))).toEqual([0, 0, 1, 2]);
    expect([0, 1].map((p) => leaveLastOutCode(p, 2))).toEqual([0, 2]);
    expect(leaveLastOutCode(0, 1)).toBe(0);
  });

  it('carves about the requested share of valid queries out of train, deterministically', () => {
    let valid = 0;
    for (let q = 0; q < 10000; q++) if (carveValid(`q${q}`, 'train', 0.1) === 'valid') valid++;
    expect(valid).toBeGreaterThan(900);
    expect(valid).toBeLessThan(1100);
    expect(carveValid('q1', 'test', 0.5)).toBe('test');
  });

  it('InteractionBuilder sorts by (query, pos) and splitCsrs keeps sequence order', () => {
    const b = new InteractionBuilder({ labels: true });
    b.push(1, 7, 0, 0, null, 'E');
    b.push(0, 5, 1, 2, null, 'S');
    b.push(0, 4, 0, 0, null, null);
    const it = b.finish();
    expect(Array.from(it.query)).toEqual([0, 0, 1]);
    expect(Array.from(it.item)).toEqual([4, 5, 7]);
    expect(it.label).toEqual([null, 'S', 'E']);
    const [train, , test] = splitCsrs(2, it.query, it.item, it.split);
    expect(Array.from(train.ptr)).toEqual([0, 1, 2]);
    expect(Array.from(train.items)).toEqual([4, 7]);
    expect(Array.from(test.items)).toEqual([5]);
  });

  it('InputError messages name file, line and field', () => {
    expect(new InputError('a.tsv', 3, 'title', 'bad').message).toBe('a.tsv:3: field "title": bad');
  });
});
