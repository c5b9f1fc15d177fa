/**
 * Negative sampling for the ranker (URI §4.3): 9 random negatives plus one hard negative "from the sibling nodes of
 * the positive sample's node" — read here as an item from another leaf under the same parent (same first L-1 tokens,
 * different last token). When the parent has a single leaf, an item from the positive's own bucket is used (it shares
 * every token), and when that bucket holds only the positive, a random item.
 */
import type { Rng } from '../util/random';
import type { IdTrie } from './trie';

export function siblingNegative(trie: IdTrie, item: number, rng: Rng): number {
  const leaf = trie.leafOfItem[item]!;
  const parent = trie.parent[leaf]!;
  const ps = trie.start[parent]!;
  const pe = trie.end[parent]!;
  const ls = trie.start[leaf]!;
  const le = trie.end[leaf]!;
  const outside = pe - ps - (le - ls);
  if (outside > 0) {
    let r = ps + rng.int(outside);
    if (r >= ls) r += le - ls;
    return trie.items[r]!;
  }
  if (le - ls > 1) {
    for (;;) {
      const c = trie.items[ls + rng.int(le - ls)]!;
      if (c !== item) return c;
    }
  }
  return rng.int(trie.items.length);
}

/**
 * negatives[b * count + j] for a batch of positives: `count - 1` uniform random items and (when hard) one sibling
 * negative in the last slot; without hard negatives all `count` are random (the "w/o hard negative mining" ablation).
 */
export function sampleNegatives(trie: IdTrie, positives: ArrayLike<number>, count: number, hard: boolean, rng: Rng): Int32Array {
  const n = trie.items.length;
  const out = new Int32Array(positives.length * count);
  for (let b = 0; b < positives.length; b++) {
    for (let j = 0; j < count; j++) out[b * count + j] = rng.int(n);
    if (hard && count > 0) out[b * count + count - 1] = siblingNegative(trie, positives[b]!, rng);
  }
  return out;
}
