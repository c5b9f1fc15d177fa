/**
 * Pre-collision IDs kept with a run: the build runner (in-process, artifacts persisted by the host's sink) stores the
 * builder's IDs for `suffix` and `sinkhorn` builds as run data, and the collision inspector's service reads them
 * back. Checked against direct recomputation: the stored codes are exactly the builder's output for the same seed,
 * the stored table is exactly applyCollisions' result, and every count the service reports equals a direct count.
 * Also on this database: a trained (rqvae) build keeps its encoder outputs, and the t-SNE job projects them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCollisions, collisionFates, movedByDecollision } from '../../src/core/ids/collisions';
import { ID_BUILDERS } from '../../src/core/ids/registry';
import type { BuildResult } from '../../src/core/ids/types';
import { drain } from '../../src/core/util/generators';
import { loadSemanticIds } from '../../src/node/db/artifacts';
import { loadDatasetArrays, loadEmbeddings, saveEmbeddings } from '../../src/node/db/datasets';
import { openDb, type Db } from '../../src/node/db/db';
import { createRun, getRunData } from '../../src/node/db/runs';
import { importDataset } from '../../src/node/importers/index';
import { buildRunner } from '../../src/node/jobs/runners/build';
import { ENCODER_OUTPUTS_KEY, projectRunner } from '../../src/node/jobs/runners/project';
import type { JobRunner } from '../../src/node/jobs/types';
import { CODES_BEFORE_COLLISIONS_KEY, decodePreCollisionCodes, encodePreCollisionCodes, type PreCollisionCodes } from '../../src/node/jobs/runners/precollision';
import { persistArtifact } from '../../src/node/jobs/sink';
import { createViewsService } from '../../src/node/services/views';
import type { CollisionMode } from '../../src/shared/types';
import { syntheticCatalog } from './synthetic';

const N = 600;
const cat = syntheticCatalog({ items: N, dim: 16, clusters: 12, users: 50, seed: 3 });

/** Groups of ≥ 2 items sharing all `layers` tokens, counted directly. */
function directGroups(codes: Int32Array, layers: number): { groups: number; items: number } {
  const m = new Map<string, number>();
  for (let i = 0; i < codes.length / layers; i++) {
    const k = Array.from(codes.subarray(i * layers, (i + 1) * layers)).join(',');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  let groups = 0;
  let items = 0;
  for (const c of m.values()) if (c > 1) (groups++, (items += c));
  return { groups, items };
}

let dir: string;
let db: Db;
let datasetId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'semid-precollision-'));
  const items: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) {
    const c = cat.cluster[i]!;
    items[`I${String(i).padStart(4, '0')}`] = { title: `item ${i} of cluster ${c}`, description: '', brand: '', categories: `Root,G${c % 4},C${c}` };
  }
  const inter: Record<string, string[]> = {};
  for (let u = 0; u < 40; u++) inter[`u${u}`] = Array.from({ length: 4 }, (_, k) => `I${String((u * 13 + k * 7) % N).padStart(4, '0')}`);
  writeFileSync(join(dir, 'Syn.item.json'), JSON.stringify(items));
  writeFileSync(join(dir, 'Syn.inter.json'), JSON.stringify(inter));
  db = openDb(join(dir, 'test.db'));
  datasetId = (await importDataset(db, { format: 'lcrec', paths: [join(dir, 'Syn.item.json'), join(dir, 'Syn.inter.json')], name: 'Syn' })).datasetId;
  expect(loadDatasetArrays(db, datasetId).nItems).toBe(N);
  saveEmbeddings(db, { datasetId, name: 'syn-16', method: 'synthetic', dim: cat.dim, data: cat.embeddings });
});

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a real job runner in-process and persists its artifacts the way the host does. */
async function runInProcess<P>(runner: JobRunner<P>, raw: Record<string, unknown>, method: string): Promise<{ runId: number; result: Record<string, unknown> }> {
  const params = runner.parse(raw);
  const runId = createRun(db, { datasetId, kind: runner.kind, method, status: 'running', config: params as unknown as Record<string, unknown> });
  const gen = runner.run(params, { db, dbPath: join(dir, 'test.db'), runId, signal: new AbortController().signal, reportBackend: () => {} });
  for (;;) {
    const r = await gen.next();
    if (r.done) return { runId, result: r.value as Record<string, unknown> };
    if (r.value.type === 'artifact') persistArtifact(db, runId, r.value.artifact);
  }
}

const runBuild = (collisions: CollisionMode, layers: number, codebook: number): Promise<{ runId: number; result: Record<string, unknown> }> =>
  runInProcess(buildRunner, { datasetId, method: 'rqkmeans', layers, codebook, seed: 5, collisions }, 'rqkmeans');

/** The builder's own output for the same options, without the runner. */
async function builderOutput(layers: number, codebook: number): Promise<BuildResult> {
  const emb = loadEmbeddings(db, datasetId)!;
  const r = await drain(
    ID_BUILDERS.rqkmeans!({ data: loadDatasetArrays(db, datasetId), embeddings: emb.data, dim: emb.dim }, { layers, codebook, seed: 5, collisions: 'none' }, { signal: new AbortController().signal, runId: 0 }),
  );
  return r;
}

