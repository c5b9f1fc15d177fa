import { describe, expect, it } from 'vitest';
import { categoryCodebookSankey, sankeySelectItems, type SankeyInput } from '../../src/core/layout/sankey';
import { categoryMix, corpusStats, prefixMembers, prefixTree, prefixWordWeights, titleWords } from '../../src/core/layout/prefix';
import { collisionGroups, diffRuns, docIdCsvRows, docIdTable, toCsv } from '../../src/core/layout/docids';
import { prefixLabel } from '../../src/core/layout/tokens';
import { hasScientific } from '../helpers/paths';
import { expectGolden } from './golden';
import { categoryArrays, scientificWithIndex, synthetic, type LayoutFixture } from './fixtures';

const sankeyInput = (f: LayoutFixture): SankeyInput => ({
  codes: f.codes,
  layers: f.layers,
  categoryLevels: f.categoryLevels,
  depth: f.depth,
  categoryName: (id) => f.names[id] ?? `#${id}`,
});

/** Flow conservation: every inner node's incoming links sum to its value and so do its outgoing links. */
function expectConserved(layout: ReturnType<typeof categoryCodebookSankey>): void {
  const cols = Math.max(...layout.nodes.map((n) => n.column));
  const inSum = new Map<string, number>();
  const outSum = new Map<string, number>();
  for (const l of layout.links) {
    inSum.set(l.target, (inSum.get(l.target) ?? 0) + l.value);
    outSum.set(l.source, (outSum.get(l.source) ?? 0) + l.value);
  }
  for (const node of layout.nodes) {
    if (node.column > 0) expect(inSum.get(node.id)).toBe(node.value);
    if (node.column < cols) expect(outSum.get(node.id)).toBe(node.value);
  }
  for (let c = 0; c <= cols; c++) {
    expect(layout.nodes.filter((n) => n.column === c).reduce((s, n) => s + n.value, 0)).toBe(layout.items);
  }
}

describe('categoryCodebookSankey', () => {
  it('pins the layout of the synthetic table (golden) and conserves flow', () => {
    const f = synthetic();
    const layout = categoryCodebookSankey(sankeyInput(f), { topCategories: 2, maxTokens: 4, width: 600, height: 300 });
    expectConserved(layout);
    // Level 1 is the single "Root": the default level is the first one that splits the items.
    expect(layout.categoryLevel).toBe(2);
    // Three level-2 categories, top 2 kept, the third folded into "other categories (1)".
    expect(layout.nodes.filter((n) => n.column === 0).map((n) => n.label)).toEqual(expect.arrayContaining(['other categories (1)']));
    // Layer 1 uses 8 tokens → 3 kept + 1 "other" node; purity is reported for every layer.
    const l1 = layout.purity[0]!;
    expect(l1.shownTokens).toBe(Math.min(l1.usedTokens, 4));
    expect(layout.nodes.filter((n) => n.column === 1)).toHaveLength(l1.shownTokens);
    // A longer prefix is never less pure than a shorter one.
    for (let k = 1; k < layout.purity.length; k++) expect(layout.purity[k]!.prefixPurity).toBeGreaterThanOrEqual(layout.purity[k - 1]!.prefixPurity);
    // Nodes stay inside the extent.
    for (const n of layout.nodes) {
      expect(n.y0).toBeGreaterThanOrEqual(0);
      expect(n.y1).toBeLessThanOrEqual(300);
    }
    expectGolden('sankey-synthetic', layout);
  });

  it('filters to a subtree, draws chosen layers, and selects the items behind a node and a link', () => {
    const f = synthetic();
    const input = sankeyInput(f);
    const labId = f.names.indexOf('Lab');
    const opts = { subtree: labId, layers: [0, 2], maxTokens: 100 };
    const layout = categoryCodebookSankey(input, opts);
    const labItems = f.categories.filter((c) => c[1] === 'Lab').length;
    expect(layout.items).toBe(labItems);
    expect(layout.categoryLevel).toBe(3);
    expect(layout.columns.map((c) => c.layer)).toEqual([null, 0, 2]);
    expectConserved(layout);
    for (const node of layout.nodes) expect(sankeySelectItems(input, opts, { node: node.id }).length).toBe(node.value);
    for (const link of layout.links.slice(0, 10)) {
      const items = sankeySelectItems(input, opts, { link: [link.source, link.target] });
      expect(items.length).toBe(link.value);
    }
    expectGolden('sankey-subtree', layout);
  });

  it('gives purity 1 at layer 1 for IDs whose first token is the category', () => {
    const f = synthetic();
    const codes = f.codes.slice();
    const cl = f.categoryLevels;
    for (let i = 0; i < codes.length / f.layers; i++) codes[i * f.layers] = cl[i * f.depth + 1]!;
    const layout = categoryCodebookSankey({ ...sankeyInput(f), codes }, {});
    expect(layout.purity[0]!.tokenPurity).toBe(1);
  });
});

