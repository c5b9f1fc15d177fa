import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditIds } from '../../src/core/audit/index';
import { csrFromSorted, type DatasetArrays } from '../../src/core/data/arrays';
import { SCIENTIFIC_DIR, hasScientific } from '../helpers/paths';
import { loadScientific } from '../helpers/realData';
import { auditTableRows, formatTable } from '../../src/cli/commands/audit';

/** 6 items, 2 layers, categories: root 0 → {1, 2}; item 5 has no level-2 category. */
function tiny(): DatasetArrays {
  const depth = 2;
  const cats = [0, 1, 0, 1, 0, 1, 0, 2, 0, 2, 0, -1];
  const empty = csrFromSorted(2, new Int32Array(0), new Int32Array(0));
  return {
    nItems: 6,
    nQueries: 2,
    depth,
    categoryLevels: Int32Array.from(cats),
    train: csrFromSorted(2, Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 1, 3, 4])),
    valid: empty,
    test: empty,
  };
}

describe('auditIds on a hand-checked table', () => {
  // tokens: layer 1 [0,0,1,1,1,3], layer 2 [0,1,0,0,1,0]; K = 4 both layers.
  const codes = Int32Array.from([0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 3, 0]);
  const rep = auditIds({ codes, layers: 2, codebookSizes: [4, 4] }, tiny());

  it('collisions, buckets, utilization, dead codes, perplexity', () => {
    expect(rep.collisions).toMatchObject({ collidingItems: 2, collidingGroups: 1, maxGroup: 2 });
    expect(rep.collisionRate).toBeCloseTo(2 / 6, 12);
    expect(rep.buckets).toEqual([3, 5]);
    expect(rep.maxBucket).toEqual([3, 2]);
    expect(rep.utilization).toEqual([3 / 4, 2 / 4]);
    expect(rep.deadCodes).toEqual([1, 2]);
    // layer 1 token distribution [2,3,0,1]/6
    const h = -[2, 3, 1].reduce((s, c) => s + (c / 6) * Math.log(c / 6), 0);
    expect(rep.perplexity[0]).toBeCloseTo(Math.exp(h), 10);
  });

  it('category purity/NMI use the first informative level (root skipped) and leave out unlabelled items', () => {
    expect(rep.categoryLevelUsed).toEqual([2, 2]);
    // layer-1 buckets over labelled items 0..4: {0,1}→cat1,cat1; {2,3,4}→cat1,cat2,cat2 → purity (2+2)/5
    expect(rep.categoryPurity[0]).toBeCloseTo(4 / 5, 12);
    expect(rep.categoryNmi[0]!).toBeGreaterThan(0);
    expect(rep.categoryNmi[0]!).toBeLessThan(1);
  });

  it('APE per prefix: q0 {0,1} same layer-1 bucket, q1 {3,4} same bucket then split', () => {
    expect(rep.apeQueries).toBe(2);
    expect(rep.ape[0]).toBe(0);
    expect(rep.ape[1]).toBeCloseTo((Math.log(2) + Math.log(2)) / 2, 12);
  });

  it('the CLI table has one row per metric per layer and one column per run', () => {
    const rows = auditTableRows([{ runId: 3, method: 'hkmeans', name: 'x', datasetId: 1, report: rep as never }]);
    expect(rows[0]).toEqual(['run', '3']);
    expect(rows.find((r) => r[0] === 'APE @2')?.[1]).toBe(rep.ape[1]!.toFixed(3));
    expect(formatTable(rows).split('\n')).toHaveLength(rows.length);
  });
});

describe.skipIf(!hasScientific)('audit of the shipped Scientific .index.json tables', () => {
  it('collision counts equal a direct count of each file', async () => {
    const { items, arrays } = await loadScientific();
    const files = readdirSync(resolve(SCIENTIFIC_DIR, 'indexes')).filter((f) => f.endsWith('.index.json'));
    expect(files.length).toBe(10);
    for (const f of files) {
      const raw = JSON.parse(readFileSync(resolve(SCIENTIFIC_DIR, 'indexes', f), 'utf8')) as Record<string, string[]>;
      // Direct count: items whose joined token string occurs more than once.
      const freq = new Map<string, number>();
      for (const toks of Object.values(raw)) freq.set(toks.join(''), (freq.get(toks.join('')) ?? 0) + 1);
      let direct = 0;
      for (const c of freq.values()) if (c > 1) direct += c;
      // Table in item idx order; a token "<c_190>" is code 190 of layer c.
      const L = Math.max(...Object.values(raw).map((t) => t.length));
      const codes = new Int32Array(arrays.nItems * L);
      items.forEach((it, i) => {
        const toks = raw[it.extId]!;
        toks.forEach((t, l) => (codes[i * L + l] = Number(/_(\d+)>/.exec(t)![1])));
      });
      const sizes = Array.from({ length: L }, (_, l) => 1 + Math.max(...items.map((_, i) => codes[i * L + l]!)));
      const rep = auditIds({ codes, layers: L, codebookSizes: sizes }, arrays);
      console.log(`[audit] ${f}: L=${L} colliding items ${rep.collisions.collidingItems}, APE ${rep.ape.map((x) => x.toFixed(3)).join(' / ')}, ${rep.ms} ms`);
      expect(rep.collisions.collidingItems, f).toBe(direct);
      for (let l = 1; l < L; l++) expect(rep.ape[l]!).toBeGreaterThanOrEqual(rep.ape[l - 1]!);
    }
  });
});
