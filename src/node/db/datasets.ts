/**
 * Datasets in SQLite: write a parsed ImportedDataset in one transaction, and read it back as summaries, an overview,
 * the category tree, item pages, ItemRecords and the DatasetArrays every algorithm consumes. Host-side writer only.
 */
import type { ImportedDataset, ImportedIdTable } from '../../shared/dataset';
import { SPLITS } from '../../shared/dataset';
import type {
  CategoryNode,
  DatasetFormat,
  DatasetOverview,
  DatasetSummary,
  EmbeddingSummary,
  HistogramBin,
  ItemRecord,
  QueryKind,
  Split,
} from '../../shared/types';
import type { DatasetArrays } from '../../core/data/arrays';
import { buildCategoryTree, categoryLevelsFromLeaves } from '../../core/data/categories';
import { splitCsrs } from '../../core/data/build';
import { type Db, nowIso } from './db';
import { blobToFloat32, saveSemanticIds, toBlob } from './artifacts';
import { createRun } from './runs';

export class DuplicateDatasetError extends Error {
  constructor(name: string, id: number) {
    super(`a dataset named "${name}" already exists (id ${id}); choose another --name or remove it first`);
    this.name = 'DuplicateDatasetError';
  }
}

export class NotFoundError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'NotFoundError';
  }
}

/** Checks the invariants importers guarantee, so a bug in one cannot store a broken dataset. */
function checkDataset(ds: ImportedDataset): void {
  const it = ds.interactions;
  const n = it.query.length;
  if (it.item.length !== n || it.pos.length !== n || it.split.length !== n || (it.ts && it.ts.length !== n) || (it.label && it.label.length !== n)) {
    throw new Error(`dataset "${ds.name}": interaction arrays have different lengths`);
  }
  for (let k = 0; k < n; k++) {
    const q = it.query[k]!;
    const i = it.item[k]!;
    if (q < 0 || q >= ds.queries.length || i < 0 || i >= ds.items.length || it.split[k]! > 2) {
      throw new Error(`dataset "${ds.name}": interaction ${k} is out of range (query ${q}, item ${i}, split ${it.split[k]})`);
    }
    if (k > 0 && (q < it.query[k - 1]! || (q === it.query[k - 1]! && it.pos[k]! <= it.pos[k - 1]!))) {
      throw new Error(`dataset "${ds.name}": interactions are not sorted by query then pos at ${k}`);
    }
  }
  if (!ds.name.trim()) throw new Error('dataset name is empty');
}