const views = (): ReturnType<typeof createViewsService> =>
  createViewsService({
    db,
    dbPath: join(dir, 'test.db'),
    host: 'serve',
    jobs: { start: () => 0, cancel: () => {}, wait: () => Promise.reject(new Error('no jobs here')), onEvent: () => () => {} },
  });

describe('pre-collision IDs stored with a build', () => {
  it('encode/decode round-trips a table, also from an unaligned view, and rejects a short one', () => {
    const big = new Int32Array(31).map((_, i) => (i * 2654435761) | 0);
    const view = big.subarray(1, 31); // byteOffset 4
    const v = encodePreCollisionCodes({ codes: view, layers: 3, codebookSizes: [7, 7, 7] }, 'sinkhorn');
    expect(v.items).toBe(10);
    expect(Array.from(decodePreCollisionCodes(v).codes)).toEqual(Array.from(view));
    expect(() => decodePreCollisionCodes({ ...v, items: 11 })).toThrow(/30 codes for 11 items/);
  });

  it('sinkhorn: the stored codes are the builder output; the service counts match direct counts', async () => {
    // L=2, K=8 on 600 items: prefix groups of ~75 > K, so collisions remain after sinkhorn (cap = ceil(m/K)).
    const { runId, result } = await runBuild('sinkhorn', 2, 8);
    const kept = getRunData<PreCollisionCodes>(db, runId, CODES_BEFORE_COLLISIONS_KEY);
    expect(kept).toBeDefined();
    const pre = decodePreCollisionCodes(kept!);
    expect(pre.layers).toBe(2);
    expect(kept!.collisionMode).toBe('sinkhorn');
    const built = await builderOutput(2, 8);
    expect(Array.from(pre.codes)).toEqual(Array.from(built.codes));
    expect(pre.codebookSizes).toEqual(built.codebookSizes);
    const table = loadSemanticIds(db, runId)!;
    const emb = loadEmbeddings(db, datasetId)!;
    const expected = applyCollisions(built, 'sinkhorn', N, emb.data, emb.dim);
    expect(Array.from(table.codes)).toEqual(Array.from(expected.result.codes));

    const res = await views().collisions({ runId, limit: 5000 });
    expect(res.beforeSource).toBe('stored');
    expect(res.beforeLayers).toBe(2);
    const dBefore = directGroups(pre.codes, 2);
    const dAfter = directGroups(table.codes, 2);
    // Sinkhorn spreads each prefix group's ~75 items over its 8 codes: smaller groups, still some.
    expect(dAfter.groups).toBeGreaterThan(0);
    expect(res.after.maxGroup).toBeLessThan(res.before!.maxGroup);
    expect(res.after.maxGroup).toBeLessThanOrEqual(Math.ceil(Math.max(...directPrefixSizes(pre.codes, 2, 1)) / 8));
    expect(res.before!.groups).toBe(dBefore.groups);
    expect(res.before!.collidingItems).toBe(dBefore.items);
    expect(res.after.groups).toBe(dAfter.groups);
    expect(res.after.collidingItems).toBe(dAfter.items);
    const col = result.collisions as { moved: number; before: { collidingGroups: number }; after: { collidingGroups: number } };
    expect(col.before.collidingGroups).toBe(dBefore.groups);
    expect(col.after.collidingGroups).toBe(dAfter.groups);
    expect(res.moved).toBe(col.moved);
    expect(res.before!.top.reduce((a, g) => a + g.moved, 0)).toBe(col.moved);
    // Each listed item: `before` is its group key, only the last token may differ, outcome flags match the tables.
    const byIdx = new Map(res.items.map((it) => [it.idx, it]));
    for (const g of res.before!.top) {
      const finals = new Set<string>();
      let stillShared = 0;
      for (const i of g.items) {
        const it = byIdx.get(i)!;
        expect(it.before).toEqual(g.key);
        expect(it.tokens[0]).toBe(g.key[0]);
        expect(it.tokens).toEqual(Array.from(table.codes.subarray(i * 2, i * 2 + 2)));
        expect(it.moved).toBe(it.tokens[1] !== g.key[1]);
        finals.add(it.tokens.join(','));
        if (it.finalGroupSize > 1) stillShared++;
      }
      expect(g.finalIds).toBe(finals.size);
      expect(g.stillShared).toBe(stillShared);
    }
  });

  it('sinkhorn at L=3, K=8: zero collisions after when every prefix group fits, and the before-groups are still shown', async () => {
    const { runId } = await runBuild('sinkhorn', 3, 8);
    const pre = decodePreCollisionCodes(getRunData<PreCollisionCodes>(db, runId, CODES_BEFORE_COLLISIONS_KEY)!);
    const res = await views().collisions({ runId });
    const prefixMax = Math.max(...directPrefixSizes(pre.codes, 3, 2));
    if (prefixMax <= 8) expect(res.after.groups).toBe(0);
    expect(res.before!.groups).toBe(directGroups(pre.codes, 3).groups);
    expect(res.before!.groups).toBeGreaterThan(0);
  });

  it('suffix: the stored codes equal the table without its suffix layer; after de-collision nothing is shared', async () => {
    const { runId, result } = await runBuild('suffix', 2, 8);
    const pre = decodePreCollisionCodes(getRunData<PreCollisionCodes>(db, runId, CODES_BEFORE_COLLISIONS_KEY)!);
    const table = loadSemanticIds(db, runId)!;
    expect(table.layers).toBe(3);
    expect(Array.from(pre.codes)).toEqual(Array.from((await builderOutput(2, 8)).codes));
    for (let i = 0; i < N; i++) expect(Array.from(table.codes.subarray(i * 3, i * 3 + 2))).toEqual(Array.from(pre.codes.subarray(i * 2, i * 2 + 2)));
    const res = await views().collisions({ runId });
    const d = directGroups(pre.codes, 2);
    expect(res.beforeSource).toBe('stored');
    expect(res.before!.groups).toBe(d.groups);
    expect(res.after.groups).toBe(0);
    expect(res.moved).toBe(d.items - d.groups);
    expect(res.moved).toBe((result.collisions as { moved: number }).moved);
    for (const g of res.before!.top) expect(g.finalIds).toBe(g.items.length);
  });

  it('none: nothing extra is stored and before = after', async () => {
    const { runId } = await runBuild('none', 2, 8);
    expect(getRunData(db, runId, CODES_BEFORE_COLLISIONS_KEY)).toBeUndefined();
    const res = await views().collisions({ runId });
    expect(res.beforeSource).toBe('same');
    expect(res.before!.groups).toBe(res.after.groups);
    expect(res.moved).toBe(0);
  });
});