describe('prefix tree and word weights', () => {
  it('counts prefixes consistently and pins the tree (golden)', () => {
    const f = synthetic();
    const tree = prefixTree(f.codes, f.layers, { depth: 2 });
    expect(tree.count).toBe(60);
    expect(tree.children!.reduce((s, c) => s + c.count, 0)).toBe(60);
    for (const c of tree.children!) {
      expect(c.children!.reduce((s, g) => s + g.count, 0)).toBe(c.count);
      expect(prefixMembers(f.codes, f.layers, c.prefix).length).toBe(c.count);
    }
    const sub = prefixTree(f.codes, f.layers, { prefix: tree.children![0]!.prefix, depth: 1 });
    expect(sub.count).toBe(tree.children![0]!.count);
    expect(sub.label).toBe(prefixLabel(tree.children![0]!.prefix));
    expectGolden('prefix-tree-synthetic', tree);
  });

  it('weights words by how distinctive they are for the prefix (golden)', () => {
    expect(titleWords('The 3M Safety-Goggles, 2 pack (clear) for LAB use 100')).toEqual(['3m', 'safety-goggles', 'clear', 'lab', 'use']);
    const titles = ['red beaker glass', 'red flask glass', 'blue beaker glass', 'steel drill bit', 'steel drill press', 'red drill'];
    const stats = corpusStats(titles);
    const w = prefixWordWeights(titles, [3, 4], stats);
    // steel: 2/2 · ln(6/2) = 1.10; bit, press: 1/2 · ln(6/1) = 0.90; drill: 2/2 · ln(6/3) = 0.69 (common in the catalog).
    expect(w.map((x) => x.word)).toEqual(['steel', 'bit', 'press', 'drill']);
    expect(w[0]!.weight).toBeCloseTo(Math.log(6 / 2), 4);
    const f = synthetic();
    const top = prefixTree(f.codes, f.layers, { depth: 1 }).children![0]!;
    const words = prefixWordWeights(f.titles, prefixMembers(f.codes, f.layers, top.prefix), corpusStats(f.titles), { top: 10 });
    expect(words.length).toBeGreaterThan(0);
    expect(words.map((x) => x.word)).not.toContain('the');
    const mix = categoryMix(prefixMembers(f.codes, f.layers, top.prefix), f.categoryLevels, f.depth, 2);
    expect(mix.reduce((s, m) => s + m.count, 0)).toBe(top.count);
    expectGolden('prefix-words-synthetic', { words, mix });
  });
});

describe('DocID table, diff and collisions', () => {
  it('groups by category, marks shared prefixes, exports CSV (golden)', () => {
    const f = synthetic();
    const items = f.titles.map((title, idx) => ({ idx, title, categories: f.categories[idx]! }));
    const other = f.codes.map((c, k) => (k % 3 === 2 ? (c + 1) % 8 : c));
    const t = docIdTable(items, [
      { runId: 1, name: 'A', codes: f.codes, layers: 3 },
      { runId: 2, name: 'B', codes: other, layers: 3 },
    ], { groupLevels: 3, maxRowsPerGroup: 5 });
    expect(t.groups.reduce((s, g) => s + g.size, 0)).toBeLessThanOrEqual(60);
    for (const g of t.groups) {
      for (const row of g.rows) for (let r = 0; r < 2; r++) expect(row.shared[r]).toBeGreaterThanOrEqual(g.commonPrefix[r]!);
      // B differs from A only in the last token, so shared prefixes up to layer 2 agree.
      for (const row of g.rows) expect(Math.min(row.shared[1]!, 2)).toBe(Math.min(row.shared[0]!, 2));
    }
    const searched = docIdTable(items, [{ runId: 1, name: 'A', codes: f.codes, layers: 3 }], { search: 'BEAKER', minGroupSize: 1 });
    expect(searched.matchedItems).toBe(f.titles.filter((x) => x.includes('beaker')).length);
    const csv = toCsv(docIdCsvRows(t));
    expect(csv.split('\r\n')[0]).toBe('group,item_idx,title,A id,A shared_prefix,B id,B shared_prefix');
    expect(toCsv([['=cmd()', 'a,"b"']])).toBe(`'=cmd(),"a,""b"""\r\n`);
    expectGolden('docid-table-synthetic', t);
  });

  it('diffs two runs with prefix-agreement statistics', () => {
    const f = synthetic();
    const same = diffRuns({ codes: f.codes, layers: 3 }, { codes: f.codes, layers: 3 });
    expect(same.differing).toBe(0);
    expect(same.layers.every((l) => l.identical === 1 && l.ari === 1)).toBe(true);
    // Relabelling layer-1 tokens changes every ID but not the partition: identical 0, ARI 1.
    const relabelled = f.codes.map((c, k) => (k % 3 === 0 ? 7 - c : c));
    const d = diffRuns({ codes: f.codes, layers: 3 }, { codes: relabelled, layers: 3 });
    expect(d.layers[0]!.ari).toBe(1);
    expect(d.layers[0]!.pairAgreementAB).toBe(1);
    expect(d.differing).toBe(d.rows.length);
    expect(d.rows.every((r) => r.firstDiff === 0)).toBe(d.layers[0]!.identical === 0);
    expectGolden('diff-synthetic', d);
  });

  it('finds collision groups', () => {
    const codes = Int32Array.from([1, 2, 1, 2, 1, 3, 1, 2, 0, 0]);
    const r = collisionGroups(codes, 2);
    expect(r.groups).toBe(1);
    expect(r.collidingItems).toBe(3);
    expect(r.top[0]).toEqual({ key: [1, 2], items: [0, 1, 3] });
    const prefix = collisionGroups(codes, 2, { length: 1 });
    expect(prefix.top[0]!.items).toEqual([0, 1, 2, 3]);
    expect(prefix.sizeHistogram).toEqual([{ size: 4, groups: 1 }]);
  });
});

