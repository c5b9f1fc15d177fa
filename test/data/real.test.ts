/**
 * Acceptance on the real datasets in ../shared/data: Scientific (lcrec) and Beauty (p5) counts from their
 * PROVENANCE.md, database round trips, and every shipped ID table attached with its collision counts checked against a
 * direct count of the tuples in the file (the audit's definitions, as test/audit checks for `semid audit`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { type Db, openDb } from '../../src/node/db/db';
import { getDatasetOverview, loadDatasetArrays, loadItems } from '../../src/node/db/datasets';
import { importDataset } from '../../src/node/importers/index';
import { importIds } from '../../src/node/importers/ids';
import { loadSemanticIds } from '../../src/node/db/artifacts';
import { BEAUTY_DIR, hasBeauty, hasScientific, SCIENTIFIC_DIR } from '../helpers/paths';
import { loadBeauty, loadScientific } from '../helpers/realData';

/**
 * Counted straight from the JSON file: colliding items = items whose token tuple occurs more than once (every member
 * of a shared ID, as `semid audit`), shared IDs, distinct tuples, and duplicates = items - distinct tuples.
 */
function directCollisions(file: string): { collidingItems: number; collidingGroups: number; distinctIds: number; duplicates: number } {
  const obj = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  const freq = new Map<string, number>();
  for (const v of Object.values(obj)) freq.set(v.join(' '), (freq.get(v.join(' ')) ?? 0) + 1);
  let collidingItems = 0;
  let collidingGroups = 0;
  for (const c of freq.values()) if (c > 1) (collidingItems += c), collidingGroups++;
  const items = Object.keys(obj).length;
  return { collidingItems, collidingGroups, distinctIds: freq.size, duplicates: items - freq.size };
}

let dir: string;
let db: Db;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'semid-real-'));
  db = openDb(join(dir, 'real.db'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true });
});

describe.skipIf(!hasScientific)('Scientific (lcrec, ../shared/data/amazon18-scientific)', () => {
  let id = 0;
  it('imports 4,344 items, 8,317 users, 58,492 interactions and 25 level-2 categories', async () => {
    const t0 = performance.now();
    const s = await importDataset(db, { format: 'lcrec', paths: [SCIENTIFIC_DIR] });
    console.log(`[data] Scientific lcrec import: ${Math.round(performance.now() - t0)} ms`);
    id = s.datasetId;
    expect(s).toMatchObject({ name: 'Scientific', items: 4344, queries: 8317, interactions: 58492 });
    expect(s.splits).toEqual({ train: 58492 - 2 * 8317, valid: 8317, test: 8317 });
    // PROVENANCE.md: 25 level-2 and 192 level-3 nodes, 131 items without a category. It lists depths 2-6 only: two
    // items carry junk tails (pack sizes, product text) giving 8 and 16 levels, so the tree is 16 deep.
    expect(s.categoryLevelCounts.slice(0, 3)).toEqual([1, 25, 192]);
    expect(s.categoryDepth).toBe(16);
    const o = getDatasetOverview(db, id);
    expect(o.itemsWithoutCategory).toBe(131);
    expect(o.interactionsPerQuery).toMatchObject({ min: 5, max: 78 });
    expect(o.interactionsPerQuery.mean).toBeCloseTo(58492 / 8317, 6);
  });

  it('--max-depth truncates category paths (CAT-ID² keeps 3 levels)', async () => {
    const s = await importDataset(db, { format: 'lcrec', paths: [SCIENTIFIC_DIR], name: 'sci-depth3', options: { maxDepth: 3 } });
    expect(s.categoryDepth).toBe(3);
    expect(s.categoryLevelCounts).toEqual([1, 25, 192]);
  });

  it('the database arrays equal the arrays of the test helper (same importer, no database)', async () => {
    const sci = await loadScientific();
    expect(loadDatasetArrays(db, id)).toEqual(sci.arrays);
    expect(loadItems(db, id)).toEqual(sci.items);
    // depth histogram from PROVENANCE.md: 2 levels 106, 3: 660, 4: 2,171, 5: 1,142, 6: 132
    const byDepth = new Map<number, number>();
    for (const it of sci.items) byDepth.set(it.categories.length, (byDepth.get(it.categories.length) ?? 0) + 1);
    expect([2, 3, 4, 5, 6].map((d) => byDepth.get(d))).toEqual([106, 660, 2171, 1142, 132]);
  });

  it('attaches each of the 10 shipped .index.json tables with the directly counted collisions', async () => {
    const idxDir = join(SCIENTIFIC_DIR, 'indexes');
    const files = readdirSync(idxDir).filter((f) => f.endsWith('.index.json')).sort();
    expect(files).toHaveLength(10);
    for (const f of files) {
      const r = await importIds(db, { datasetId: id, path: join(idxDir, f) });
      expect(r.keyMode).toBe('ext');
      expect(r.items).toBe(4344);
      expect(r.layers).toBe(4);
      expect(r.codebookSizes).toEqual([256, 256, 256, 256]);
      const direct = directCollisions(join(idxDir, f));
      expect(r.collisions, f).toMatchObject(direct);
      console.log(`[data] ${f}: ${r.collisions.collidingItems} colliding items, ${r.collisions.distinctIds} distinct IDs, ${r.collisions.duplicates} duplicates`);
      expect(r.collisions.rate, f).toBeCloseTo(direct.collidingItems / 4344, 12);
      if (f.includes('zcr')) expect(r.collisions).toMatchObject({ collidingItems: 0, distinctIds: 4344, duplicates: 0 });
      else if (r.collisions.duplicates > 0) expect(r.collisions.collidingItems, f).toBeGreaterThan(r.collisions.duplicates);
      const t = loadSemanticIds(db, r.runId)!;
      expect(t.codes.length).toBe(4344 * 4);
      expect(Math.max(...t.codes)).toBeLessThan(256);
    }
  });
});

