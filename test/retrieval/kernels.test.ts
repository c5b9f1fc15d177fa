import { describe, expect, it } from 'vitest';
import { buildTrie, trieHas, trieItems, trieNode, triePath } from '../../src/core/retrieval/trie';
import { beamSearch, beamSearchBatch, candidatesOf, exhaustiveScores } from '../../src/core/retrieval/beam';
import { MetricsAccumulator, ndcgAtK, recallAtK, topK } from '../../src/core/retrieval/metrics';
import { uriBalancedAssign, uriBalancedAssignGrouped } from '../../src/core/uri/balanced';
import { Bm25Index } from '../../src/core/retrieval/baselines';
import { siblingNegative } from '../../src/core/retrieval/negatives';
import { Rng } from '../../src/core/util/random';

/** A random ID table with collisions: n items, L layers, K tokens (only some combinations used). */
function randomTable(n: number, L: number, K: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const codes = new Int32Array(n * L);
  for (let i = 0; i < codes.length; i++) codes[i] = rng.int(K);
  return codes;
}

/**
 * A deterministic fake model: log-softmax of a hash of (query, prefix, token), so every prefix has its own
 * distribution and beam search vs exhaustive scoring can be compared exactly.
 */
function fakeStep(K: number, query = 0) {
  return (prefixes: Int32Array, count: number, t: number): Float32Array => {
    const out = new Float32Array(count * K);
    for (let r = 0; r < count; r++) {
      let h = 2166136261 ^ query;
      for (let j = 0; j < t; j++) h = Math.imul(h ^ (prefixes[r * t + j]! + 7), 16777619);
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        const x = Math.imul(h ^ (k * 2654435761), 2246822519) >>> 0;
        out[r * K + k] = ((x % 10007) / 10007) * 6;
        mx = Math.max(mx, out[r * K + k]!);
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(out[r * K + k]! - mx);
      for (let k = 0; k < K; k++) out[r * K + k] = out[r * K + k]! - mx - Math.log(z);
    }
    return out;
  };
}

describe('trie', () => {
  it('holds exactly the IDs of the table, with each leaf bucket = the items sharing that ID', () => {
    const L = 3;
    const codes = randomTable(500, L, 6, 1);
    const trie = buildTrie(codes, L, [6, 6, 6]);
    const ids = new Map<string, number[]>();
    for (let i = 0; i < 500; i++) {
      const key = Array.from(codes.subarray(i * L, (i + 1) * L)).join(',');
      ids.set(key, [...(ids.get(key) ?? []), i]);
    }
    expect(trie.leaves.length).toBe(ids.size);
    for (const leaf of trie.leaves) {
      const key = triePath(trie, leaf).join(',');
      expect([...trieItems(trie, leaf)].sort((a, b) => a - b)).toEqual(ids.get(key));
    }
    for (let i = 0; i < 500; i++) expect(trieHas(trie, codes.subarray(i * L, (i + 1) * L))).toBe(true);
    // an ID not in the table
    let missing: number[] | null = null;
    for (let a = 0; a < 6 && !missing; a++)
      for (let b = 0; b < 6 && !missing; b++)
        for (let c = 0; c < 6 && !missing; c++) if (!ids.has(`${a},${b},${c}`)) missing = [a, b, c];
    expect(missing).not.toBeNull();
    expect(trieHas(trie, missing!)).toBe(false);
    expect(trieNode(trie, [])).toBe(0);
  });

  it('rejects codes outside the codebook', () => {
    expect(() => buildTrie(Int32Array.of(0, 4), 2, [4, 4])).toThrow(/code 4/);
  });
});

describe('beam search', () => {
  it('with beam >= number of valid IDs returns the same ranking as exhaustive scoring of all IDs', async () => {
    const L = 3;
    const K = 8;
    const codes = randomTable(300, L, K, 2);
    const trie = buildTrie(codes, L, [K, K, K]);
    const step = fakeStep(K);
    const ex = await exhaustiveScores(step, trie);
    const res = await beamSearch(step, trie, trie.leaves.length + 5);
    expect(Array.from(res.leaves)).toEqual(Array.from(ex.leaves));
    for (let i = 0; i < ex.scores.length; i++) expect(res.scores[i]).toBeCloseTo(ex.scores[i]!, 9);
  });

  it('a narrow beam still returns only IDs that exist, and the best of them is at least as good as greedy', async () => {
    const L = 4;
    const K = 16;
    const codes = randomTable(2000, L, K, 3);
    const trie = buildTrie(codes, L, [K, K, K, K]);
    for (const beam of [1, 5, 20]) {
      const { results, stats } = await beamSearchBatch(
        (rows) => {
          // different query → different distribution
          const parts: Float32Array[] = [];
          for (let r = 0; r < rows.count; r++) parts.push(fakeStep(K, rows.query[r]!)(rows.prefixes.subarray(r * rows.t, (r + 1) * rows.t), 1, rows.t));
          const out = new Float32Array(rows.count * K);
          parts.forEach((p, r) => out.set(p, r * K));
          return out;
        },
        7,
        trie,
        beam,
        { trackInvalid: true },
      );
      expect(stats.invalidAfterTrie).toBe(0);
      expect(stats.invalidBeforeTrie).toBeGreaterThan(0); // 2000 of 65536 IDs exist: a free decoder leaves the trie
      for (const r of results) {
        expect(r.leaves.length).toBe(Math.min(beam, trie.leaves.length));
        for (let b = 0; b < r.leaves.length; b++) expect(trieHas(trie, r.ids.subarray(b * L, (b + 1) * L))).toBe(true);
        for (let b = 1; b < r.scores.length; b++) expect(r.scores[b]).toBeLessThanOrEqual(r.scores[b - 1]!);
      }
    }
  });

  it('candidates are the union of the top-b buckets in beam order', () => {
    const codes = Int32Array.of(0, 0, 0, 1, 0, 0, 1, 1, 1, 1);
    const trie = buildTrie(codes, 2, [2, 2]);
    const leaf00 = trieNode(trie, [0, 0]);
    const leaf11 = trieNode(trie, [1, 1]);
    expect(Array.from(candidatesOf(trie, Int32Array.of(leaf11, leaf00)))).toEqual([3, 4, 0, 2]);
    expect(Array.from(candidatesOf(trie, Int32Array.of(leaf11, leaf00), 1))).toEqual([3, 4]);
  });
});

