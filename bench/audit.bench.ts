/**
 * Audit time on Beauty (12,101 items, 22,363 users): `auditIds` on the shipped 4-level rqvae_native table, beside a
 * naive baseline that computes the same APE per prefix and collision count with Maps keyed by joined token strings.
 * Run: `npm run bench -- audit` (or `npx tsx bench/run.ts audit`).
 */
import { resolve } from 'node:path';
import { auditIds } from '../src/core/audit/index';
import type { DatasetArrays } from '../src/core/data/arrays';
import { BEAUTY_DIR, hasBeauty } from './beauty';
import { parseImport } from '../src/node/importers/index';
import { datasetArraysFromImported, itemRecordsFromImported } from '../src/core/data/build';
import { parseIdTable } from '../src/node/importers/ids';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

/** The naive reading of the same metrics: string keys, per-query Maps. */
export function naiveAudit(codes: Int32Array, L: number, data: DatasetArrays): { ape: number[]; colliding: number } {
  const n = data.nItems;
  const ape: number[] = [];
  for (let l = 1; l <= L; l++) {
    const key: string[] = [];
    for (let i = 0; i < n; i++) key.push(Array.from(codes.subarray(i * L, i * L + l)).join('-'));
    let sum = 0;
    let qs = 0;
    for (let q = 0; q < data.nQueries; q++) {
      const items = new Set(data.train.items.subarray(data.train.ptr[q]!, data.train.ptr[q + 1]!));
      if (items.size === 0) continue;
      qs++;
      const m = new Map<string, number>();
      for (const i of items) m.set(key[i]!, (m.get(key[i]!) ?? 0) + 1);
      for (const c of m.values()) sum -= (c / items.size) * Math.log(c / items.size);
    }
    ape.push(sum / qs);
  }
  const full = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = Array.from(codes.subarray(i * L, (i + 1) * L)).join('-');
    full.set(k, (full.get(k) ?? 0) + 1);
  }
  let colliding = 0;
  for (const c of full.values()) if (c > 1) colliding += c;
  return { ape, colliding };
}

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'audit: Beauty data missing', value: 0, unit: '-', note: `not found at ${BEAUTY_DIR}` });
    return;
  }
  const ds = await parseImport({ format: 'p5', paths: [BEAUTY_DIR] });
  const data = datasetArraysFromImported(ds);
  const items = itemRecordsFromImported(ds);
  // The data helper's ID-table parser (keys are 0-based indexes in these files).
  const parsed = await parseIdTable(resolve(BEAUTY_DIR, 'sid-indexes/rqvae_native.index.json'), items.map((i) => i.extId));
  const L = parsed.layers;
  const codes = parsed.codes;
  const table = { codes, layers: L, codebookSizes: parsed.codebookSizes };
  auditIds(table, data); // warm-up (JIT)
  naiveAudit(codes, L, data);
  const reps = 3;
  let t0 = performance.now();
  let rep = auditIds(table, data);
  for (let r = 1; r < reps; r++) rep = auditIds(table, data);
  const ours = (performance.now() - t0) / reps;
  t0 = performance.now();
  let naive = naiveAudit(codes, L, data);
  for (let r = 1; r < reps; r++) naive = naiveAudit(codes, L, data);
  const base = (performance.now() - t0) / reps;
  for (let l = 0; l < L; l++) {
    if (Math.abs(naive.ape[l]! - rep.ape[l]!) > 1e-9) throw new Error(`APE mismatch at layer ${l + 1}: ${rep.ape[l]} vs naive ${naive.ape[l]}`);
  }
  if (naive.colliding !== rep.collisions.collidingItems) throw new Error('collision count mismatch');
  report({
    name: 'audit Beauty rqvae_native (L=4, K=256), full report',
    value: ours,
    unit: 'ms',
    baseline: base,
    note: `baseline = naive string-keyed APE + collisions only; APE ${rep.ape.map((x) => x.toFixed(3)).join('/')}, colliding items ${rep.collisions.collidingItems}`,
  });
}
