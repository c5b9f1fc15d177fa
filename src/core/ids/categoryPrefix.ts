/**
 * Category-prefix IDs (Hi-Gen style rigid IDs): the first H tokens spell the item's category path, the remaining
 * L - H tokens come from hierarchical k-means inside each category prefix group.
 *
 * - Levels are the informative category levels (src/core/ids/categories.ts: a constant root such as "Beauty" is
 *   skipped). H = extra.prefixLevels, default min(informative depth, L - 1), so at least one k-means layer remains to
 *   tell items of one category apart.
 * - The token at level h is the rank of the item's level-h category among the categories present in its prefix group
 *   (its siblings), by item count descending, ties by node id. Items whose path stops above level h are one more
 *   "sibling" (an unknown-category bucket), ranked the same way.
 * - More than K siblings: ranks ≥ K-1 are folded into the tail token K-1 (the K-1 largest categories keep their own
 *   token; all smaller ones share the last). The number of folded categories is reported in the summary.
 */
import { throwIfAborted } from '../../shared/errors';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';
import { informativeLevels } from './categories';
import { hierarchicalKmeans } from './hkmeans';
import type { IdBuilder } from './types';

export const categoryPrefixBuilder: IdBuilder = async function* (input, opts, ctx) {
  const { data, embeddings, dim } = input;
  const n = data.nItems;
  const L = opts.layers;
  const K = opts.codebook;
  const levels = informativeLevels(data);
  const H = Math.max(0, Math.min(typeof opts.extra?.prefixLevels === 'number' ? opts.extra.prefixLevels : L - 1, levels.length, L));
  const balanced = opts.extra?.balanced === true;
  const iters = typeof opts.extra?.iters === 'number' ? opts.extra.iters : 20;
  const codes = new Int32Array(n * L);
  let group = new Int32Array(n);
  let nGroups = 1;
  let folded = 0;
  for (let h = 0; h < H; h++) {
    throwIfAborted(ctx.signal);
    const abs = levels[h]!;
    // Count items per (group, category) — category -1 = unknown at this level.
    const counts = new Map<number, Map<number, number>>();
    for (let i = 0; i < n; i++) {
      const c = data.categoryLevels[i * data.depth + abs]!;
      let m = counts.get(group[i]!);
      if (!m) counts.set(group[i]!, (m = new Map()));
      m.set(c, (m.get(c) ?? 0) + 1);
    }
    const rank = new Map<number, Map<number, number>>();
    for (const [g, m] of counts) {
      const sorted = [...m.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      if (sorted.length > K) folded += sorted.length - (K - 1);
      rank.set(g, new Map(sorted.map(([c], r) => [c, Math.min(r, K - 1)])));
    }
    const nextGroup = new Int32Array(n);
    const ids = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const c = data.categoryLevels[i * data.depth + abs]!;
      const tok = rank.get(group[i]!)!.get(c)!;
      codes[i * L + h] = tok;
      const key = group[i]! * K + tok;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      nextGroup[i] = id;
    }
    group = nextGroup;
    nGroups = ids.size;
    yield { type: 'progress', phase: 'category prefix', done: h + 1, total: L };
    await yieldToLoop();
  }
  let lastLayerDistances: Float32Array | undefined;
  let inertia = 0;
  if (H < L) {
    const members: number[][] = Array.from({ length: nGroups }, () => []);
    for (let i = 0; i < n; i++) members[group[i]!]!.push(i);
    const rng = new Rng(opts.seed);
    lastLayerDistances = new Float32Array(n * K);
    let done = 0;
    for (const m of members) {
      if (m.length === 0) continue;
      const res = yield* hierarchicalKmeans({
        x: embeddings, dim, items: Int32Array.from(m), codes, totalLayers: L, fromLayer: H, k: K, balanced, iters,
        rng, signal: ctx.signal, lastDist: lastLayerDistances, phase: 'k-means inside categories',
      });
      inertia += res.inertia;
      done++;
      yield { type: 'progress', phase: 'k-means inside categories', done, total: nGroups };
    }
  }
  return {
    codes,
    layers: L,
    codebookSizes: Array<number>(L).fill(K),
    summary: {
      prefixLevels: H,
      categoryLevelsUsed: levels.slice(0, H).map((l) => l + 1),
      prefixGroups: nGroups,
      foldedCategories: folded,
      inertia,
    },
    lastLayerDistances,
  };
};
