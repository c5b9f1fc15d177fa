import { describe, expect, it } from 'vitest';
import { ID_BUILDERS } from '../../src/core/ids/registry';
import { applyCollisions, collisionStats } from '../../src/core/ids/collisions';
import type { BuildOptions, BuildResult } from '../../src/core/ids/types';
import { auditIds } from '../../src/core/audit/index';
import { drain } from '../../src/core/util/generators';
import { CancelledError } from '../../src/shared/errors';
import type { IdMethod } from '../../src/shared/types';
import { syntheticCatalog } from './synthetic';

const cat = syntheticCatalog();
const input = { data: cat.data, embeddings: cat.embeddings, dim: cat.dim };

async function build(method: IdMethod, o: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const b = ID_BUILDERS[method]!;
  const opts: BuildOptions = { layers: 3, codebook: 8, seed: 42, collisions: 'none', ...o };
  return drain(b(input, opts, { signal: new AbortController().signal, runId: 1 }));
}

const METHODS: IdMethod[] = ['random', 'hkmeans', 'rqkmeans', 'category-prefix'];

describe.each(METHODS)('%s builder (synthetic catalog)', (method) => {
  it('codes < K, same seed → identical IDs, another seed → different IDs', async () => {
    const a = await build(method);
    const b = await build(method);
    expect(a.codes.length).toBe(cat.data.nItems * 3);
    for (const v of a.codes) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(8);
    }
    expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
    if (method !== 'category-prefix') {
      const c = await build(method, { seed: 43 });
      expect(Array.from(c.codes)).not.toEqual(Array.from(a.codes));
    }
  });

  it('sinkhorn leaves zero collisions when every prefix group fits in K; suffix makes IDs unique', async () => {
    // 1200 items, K=8, L=4 → 512 prefix cells of size ~2.3: balanced capacity allows zero collisions.
    const r = await build(method, { layers: 4, codebook: 8, extra: { balanced: true } });
    const sk = applyCollisions(r, 'sinkhorn', cat.data.nItems, cat.embeddings, cat.dim);
    const prefixMax = auditIds(r, cat.data).maxBucket[2]!;
    if (prefixMax <= 8) expect(sk.after.collidingItems).toBe(0);
    expect(sk.after.collidingItems).toBeLessThanOrEqual(sk.before.collidingItems);
    // Only the last token may change.
    for (let i = 0; i < cat.data.nItems; i++) for (let l = 0; l < 3; l++) expect(sk.result.codes[i * 4 + l]).toBe(r.codes[i * 4 + l]);
    const sf = applyCollisions(r, 'suffix', cat.data.nItems, null, 0);
    expect(sf.result.layers).toBe(5);
    expect(sf.after.collidingItems).toBe(0);
    expect(sf.result.codebookSizes[4]).toBe(Math.max(1, sf.before.maxGroup));
  });
});

describe('builders: semantics on the synthetic catalog', () => {
  it('category-prefix has purity 1.0 at layer 1 and folds > K siblings into the tail token', async () => {
    const r = await build('category-prefix');
    const rep = auditIds(r, cat.data);
    expect(rep.categoryLevelUsed[0]).toBe(2); // constant root skipped
    expect(rep.categoryPurity[0]).toBe(1);
    expect(rep.categoryPurity[1]).toBe(1);
    const folded = await build('category-prefix', { codebook: 2 });
    expect(folded.summary.foldedCategories).toBeGreaterThan(0);
    for (const v of folded.codes) expect(v).toBeLessThan(2);
  });

  it('APE: random > hkmeans > 0 and APE never decreases with the prefix length', async () => {
    const rnd = auditIds(await build('random'), cat.data);
    const hk = auditIds(await build('hkmeans'), cat.data);
    expect(rnd.ape[0]!).toBeGreaterThan(hk.ape[0]!);
    for (const rep of [rnd, hk]) for (let l = 1; l < 3; l++) expect(rep.ape[l]!).toBeGreaterThanOrEqual(rep.ape[l - 1]! - 1e-12);
    expect(hk.prefixAgreement.sameLeaf).toBeGreaterThan(hk.prefixAgreement.random);
  });

  it('balanced hkmeans: every first-layer bucket holds at most ceil(n/K) items', async () => {
    const r = await build('hkmeans', { extra: { balanced: true } });
    expect(auditIds(r, cat.data).maxBucket[0]).toBeLessThanOrEqual(Math.ceil(cat.data.nItems / 8));
  });

  it('honours the AbortSignal', async () => {
    const ac = new AbortController();
    ac.abort();
    const gen = ID_BUILDERS.hkmeans!(input, { layers: 3, codebook: 8, seed: 1, collisions: 'none' }, { signal: ac.signal, runId: 1 });
    await expect(drain(gen)).rejects.toBeInstanceOf(CancelledError);
  });

  it('collisionStats counts identical full IDs', () => {
    const s = collisionStats(Int32Array.from([0, 1, 0, 1, 1, 1, 0, 1]), 4, 2, [2, 2]);
    expect(s).toMatchObject({ collidingItems: 3, collidingGroups: 1, maxGroup: 3, distinctIds: 2, rate: 0.75 });
  });
});
