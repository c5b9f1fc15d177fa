/**
 * Import throughput on Beauty (P5 split: 12,101 items, 22,363 users, 198,502 interactions), in interactions (rows)
 * per second: the streaming, validating p5 parser alone, the one-transaction write into a fresh file database, and
 * the two together (what `semid import p5` does). Baseline: a naive whole-file read that splits lines and tabs with
 * no quoting, UTF-8 or reference checks (a lower bound for parsing). Also the lcrec parser on Scientific (58,492
 * interactions; Beauty ships in the P5 layout only) against a bare JSON.parse of its two files.
 * Run: `npm run bench -- import` (or `npx tsx bench/run.ts import`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { BEAUTY_DIR, SHARED_DATA, hasBeauty } from './beauty';
import { parseImport } from '../src/node/importers/index';
import { openDb } from '../src/node/db/db';
import { writeDataset, loadDatasetArrays } from '../src/node/db/datasets';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

function naiveParse(): number {
  const items = readFileSync(resolve(BEAUTY_DIR, 'beauty_items_p5.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'));
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

const SCIENTIFIC_DIR = resolve(SHARED_DATA, 'amazon18-scientific');

function naiveLcrec(): number {
  const items = JSON.parse(readFileSync(resolve(SCIENTIFIC_DIR, 'Scientific.item.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const inter = JSON.parse(readFileSync(resolve(SCIENTIFIC_DIR, 'Scientific.inter.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  let n = 0;
  for (const seq of Object.values(inter)) for (const it of seq) if (it in items) n++;
  return n;
}

export default async function (report: (row: Row) => void): Promise<void> {
  if (existsSync(resolve(SCIENTIFIC_DIR, 'Scientific.inter.json'))) {
    const sci = await parseImport({ format: 'lcrec', paths: [SCIENTIFIC_DIR] });
    const sciRows = sci.interactions.item.length;
    const naiveMs = await best(3, naiveLcrec);
    const parseMs = await best(3, () => parseImport({ format: 'lcrec', paths: [SCIENTIFIC_DIR] }));
    report({
      name: 'scientific lcrec parse',
      value: sciRows / (parseMs / 1000),
      unit: 'rows/s',
      baseline: sciRows / (naiveMs / 1000),
      note: `${sciRows} interactions, ${sci.items.length} items: ${parseMs.toFixed(0)} ms vs bare JSON.parse ${naiveMs.toFixed(0)} ms`,
    });
  }
  if (!hasBeauty) {
    report({ name: 'import: skipped', value: 0, unit: '-', note: `no Beauty data at ${BEAUTY_DIR}` });
    return;
  }
  const ds = await parseImport({ format: 'p5', paths: [BEAUTY_DIR] });
  const rows = ds.interactions.item.length;
  const naiveMs = await best(3, naiveParse);
  const parseMs = await best(3, () => parseImport({ format: 'p5', paths: [BEAUTY_DIR] }));
  report({
    name: 'beauty p5 parse',
    value: rows / (parseMs / 1000),
    unit: 'rows/s',
    baseline: rows / (naiveMs / 1000),
    note: `${parseMs.toFixed(0)} ms vs naive split ${naiveMs.toFixed(0)} ms`,
  });
  const dir = mkdtempSync(join(tmpdir(), 'semid-bench-import-'));
  try {
    let k = 0;
    const db = openDb(join(dir, 'bench.db'));
    const writeMs = await best(2, () => writeDataset(db, { ...ds, name: `beauty-${k++}` }));
    report({
      name: 'beauty write (one transaction)',
      value: rows / (writeMs / 1000),
      unit: 'rows/s',
      note: `${writeMs.toFixed(0)} ms for ${ds.items.length} items + ${ds.queries.length} users + ${rows} interactions`,
    });
    report({
      name: 'beauty import (parse + write)',
      value: rows / ((parseMs + writeMs) / 1000),
      unit: 'rows/s',
      note: `${((parseMs + writeMs) / 1000).toFixed(2)} s for ${rows} interactions`,
    });
    const loadMs = await best(3, () => loadDatasetArrays(db, 1));
    report({ name: 'beauty loadDatasetArrays', value: loadMs, unit: 'ms' });
    db.close();
  } finally {
    rmSync(dir, { recursive: true });
  }
}
