import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'semid-cli-jobs-'));
const dbPath = join(dir, 'fresh.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--db', dbPath], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('semid demo / embed / runs through forked jobs', () => {
  it('`semid demo --json` completes on a fresh database with one JSON object on stdout', async () => {
    const r = await cli('demo', '--json');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const o = JSON.parse(r.out[0]!) as Record<string, unknown>;
    expect(o).toMatchObject({ ok: true, name: 'demo catalog', items: 3000, queries: 2000, categoryLevelCounts: [5, 15, 45] });
    expect(o.embeddings).toEqual([{ name: 'tfidf-rsvd-256', dim: 256 }]);
  }, 600_000);

  it('`semid embed --dim 32` adds a second embedding; `semid runs --json` lists the three runs', async () => {
    const e = await cli('embed', '--dataset', 'demo catalog', '--dim', '32', '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out[0]!)).toMatchObject({ ok: true, name: 'tfidf-rsvd-32', dim: 32, count: 3000, backend: 'none' });
    const runs = JSON.parse((await cli('runs', '--json')).out[0]!) as { runs: { kind: string; method: string; status: string }[] };
    // The demo's embed run and `semid embed`'s record the same method name.
    expect(runs.runs.map((r) => `${r.kind}:${r.method}:${r.status}`)).toEqual(['embed:tfidf-rsvd:succeeded', 'embed:tfidf-rsvd:succeeded', 'import:demo:succeeded']);
  }, 600_000);

  it('a second `semid demo` picks a free name instead of failing', async () => {
    const r = await cli('demo', '--json', '--seed', '7');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ ok: true, name: 'demo catalog 2' });
  }, 600_000);
});