/** Writes a dataset (and any ID tables shipped with it) in ONE transaction; returns its id. */
export function writeDataset(db: Db, ds: ImportedDataset): number {
  checkDataset(ds);
  const tree = buildCategoryTree(ds.items.map((i) => i.categories));
  return db.transaction(() => {
    const dup = db.prepare('SELECT id FROM datasets WHERE name = ?').get(ds.name) as { id: number } | undefined;
    if (dup) throw new DuplicateDatasetError(ds.name, dup.id);
    const info = db
      .prepare('INSERT INTO datasets (name, format, source, query_kind, created_at, config_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ds.name, ds.format, ds.source, ds.queryKind, nowIso(), JSON.stringify(ds.config));
    const id = Number(info.lastInsertRowid);
    const insCat = db.prepare('INSERT INTO categories (dataset_id, id, parent_id, level, name, path, items) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const c of tree.nodes) insCat.run(id, c.id, c.parentId, c.level, c.name, c.path, c.items);
    const insItem = db.prepare(
      'INSERT INTO items (dataset_id, idx, ext_id, title, text, brand, category_id, categories_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    ds.items.forEach((it, idx) =>
      insItem.run(id, idx, it.extId, it.title, it.text, it.brand, tree.leaf[idx]! < 0 ? null : tree.leaf[idx], JSON.stringify(it.categories)),
    );
    const insQuery = db.prepare('INSERT INTO queries (dataset_id, idx, ext_id, kind, text, split) VALUES (?, ?, ?, ?, ?, ?)');
    ds.queries.forEach((q, idx) => insQuery.run(id, idx, q.extId, q.kind, q.text, q.split));
    const insInter = db.prepare('INSERT INTO interactions (dataset_id, query_idx, item_idx, pos, ts, label, split) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const it = ds.interactions;
    for (let k = 0; k < it.query.length; k++) {
      const ts = it.ts ? it.ts[k]! : Number.NaN;
      insInter.run(id, it.query[k], it.item[k], it.pos[k], Number.isFinite(ts) ? Math.round(ts) : null, it.label?.[k] ?? null, SPLITS[it.split[k]!]);
    }
    for (const t of ds.idTables ?? []) writeIdTable(db, id, t);
    return id;
  })();
}

/** Writes an ID table as a succeeded 'imported' build run; call inside a transaction. Returns the run id. */
export function writeIdTable(db: Db, datasetId: number, t: ImportedIdTable, extra: Record<string, unknown> = {}): number {
  const runId = createRun(db, {
    datasetId,
    kind: 'build',
    method: 'imported',
    name: t.name,
    status: 'succeeded',
    config: { source: t.source, layers: t.layers, codebook: t.codebookSizes, collisions: 'none', ...extra },
  });
  saveSemanticIds(db, { runId, datasetId, layers: t.layers, codebookSizes: t.codebookSizes, codes: t.codes, collisionMode: 'none' });
  return runId;
}

interface DatasetRow {
  id: number;
  name: string;
  format: string;
  source: string;
  query_kind: string;
  created_at: string;
}

function summarize(db: Db, r: DatasetRow): DatasetSummary {
  const count = (table: string): number =>
    (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE dataset_id = ?`).get(r.id) as { n: number }).n;
  const splits: Record<Split, number> = { train: 0, valid: 0, test: 0 };
  for (const s of db.prepare('SELECT split, COUNT(*) AS n FROM interactions WHERE dataset_id = ? GROUP BY split').all(r.id) as {
    split: Split;
    n: number;
  }[])
    splits[s.split] = s.n;
  const levels = db.prepare('SELECT level, COUNT(*) AS n FROM categories WHERE dataset_id = ? GROUP BY level ORDER BY level').all(r.id) as {
    level: number;
    n: number;
  }[];
  const depth = levels.length ? levels[levels.length - 1]!.level : 0;
  const categoryLevelCounts = new Array<number>(depth).fill(0);
  for (const l of levels) categoryLevelCounts[l.level - 1] = l.n;
  return {
    id: r.id,
    name: r.name,
    format: r.format as DatasetFormat,
    source: r.source,
    queryKind: r.query_kind as QueryKind,
    createdAt: r.created_at,
    items: count('items'),
    queries: count('queries'),
    interactions: splits.train + splits.valid + splits.test,
    splits,
    categoryDepth: depth,
    categoryLevelCounts,
    embeddings: listEmbeddings(db, r.id),
  };
}

export function listDatasets(db: Db): DatasetSummary[] {
  return (db.prepare('SELECT id, name, format, source, query_kind, created_at FROM datasets ORDER BY id').all() as DatasetRow[]).map((r) =>
    summarize(db, r),
  );
}

function datasetRow(db: Db, id: number): DatasetRow {
  const r = db.prepare('SELECT id, name, format, source, query_kind, created_at FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  if (!r) throw new NotFoundError(`dataset ${id} does not exist`);
  return r;
}

export function getDataset(db: Db, id: number): DatasetSummary {
  return summarize(db, datasetRow(db, id));
}

/** The CLI's `--dataset` accepts an id or a name. */
export function findDataset(db: Db, idOrName: string): DatasetSummary {
  const byName = db.prepare('SELECT id FROM datasets WHERE name = ?').get(idOrName) as { id: number } | undefined;
  if (byName) return getDataset(db, byName.id);
  if (/^\d+$/.test(idOrName)) {
    const byId = db.prepare('SELECT id FROM datasets WHERE id = ?').get(Number(idOrName)) as { id: number } | undefined;
    if (byId) return getDataset(db, byId.id);
  }
  const names = (db.prepare('SELECT id, name FROM datasets ORDER BY id').all() as { id: number; name: string }[]).map((d) => `${d.id} ${d.name}`);
  throw new NotFoundError(`no dataset "${idOrName}"${names.length ? ` (have: ${names.join(', ')})` : ' (the database has no datasets yet)'}`);
}

export function getDatasetConfig(db: Db, id: number): Record<string, unknown> {
  const r = db.prepare('SELECT config_json FROM datasets WHERE id = ?').get(id) as { config_json: string } | undefined;
  if (!r) throw new NotFoundError(`dataset ${id} does not exist`);
  return JSON.parse(r.config_json) as Record<string, unknown>;
}

/** min, max, mean, median and a histogram of at most ~20 integer-width bins. */
export function describeCounts(counts: Int32Array | number[]): DatasetOverview['interactionsPerQuery'] {
  const n = counts.length;
  if (n === 0) return { min: 0, max: 0, mean: 0, median: 0, histogram: [] };
  const sorted = Int32Array.from(counts).sort();
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const median = n % 2 ? sorted[(n - 1) >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const width = Math.max(1, Math.ceil((max - min + 1) / 20));
  const histogram: HistogramBin[] = [];
  for (let lo = min; lo <= max; lo += width) histogram.push({ lo, hi: lo + width, count: 0 });
  for (let i = 0; i < n; i++) histogram[Math.floor((sorted[i]! - min) / width)]!.count++;
  return { min, max, mean: sum / n, median, histogram };
}

export function getDatasetOverview(db: Db, id: number): DatasetOverview {
  const s = getDataset(db, id);
  const perQuery = new Int32Array(s.queries);
  for (const r of db.prepare('SELECT query_idx AS q, COUNT(*) AS n FROM interactions WHERE dataset_id = ? GROUP BY query_idx').all(id) as {
    q: number;
    n: number;
  }[])
    perQuery[r.q] = r.n;
  const perItem = new Int32Array(s.items);
  for (const r of db.prepare('SELECT item_idx AS i, COUNT(*) AS n FROM interactions WHERE dataset_id = ? GROUP BY item_idx').all(id) as {
    i: number;
    n: number;
  }[])
    perItem[r.i] = r.n;
  const topCategories: DatasetOverview['topCategories'] = [];
  for (let level = 1; level <= s.categoryDepth; level++) {
    for (const c of db
      .prepare('SELECT name, path, items FROM categories WHERE dataset_id = ? AND level = ? ORDER BY items DESC, id LIMIT 10')
      .all(id, level) as { name: string; path: string; items: number }[])
      topCategories.push({ level, ...c });
  }
  const without = (db.prepare('SELECT COUNT(*) AS n FROM items WHERE dataset_id = ? AND category_id IS NULL').get(id) as { n: number }).n;
  return { ...s, interactionsPerQuery: describeCounts(perQuery), interactionsPerItem: describeCounts(perItem), topCategories, itemsWithoutCategory: without };
}

export function listCategories(db: Db, id: number): CategoryNode[] {
  datasetRow(db, id);
  return (
    db.prepare('SELECT id, parent_id, level, name, path, items FROM categories WHERE dataset_id = ? ORDER BY id').all(id) as {
      id: number;
      parent_id: number | null;
      level: number;
      name: string;
      path: string;
      items: number;
    }[]
  ).map((c) => ({ id: c.id, parentId: c.parent_id, level: c.level, name: c.name, path: c.path, items: c.items }));
}

interface ItemRow {
  idx: number;
  ext_id: string;
  title: string;
  text: string;
  brand: string;
  categories_json: string;
}
const toItem = (r: ItemRow): ItemRecord => ({
  idx: r.idx,
  extId: r.ext_id,
  title: r.title,
  text: r.text,
  brand: r.brand,
  categories: JSON.parse(r.categories_json) as string[],
});

/** A page of items in idx order; `search` matches title, brand or ext id (case-insensitive substring). */
export function listItems(db: Db, id: number, opts: { offset?: number; limit?: number; search?: string } = {}): { total: number; items: ItemRecord[] } {
  datasetRow(db, id);
  const limit = opts.limit ?? 100;
  const offset = opts.offset ?? 0;
  let where = 'dataset_id = ?';
  const args: unknown[] = [id];
  if (opts.search) {
    const pat = `%${opts.search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    where += " AND (title LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' OR ext_id LIKE ? ESCAPE '\\')";
    args.push(pat, pat, pat);
  }
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM items WHERE ${where}`).get(...args) as { n: number }).n;
  const rows = db
    .prepare(`SELECT idx, ext_id, title, text, brand, categories_json FROM items WHERE ${where} ORDER BY idx LIMIT ? OFFSET ?`)
    .all(...args, limit, offset) as ItemRow[];
  return { total, items: rows.map(toItem) };
}

/** Every item in idx order. */
export function loadItems(db: Db, id: number): ItemRecord[] {
  datasetRow(db, id);
  return (db.prepare('SELECT idx, ext_id, title, text, brand, categories_json FROM items WHERE dataset_id = ? ORDER BY idx').all(id) as ItemRow[]).map(
    toItem,
  );
}

export function loadDatasetArrays(db: Db, id: number): DatasetArrays {
  datasetRow(db, id);
  const nodes = listCategories(db, id);
  let depth = 0;
  for (const c of nodes) depth = Math.max(depth, c.level);
  const leafRows = db.prepare('SELECT category_id FROM items WHERE dataset_id = ? ORDER BY idx').raw().all(id) as [number | null][];
  const leaf = Int32Array.from(leafRows, (r) => r[0] ?? -1);
  const nQueries = (db.prepare('SELECT COUNT(*) AS n FROM queries WHERE dataset_id = ?').get(id) as { n: number }).n;
  const rows = db
    .prepare('SELECT query_idx, item_idx, split FROM interactions WHERE dataset_id = ? ORDER BY query_idx, pos')
    .raw()
    .all(id) as [number, number, Split][];
  const q = new Int32Array(rows.length);
  const it = new Int32Array(rows.length);
  const sp = new Uint8Array(rows.length);
  const code: Record<Split, number> = { train: 0, valid: 1, test: 2 };
  rows.forEach((r, k) => {
    q[k] = r[0];
    it[k] = r[1];
    sp[k] = code[r[2]];
  });
  const [train, valid, test] = splitCsrs(nQueries, q, it, sp);
  return { nItems: leaf.length, nQueries, depth, categoryLevels: categoryLevelsFromLeaves(nodes, leaf, depth), train, valid, test };
}

/** Query/user records in idx order (ext id, text, query-level split). */
export function loadQueries(db: Db, id: number): { idx: number; extId: string; kind: QueryKind; text: string; split: Split | null }[] {
  datasetRow(db, id);
  return (
    db.prepare('SELECT idx, ext_id, kind, text, split FROM queries WHERE dataset_id = ? ORDER BY idx').all(id) as {
      idx: number;
      ext_id: string;
      kind: QueryKind;
      text: string;
      split: Split | null;
    }[]
  ).map((r) => ({ idx: r.idx, extId: r.ext_id, kind: r.kind, text: r.text, split: r.split }));
}

export function deleteDataset(db: Db, id: number): void {
  datasetRow(db, id);
  db.transaction(() => {
    // Runs reference datasets with ON DELETE CASCADE, and their artifacts cascade from runs.
    db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  })();
}

// ---- embeddings --------------------------------------------------------------------------------------------------

interface EmbRow {
  id: number;
  dataset_id: number;
  name: string;
  method: string;
  dim: number;
  count: number;
  created_at: string;
}
const toEmb = (r: EmbRow): EmbeddingSummary => ({
  id: r.id,
  datasetId: r.dataset_id,
  name: r.name,
  method: r.method,
  dim: r.dim,
  count: r.count,
  createdAt: r.created_at,
});

export function listEmbeddings(db: Db, datasetId: number): EmbeddingSummary[] {
  return (
    db.prepare('SELECT id, dataset_id, name, method, dim, count, created_at FROM embeddings WHERE dataset_id = ? ORDER BY id').all(datasetId) as EmbRow[]
  ).map(toEmb);
}

/** Stores (or replaces, keeping the id) a named embedding matrix: count x dim float32 in item idx order. */
export function saveEmbeddings(
  db: Db,
  e: { datasetId: number; name: string; method: string; dim: number; data: Float32Array; config?: Record<string, unknown> },
): number {
  if (!Number.isInteger(e.dim) || e.dim <= 0 || e.data.length % e.dim !== 0) {
    throw new Error(`embeddings "${e.name}": ${e.data.length} values is not a multiple of dim ${e.dim}`);
  }
  const count = e.data.length / e.dim;
  const items = (db.prepare('SELECT COUNT(*) AS n FROM items WHERE dataset_id = ?').get(e.datasetId) as { n: number }).n;
  if (count !== items) throw new Error(`embeddings "${e.name}": ${count} rows but dataset ${e.datasetId} has ${items} items`);
  db.prepare(
    `INSERT INTO embeddings (dataset_id, name, method, dim, count, data, config_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dataset_id, name) DO UPDATE SET method = excluded.method, dim = excluded.dim, count = excluded.count,
       data = excluded.data, config_json = excluded.config_json, created_at = excluded.created_at`,
  ).run(e.datasetId, e.name, e.method, e.dim, count, toBlob(e.data), JSON.stringify(e.config ?? {}), nowIso());
  return (db.prepare('SELECT id FROM embeddings WHERE dataset_id = ? AND name = ?').get(e.datasetId, e.name) as { id: number }).id;
}

/** A named embedding matrix, or the latest one when no name is given. */
export function loadEmbeddings(
  db: Db,
  datasetId: number,
  name?: string,
): { id: number; name: string; method: string; dim: number; count: number; data: Float32Array; config: Record<string, unknown> } {
  const row = (
    name == null
      ? db.prepare('SELECT * FROM embeddings WHERE dataset_id = ? ORDER BY id DESC LIMIT 1').get(datasetId)
      : db.prepare('SELECT * FROM embeddings WHERE dataset_id = ? AND name = ?').get(datasetId, name)
  ) as (EmbRow & { data: Buffer; config_json: string }) | undefined;
  if (!row) {
    throw new NotFoundError(
      name == null ? `dataset ${datasetId} has no embeddings yet (run \`semid embed\`)` : `dataset ${datasetId} has no embeddings named "${name}"`,
    );
  }
  return {
    id: row.id,
    name: row.name,
    method: row.method,
    dim: row.dim,
    count: row.count,
    data: blobToFloat32(row.data),
    config: JSON.parse(row.config_json) as Record<string, unknown>,
  };
}