describe.skipIf(!hasScientific)('layouts on Scientific (shipped rqvae_native IDs, 4,344 items)', () => {
  it('draws as many layer-1 nodes as used codes after tail aggregation, and category-prefix IDs are pure', () => {
    const f = scientificWithIndex('rqvae_native');
    expect(f.titles.length).toBe(4344);
    const input = sankeyInput(f);
    const used = new Set<number>();
    for (let i = 0; i < 4344; i++) used.add(f.codes[i * f.layers]!);
    for (const [maxTokens, layers] of [
      [24, undefined],
      [1000, [0]],
    ] as const) {
      const layout = categoryCodebookSankey(input, { maxTokens, topCategories: 10, layers: layers && [...layers] });
      const col1 = layout.nodes.filter((n) => n.column === 1);
      expect(col1.length).toBe(Math.min(used.size, maxTokens));
      expect(layout.purity[0]!.usedTokens).toBe(used.size);
      expectConserved(layout);
      expect(layout.categoryLevel).toBe(2);
      expect(layout.nodes.filter((n) => n.column === 0 && n.kind === 'category')).toHaveLength(10);
    }
    // IDs built from the category path itself (a "category-prefix" table) have layer-1 purity exactly 1.
    const byCat = categoryArrays(f.categories);
    const codes = new Int32Array(4344 * 2);
    for (let i = 0; i < 4344; i++) {
      codes[i * 2] = Math.max(0, byCat.categoryLevels[i * byCat.depth + 1]!);
      codes[i * 2 + 1] = f.codes[i * f.layers]!;
    }
    const pure = categoryCodebookSankey({ ...input, codes, layers: 2 }, {});
    expect(pure.purity[0]!.tokenPurity).toBe(1);
    const rq = categoryCodebookSankey(input, {});
    expect(rq.purity[0]!.tokenPurity).toBeLessThan(1);
    console.log(`[layout] Scientific rqvae_native layer purity vs level-2 category: ${rq.purity.map((p) => p.tokenPurity).join(', ')}`);
  }, 300_000);

  it('builds the DocID table and word clouds of the whole catalogue', () => {
    const f = scientificWithIndex('rqvae_native');
    const items = f.titles.map((title, idx) => ({ idx, title, categories: f.categories[idx]! }));
    const g = scientificWithIndex('rkmeans_native');
    const t = docIdTable(items, [
      { runId: 1, name: 'rqvae', codes: f.codes, layers: f.layers },
      { runId: 2, name: 'rkmeans', codes: g.codes, layers: g.layers },
    ], { groupLevels: 3 });
    expect(t.matchedItems).toBe(4344);
    // Items in the same level-3 category share a longer prefix than random item pairs do.
    const stats = corpusStats(f.titles);
    const tree = prefixTree(f.codes, f.layers, { depth: 1 });
    const words = prefixWordWeights(f.titles, prefixMembers(f.codes, f.layers, tree.children![0]!.prefix), stats);
    expect(words.length).toBeGreaterThan(5);
    const collisions = collisionGroups(f.codes, f.layers);
    const zcr = collisionGroups(scientificWithIndex('rqvae_zcr').codes, f.layers);
    expect(zcr.collidingItems).toBeLessThanOrEqual(collisions.collidingItems);
    console.log(
      `[layout] Scientific same-category mean shared prefix: rqvae ${t.meanPairPrefix[0]}, rkmeans ${t.meanPairPrefix[1]}; ` +
        `rqvae_native collisions: ${collisions.groups} groups / ${collisions.collidingItems} items; top words of ${tree.children![0]!.label}: ${words.slice(0, 5).map((w) => w.word).join(' ')}`,
    );
  }, 300_000);
});
