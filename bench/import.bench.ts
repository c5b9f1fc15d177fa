/**
 * Import throughput on Beauty (P5 split: 12,101 items, 22,363 users, 198,502 interactions): the streaming,
 * validating p5 parser alone, and parse + one-transaction write into a fresh file database. Baseline: a naive
 * whole-file read that splits lines and tabs with no quoting, UTF-8 or reference checks (a lower bound for parsing).
 * Run: `npm run bench -- import` (or `npx tsx bench/run.ts import`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { BEAUTY_DIR, hasBeauty } from './beauty';
import { parseImport } from '../src/node/importers/index';
import { openDb } from '../src/node/db/db';
import { writeDataset, loadDatasetArrays } from '../src/node/db/datasets';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

function naiveParse(): number {
  const items = readFileSync(resolve(BEAUTY_DIR, 'beauty_items_p5.tsv'), 'utf8').split('\n').map((l) => l.split('\t'));
  const ids = new Map(items.slice(1).map((r, i) => [r[0], i]));
  let n = 0;
  for (const line of readFileSync(resolve(BEAUTY_DIR, 'sequential_data.txt'), 'utf8').split('\n')) {
    const t = line.split(' ');
    for (let k = 1; k < t.length; k++) if (ids.has(t[k])) n++;
  }
  return n;
}

const best = async (reps: number, f: () => Promise<unknown> | unknown): Promise<number> => {
  let ms = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
};

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'import: skipped', value: 0, unit: '-', note: `no Beauty data at ${BEAUTY_DIR}` });
    return;
  }
  const rows = 198502;
  const naiveMs = await best(3, naiveParse);
  const parseMs = await best(3, () => parseImport({ format: 'p5', paths: [BEAUTY_DIR] }));
  report({ name: 'beauty p5 parse (interactions/s)', value: rows / (parseMs / 1000), unit: 'rows/s', baseline: rows / (naiveMs / 1000), note: `${parseMs.toFixed(0)} ms vs naive split ${naiveMs.toFixed(0)} ms` });
  const ds = await parseImport({ format: 'p5', paths: [BEAUTY_DIR] });
  const dir = mkdtempSync(join(tmpdir(), 'semid-bench-import-'));
  try {
    let k = 0;
    const db = openDb(join(dir, 'bench.db'));
    const writeMs = await best(2, () => writeDataset(db, { ...ds, name: `beauty-${k++}` }));
    report({ name: 'beauty write (one transaction)', value: rows / (writeMs / 1000), unit: 'rows/s', note: `${writeMs.toFixed(0)} ms for ${ds.items.length} items + ${ds.queries.length} users + ${rows} interactions` });
    report({ name: 'beauty import total (parse + write)', value: (parseMs + writeMs) / 1000, unit: 's' });
    const loadMs = await best(3, () => loadDatasetArrays(db, 1));
    report({ name: 'beauty loadDatasetArrays', value: loadMs, unit: 'ms' });
    db.close();
  } finally {
    rmSync(dir, { recursive: true });
  }
}