describe('metrics', () => {
  it('Recall@K and NDCG@K on hand-computed cases', () => {
    const rel = new Set([3, 9]);
    const ranked = [5, 3, 7, 9, 1];
    expect(recallAtK(ranked, rel, 1)).toBe(0);
    expect(recallAtK(ranked, rel, 2)).toBe(0.5);
    expect(recallAtK(ranked, rel, 5)).toBe(1);
    // DCG@5 = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expect(ndcgAtK(ranked, rel, 5)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)), 12);
    // single relevant item at rank 1 (0-based) → 1/log2(3)
    expect(ndcgAtK([4, 8], new Set([8]), 10)).toBeCloseTo(1 / Math.log2(3), 12);
    const acc = new MetricsAccumulator([1, 2]);
    acc.add([1, 2], new Set([1]));
    acc.add([1, 2], new Set([2]));
    acc.add([1, 2], new Set()); // skipped
    const s = acc.summary();
    expect(s.queries).toBe(2);
    expect(s.recall['@1']).toBe(0.5);
    expect(s.recall['@2']).toBe(1);
  });

  it('topK returns the largest scores best-first and honours exclusions', () => {
    const s = Float32Array.of(0.1, 0.9, 0.5, 0.9, -1, 0.7);
    expect(Array.from(topK(s, 3))).toEqual([1, 3, 5]);
    expect(Array.from(topK(s, 3, new Set([1])))).toEqual([3, 5, 2]);
    expect(Array.from(topK(s, 10)).length).toBe(6);
  });
});

describe('balanced assignment (URI §4.2)', () => {
  it('never exceeds the max load and keeps confident items on their best token', () => {
    const rng = new Rng(5);
    for (const [n, k] of [
      [1000, 32],
      [37, 4],
      [64, 64],
    ] as const) {
      const probs = new Float32Array(n * k);
      // skewed: most items prefer token 0
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < k; j++) z += probs[i * k + j] = Math.exp(rng.normal() + (j === 0 ? 2 : 0));
        for (let j = 0; j < k; j++) probs[i * k + j] = probs[i * k + j]! / z;
      }
      const a = uriBalancedAssign(probs, n, k);
      const load = new Int32Array(k);
      for (const t of a) load[t] = load[t]! + 1;
      expect(Math.max(...load)).toBeLessThanOrEqual(Math.ceil(n / k));
      expect(a.every((t) => t >= 0 && t < k)).toBe(true);
      // the most confident item for token 0 keeps it
      let best = 0;
      for (let i = 1; i < n; i++) if (probs[i * k]! > probs[best * k]!) best = i;
      expect(a[best]).toBe(0);
    }
  });

  it('grouped assignment balances inside each prefix group', () => {
    const n = 90;
    const k = 4;
    const rng = new Rng(9);
    const probs = Float32Array.from({ length: n * k }, () => rng.next());
    const group = Int32Array.from({ length: n }, (_, i) => (i < 10 ? 0 : 1));
    const a = uriBalancedAssignGrouped(probs, n, k, group);
    for (const [g, size] of [
      [0, 10],
      [1, 80],
    ] as const) {
      const load = new Int32Array(k);
      for (let i = 0; i < n; i++) if (group[i] === g) load[a[i]!] = load[a[i]!]! + 1;
      expect(Math.max(...load)).toBeLessThanOrEqual(Math.ceil(size / k));
    }
  });
});

describe('ranker negatives and BM25', () => {
  it('the hard negative comes from a sibling bucket (same parent, other leaf) when one exists', () => {
    const codes = Int32Array.of(0, 0, 0, 0, 0, 1, 1, 0, 1, 0);
    const trie = buildTrie(codes, 2, [2, 2]);
    const rng = new Rng(1);
    for (let r = 0; r < 20; r++) expect(siblingNegative(trie, 0, rng)).toBe(2); // 0 and 1 share [0,0]; sibling [0,1] = item 2
    for (let r = 0; r < 20; r++) expect([3, 4]).toContain(siblingNegative(trie, 3, rng)); // no sibling leaf: same bucket
  });

  it('BM25 ranks the item containing the rare query term first', () => {
    const idx = new Bm25Index(['red lipstick matte', 'red nail polish', 'blue nail polish glitter', 'shampoo']);
    const s = idx.score('glitter polish');
    expect(Array.from(topK(s, 2))).toEqual([2, 1]);
    expect(s[3]).toBe(0);
  });
});
