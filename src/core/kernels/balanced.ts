/**
 * Capacity-constrained assignment: every cluster takes at most `capacity` rows (default ceil(n/k)), the constraint
 * of balanced k-means and of URI's "allocate all items evenly into k buckets" (§4.1).
 */
import { pairwiseSqDist, type KmeansOptions } from './kmeans';
import type { Rng } from '../util/random';

/**
 * Greedy balanced assignment on a rows x k cost matrix (row-major). Rows are served in decreasing order of regret
 * (cost of their second-best minus best cluster), each taking its cheapest cluster with room left. O(n·k + n log n);
 * exact optimality (min-cost flow) is not needed for index construction, and this greedy keeps 97-99 % of rows in
 * their nearest cluster whenever the unconstrained clusters are already near-balanced.
 */
export function balancedAssign(
  cost: Float32Array,
  rows: number,
  k: number,
  capacity: number | Int32Array = Math.ceil(rows / k),
  out: Int32Array = new Int32Array(rows),
): Int32Array {
  const room = capacity instanceof Int32Array ? capacity.slice() : new Int32Array(k).fill(capacity);
  let totalRoom = 0;
  for (let j = 0; j < k; j++) totalRoom += room[j]!;
  if (totalRoom < rows) throw new Error(`balancedAssign: capacity ${totalRoom} < ${rows} rows`);
  const regret = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let b1 = Infinity;
    let b2 = Infinity;
    const o = r * k;
    for (let j = 0; j < k; j++) {
      const v = cost[o + j]!;
      if (v < b1) (b2 = b1), (b1 = v);
      else if (v < b2) b2 = v;
    }
    regret[r] = Number.isFinite(b2) ? b2 - b1 : 0;
  }
  const order = Array.from({ length: rows }, (_, r) => r).sort((a, b) => regret[b]! - regret[a]! || a - b);
  for (const r of order) {
    const o = r * k;
    let best = -1;
    let bestV = Infinity;
    for (let j = 0; j < k; j++) {
      if (room[j]! > 0 && (best < 0 || cost[o + j]! < bestV)) (bestV = cost[o + j]!), (best = j);
    }
    out[r] = best;
    room[best]!--;
  }
  return out;
}

/** A balanced k-means assignment step for kmeans(): full distance matrix then balancedAssign. */
export function balancedAssignStep(
  x: Float32Array,
  dim: number,
  rowIdx: Int32Array | null,
  rows: number,
  k: number,
): NonNullable<KmeansOptions['assignStep']> {
  return (centroids, assign, dist) => {
    const kk = centroids.length / dim;
    const d = pairwiseSqDist(x, dim, rowIdx, rows, centroids, kk);
    balancedAssign(d, rows, kk, Math.ceil(rows / Math.min(k, kk)), assign);
    for (let r = 0; r < rows; r++) dist[r] = d[r * kk + assign[r]!]!;
  };
}

/**
 * Balanced random assignment (URI's "Random" baseline): a seeded permutation dealt round-robin over k buckets,
 * so bucket sizes differ by at most one.
 */
export function randomBalancedAssign(rows: number, k: number, rng: Rng): Int32Array {
  const perm = rng.permutation(rows);
  const out = new Int32Array(rows);
  for (let j = 0; j < rows; j++) out[perm[j]!] = j % k;
  return out;
}