describe('encoder outputs kept with a trained build', () => {
  it('an rqvae build stores z for every item (its latent width), and the t-SNE job projects them under the run', async () => {
    const extra = { hidden: [32], latent: 8, batch: 128, checkpointEvery: 0 };
    const { runId } = await runInProcess(buildRunner, { datasetId, method: 'rqvae', layers: 2, codebook: 8, seed: 5, epochs: 2, extra }, 'rqvae');
    const kept = getRunData<{ dim: number; count: number; data: string }>(db, runId, ENCODER_OUTPUTS_KEY);
    expect(kept).toBeDefined();
    expect(kept!.dim).toBe(8);
    expect(kept!.count).toBe(N);
    const z = new Float32Array(new Uint8Array(Buffer.from(kept!.data, 'base64')).buffer);
    expect(z.length).toBe(N * 8);
    expect(z.every(Number.isFinite)).toBe(true);
    // Not the input embeddings (16-d) and not all equal: a real encoder output.
    expect(new Set(Array.from(z.subarray(0, 64), (x) => x.toFixed(4))).size).toBeGreaterThan(32);
    const proj = await runInProcess(projectRunner, { datasetId, source: 'run', sourceRunId: runId, perplexity: 10, iterations: 100, snapshotEvery: 0 }, 'tsne');
    expect(proj.result).toMatchObject({ n: N, dim: 8 });
    const row = db.prepare('SELECT run_id AS runId, source FROM projections ORDER BY id DESC LIMIT 1').get() as { runId: number; source: string };
    expect(row).toEqual({ runId, source: `run:${runId}` });
  }, 300_000);
});

describe('collisionFates', () => {
  it('counts final IDs, moved and still-shared items per group (suffix zeros are not moves)', () => {
    // 5 items, before L=1: [7, 7, 7, 3, 3]; after L=2 (suffix-like): 7.0, 7.1, 7.0(!), 3.0, 3.1
    const before = { codes: Int32Array.from([7, 7, 7, 3, 3]), layers: 1 };
    const after = { codes: Int32Array.from([7, 0, 7, 1, 7, 0, 3, 0, 3, 1]), layers: 2 };
    expect(collisionFates(before, after, [[0, 1, 2], [3, 4]])).toEqual([
      { finalIds: 2, moved: 1, stillShared: 2 },
      { finalIds: 2, moved: 1, stillShared: 0 },
    ]);
    expect([0, 1, 2, 3, 4].map((i) => movedByDecollision(before, after, i))).toEqual([false, true, false, false, true]);
    // Same layers (sinkhorn-like): a changed last token is a move; item 1 moved onto item 3's ID (another group).
    const after2 = { codes: Int32Array.from([7, 3, 7, 3, 4]), layers: 1 };
    expect(collisionFates(before, after2, [[0, 1, 2], [3, 4]])).toEqual([
      { finalIds: 2, moved: 1, stillShared: 3 },
      { finalIds: 2, moved: 1, stillShared: 1 },
    ]);
    expect(() => collisionFates(before, { codes: new Int32Array(4), layers: 2 }, [])).toThrow(/5 items before, 2 after/);
  });
});

function directPrefixSizes(codes: Int32Array, layers: number, len: number): number[] {
  const m = new Map<string, number>();
  for (let i = 0; i < codes.length / layers; i++) {
    const k = Array.from(codes.subarray(i * layers, i * layers + len)).join(',');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.values()];
}
