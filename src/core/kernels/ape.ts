/**
 * Average Partition Entropy (URI, ICLR 2025, §3) and the prefix-bucket relabelling it is computed on.
 */
import type { Csr } from '../data/arrays';

/**
 * Dense prefix-bucket ids: out[l][i] identifies the first l+1 tokens of item i's ID (items share a bucket iff they
 * share that prefix). Built incrementally (bucket of layer l = dense id of (bucket of layer l-1, token l)), with an
 * integer-keyed Map instead of joined strings: ~10x faster than a Map of strings on Beauty (bench/audit.bench.ts).
 */
export function prefixBuckets(codes: Int32Array, nItems: number, layers: number, codebookSizes: number[]): { ids: Int32Array[]; counts: number[] } {
  const ids: Int32Array[] = [];
  const counts: number[] = [];
  let prev = new Int32Array(nItems);
  let prevCount = 1;
  for (let l = 0; l < layers; l++) {
    const k = Math.max(1, codebookSizes[l] ?? 1);
    const cur = new Int32Array(nItems);
    let next = 0;
    if (prevCount * k <= 1 << 24) {
      // Direct table when the key space is small (the usual case: ≤ 16M keys).
      const table = new Int32Array(prevCount * k).fill(-1);
      for (let i = 0; i < nItems; i++) {
        const key = prev[i]! * k + codes[i * layers + l]!;
        let id = table[key]!;
        if (id < 0) table[key] = id = next++;
        cur[i] = id;
      }
    } else {
      const map = new Map<number, number>();
      for (let i = 0; i < nItems; i++) {
        const key = prev[i]! * k + codes[i * layers + l]!;
        let id = map.get(key);
        if (id === undefined) map.set(key, (id = next++));
        cur[i] = id;
      }
    }
    ids.push(cur);
    counts.push(next);
    prev = cur;
    prevCount = next;
  }
  return { ids, counts };
}

/**
 * APE of one partition of the items (URI §3):
 *
 *   APE = (1/|X'|) Σ_{x ∈ X'} H(Q_x),   H(Q_x) = -Σ_j (n_j/n) ln(n_j/n)
 *
 * where X' = the queries (search queries or users) with at least one train positive, Y_x⁺ = the DISTINCT items of x's
 * train interactions (a set, as in the paper: repeated interactions with one item count once), n = |Y_x⁺| and n_j
 * the number of those items in bucket j. Each query weighs 1 (plain average over queries, not over interactions);
 * queries with a single positive contribute 0. Natural log. The paper does not say whether single-positive queries
 * are kept; we keep them because the URI loss (eq. 1) is defined for them too.
 */
export function averagePartitionEntropy(bucket: Int32Array, train: Csr, nQueries: number): { ape: number; queries: number } {
  let sum = 0;
  let counted = 0;
  let scratch = new Int32Array(64);
  let itemsScratch = new Int32Array(64);
  for (let q = 0; q < nQueries; q++) {
    const s = train.ptr[q]!;
    const e = train.ptr[q + 1]!;
    const m = e - s;
    if (m === 0) continue;
    if (m > scratch.length) {
      scratch = new Int32Array(m * 2);
      itemsScratch = new Int32Array(m * 2);
    }
    // Distinct items of the query (sequences are short: sort + unique).
    const its = itemsScratch.subarray(0, m);
    its.set(train.items.subarray(s, e));
    its.sort();
    let n = 0;
    for (let t = 0; t < m; t++) if (t === 0 || its[t] !== its[t - 1]) scratch[n++] = bucket[its[t]!]!;
    counted++;
    if (n === 1) continue;
    const b = scratch.subarray(0, n);
    b.sort();
    let h = 0;
    let run = 1;
    for (let t = 1; t <= n; t++) {
      if (t < n && b[t] === b[t - 1]) {
        run++;
        continue;
      }
      const p = run / n;
      h -= p * Math.log(p);
      run = 1;
    }
    sum += h;
  }
  return { ape: counted ? sum / counted : 0, queries: counted };
}
