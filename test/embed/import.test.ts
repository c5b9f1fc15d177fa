import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/node/db/db';
import { loadEmbeddings, writeDataset } from '../../src/node/db/datasets';
import { importEmbeddingsFile, parseNpy } from '../../src/node/importers/embeddings';
import { generateDemoCatalog } from '../../src/core/demo/index';
import { InputError } from '../../src/shared/errors';

let dir: string;
let db: Db;
let datasetId: number;
let ids: string[];
const DIM = 4;

/** A .npy v1 file: header padded so data starts at a multiple of 64 bytes. */
function npy(descr: string, shape: number[], data: ArrayBufferView): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

// `0 - i` rather than `-i`: item 0 must be +0, as a CSV "0" parses (toEqual tells -0 from 0).
const vec = (i: number): number[] => [i, i + 0.5, 0 - i, 1];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'semid-embimp-'));
  db = openDb(join(dir, 'test.db'));
  const ds = generateDemoCatalog({ seed: 1, items: 12, users: 3, name: 'tiny' });
  datasetId = writeDataset(db, ds);
  ids = ds.items.map((i) => i.extId);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function expectInputError(p: Promise<unknown>, line: number | null, field: string | null, reason: RegExp): Promise<void> {
  const before = (db.prepare('SELECT COUNT(*) AS n FROM embeddings').get() as { n: number }).n;
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const e = err as InputError;
  expect(e.line).toBe(line);
  expect(e.field).toBe(field);
  expect(e.reason).toMatch(reason);
  expect((db.prepare('SELECT COUNT(*) AS n FROM embeddings').get() as { n: number }).n).toBe(before);
}

describe('precomputed embeddings import', () => {
  it('imports .npy float32 rows in item order', async () => {
    const data = new Float32Array(ids.flatMap((_, i) => vec(i)));
    const r = await importEmbeddingsFile(db, datasetId, file('e.npy', npy('<f4', [12, DIM], data)));
    expect(r).toMatchObject({ name: 'e', dim: DIM, count: 12, format: 'npy' });
    expect(Array.from(loadEmbeddings(db, datasetId, 'e').data)).toEqual(Array.from(data));
  });

  it('imports CSV (with header, any row order) and JSONL keyed by item id', async () => {
    const rows = ids.map((id, i) => `${id},${vec(i).join(',')}`).reverse();
    await importEmbeddingsFile(db, datasetId, file('c.csv', ['item_id,a,b,c,d', ...rows].join('\n') + '\n'));
    const jl = ids.map((id, i) => JSON.stringify({ item_id: id, embedding: vec(i) })).join('\n');
    await importEmbeddingsFile(db, datasetId, file('j.jsonl', jl), { name: 'from-jsonl' });
    const want = ids.flatMap((_, i) => vec(i));
    expect(Array.from(loadEmbeddings(db, datasetId, 'c').data)).toEqual(want);
    expect(Array.from(loadEmbeddings(db, datasetId, 'from-jsonl').data)).toEqual(want);
  });

  it('refuses other dtypes and shapes with a clear error', async () => {
    const f64 = new Float64Array(12 * DIM);
    await expectInputError(importEmbeddingsFile(db, datasetId, file('d.npy', npy('<f8', [12, DIM], f64))), null, 'dtype', /<f8 is not supported.*float32/);
    await expectInputError(importEmbeddingsFile(db, datasetId, file('s.npy', npy('<f4', [48], new Float32Array(48)))), null, 'shape', /2-D/);
    await expectInputError(importEmbeddingsFile(db, datasetId, file('r.npy', npy('<f4', [5, DIM], new Float32Array(20)))), null, 'shape', /5 rows but the dataset has 12 items/);
    expect(() => parseNpy('x.npy', Buffer.from('hello world'))).toThrow(/bad magic/);
  });

  it('names file, line and field for wrong dimension, unknown item, non-numeric and malformed lines', async () => {
    const good = ids.map((id, i) => `${id},${vec(i).join(',')}`);
    const wrongDim = [...good];
    wrongDim[3] = `${ids[3]},1,2,3`;
    await expectInputError(importEmbeddingsFile(db, datasetId, file('w.csv', wrongDim.join('\n'))), 4, 'embedding', /expected 4 values.*got 3/);
    const unknown = [...good, 'NOPE,1,2,3,4'];
    await expectInputError(importEmbeddingsFile(db, datasetId, file('u.csv', unknown.join('\n'))), 13, 'item_id', /unknown item "NOPE"/);
    const nonNum = [...good];
    nonNum[5] = `${ids[5]},1,abc,3,4`;
    await expectInputError(importEmbeddingsFile(db, datasetId, file('n.csv', nonNum.join('\n'))), 6, 'v2', /not a number: "abc"/);
    await expectInputError(importEmbeddingsFile(db, datasetId, file('m.csv', good.slice(1).join('\n'))), null, 'item_id', /1 item\(s\) have no embedding/);
    const dup = [...good, good[0]!];
    await expectInputError(importEmbeddingsFile(db, datasetId, file('dup.csv', dup.join('\n'))), 13, 'item_id', /duplicate/);
    const jl = ids.map((id, i) => JSON.stringify({ item_id: id, embedding: vec(i) }));
    jl[2] = '{"item_id": "x", "embedding": [1,2';
    await expectInputError(importEmbeddingsFile(db, datasetId, file('bad.jsonl', jl.join('\n'))), 3, null, /malformed JSON/);
    const jl2 = ids.map((id, i) => JSON.stringify({ item_id: id, embedding: vec(i) }));
    jl2[1] = JSON.stringify({ item_id: ids[1], embedding: [1, 'x', 3, 4] });
    await expectInputError(importEmbeddingsFile(db, datasetId, file('nn.jsonl', jl2.join('\n'))), 2, 'embedding[1]', /not a number/);
    await expectInputError(importEmbeddingsFile(db, datasetId, file('empty.csv', '')), null, null, /empty/);
    await expectInputError(
      importEmbeddingsFile(db, datasetId, file('utf.csv', Buffer.concat([Buffer.from(`${good[0]}\n`), Buffer.from([0x41, 0xff, 0x2c, 0x31, 0x0a])]))),
      2,
      null,
      /invalid UTF-8/,
    );
  });
});
