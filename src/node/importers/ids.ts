/**
 * External semantic-ID tables: `.index.json` ({"0": ["<a_70>", "<b_138>", ...]}, the format of LC-Rec / LETTER /
 * CollisionGenRec) or CSV `item_id,c1,c2,...`. Each layer's tokens map to 0..K-1 by their number. The table is attached
 * to an existing dataset as a succeeded run of kind 'build', method 'imported', so the audit and retrieval views treat
 * IDs from other tools like our own.
 */
import { basename } from 'node:path';
import { InputError } from '../../shared/errors';
import type { ImportedIdTable } from '../../shared/dataset';
import { topLevelKeys } from '../../core/data/text';
import { DelimitedParser } from '../../core/data/delimited';
import { collisionStats, type CollisionStats } from '../../core/ids/collisions';
import { parseJsonText, readText, readTextChunks } from './files';
import type { Db } from '../db/db';
import { finishRun } from '../db/runs';
import { getDataset, loadItems, writeIdTable } from '../db/datasets';

/** How table keys name items: by ext id, by 0-based item idx, or auto (ext when every key is an ext id, else idx). */
export type IdKeyMode = 'auto' | 'ext' | 'idx';

export interface IdTableOptions {
  keys?: IdKeyMode;
  /** Codebook size for every layer; default: per layer, the largest token + 1 rounded up to a power of two. */
  codebook?: number;
}

const TOKEN = /^<([A-Za-z]+)_(\d+)>$/;

function parseToken(file: string, line: number | null, key: string, tok: unknown): number {
  if (typeof tok === 'number' && Number.isInteger(tok) && tok >= 0) return tok;
  if (typeof tok === 'string') {
    const m = TOKEN.exec(tok.trim());
    if (m) return Number(m[2]);
    if (/^\d+$/.test(tok.trim())) return Number(tok.trim());
  }
  throw new InputError(file, line, key, `token ${JSON.stringify(tok)} is not a non-negative integer or a "<a_12>" token`);
}

interface RawRow {
  key: string;
  line: number | null;
  codes: number[];
}

async function readIndexJson(file: string): Promise<RawRow[]> {
  const text = await readText(file);
  const obj = parseJsonText(file, text);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new InputError(file, 1, null, 'expected a JSON object {item id: [tokens]}');
  const lines = new Map<string, number>();
  for (const { key, line } of topLevelKeys(text)) {
    if (lines.has(key)) throw new InputError(file, line, key, `duplicate item key (first on line ${lines.get(key)})`);
    lines.set(key, line);
  }
  const rows: RawRow[] = [];
  for (const [key, val] of Object.entries(obj as Record<string, unknown>)) {
    const line = lines.get(key) ?? null;
    if (!Array.isArray(val) || val.length === 0) throw new InputError(file, line, key, 'expected a non-empty array of tokens');
    rows.push({ key, line, codes: val.map((t) => parseToken(file, line, key, t)) });
  }
  return rows;
}

async function readIdCsv(file: string): Promise<RawRow[]> {
  const parser = new DelimitedParser({ delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',', file, header: true });
  const rows: RawRow[] = [];
  let header: string[] | null = null;
  const take = (r: { fields: string[]; line: number }): void => {
    if (!header) {
      header = r.fields;
      if (header.length < 2) throw new InputError(file, r.line, null, 'expected a header item_id,c1,c2,...');
      return;
    }
    if (r.fields.length !== header.length) throw new InputError(file, r.line, null, `expected ${header.length} fields, found ${r.fields.length}`);
    const key = r.fields[0]!;
    if (!key) throw new InputError(file, r.line, header[0]!, 'missing item id');
    rows.push({ key, line: r.line, codes: r.fields.slice(1).map((t, l) => parseToken(file, r.line, header![l + 1]!, t)) });
  };
  for await (const chunk of readTextChunks(file)) for (const r of parser.push(chunk)) take(r);
  for (const r of parser.end()) take(r);
  if (!header) throw new InputError(file, null, null, 'file is empty');
  return rows;
}

