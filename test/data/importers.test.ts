import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { openDb, SchemaTooNewError } from '../../src/node/db/db';
import { SCHEMA_VERSION } from '../../src/node/db/migrations';
import {
  deleteDataset,
  findDataset,
  getDatasetOverview,
  listCategories,
  listDatasets,
  listItems,
  loadDatasetArrays,
  loadEmbeddings,
  loadItems,
  saveEmbeddings,
  writeDataset,
} from '../../src/node/db/datasets';
import { importDataset, parseImport } from '../../src/node/importers/index';
import { importIds } from '../../src/node/importers/ids';
import { datasetArraysFromImported, itemRecordsFromImported } from '../../src/core/data/build';
import { csrRow } from '../../src/core/data/arrays';
import { loadSemanticIds } from '../../src/node/db/artifacts';
import { listRuns } from '../../src/node/db/runs';
import { importRunner } from '../../src/node/jobs/runners/import';
import type { JobEvent } from '../../src/shared/protocol';
import type { ImportedDataset } from '../../src/shared/dataset';

const FIX = resolve(import.meta.dirname, '../fixtures');
const good = (f: string): string => join(FIX, 'good', f);

describe('importers on the good fixtures', () => {
  it('lcrec: categories split by ",(?! )", leave-last-out, shipped index.json attached', async () => {
    const ds = await parseImport({ format: 'lcrec', paths: [good('good.item.json'), good('good.inter.json'), good('good.index.json')] });
    expect(ds.items.map((i) => i.extId)).toEqual(['0', '1', '2', '3', '4']);
    expect(ds.items[0]!.categories).toEqual(['Industrial & Scientific', 'Lab & Scientific Products', 'Tapes, Adhesives & Sealants', 'Gloves']);
    expect(ds.items[1]!.categories).toEqual(['Industrial & Scientific', 'Test, Measure & Inspect', 'Calipers']);
    expect(ds.items[3]!.categories).toEqual([]);
    expect(ds.queries.map((q) => q.extId)).toEqual(['u1', 'u2', 'u3']);
    // u1: 0 1 | 2 valid | 4 test; u2 (2 items): train + test; u3: 4 | 0 valid | 1 test
    expect(Array.from(ds.interactions.split)).toEqual([0, 0, 1, 2, 0, 2, 0, 1, 2]);
    expect(ds.idTables?.[0]).toMatchObject({ name: 'good', layers: 3, codebookSizes: [2, 8, 1] });
  });

  it('p5: quoted TSV titles with tabs and newlines; items keep file order', async () => {
    const ds = await parseImport({ format: 'p5', paths: [good('good_items.tsv'), good('good_sequential.txt')] });
    expect(ds.items.map((i) => i.extId)).toEqual(['1', '2', '3', '4']);
    expect(ds.items[1]!.title).toBe('Quoted "title" with\ttab and\nnewline');
    expect(ds.items[2]!.title).toBe('');
    expect(ds.items[3]!.categories).toEqual(['Beauty', 'Hair Care', 'Shampoo']);
    expect(ds.queries).toHaveLength(3);
    expect(Array.from(ds.interactions.item)).toEqual([0, 1, 2, 3, 1, 2, 3, 0, 1]);
  });

  it('csv: time order decides the sequence, quoted commas survive', async () => {
    const ds = await parseImport({ format: 'csv', paths: [good('good_items.csv'), good('good_inter.csv')] });
    expect(ds.items[0]!.title).toBe('Red, bold lipstick');
    expect(ds.items[1]!.text).toBe('long, "volume" formula');
    expect(ds.queryKind).toBe('user');
    // u1 by timestamp: B(100) C(200) A(300)
    expect(Array.from(ds.interactions.item.subarray(0, 3))).toEqual([1, 2, 0]);
    expect(Array.from(ds.interactions.ts!.subarray(0, 3))).toEqual([100, 200, 300]);
    expect(Array.from(ds.interactions.split)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('jsonl: split column gives query-level splits; query text makes it search data', async () => {
    const ds = await parseImport({ format: 'jsonl', paths: [good('good_items.jsonl'), good('good_inter.jsonl')] });
    expect(ds.queryKind).toBe('query');
    expect(ds.queries.map((q) => [q.extId, q.text, q.split])).toEqual([
      ['q1', 'red lipstick', 'train'],
      ['q2', 'shampoo', 'test'],
      ['q3', 'mascara', 'valid'],
    ]);
    expect(ds.items[2]!.categories).toEqual(['Beauty', 'Hair Care']);
  });

  it('csv with --map renames columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semid-map-'));
    try {
      writeFileSync(join(dir, 'items.csv'), 'asin,name\nX1,Thing one\nX2,Thing two\n');
      writeFileSync(join(dir, 'events.csv'), 'reviewer,asin\nr1,X1\nr1,X2\n');
      const ds = await parseImport({ format: 'csv', paths: [join(dir, 'items.csv'), join(dir, 'events.csv')], options: { map: 'item_id=asin,title=name,query_id=reviewer' } });
      expect(ds.items.map((i) => i.title)).toEqual(['Thing one', 'Thing two']);
      expect(Array.from(ds.interactions.split)).toEqual([0, 2]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('esci: E/S positives, locale filter, query-level splits, queries without positives dropped', async () => {
    const ds = await parseImport({ format: 'esci', paths: [join(FIX, 'esci')] });
    expect(ds.queryKind).toBe('query');
    expect(ds.queries.map((q) => q.extId)).toEqual(['1', '2', '3', '4', '6']);
    expect(ds.queries[0]!.text).toBe('running shoes');
    // referenced us products only: B010 (never in an example) and es products are left out
    expect(ds.items.map((i) => i.extId).sort()).toEqual(['B001', 'B002', 'B003', 'B004', 'B005', 'B006', 'B007', 'B008', 'B009']);
    expect(ds.interactions.query.length).toBe(8); // E/S rows of us queries 1,2,3,4,6
    expect(ds.interactions.label).toEqual(['E', 'E', 'S', 'E', 'E', 'E', 'S', 'E']);
    expect(ds.queries.find((q) => q.extId === '6')!.split).toBe('test');
    expect(ds.config.droppedQueriesWithoutPositives).toBe(1);
    const exact = await parseImport({ format: 'esci', paths: [join(FIX, 'esci')], options: { positives: 'E', version: 'small' } });
    expect(exact.queries.map((q) => q.extId)).toEqual(['1', '2', '3']);
    expect(exact.interactions.query.length).toBe(4);
  });
});

describe('database round trip', () => {
  it('writeDataset → loadDatasetArrays equals the arrays built without a database', async () => {
    const db = openDb(':memory:');
    const ds = await parseImport({ format: 'lcrec', paths: [good('good.item.json'), good('good.inter.json'), good('good.index.json')] });
    const id = writeDataset(db, ds);
    expect(loadDatasetArrays(db, id)).toEqual(datasetArraysFromImported(ds));
    expect(loadItems(db, id)).toEqual(itemRecordsFromImported(ds));
    const arrays = loadDatasetArrays(db, id);
    expect(Array.from(csrRow(arrays.train, 0))).toEqual([0, 1]);
    expect(arrays.depth).toBe(4);

    const s = listDatasets(db)[0]!;
    expect(s).toMatchObject({ id, name: 'good', items: 5, queries: 3, interactions: 9, splits: { train: 4, valid: 2, test: 3 }, categoryDepth: 4, categoryLevelCounts: [1, 3, 3, 1] });
    const o = getDatasetOverview(db, id);
    expect(o.itemsWithoutCategory).toBe(1);
    expect(o.interactionsPerQuery).toMatchObject({ min: 2, max: 4, median: 3, mean: 3 });
    expect(o.interactionsPerItem.histogram.reduce((a, b) => a + b.count, 0)).toBe(5);
    expect(o.topCategories[0]).toMatchObject({ level: 1, name: 'Industrial & Scientific', items: 4 });
    expect(listCategories(db, id)).toHaveLength(8);
    expect(listItems(db, id, { search: 'acme' }).items.map((i) => i.extId)).toEqual(['0', '2']);
    expect(listItems(db, id, { search: '100%' }).total).toBe(0);
    expect(listItems(db, id, { offset: 3, limit: 1 })).toMatchObject({ total: 5, items: [{ extId: '3' }] });

    // the shipped index.json became an imported build run
    const runs = listRuns(db, { datasetId: id, kind: 'build' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ method: 'imported', status: 'succeeded' });
    expect(loadSemanticIds(db, runs[0]!.id)!.codebookSizes).toEqual([2, 8, 1]);

    // ids CSV keyed by ext id
    const r = await importIds(db, { datasetId: id, path: good('good_ids.csv') });
    expect(r).toMatchObject({ layers: 2, items: 5, collisions: { collidingItems: 2, collidingGroups: 1, distinctIds: 4, duplicates: 1 }, keyMode: 'ext', codebookSizes: [2, 2] });

    // embeddings: float32 round trip, latest when no name, upsert keeps the id
    const e1 = saveEmbeddings(db, { datasetId: id, name: 'a', method: 'test', dim: 2, data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) });
    const e2 = saveEmbeddings(db, { datasetId: id, name: 'b', method: 'test', dim: 1, data: Float32Array.from([1, 2, 3, 4, 5]) });
    expect(loadEmbeddings(db, id).id).toBe(e2);
    expect(Array.from(loadEmbeddings(db, id, 'a').data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(saveEmbeddings(db, { datasetId: id, name: 'a', method: 'test', dim: 5, data: new Float32Array(25) })).toBe(e1);
    expect(() => saveEmbeddings(db, { datasetId: id, name: 'c', method: 'test', dim: 3, data: new Float32Array(12) })).toThrow(/4 rows but dataset/);

    expect(findDataset(db, 'good').id).toBe(id);
    expect(findDataset(db, String(id)).id).toBe(id);
    expect(() => findDataset(db, 'nope')).toThrow(/no dataset "nope" \(have: 1 good\)/);
    expect(() => writeDataset(db, ds)).toThrow(/a dataset named "good" already exists/);

    deleteDataset(db, id);
    for (const t of ['items', 'queries', 'interactions', 'categories', 'embeddings', 'runs', 'semantic_ids']) {
      expect((db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n, t).toBe(0);
    }
    db.close();
  });

  it('importDataset reports counts; the job runner yields progress and one dataset artifact', async () => {
    const db = openDb(':memory:');
    const s = await importDataset(db, { format: 'p5', name: 'tiny', paths: [join(FIX, 'good', 'good_items.tsv'), join(FIX, 'good', 'good_sequential.txt')] });
    expect(s).toMatchObject({ ok: true, name: 'tiny', items: 4, queries: 3, interactions: 9, splits: { train: 4, valid: 2, test: 3 }, categoryDepth: 4 });
    const params = importRunner.parse({ format: 'lcrec', paths: [good('good.item.json'), good('good.inter.json')] });
    const gen = importRunner.run(params, { db, dbPath: ':memory:', runId: 1, signal: new AbortController().signal, reportBackend: () => undefined });
    const events: JobEvent[] = [];
    let r = await gen.next();
    while (!r.done) {
      events.push(r.value);
      r = await gen.next();
    }
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    const art = events.filter((e) => e.type === 'artifact');
    expect(art).toHaveLength(1);
    const ds = (art[0] as Extract<JobEvent, { type: 'artifact' }>).artifact as { kind: 'dataset'; dataset: ImportedDataset };
    expect(ds.dataset.items).toHaveLength(5);
    expect(r.value).toMatchObject({ items: 5, queries: 3, interactions: 9 });
    // the artifact survives a structured clone (the fork / utilityProcess boundary)
    expect(writeDataset(db, structuredClone(ds.dataset))).toBeGreaterThan(0);
    db.close();
  });

  it('a cancelled import stops with CancelledError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(parseImport({ format: 'p5', paths: [good('good_items.tsv'), good('good_sequential.txt')] }, { signal: ac.signal })).rejects.toThrow(/cancelled/);
  });

  it('refuses a database written by a newer schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'semid-schema-'));
    try {
      const path = join(dir, 'new.db');
      const raw = new Database(path);
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      raw.close();
      expect(() => openDb(path)).toThrow(SchemaTooNewError);
      expect(() => openDb(path)).toThrow(/written by a newer SemID Workbench/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
