/**
 * Which category levels carry information. Amazon trees start with a constant root ("Industrial & Scientific",
 * "Beauty") shared by every labelled item; a token or a purity score against that level says nothing. The builders
 * (category-prefix) and the audit both count category levels from the first level with more than one distinct node,
 * so "category level 1" of Scientific is its 25 level-2 nodes ("Lab & Scientific Products", ...).
 */
import type { DatasetArrays } from '../data/arrays';

/** Absolute 0-based levels (indices into categoryLevels' row) with ≥ 2 distinct nodes, from the first such level on. */
export function informativeLevels(data: DatasetArrays): number[] {
  const { nItems, depth, categoryLevels } = data;
  const out: number[] = [];
  let started = false;
  for (let l = 0; l < depth; l++) {
    const seen = new Set<number>();
    for (let i = 0; i < nItems; i++) {
      const c = categoryLevels[i * depth + l]!;
      if (c >= 0) {
        seen.add(c);
        if (seen.size > 1) break;
      }
    }
    if (seen.size > 1) started = true;
    if (started && seen.size >= 1) out.push(l);
  }
  return out;
}

/**
 * Category label of every item at informative level `level` (1-based over informativeLevels), or -1 when the item's
 * path is shorter. Beyond the available depth the deepest informative level is used (`usedLevel` says which absolute
 * 1-based tree level that is; 0 when the dataset has no informative level).
 */
export function categoryAtLevel(data: DatasetArrays, levels: number[], level: number): { labels: Int32Array; usedLevel: number } {
  const labels = new Int32Array(data.nItems).fill(-1);
  if (levels.length === 0) return { labels, usedLevel: 0 };
  const abs = levels[Math.min(level, levels.length) - 1]!;
  for (let i = 0; i < data.nItems; i++) labels[i] = data.categoryLevels[i * data.depth + abs]!;
  return { labels, usedLevel: abs + 1 };
}
