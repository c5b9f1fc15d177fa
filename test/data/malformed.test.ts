/**
 * The malformed-input corpus (test/fixtures/malformed/manifest.json): every file must fail with an error naming the
 * file, the line and the field, and leave a database that already holds a dataset exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { type Db, openDb } from '../../src/node/db/db';
import { importDataset } from '../../src/node/importers/index';
import { importIds } from '../../src/node/importers/ids';
import { InputError } from '../../src/shared/errors';
import type { DatasetFormat } from '../../src/shared/types';

const DIR = resolve(import.meta.dirname, '../fixtures/malformed');
interface Case {
  name: string;
  format: DatasetFormat | 'ids';
  paths: string[];
  options?: Record<string, unknown>;
  datasetName?: string;
  expect: { file: string | null; line: number | null; field: string | null; reason: string };
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { cases: Case[] };

/** Content fingerprint: user_version + every row of every table, in primary-key order. */
function fingerprint(db: Db): string {
  const h = createHash('sha256');
  h.update(`user_version=${String(db.pragma('user_version', { simple: true }))}\n`);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][];
    h.update(`${name}:${rows.length}\n`);
    for (const r of rows) h.update(JSON.stringify(r.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : x))) + '\n');
  }
  return h.digest('hex');
}

describe('malformed input corpus', () => {
  let dir: string;
  let db: Db;
  let datasetId: number;
  let before: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'semid-malformed-'));
    db = openDb(join(dir, 'w.db'));
    const s = await importDataset(db, {
      format: 'lcrec',
      name: 'target',
      paths: [resolve(DIR, '../good/good.item.json'), resolve(DIR, '../good/good.inter.json'), resolve(DIR, '../good/good.index.json')],
    });
    datasetId = s.datasetId;
    before = fingerprint(db);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true });
  });

  it('has at least 20 malformed files, each used by a case', () => {
    const used = new Set(manifest.cases.flatMap((c) => c.paths.filter((p) => !p.startsWith('..'))));
    expect(used.size).toBeGreaterThanOrEqual(20);
  });

  it.each(manifest.cases.map((c) => [c.name, c] as const))('%s fails with its named error and changes nothing', async (_name, c) => {
    const paths = c.paths.map((p) => resolve(DIR, p));
    const run = (): Promise<unknown> =>
      c.format === 'ids'
        ? importIds(db, { datasetId, path: paths[0]!, ...(c.options as object) })
        : importDataset(db, { format: c.format, name: c.datasetName ?? `attempt-${c.name}`, paths, options: c.options });
    const err = await run().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err, 'import should fail').not.toBeNull();
    const e = c.expect;
    expect(err!.message).toContain(e.reason);
    if (e.file) {
      expect(err).toBeInstanceOf(InputError);
      const ie = err as InputError;
      expect(basename(ie.file)).toBe(e.file);
      expect(ie.line).toBe(e.line);
      expect(ie.field).toBe(e.field);
      expect(ie.message).toContain(e.line == null ? e.file : `${e.file}:${e.line}:`);
    }
    expect(fingerprint(db)).toBe(before);
  });
});
