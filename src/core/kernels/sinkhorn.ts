/**
 * Entropic optimal transport (Sinkhorn-Knopp, Cuturi 2013) in the log domain, as used by LC-Rec and CAT-ID² to
 * spread colliding items over the codes of the last quantizer layer.
 *
 * The log domain matters: with costs that are squared distances of L2-normalised embeddings (0..4) and eps = 0.003,
 * exp(-C/eps) underflows to 0 in float64 for most entries, and the scaled (non-log) iteration divides by zero.
 */

export interface SinkhornOptions {
  /** Entropic regularisation relative to the cost scale (costs are divided by their max first). Default 0.05. */
  eps?: number;
  /** Max iterations (default 200). */
  iters?: number;
  /** Stop when the max row-marginal error falls below this (default 1e-6). */
  tol?: number;
  /** Row masses (default uniform 1/rows). */
  a?: Float64Array;
  /** Column masses (default uniform 1/k). Must sum to the same total as a. */
  b?: Float64Array;
}

export interface SinkhornResult {
  /** Transport plan rows x k, row-major. */
  plan: Float64Array;
  iterations: number;
  /** Max absolute row-marginal error at the end. */
  error: number;
}

/** Log-sum-exp helper over a strided view. */
function lse(vals: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (vals[i]! > m) m = vals[i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(vals[i]! - m);
  return m + Math.log(s);
}

/**
 * Solves min <P, C> - eps·H(P) s.t. P1 = a, Pᵀ1 = b. Columns with b_j = 0 receive nothing.
 */
export function sinkhorn(cost: Float32Array | Float64Array, rows: number, k: number, opts: SinkhornOptions = {}): SinkhornResult {
  const epsRel = opts.eps ?? 0.05;
  const iters = opts.iters ?? 200;
  const tol = opts.tol ?? 1e-6;
  const a = opts.a ?? new Float64Array(rows).fill(1 / rows);
  const b = opts.b ?? new Float64Array(k).fill(1 / k);
  let cmax = 0;
  for (let i = 0; i < rows * k; i++) if (Number.isFinite(cost[i]!) && cost[i]! > cmax) cmax = cost[i]!;
  const scale = cmax > 0 ? cmax : 1;
  const eps = epsRel;
  // K_ij = -C_ij / (scale * eps)
  const lk = new Float64Array(rows * k);
  for (let i = 0; i < rows * k; i++) {
    const c = cost[i]!;
    lk[i] = Number.isFinite(c) ? -c / (scale * eps) : -1e30;
  }
  const la = new Float64Array(rows);
  const lb = new Float64Array(k);
  for (let i = 0; i < rows; i++) la[i] = Math.log(a[i]!);
  for (let j = 0; j < k; j++) lb[j] = b[j]! > 0 ? Math.log(b[j]!) : -Infinity;
  const f = new Float64Array(rows);
  const g = new Float64Array(k);
  const bufR = new Float64Array(k);
  const bufC = new Float64Array(rows);
  let iterations = 0;
  let error = Infinity;
  for (let it = 0; it < iters; it++) {
    iterations = it + 1;
    // f_i = log a_i - lse_j(K_ij + g_j)
    for (let i = 0; i < rows; i++) {
      const o = i * k;
      for (let j = 0; j < k; j++) bufR[j] = lk[o + j]! + g[j]!;
      f[i] = la[i]! - lse(bufR, k);
    }
    // g_j = log b_j - lse_i(K_ij + f_i)
    for (let j = 0; j < k; j++) {
      if (lb[j] === -Infinity) {
        g[j] = -Infinity;
        continue;
      }
      for (let i = 0; i < rows; i++) bufC[i] = lk[i * k + j]! + f[i]!;
      g[j] = lb[j]! - lse(bufC, rows);
    }
    // Row marginal error (columns are exact after the g update).
    error = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * k;
      for (let j = 0; j < k; j++) bufR[j] = lk[o + j]! + g[j]! + f[i]!;
      error = Math.max(error, Math.abs(Math.exp(lse(bufR, k)) - a[i]!));
    }
    if (error < tol) break;
  }
  const plan = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < k; j++) {
      const v = lk[i * k + j]! + f[i]! + g[j]!;
      plan[i * k + j] = v === -Infinity || Number.isNaN(v) ? 0 : Math.exp(v);
    }
  }
  return { plan, iterations, error };
}

/**
 * Rounds a transport plan to a hard assignment respecting integer column capacities: (row, column) pairs are taken
 * in decreasing plan mass, each row once, each column while it has room. Every row is assigned whenever the total
 * capacity is at least the number of rows.
 */
export function roundPlan(plan: Float64Array, rows: number, k: number, capacity: Int32Array, cost?: Float32Array | Float64Array): Int32Array {
  const room = capacity.slice();
  const out = new Int32Array(rows).fill(-1);
  const n = rows * k;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Ties (e.g. plan underflow to 0) fall back to lower cost, then to lower index: deterministic.
  const sorted = Array.from(order).sort((x, y) => plan[y]! - plan[x]! || (cost ? cost[x]! - cost[y]! : 0) || x - y);
  let left = rows;
  for (const p of sorted) {
    if (left === 0) break;
    const i = Math.floor(p / k);
    const j = p - i * k;
    if (out[i] !== -1 || room[j]! <= 0) continue;
    out[i] = j;
    room[j]!--;
    left--;
  }
  return out;
}
