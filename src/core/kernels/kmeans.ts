/**
 * k-means on row-major Float32Array matrices (n x dim): k-means++ seeding with the project's seeded Rng, Lloyd
 * iterations, and the blocked squared-distance kernel ||x||² - 2x·c + ||c||² they share.
 *
 * The distance kernel is the hot path of every non-neural builder (hkmeans, rqkmeans, category-prefix, the
 * collision handler). It walks the rows of the data once per block of 4 centroids, so each loaded x value feeds 4
 * multiply-adds instead of one (4 independent accumulators also break the add dependency chain). V8 does not
 * vectorise; a 2-row x 4-centroid tile and float64 copies measured no faster (0.3 GMAC/s each on the loaded build
 * machine), so the simpler 1 x 4 tile stays.
 */
import { Rng } from '../util/random';

export interface Matrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

/** Squared L2 norm of each row. */
export function rowNorms(x: Float32Array, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * dim;
    for (let t = 0; t < dim; t++) {
      const v = x[o + t]!;
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * Dot products of row x[xo .. xo+dim) with every centroid: dots[cc] = x·c_cc. The blocked kernel of the file
 * header (1 row x 4 centroids, 4 accumulators), shared by assignNearest and pairwiseSqDist; the float64 buffer keeps
 * the sums exactly as the accumulators held them.
 */
function rowDots(x: Float32Array, xo: number, dim: number, c: Float32Array, k: number, dots: Float64Array): void {
  let cc = 0;
  for (; cc + 4 <= k; cc += 4) {
    const o0 = cc * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let t = 0; t < dim; t++) {
      const v = x[xo + t]!;
      d0 += v * c[o0 + t]!;
      d1 += v * c[o1 + t]!;
      d2 += v * c[o2 + t]!;
      d3 += v * c[o3 + t]!;
    }
    dots[cc] = d0;
    dots[cc + 1] = d1;
    dots[cc + 2] = d2;
    dots[cc + 3] = d3;
  }
  for (; cc < k; cc++) {
    const o = cc * dim;
    let d = 0;
    for (let t = 0; t < dim; t++) d += x[xo + t]! * c[o + t]!;
    dots[cc] = d;
  }
}

/**
 * Nearest centroid of every row: writes assign[i] and best squared distance dist[i]. Rows of x are taken from
 * `rowIdx` when given (a subset of a bigger matrix, no copy), else 0..rows-1.
 */
export function assignNearest(
  x: Float32Array,
  dim: number,
  rowIdx: Int32Array | null,
  rows: number,
  c: Float32Array,
  k: number,
  assign: Int32Array,
  dist: Float64Array,
  xNorm?: Float64Array,
): void {
  const cn = rowNorms(c, k, dim);
  const dots = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const i = rowIdx ? rowIdx[r]! : r;
    const xo = i * dim;
    let xx = 0;
    if (xNorm) xx = xNorm[i]!;
    else for (let t = 0; t < dim; t++) xx += x[xo + t]! * x[xo + t]!;
    rowDots(x, xo, dim, c, k, dots);
    // ||c||² − 2x·c ranks the centroids; ||x||² is added to the winner only.
    let best = Infinity;
    let bestC = 0;
    for (let cc = 0; cc < k; cc++) {
      const e = cn[cc]! - 2 * dots[cc]!;
      if (e < best) (best = e), (bestC = cc);
    }
    assign[r] = bestC;
    dist[r] = Math.max(0, best + xx);
  }
}

/**
 * Full squared-distance matrix rows x k (row-major Float32Array), for balanced assignment and Sinkhorn.
 * Same blocked kernel as assignNearest.
 */
export function pairwiseSqDist(
  x: Float32Array,
  dim: number,
  rowIdx: Int32Array | null,
  rows: number,
  c: Float32Array,
  k: number,
): Float32Array {
  const out = new Float32Array(rows * k);
  const cn = rowNorms(c, k, dim);
  const dots = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const i = rowIdx ? rowIdx[r]! : r;
    const xo = i * dim;
    let xx = 0;
    for (let t = 0; t < dim; t++) xx += x[xo + t]! * x[xo + t]!;
    rowDots(x, xo, dim, c, k, dots);
    const oo = r * k;
    for (let cc = 0; cc < k; cc++) out[oo + cc] = Math.max(0, xx - 2 * dots[cc]! + cn[cc]!);
  }
  return out;
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007): first centroid uniform, each next one drawn with probability
 * proportional to the squared distance to the nearest chosen centroid. k must be ≤ rows.
 */
