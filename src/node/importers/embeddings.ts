/**
 * Import of precomputed item embeddings, keyed by item id (ext id):
 *   .npy   little-endian float32, 2-D C-order (N, D); rows in dataset item order, or keyed by a sibling
 *          `<file>.ids.txt` / `<stem>.ids.txt` (one item id per line)
 *   .csv   `item_id,v1,...,vD` (optional header row; also tab-separated)
 *   .jsonl `{"item_id": "...", "embedding": [...]}` per line ("id" is accepted for "item_id")
 * Every row must have the same dimension, name a known item, and every item needs exactly one vector. Errors are
 * InputError(file, line, field, reason); the write is one statement, so a failed import leaves nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError } from '../../shared/errors';
import type { Db } from '../db/db';
import { saveEmbeddings } from '../db/datasets';
import { readLines } from './files';

export interface EmbeddingsImportResult {
  id: number;
  name: string;
  method: string;
  dim: number;
  count: number;
  format: 'npy' | 'csv' | 'jsonl';
}

/** Parses a .npy buffer: only little-endian float32, C order, 2-D. */
export function parseNpy(file: string, buf: Uint8Array): { rows: number; dim: number; data: Float32Array } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) throw new InputError(file, null, null, 'not a .npy file (bad magic bytes)');
  const major = buf[6]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else throw new InputError(file, null, null, `unsupported .npy version ${major}`);
  const header = new TextDecoder('latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr == null || fortran == null || shapeText == null) throw new InputError(file, null, 'header', `malformed .npy header: ${header.trim()}`);
  if (descr !== '<f4' && descr !== '=f4') {
    throw new InputError(file, null, 'dtype', `dtype ${descr} is not supported: save the array as little-endian float32 (numpy: arr.astype('<f4'))`);
  }
  if (fortran !== 'False') throw new InputError(file, null, 'fortran_order', 'Fortran-ordered arrays are not supported: save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.length !== 2 || shape.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new InputError(file, null, 'shape', `expected a 2-D (items, dim) array, got shape (${shapeText.trim()})`);
  }
  const [rows, dim] = shape as [number, number];
  const dataStart = start + headerLen;
  const need = rows * dim * 4;
  if (buf.length - dataStart < need) throw new InputError(file, null, 'data', `file is truncated: shape (${rows}, ${dim}) needs ${need} bytes, found ${buf.length - dataStart}`);
  // Copy into an aligned array (the data offset need not be a multiple of 4 within the file buffer).
  const data = new Float32Array(rows * dim);
  new Uint8Array(data.buffer).set(buf.subarray(dataStart, dataStart + need));
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new InputError(file, null, `row ${Math.floor(i / dim)}`, `value ${data[i]} is not finite`);
  }
  return { rows, dim, data };
}

function itemIndex(db: Db, datasetId: number): Map<string, number> {
  const rows = db.prepare('SELECT ext_id, idx FROM items WHERE dataset_id = ? ORDER BY idx').all(datasetId) as { ext_id: string; idx: number }[];
  return new Map(rows.map((r) => [r.ext_id, r.idx]));
}

/** Collects keyed rows into an idx-ordered matrix, checking dimension, unknown and duplicate ids. */
class Collector {
  dim = -1;
  data: Float32Array | null = null;
  readonly seen: Uint8Array;
  constructor(
    private readonly file: string,
    private readonly ids: Map<string, number>,
  ) {
    this.seen = new Uint8Array(ids.size);
  }
  add(line: number, id: string, values: ArrayLike<number>): void {
    const idx = this.ids.get(id);
    if (idx == null) throw new InputError(this.file, line, 'item_id', `unknown item "${id}"`);
    if (this.seen[idx]) throw new InputError(this.file, line, 'item_id', `duplicate embedding for item "${id}"`);
    if (this.dim < 0) {
      if (values.length === 0) throw new InputError(this.file, line, 'embedding', 'empty vector');
      this.dim = values.length;
      this.data = new Float32Array(this.ids.size * this.dim);
    } else if (values.length !== this.dim) {
      throw new InputError(this.file, line, 'embedding', `wrong dimension: expected ${this.dim} values (as on the first row), got ${values.length}`);
    }
    this.seen[idx] = 1;
    this.data!.set(values, idx * this.dim);
  }
  finish(): { dim: number; data: Float32Array } {
    if (this.dim < 0 || !this.data) throw new InputError(this.file, null, null, 'file has no embeddings');
    const missing: string[] = [];
    for (const [id, idx] of this.ids) if (!this.seen[idx]) missing.push(id);
    if (missing.length) {
      throw new InputError(this.file, null, 'item_id', `${missing.length} item(s) have no embedding, e.g. "${missing.slice(0, 3).join('", "')}"`);
    }
    return { dim: this.dim, data: this.data };
  }
}