describe.skipIf(!hasBeauty)('Beauty (p5, ../shared/data/amazon14-beauty)', () => {
  let id = 0;
  it('imports 12,101 items, 22,363 users and 198,502 interactions', async () => {
    const t0 = performance.now();
    const s = await importDataset(db, { format: 'p5', paths: [BEAUTY_DIR], name: 'beauty' });
    const ms = performance.now() - t0;
    console.log(`[data] Beauty p5 import (parse + write): ${Math.round(ms)} ms, ${Math.round(198502 / (ms / 1000))} interactions/s`);
    id = s.datasetId;
    expect(s).toMatchObject({ items: 12101, queries: 22363, interactions: 198502 });
    expect(s.splits).toEqual({ train: 198502 - 2 * 22363, valid: 22363, test: 22363 });
    // PROVENANCE.md: depth 2-6, 6 level-2, 40 level-3, 157 level-4 nodes
    expect(s.categoryLevelCounts.slice(0, 4)).toEqual([1, 6, 40, 157]);
    expect(s.categoryDepth).toBe(6);
  });

  it('items keep P5 order (idx = P5 id - 1); 7 titles are empty; the helper agrees with the database', async () => {
    const b = await loadBeauty();
    expect(b.items[0]).toMatchObject({ extId: '1', title: 'OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce', brand: 'OPI' });
    expect(b.items.every((it, i) => it.extId === String(i + 1))).toBe(true);
    expect(b.items.filter((it) => it.title === '').length).toBe(7);
    expect(b.arrays.nQueries).toBe(22363);
    expect(b.arrays.test.items.length).toBe(22363);
    expect(loadDatasetArrays(db, id)).toEqual(b.arrays);
  });

  it('attaches the 3 shipped sid-indexes (0-based keys → item idx) with the directly counted collisions', async () => {
    const idxDir = join(BEAUTY_DIR, 'sid-indexes');
    const files = readdirSync(idxDir).filter((f) => f.endsWith('.index.json')).sort();
    expect(files).toHaveLength(3);
    for (const f of files) {
      const r = await importIds(db, { datasetId: id, path: join(idxDir, f) });
      expect(r.keyMode).toBe('idx');
      expect(r.collisions, f).toMatchObject(directCollisions(join(idxDir, f)));
      const raw = JSON.parse(readFileSync(join(idxDir, f), 'utf8')) as Record<string, string[]>;
      const t = loadSemanticIds(db, r.runId)!;
      // key "0" (P5 item 1) is item idx 0
      expect(Array.from(t.codes.subarray(0, 4))).toEqual(raw['0']!.map((tok) => Number(/\d+/.exec(tok)![0])));
    }
  });
});