export function kmeansPlusPlus(
  x: Float32Array,
  dim: number,
  rowIdx: Int32Array | null,
  rows: number,
  k: number,
  rng: Rng,
): Float32Array {
  const c = new Float32Array(k * dim);
  const minD = new Float64Array(rows).fill(Infinity);
  const row = (r: number): number => (rowIdx ? rowIdx[r]! : r);
  let pick = rng.int(rows);
  for (let j = 0; j < k; j++) {
    const src = row(pick) * dim;
    c.set(x.subarray(src, src + dim), j * dim);
    if (j === k - 1) break;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const xo = row(r) * dim;
      let d = 0;
      for (let t = 0; t < dim; t++) {
        const diff = x[xo + t]! - x[src + t]!;
        d += diff * diff;
      }
      if (d < minD[r]!) minD[r] = d;
      total += minD[r]!;
    }
    if (total <= 0) {
      // All remaining rows coincide with chosen centroids (duplicate embeddings): take any row not yet exhausted.
      pick = rng.int(rows);
      continue;
    }
    let u = rng.next() * total;
    pick = rows - 1;
    for (let r = 0; r < rows; r++) {
      u -= minD[r]!;
      if (u < 0) {
        pick = r;
        break;
      }
    }
  }
  return c;
}

export interface KmeansOptions {
  /** Max Lloyd iterations (default 20). */
  iters?: number;
  /**
   * Stop when no more than this share of rows change cluster in an iteration (default 0.001: the last iterations of
   * Lloyd move a handful of boundary items and cost a full distance pass each).
   */
  tol?: number;
  /**
   * Replaces the nearest-centroid step, e.g. balancedAssign for capacity-constrained clusters. Receives the
   * centroids and must fill assign.
   */
  assignStep?: (centroids: Float32Array, assign: Int32Array, dist: Float64Array) => void;
}

export interface KmeansResult {
  centroids: Float32Array;
  assign: Int32Array;
  /** Squared distance of each row to its centroid. */
  dist: Float64Array;
  inertia: number;
  iterations: number;
}

/**
 * Lloyd's k-means with k-means++ seeding. Empty clusters are re-seeded deterministically with the row farthest from
 * its centroid, so exactly k clusters stay in use whenever rows ≥ k distinct points.
 */
export function kmeans(
  x: Float32Array,
  dim: number,
  rowIdx: Int32Array | null,
  rows: number,
  k: number,
  rng: Rng,
  opts: KmeansOptions = {},
): KmeansResult {
  if (k < 1) throw new Error(`kmeans: k must be ≥ 1, got ${k}`);
  if (rows < 1) throw new Error('kmeans: no rows');
  k = Math.min(k, rows);
  const iters = opts.iters ?? 20;
  const tol = opts.tol ?? 0.001;
  const row = (r: number): number => (rowIdx ? rowIdx[r]! : r);
  const centroids = kmeansPlusPlus(x, dim, rowIdx, rows, k, rng);
  const assign = new Int32Array(rows).fill(-1);
  const next = new Int32Array(rows);
  const dist = new Float64Array(rows);
  const counts = new Int32Array(k);
  const sums = new Float64Array(k * dim);
  let iterations = 0;
  for (let it = 0; it < iters; it++) {
    iterations = it + 1;
    if (opts.assignStep) opts.assignStep(centroids, next, dist);
    else assignNearest(x, dim, rowIdx, rows, centroids, k, next, dist);
    let changed = 0;
    for (let r = 0; r < rows; r++) if (next[r] !== assign[r]) changed++;
    assign.set(next);
    // Update step.
    counts.fill(0);
    sums.fill(0);
    for (let r = 0; r < rows; r++) {
      const a = assign[r]!;
      counts[a]!++;
      const xo = row(r) * dim;
      const so = a * dim;
      for (let t = 0; t < dim; t++) sums[so + t]! += x[xo + t]!;
    }
    const taken = new Uint8Array(rows);
    for (let j = 0; j < k; j++) {
      if (counts[j]! > 0) {
        const inv = 1 / counts[j]!;
        for (let t = 0; t < dim; t++) centroids[j * dim + t] = sums[j * dim + t]! * inv;
        continue;
      }
      // Empty cluster: move it onto the worst-fitted row not already used for another empty cluster.
      let far = -1;
      let farD = -1;
      for (let r = 0; r < rows; r++) {
        if (!taken[r] && dist[r]! > farD) (farD = dist[r]!), (far = r);
      }
      if (far < 0) continue;
      taken[far] = 1;
      dist[far] = 0;
      const xo = row(far) * dim;
      centroids.set(x.subarray(xo, xo + dim), j * dim);
    }
    if (changed <= tol * rows && it > 0) break;
  }
  // Final assignment consistent with the final centroids.
  if (opts.assignStep) opts.assignStep(centroids, assign, dist);
  else assignNearest(x, dim, rowIdx, rows, centroids, k, assign, dist);
  let inertia = 0;
  for (let r = 0; r < rows; r++) inertia += dist[r]!;
  return { centroids, assign, dist, inertia, iterations };
}
