import { describe, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../src/core/demo/index';
import { SPLIT_CODE } from '../../src/shared/dataset';

describe('demo catalog generator', () => {
  const ds = generateDemoCatalog({ seed: 42 });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateDemoCatalog({ seed: 42 });
    expect(again.items).toEqual(ds.items);
    expect(Array.from(again.interactions.item)).toEqual(Array.from(ds.interactions.item));
    expect(generateDemoCatalog({ seed: 43 }).items[0]!.title).not.toBe(ds.items[0]!.title);
  });

  it('has a 3-level category tree, unique ids and titles that name their leaf', () => {
    expect(ds.items.length).toBe(3000);
    expect(ds.queries.length).toBe(2000);
    expect(new Set(ds.items.map((i) => i.extId)).size).toBe(3000);
    expect(ds.items.every((i) => i.categories.length === 3)).toBe(true);
    const levels = [0, 1, 2].map((l) => new Set(ds.items.map((i) => i.categories.slice(0, l + 1).join('>'))).size);
    expect(levels).toEqual([5, 15, 45]);
    // Titles come from category-specific vocabulary: items of different departments share few title words.
    const words = (dept: string): Set<string> =>
      new Set(ds.items.filter((i) => i.categories[0] === dept).flatMap((i) => i.title.toLowerCase().split(/\s+/)));
    const kitchen = words('Kitchen');
    const outdoors = words('Outdoors');
    const shared = [...kitchen].filter((w) => outdoors.has(w)).length;
    expect(shared / kitchen.size).toBeLessThan(0.2);
  });

  it('splits every user leave-last-out, with interactions sorted by user then position', () => {
    const { query, pos, split } = ds.interactions;
    // Count violations instead of one expect() per interaction (20k expects are slow).
    let bad = 0;
    let start = 0;
    for (let k = 1; k <= query.length; k++) {
      if (k < query.length && query[k] === query[start]) continue;
      const len = k - start;
      if (len < 3) bad++;
      for (let p = 0; p < len; p++) {
        const want = p === len - 1 ? SPLIT_CODE.test : p === len - 2 ? SPLIT_CODE.valid : SPLIT_CODE.train;
        if (pos[start + p] !== p || split[start + p] !== want) bad++;
      }
      if (k < query.length && query[k] !== query[start]! + 1) bad++;
      start = k;
    }
    expect(bad).toBe(0);
    expect(new Set(query).size).toBe(2000);
  });

  it('users follow latent subtree preferences: their items concentrate in few level-2 categories', () => {
    const { query, item } = ds.interactions;
    const cat2 = ds.items.map((i) => i.categories.slice(0, 2).join('>'));
    const byUser = new Map<number, string[]>();
    for (let k = 0; k < query.length; k++) {
      const list = byUser.get(query[k]!) ?? [];
      list.push(cat2[item[k]!]!);
      byUser.set(query[k]!, list);
    }
    // Share of a user's items in their two most frequent level-2 categories; 15 categories → ~2/15 if random.
    let share = 0;
    for (const list of byUser.values()) {
      const counts = new Map<string, number>();
      for (const c of list) counts.set(c, (counts.get(c) ?? 0) + 1);
      const top = [...counts.values()].sort((a, b) => b - a);
      share += ((top[0] ?? 0) + (top[1] ?? 0)) / list.length;
    }
    expect(share / byUser.size).toBeGreaterThan(0.8);
  });
});