function num(file: string, line: number, field: string, s: string): number {
  const t = s.trim();
  const x = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(x)) throw new InputError(file, line, field, `not a number: "${t.slice(0, 40)}"`);
  return x;
}

async function parseCsv(file: string, ids: Map<string, number>): Promise<{ dim: number; data: Float32Array }> {
  const c = new Collector(file, ids);
  let first = true;
  let sep = ',';
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    if (first) {
      sep = text.includes('\t') && !text.includes(',') ? '\t' : ',';
      first = false;
      const cells = text.split(sep);
      // A header row: its id is not an item and its second cell is not a number.
      if (!ids.has(cells[0]!.trim()) && cells.length > 1 && !Number.isFinite(Number(cells[1]!.trim()))) continue;
    }
    const cells = text.split(sep);
    const id = cells[0]!.trim().replace(/^"(.*)"$/, '$1');
    const values = new Float64Array(cells.length - 1);
    for (let k = 1; k < cells.length; k++) values[k - 1] = num(file, line, `v${k}`, cells[k]!);
    c.add(line, id, values);
  }
  return c.finish();
}

async function parseJsonl(file: string, ids: Map<string, number>): Promise<{ dim: number; data: Float32Array }> {
  const c = new Collector(file, ids);
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new InputError(file, line, null, `malformed JSON: ${(e as Error).message}`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new InputError(file, line, null, 'expected a JSON object per line');
    const o = obj as Record<string, unknown>;
    const rawId = o.item_id ?? o.id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') throw new InputError(file, line, 'item_id', 'missing (expected a string or number)');
    const emb = o.embedding;
    if (!Array.isArray(emb)) throw new InputError(file, line, 'embedding', 'missing (expected an array of numbers)');
    const values = new Float64Array(emb.length);
    emb.forEach((x, k) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(file, line, `embedding[${k}]`, `not a number: ${JSON.stringify(x)?.slice(0, 40)}`);
      values[k] = x;
    });
    c.add(line, String(rawId), values);
  }
  return c.finish();
}

function npySiblingIds(file: string): string | null {
  const stem = file.slice(0, -extname(file).length);
  for (const p of [`${file}.ids.txt`, `${stem}.ids.txt`]) if (existsSync(p)) return p;
  return null;
}

async function parseNpyFile(file: string, ids: Map<string, number>): Promise<{ dim: number; data: Float32Array }> {
  if (!existsSync(file)) throw new InputError(file, null, null, 'file not found');
  if (statSync(file).size === 0) throw new InputError(file, null, null, 'file is empty');
  const { rows, dim, data } = parseNpy(file, readFileSync(file));
  const idsFile = npySiblingIds(file);
  if (!idsFile) {
    if (rows !== ids.size) {
      throw new InputError(file, null, 'shape', `${rows} rows but the dataset has ${ids.size} items (rows must be in item order, or add ${basename(file)}.ids.txt)`);
    }
    return { dim, data };
  }
  const c = new Collector(idsFile, ids);
  let r = 0;
  for await (const { text, line } of readLines(idsFile)) {
    if (!text.trim()) continue;
    if (r >= rows) throw new InputError(idsFile, line, 'item_id', `more ids than the ${rows} rows of ${basename(file)}`);
    c.add(line, text.trim(), data.subarray(r * dim, (r + 1) * dim));
    r++;
  }
  if (r !== rows) throw new InputError(idsFile, null, 'item_id', `${r} ids for ${rows} rows of ${basename(file)}`);
  return c.finish();
}

export async function importEmbeddingsFile(
  db: Db,
  datasetId: number,
  file: string,
  opts: { name?: string } = {},
): Promise<EmbeddingsImportResult> {
  const ext = extname(file).toLowerCase();
  const format = ext === '.npy' ? 'npy' : ext === '.csv' || ext === '.tsv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : null;
  if (!format) throw new InputError(file, null, null, `unknown embeddings format "${ext}": use .npy (float32), .csv or .jsonl`);
  const ids = itemIndex(db, datasetId);
  if (ids.size === 0) throw new Error(`dataset ${datasetId} has no items`);
  const { dim, data } = format === 'npy' ? await parseNpyFile(file, ids) : format === 'csv' ? await parseCsv(file, ids) : await parseJsonl(file, ids);
  const name = opts.name ?? basename(file, extname(file));
  const id = saveEmbeddings(db, { datasetId, name, method: 'imported', dim, data, config: { source: file, format } });
  return { id, name, method: 'imported', dim, count: ids.size, format };
}
