/** Semantic-ID tables and 2-D projections: typed arrays stored as little-endian BLOBs in item idx order. */
import type { CollisionMode, SemanticIdTable } from '../../shared/types';
import { type Db, nowIso } from './db';

const blob = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Copies a BLOB into an aligned typed array (SQLite buffers need not be 4-byte aligned). */
export function blobToInt32(b: Buffer): Int32Array {
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
export function blobToFloat32(b: Buffer): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
export const toBlob = blob;

export function saveSemanticIds(
  db: Db,
  t: { runId: number; datasetId: number; layers: number; codebookSizes: number[]; codes: Int32Array; collisionMode: CollisionMode },
): void {
  if (t.codes.length % t.layers !== 0) throw new Error(`semantic-id table of run ${t.runId}: ${t.codes.length} codes is not a multiple of ${t.layers} layers`);
  db.prepare(
    `INSERT OR REPLACE INTO semantic_ids (run_id, dataset_id, layers, codebook_sizes_json, items, codes, collision_mode, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.runId, t.datasetId, t.layers, JSON.stringify(t.codebookSizes), t.codes.length / t.layers, blob(t.codes), t.collisionMode, nowIso());
}

export function loadSemanticIds(db: Db, runId: number): SemanticIdTable | undefined {
  const row = db.prepare('SELECT * FROM semantic_ids WHERE run_id = ?').get(runId) as
    | { run_id: number; dataset_id: number; layers: number; codebook_sizes_json: string; items: number; codes: Buffer; collision_mode: string }
    | undefined;
  if (!row) return undefined;
  return {
    runId: row.run_id,
    datasetId: row.dataset_id,
    layers: row.layers,
    codebookSizes: JSON.parse(row.codebook_sizes_json) as number[],
    items: row.items,
    codes: blobToInt32(row.codes),
    collisionMode: row.collision_mode as CollisionMode,
  };
}

export function requireSemanticIds(db: Db, runId: number): SemanticIdTable {
  const t = loadSemanticIds(db, runId);
  if (t) return t;
  const run = db.prepare('SELECT kind, status FROM runs WHERE id = ?').get(runId) as { kind: string; status: string } | undefined;
  if (!run) throw new Error(`run ${runId} does not exist`);
  throw new Error(`run ${runId} (${run.kind}, ${run.status}) has no semantic-ID table (is it a finished build or an imported ID table?)`);
}

export interface ProjectionRecord {
  id: number;
  datasetId: number;
  runId: number | null;
  source: string;
  method: string;
  params: Record<string, unknown>;
  coords: Float32Array;
  createdAt: string;
}

export function saveProjection(
  db: Db,
  p: { datasetId: number; runId: number | null; source: string; method: string; params: Record<string, unknown>; coords: Float32Array },
): number {
  const info = db
    .prepare('INSERT INTO projections (dataset_id, run_id, source, method, params_json, coords, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(p.datasetId, p.runId, p.source, p.method, JSON.stringify(p.params), blob(p.coords), nowIso());
  return Number(info.lastInsertRowid);
}

export function listProjections(db: Db, datasetId: number): Omit<ProjectionRecord, 'coords'>[] {
  return (
    db.prepare('SELECT id, dataset_id, run_id, source, method, params_json, created_at FROM projections WHERE dataset_id = ? ORDER BY id DESC').all(datasetId) as {
      id: number; dataset_id: number; run_id: number | null; source: string; method: string; params_json: string; created_at: string;
    }[]
  ).map((r) => ({ id: r.id, datasetId: r.dataset_id, runId: r.run_id, source: r.source, method: r.method, params: JSON.parse(r.params_json) as Record<string, unknown>, createdAt: r.created_at }));
}

export function loadProjection(db: Db, id: number): ProjectionRecord | undefined {
  const r = db.prepare('SELECT * FROM projections WHERE id = ?').get(id) as
    | { id: number; dataset_id: number; run_id: number | null; source: string; method: string; params_json: string; coords: Buffer; created_at: string }
    | undefined;
  if (!r) return undefined;
  return { id: r.id, datasetId: r.dataset_id, runId: r.run_id, source: r.source, method: r.method, params: JSON.parse(r.params_json) as Record<string, unknown>, coords: blobToFloat32(r.coords), createdAt: r.created_at };
}
