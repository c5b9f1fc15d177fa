/** `semid import` / `semid datasets` through the real CLI entry (in-process), on the small fixtures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { openDb } from '../../src/node/db/db';
import { createRun } from '../../src/node/db/runs';

const FIX = resolve(import.meta.dirname, '../fixtures');

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('semid import / datasets', () => {
  let dir: string;
  let dbPath: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'semid-cli-'));
    dbPath = join(dir, 'cli.db');
  });
  afterAll(() => rmSync(dir, { recursive: true }));

  it('imports with --json (one object on stdout) and lists / shows / removes datasets', async () => {
    const r = await cli(['import', 'lcrec', join(FIX, 'good/good.item.json'), join(FIX, 'good/good.inter.json'), '--name', 'sci-mini', '--sep', ',(?! )', '--json', '--db', dbPath]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const s = JSON.parse(r.out[0]!) as Record<string, unknown>;
    expect(s).toMatchObject({ ok: true, name: 'sci-mini', items: 5, queries: 3, interactions: 9, categoryDepth: 4, categoryLevelCounts: [1, 3, 3, 1] });

    const ids = await cli(['import', 'ids', join(FIX, 'good/good_ids.csv'), '--dataset', 'sci-mini', '--json', '--db', dbPath]);
    expect(ids.code).toBe(0);
    expect(JSON.parse(ids.out[0]!)).toMatchObject({ ok: true, layers: 2, collisions: { collidingItems: 2, collidingGroups: 1, distinctIds: 4, duplicates: 1 } });

    const list = await cli(['datasets', '--json', '--db', dbPath]);
    expect((JSON.parse(list.out[0]!) as { datasets: { name: string }[] }).datasets.map((d) => d.name)).toEqual(['sci-mini']);
    const show = await cli(['datasets', 'show', 'sci-mini', '--db', dbPath]);
    expect(show.code).toBe(0);
    expect(show.out.join('\n')).toMatch(/category tree: depth 4, nodes per level 1 \/ 3 \/ 3 \/ 1/);
    const rm = await cli(['datasets', 'remove', '1', '--json', '--db', dbPath]);
    expect(JSON.parse(rm.out[0]!)).toMatchObject({ ok: true, removed: 1 });
  });

  it('exits non-zero and prints the InputError on bad input', async () => {
    const r = await cli(['import', 'p5', join(FIX, 'malformed/p5_dupitem_items.tsv'), join(FIX, 'good/good_sequential.txt'), '--db', dbPath]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/p5_dupitem_items\.tsv:4: field "p5_item_id": duplicate item id "2"/);
    const j = await cli(['import', 'lcrec', join(FIX, 'malformed/lcrec_syntax.item.json'), join(FIX, 'good/good.inter.json'), '--json', '--db', dbPath]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out[0]!)).toMatchObject({ ok: false, error: { name: 'InputError', line: 4 } });
  });

  it('usage errors name the flag or the format, exit 1, and write no run or stack trace', async () => {
    const fmt = await cli(['import', 'lcrx', FIX, '--db', dbPath]);
    expect(fmt.code).toBe(1);
    expect(fmt.err).toEqual(['semid import: unknown format "lcrx" (expected one of lcrec, p5, csv, jsonl, esci, ids)']);
    const depth = await cli(['import', 'lcrec', join(FIX, 'good/good.item.json'), join(FIX, 'good/good.inter.json'), '--max-depth', 'abc', '--json', '--db', dbPath]);
    expect(depth.code).toBe(1);
    const e = JSON.parse(depth.out[0]!) as { ok: boolean; error: { message: string; stack?: string } };
    expect(e).toMatchObject({ ok: false, error: { message: '--max-depth expects an integer, got "abc"' } });
    expect(e.error.stack).toBeUndefined();
    const method = await cli(['build', '--dataset', '1', '--method', 'hkmean', '--db', dbPath]);
    expect(method.code).toBe(1);
    expect(method.err.join('\n')).toMatch(/--method expects one of random, hkmeans, .*got "hkmean"/);
    const col = await cli(['build', '--dataset', '1', '--method', 'hkmeans', '--collisions', 'sinkhorm', '--db', dbPath]);
    expect(col.err.join('\n')).toMatch(/--collisions expects none, suffix or sinkhorn, got "sinkhorm"/);
    const flag = await cli(['build', '--bogus', '--json', '--db', dbPath]);
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.out[0]!)).toMatchObject({ ok: false, error: { name: 'UsageError' } });
    const runs = await cli(['runs', '--json', '--db', dbPath]);
    expect((JSON.parse(runs.out[0]!) as { runs: unknown[] }).runs.filter((r) => (r as { kind: string }).kind === 'build')).toEqual([]);
  });

  it('train-retriever on a missing run says it does not exist; on a run without IDs, that it has no ID table', async () => {
    const missing = await cli(['train-retriever', '--run', '999', '--task', 'search', '--db', dbPath]);
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual(['semid train-retriever: run 999 does not exist']);
    const j = await cli(['train-retriever', '--run', '999', '--task', 'search', '--json', '--db', dbPath]);
    expect(JSON.parse(j.out[0]!)).toMatchObject({ ok: false, error: { message: 'run 999 does not exist' } });

    // A run without an ID table (an embed run; in-process imports record no run).
    const db = openDb(dbPath);
    const embedRun = createRun(db, { datasetId: null, kind: 'embed', method: 'tfidf-rsvd', status: 'succeeded' });
    db.close();
    const noIds = await cli(['train-retriever', '--run', String(embedRun), '--task', 'search', '--db', dbPath]);
    expect(noIds.code).toBe(1);
    expect(noIds.err.join('\n')).toMatch(new RegExp(`^semid train-retriever: run ${embedRun} \\(embed, succeeded\\) has no semantic-ID table`));
  });
});