/** Parses an ID table file against a dataset's item ext ids (item idx order). */
export async function parseIdTable(file: string, extIds: readonly string[], opts: IdTableOptions = {}): Promise<ImportedIdTable & { keyMode: 'ext' | 'idx'; collisions: IdTableCollisions }> {
  const rows = /\.json$/i.test(file) ? await readIndexJson(file) : await readIdCsv(file);
  if (rows.length === 0) throw new InputError(file, null, null, 'the table has no rows');
  const extToIdx = new Map<string, number>();
  extIds.forEach((e, i) => extToIdx.set(e, i));
  let mode = opts.keys ?? 'auto';
  if (mode === 'auto') {
    const allExt = rows.every((r) => extToIdx.has(r.key));
    const allIdx = rows.every((r) => /^\d+$/.test(r.key) && Number(r.key) < extIds.length);
    mode = allExt ? 'ext' : allIdx ? 'idx' : 'ext';
  }
  const layers = rows[0]!.codes.length;
  const n = extIds.length;
  const codes = new Int32Array(n * layers).fill(-1);
  const seen = new Uint8Array(n);
  for (const r of rows) {
    const idx = mode === 'ext' ? extToIdx.get(r.key) : /^\d+$/.test(r.key) ? Number(r.key) : undefined;
    if (idx === undefined || idx >= n) throw new InputError(file, r.line, r.key, `no item with this ${mode === 'ext' ? 'id' : 'index'} in the dataset`);
    if (seen[idx]) throw new InputError(file, r.line, r.key, 'duplicate item');
    if (r.codes.length !== layers) throw new InputError(file, r.line, r.key, `expected ${layers} tokens like the first row, found ${r.codes.length}`);
    seen[idx] = 1;
    for (let l = 0; l < layers; l++) codes[idx * layers + l] = r.codes[l]!;
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) {
    const count = n - seen.reduce((a, b) => a + b, 0);
    throw new InputError(file, null, mode === 'ext' ? extIds[missing]! : String(missing), `item has no ID in the table (${count} of ${n} items missing)`);
  }
  const codebookSizes: number[] = [];
  for (let l = 0; l < layers; l++) {
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, codes[i * layers + l]!);
    if (opts.codebook != null && max >= opts.codebook) throw new InputError(file, null, null, `layer ${l + 1} has token ${max}, not below the codebook size ${opts.codebook}`);
    codebookSizes.push(opts.codebook ?? 2 ** Math.ceil(Math.log2(max + 1)));
  }
  return { name: basename(file).replace(/\.index\.json$|\.(json|csv|tsv)$/i, ''), source: file, layers, codebookSizes, codes, keyMode: mode, collisions: idTableCollisions(codes, n, layers, codebookSizes) };
}

/**
 * Collisions of an imported table with the audit's definitions (`collisionStats`, the `collisions` object of
 * `semid audit --json`): `collidingItems` counts every item whose full ID is shared (a pair counts 2), plus
 * `duplicates` = items - distinctIds (items beyond the first of each shared ID, a pair counts 1), which earlier
 * versions reported as `collisions`.
 */
export interface IdTableCollisions extends CollisionStats {
  duplicates: number;
}

export function idTableCollisions(codes: Int32Array, nItems: number, layers: number, codebookSizes: number[]): IdTableCollisions {
  const s = collisionStats(codes, nItems, layers, codebookSizes);
  return { ...s, duplicates: nItems - s.distinctIds };
}

export interface IdImportResult {
  ok: true;
  runId: number;
  datasetId: number;
  name: string;
  layers: number;
  codebookSizes: number[];
  items: number;
  collisions: IdTableCollisions;
  keyMode: 'ext' | 'idx';
}

/** `semid import ids`: parse, then create the run and its table in one transaction. */
export async function importIds(db: Db, req: { datasetId: number; path: string; name?: string } & IdTableOptions): Promise<IdImportResult> {
  const ds = getDataset(db, req.datasetId);
  const extIds = loadItems(db, ds.id).map((i) => i.extId);
  const t = await parseIdTable(req.path, extIds, req);
  if (req.name) t.name = req.name;
  const runId = db.transaction(() => {
    const id = writeIdTable(db, ds.id, t, { keys: t.keyMode });
    finishRun(db, id, 'succeeded', { result: { collisions: t.collisions, items: extIds.length } });
    return id;
  })();
  return { ok: true, runId, datasetId: ds.id, name: t.name, layers: t.layers, codebookSizes: t.codebookSizes, items: extIds.length, collisions: t.collisions, keyMode: t.keyMode };
}
