/**
 * The category tree of a dataset, derived from item category paths. Node identity is the path prefix (two "Tools"
 * under different parents are different nodes). Ids are dense, unique across levels and assigned level by level in
 * order of first appearance, so the same items always give the same ids (the database stores them, the tests
 * recompute them).
 */
import type { CategoryNode } from '../../shared/types';

export interface CategoryTree {
  /** Sorted by id; nodes[id].id === id. */
  nodes: CategoryNode[];
  /** Deepest node of each item's path, or -1 when the item has no category. */
  leaf: Int32Array;
  /** Max path length (root = level 1); 0 when no item has a category. */
  depth: number;
  /** Distinct nodes per level, index 0 = level 1. */
  levelCounts: number[];
}

export const CATEGORY_PATH_JOIN = ' > ';

export function buildCategoryTree(paths: readonly (readonly string[])[]): CategoryTree {
  const keyToTmp = new Map<string, number>();
  const tmp: { parent: number; level: number; name: string; path: string; items: number }[] = [];
  const leafTmp = new Int32Array(paths.length).fill(-1);
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    let key = '';
    let parent = -1;
    for (let l = 0; l < p.length; l++) {
      key = l === 0 ? p[0]! : key + '\u0001' + p[l]!;
      let t = keyToTmp.get(key);
      if (t === undefined) {
        t = tmp.length;
        keyToTmp.set(key, t);
        tmp.push({ parent, level: l + 1, name: p[l]!, path: p.slice(0, l + 1).join(CATEGORY_PATH_JOIN), items: 0 });
      }
      tmp[t]!.items++;
      parent = t;
    }
    leafTmp[i] = parent;
  }
  let depth = 0;
  for (const n of tmp) depth = Math.max(depth, n.level);
  // Level-major ids: a stable sort by level keeps first-appearance order inside a level.
  const order = tmp.map((_, i) => i).sort((a, b) => tmp[a]!.level - tmp[b]!.level || a - b);
  const tmpToId = new Int32Array(tmp.length);
  order.forEach((t, id) => (tmpToId[t] = id));
  const nodes: CategoryNode[] = order.map((t, id) => {
    const n = tmp[t]!;
    return { id, parentId: n.parent < 0 ? null : tmpToId[n.parent]!, level: n.level, name: n.name, path: n.path, items: n.items };
  });
  const leaf = new Int32Array(paths.length);
  for (let i = 0; i < paths.length; i++) leaf[i] = leafTmp[i]! < 0 ? -1 : tmpToId[leafTmp[i]!]!;
  const levelCounts = new Array<number>(depth).fill(0);
  for (const n of nodes) levelCounts[n.level - 1]!++;
  return { nodes, leaf, depth, levelCounts };
}

/**
 * categoryLevels[i * depth + l] = node id of item i at level l+1, or -1 (see DatasetArrays). Walks parent links from
 * each item's leaf, so it needs only what the database stores (leaf per item + parent per node).
 */
export function categoryLevelsFromLeaves(
  nodes: readonly Pick<CategoryNode, 'id' | 'parentId' | 'level'>[],
  leaf: Int32Array,
  depth: number,
): Int32Array {
  const byId = new Map<number, Pick<CategoryNode, 'id' | 'parentId' | 'level'>>();
  for (const n of nodes) byId.set(n.id, n);
  const out = new Int32Array(leaf.length * depth).fill(-1);
  for (let i = 0; i < leaf.length; i++) {
    let n = leaf[i]! < 0 ? undefined : byId.get(leaf[i]!);
    while (n) {
      if (n.level <= depth) out[i * depth + n.level - 1] = n.id;
      n = n.parentId == null ? undefined : byId.get(n.parentId);
    }
  }
  return out;
}

/**
 * Splits a category string into a path. `sep` is a regex source (lcrec needs ",(?! )" because names such as
 * "Tapes, Adhesives & Sealants" contain ", "). Empty segments are dropped; names are trimmed.
 */
export function splitCategoryPath(s: string, sep: RegExp): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const part of s.split(sep)) {
    const t = part.trim();
    if (t) out.push(t);
  }
  return out;
}
