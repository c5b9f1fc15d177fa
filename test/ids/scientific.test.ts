/**
 * Builders and collision handling on real data: Amazon 2018 Industrial & Scientific (4,344 items), with the
 * built-in TF-IDF + SVD embeddings (256-d). L = 3, K = 256 as in the acceptance list.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hasScientific } from '../helpers/paths';
import { scientificWithEmbeddings } from '../helpers/realData';
import { ID_BUILDERS } from '../../src/core/ids/registry';
import { applyCollisions } from '../../src/core/ids/collisions';
import { auditIds, type AuditReport } from '../../src/core/audit/index';
import type { BuildOptions, BuildResult } from '../../src/core/ids/types';
import type { DatasetArrays } from '../../src/core/data/arrays';
import { drain } from '../../src/core/util/generators';
import type { IdMethod } from '../../src/shared/types';

describe.skipIf(!hasScientific)('ID builders on Scientific (L=3, K=256)', () => {
  let arrays: DatasetArrays;
  let embeddings: Float32Array;
  let dim: number;
  const built = new Map<string, BuildResult>();
  const audits = new Map<string, AuditReport>();

  async function build(method: IdMethod, o: Partial<BuildOptions> = {}): Promise<BuildResult> {
    // 10 Lloyd iterations keep the suite fast (the default is 20 with early stop); the assertions do not depend on it.
    const opts: BuildOptions = { layers: 3, codebook: 256, seed: 7, collisions: 'none', extra: { iters: 10 }, ...o };
    return drain(ID_BUILDERS[method]!({ data: arrays, embeddings, dim }, opts, { signal: new AbortController().signal, runId: 1 }));
  }

  beforeAll(async () => {
    ({ arrays, embeddings, dim } = await scientificWithEmbeddings(256));
    for (const m of ['random', 'hkmeans', 'rqkmeans', 'category-prefix'] as IdMethod[]) {
      const t0 = Date.now();
      const r = await build(m);
      built.set(m, r);
      audits.set(m, auditIds(r, arrays));
      console.log(`[scientific] ${m}: build ${Date.now() - t0} ms, APE ${audits.get(m)!.ape.map((x) => x.toFixed(3)).join(' / ')}`);
    }
  });

  it('every code is < K and the table covers every item', () => {
    for (const [m, r] of built) {
      expect(r.codes.length, m).toBe(arrays.nItems * 3);
      let max = 0;
      for (const v of r.codes) max = Math.max(max, v);
      expect(max, m).toBeLessThan(256);
      expect(Math.min(...r.codes), m).toBeGreaterThanOrEqual(0);
    }
  });

  it('same seed → identical IDs (hkmeans)', async () => {
    for (const m of ['hkmeans'] as IdMethod[]) {
      const again = await build(m);
      expect(Buffer.from(again.codes.buffer).equals(Buffer.from(built.get(m)!.codes.buffer)), m).toBe(true);
    }
  });

  it('sinkhorn leaves zero collisions whenever prefix groups fit in K (random, hkmeans, rqkmeans); else ≤ ceil(m/K) per ID', () => {
    for (const [m, r] of built) {
      const a = audits.get(m)!;
      const out = applyCollisions(r, 'sinkhorn', arrays.nItems, embeddings, dim);
      console.log(`[scientific] ${m}: collisions ${out.before.collidingItems} → ${out.after.collidingItems} (${out.ms} ms), largest 2-token prefix ${a.maxBucket[1]}`);
      if (m !== 'category-prefix') expect(a.maxBucket[1]!, m).toBeLessThanOrEqual(256);
      if (a.maxBucket[1]! <= 256) expect(out.after.collidingItems, m).toBe(0);
      else expect(out.after.maxGroup, m).toBeLessThanOrEqual(Math.ceil(a.maxBucket[1]! / 256));
      for (let i = 0; i < r.codes.length; i++) if (i % 3 !== 2) expect(out.result.codes[i]).toBe(r.codes[i]);
    }
  });

  it('APE: random > hkmeans and random > rqkmeans at every prefix length; longer prefix never lower', () => {
    const rnd = audits.get('random')!;
    for (const m of ['hkmeans', 'rqkmeans', 'category-prefix']) {
      const a = audits.get(m)!;
      for (let l = 0; l < 3; l++) expect(rnd.ape[l]!, `${m} layer ${l + 1}`).toBeGreaterThan(a.ape[l]!);
    }
    for (const a of audits.values()) for (let l = 1; l < 3; l++) expect(a.ape[l]!).toBeGreaterThanOrEqual(a.ape[l - 1]!);
  });

  it('category-prefix: purity 1.0 at layer 1 (level-2 categories, 25 < K); semantic methods beat random purity', () => {
    const cp = audits.get('category-prefix')!;
    expect(cp.categoryLevelUsed[0]).toBe(2);
    expect(cp.categoryPurity[0]).toBe(1);
    expect(audits.get('hkmeans')!.categoryPurity[0]!).toBeGreaterThan(audits.get('random')!.categoryPurity[0]! + 0.1);
    expect(audits.get('hkmeans')!.prefixAgreement.sameLeaf).toBeGreaterThan(audits.get('random')!.prefixAgreement.sameLeaf);
  });
});
