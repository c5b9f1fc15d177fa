/**
 * Retrieval metrics with binary relevance: Recall@K = |top-K ∩ relevant| / |relevant| and
 * NDCG@K = Σ_{rank r < K, hit} 1/log2(r + 2) / Σ_{r < min(K, |relevant|)} 1/log2(r + 2). Queries without relevant
 * items are skipped (the caller never passes them). Means are over queries.
 */
export const DEFAULT_KS = [5, 10, 20] as const;

export interface MetricsSummary {
  queries: number;
  /** recall[`@${k}`], ndcg[`@${k}`]. */
  recall: Record<string, number>;
  ndcg: Record<string, number>;
}

export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r]!)) hits++;
  return hits / relevant.size;
}

export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

/** Accumulates per-query metrics and returns their means. */
export class MetricsAccumulator {
  private n = 0;
  private readonly r: number[];
  private readonly g: number[];
  constructor(readonly ks: readonly number[] = DEFAULT_KS) {
    this.r = ks.map(() => 0);
    this.g = ks.map(() => 0);
  }
  add(ranked: ArrayLike<number>, relevant: ReadonlySet<number>): void {
    if (relevant.size === 0) return;
    this.n++;
    this.ks.forEach((k, i) => {
      this.r[i] = this.r[i]! + recallAtK(ranked, relevant, k);
      this.g[i] = this.g[i]! + ndcgAtK(ranked, relevant, k);
    });
  }
  summary(): MetricsSummary {
    const recall: Record<string, number> = {};
    const ndcg: Record<string, number> = {};
    this.ks.forEach((k, i) => {
      recall[`@${k}`] = this.n ? this.r[i]! / this.n : 0;
      ndcg[`@${k}`] = this.n ? this.g[i]! / this.n : 0;
    });
    return { queries: this.n, recall, ndcg };
  }
}

/**
 * Indices of the k largest scores, best first (ties: smaller index first). Partial selection with a threshold, so
 * ranking 12k items for 22k queries costs O(n) per query rather than a full sort.
 */
export function topK(scores: Float32Array | Float64Array, k: number, exclude?: ReadonlySet<number>): Int32Array {
  const n = scores.length;
  const kk = Math.min(k, n);
  const idx: number[] = [];
  const val: number[] = [];
  let min = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (idx.length >= kk && s <= min) continue;
    if (exclude?.has(i)) continue;
    // insertion into the sorted (descending) buffer
    let p = idx.length;
    while (p > 0 && val[p - 1]! < s) p--;
    idx.splice(p, 0, i);
    val.splice(p, 0, s);
    if (idx.length > kk) {
      idx.pop();
      val.pop();
    }
    if (idx.length >= kk) min = val[val.length - 1]!;
  }
  return Int32Array.from(idx);
}
