/**
 * Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, Alg. 4.4 "randomized subspace
 * iteration"), run on the row space so every dense step is (vocabulary × l) rather than (items × l):
 *
 *   Z ← Aᵀ A Ω          Ω: m × l Gaussian from the project Rng, l = k + oversampling
 *   repeat q times:      Z ← orth(Z);  Z ← Aᵀ (A Z)
 *   Q ← orth(Z)          (m × l, orthonormal: approximates the top right singular space)
 *   M = Qᵀ Aᵀ A Q = W Λ Wᵀ   (l × l, Householder tridiagonalisation + implicit QL: `symmetricEigen`)
 *   V_k = Q W_k,  A V_k = U_k Σ_k  (the embedding, computed as one more sparse product)
 *
 * orth() is Cholesky-QR with column scaling: G = ZᵀZ (m·l²/2), D G D = L Lᵀ, Q = Z D L⁻ᵀ (m·l²/2), stable here
 * because each Z is one AᵀA application away from an orthonormal basis (condition number ~ (σ1/σl)², squared in the
 * Gram: well inside float64). Rank-deficient columns (fewer items or words than l) become zero columns, not NaN.
 *
 * Speed (measured on the 2-core build machine, Beauty: m = 7,092 words, l = 266): the dense steps are dot products
 * in 4 × 2 register tiles (`gemmNT`, ~2.2 GFMA/s in V8 against ~0.45 for the former row-by-row rank-1 updates of
 * the Gram and the forward substitution, which stream the whole l × l triangle through the cache once per row).
 * The Gram of a tall matrix is taken in row chunks transposed into a small buffer, so the dot products run over
 * L1-resident rows and no second m × l buffer is needed. The triangular solve becomes a product with the
 * precomputed L⁻ᵀ (same flops, tiled). Float64 stays: a Float32Array Gram was 1.3-2.8x slower in V8
 * (conversions on every load) and the Cholesky-QR Gram needs double precision.
 */
import type { SparseMatrix } from './tfidf';

/** A CSR matrix with float64 values (the sparse Gram AᵀA, whose entries are sums of products). */
export interface SparseMatrix64 {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

/** Y (A.rows × l) += A[r0..r1) · X (A.cols × l), row-major dense (rows r0..r1 of Y). */
export function spmmRows(a: SparseMatrix, x: Float64Array, l: number, y: Float64Array, r0: number, r1: number): void {
  const { ptr, idx, val } = a;
  for (let i = r0; i < r1; i++) {
    const yo = i * l;
    const p1 = ptr[i + 1]!;
    let p = ptr[i]!;
    // Two nonzeros per pass over the output row: half the loads and stores of y.
    for (; p + 1 < p1; p += 2) {
      const v0 = val[p]!;
      const v1 = val[p + 1]!;
      const x0 = idx[p]! * l;
      const x1 = idx[p + 1]! * l;
      for (let c = 0; c < l; c++) y[yo + c]! += v0 * x[x0 + c]! + v1 * x[x1 + c]!;
    }
    if (p < p1) {
      const v = val[p]!;
      const xo = idx[p]! * l;
      for (let c = 0; c < l; c++) y[yo + c]! += v * x[xo + c]!;
    }
  }
}

/** Z (A.cols × l) += A[r0..r1)ᵀ · Y[r0..r1) (rows × l). */
export function spmmTransposeRows(
  a: SparseMatrix,
  y: Float64Array,
  l: number,
  z: Float64Array,
  r0: number,
  r1: number,
): void {
  const { ptr, idx, val } = a;
  for (let i = r0; i < r1; i++) {
    const yo = i * l;
    for (let p = ptr[i]!; p < ptr[i + 1]!; p++) {
      const v = val[p]!;
      const zo = idx[p]! * l;
      for (let c = 0; c < l; c++) z[zo + c]! += v * y[yo + c]!;
    }
  }
}

/**
 * Z (A.cols × l) += A[r0..r1)ᵀ A[r0..r1) X: the Gram operator applied one item at a time, the item's A_i X held in
 * `row` (length l, stays in L1) instead of a rows × l buffer that is written and read back (11% less time on 100k
 * synthetic items).
 */
export function gramApplyRows(
  a: SparseMatrix,
  x: Float64Array,
  l: number,
  z: Float64Array,
  r0: number,
  r1: number,
  row: Float64Array,
): void {
  const { ptr, idx, val } = a;
  for (let i = r0; i < r1; i++) {
    const p0 = ptr[i]!;
    const p1 = ptr[i + 1]!;
    if (p0 === p1) continue;
    let p = p0;
    {
      const v = val[p]!;
      const xo = idx[p]! * l;
      for (let c = 0; c < l; c++) row[c] = v * x[xo + c]!;
      p++;
    }
    for (; p + 1 < p1; p += 2) {
      const v0 = val[p]!;
      const v1 = val[p + 1]!;
      const x0 = idx[p]! * l;
      const x1 = idx[p + 1]! * l;
      for (let c = 0; c < l; c++) row[c]! += v0 * x[x0 + c]! + v1 * x[x1 + c]!;
    }
    if (p < p1) {
      const v = val[p]!;
      const xo = idx[p]! * l;
      for (let c = 0; c < l; c++) row[c]! += v * x[xo + c]!;
    }
    for (p = p0; p < p1; p++) {
      const v = val[p]!;
      const zo = idx[p]! * l;
      for (let c = 0; c < l; c++) z[zo + c]! += v * row[c]!;
    }
  }
}

/**
 * The sparse Gram C = AᵀA (cols × cols, CSR, float64), or null when it would have more than `maxNnz` nonzeros
 * (checked symbolically first, stopping as soon as the bound is passed). Applying C costs nnz(C)·l gathers against
 * 2·nnz(A)·l gathers and scatters for Aᵀ(A X): on catalogs whose items share a small vocabulary (100k synthetic
 * items: nnz(C) = 1.17M vs nnz(A) = 1.26M) it is the cheaper operator; on real catalogs it is not (Beauty:
 * nnz(C) = 4.1 nnz(A)) and the bound stops the count early.
 */
export function sparseGram(a: SparseMatrix, maxNnz: number): SparseMatrix64 | null {
  const { rows: n, cols: m, ptr, idx, val } = a;
  // Columns of A (CSC), to walk the items containing each feature.
  const cptr = new Int32Array(m + 1);
  for (let p = 0; p < idx.length; p++) cptr[idx[p]! + 1]!++;
  for (let j = 0; j < m; j++) cptr[j + 1]! += cptr[j]!;
  const crow = new Int32Array(idx.length);
  const cval = new Float32Array(idx.length);
  const fill = cptr.slice(0, m);
  for (let i = 0; i < n; i++) {
    for (let p = ptr[i]!; p < ptr[i + 1]!; p++) {
      const q = fill[idx[p]!]!++;
      crow[q] = i;
      cval[q] = val[p]!;
    }
  }
  // One numeric pass, column by column (a symbolic pass first cost as much again: both are latency-bound walks
  // over the items of each column, 16 M steps for 100k synthetic items).
  const gptr = new Int32Array(m + 1);
  let gidx = new Int32Array(Math.min(maxNnz, idx.length) + m);
  let gval = new Float64Array(gidx.length);
  const acc = new Float64Array(m);
  const pos = new Int32Array(m).fill(-1);
  let nnz = 0;
  for (let j = 0; j < m; j++) {
    const base = nnz;
    for (let q = cptr[j]!; q < cptr[j + 1]!; q++) {
      const i = crow[q]!;
      const vij = cval[q]!;
      for (let p = ptr[i]!; p < ptr[i + 1]!; p++) {
        const k = idx[p]!;
        if (pos[k] !== j) {
          pos[k] = j;
          if (nnz === gidx.length) {
            if (nnz >= maxNnz) return null;
            const ni = new Int32Array(Math.min(2 * nnz, maxNnz + m));
            ni.set(gidx);
            gidx = ni;
            const nv = new Float64Array(ni.length);
            nv.set(gval);
            gval = nv;
          }
          gidx[nnz++] = k;
          acc[k] = 0;
        }
        acc[k]! += vij * val[p]!;
      }
    }
    if (nnz > maxNnz) return null;
    // Sorted column indices: a deterministic layout and ascending gathers.
    gidx.subarray(base, nnz).sort();
    for (let t = base; t < nnz; t++) gval[t] = acc[gidx[t]!]!;
    gptr[j + 1] = nnz;
  }
  return { rows: m, cols: m, ptr: gptr, idx: gidx.slice(0, nnz), val: gval.slice(0, nnz) };
}

/** Z[r0..r1) = C[r0..r1) · X (C: cols × cols, X: cols × l), overwriting those rows of Z. */
export function spmm64Rows(
  c: SparseMatrix64,
  x: Float64Array,
  l: number,
  z: Float64Array,
  r0: number,
  r1: number,
): void {
  const { ptr, idx, val } = c;
  for (let j = r0; j < r1; j++) {
    const zo = j * l;
    for (let t = 0; t < l; t++) z[zo + t] = 0;
    const p1 = ptr[j + 1]!;
    let p = ptr[j]!;
    for (; p + 1 < p1; p += 2) {
      const v0 = val[p]!;
      const v1 = val[p + 1]!;
      const x0 = idx[p]! * l;
      const x1 = idx[p + 1]! * l;
      for (let t = 0; t < l; t++) z[zo + t]! += v0 * x[x0 + t]! + v1 * x[x1 + t]!;
    }
    if (p < p1) {
      const v = val[p]!;
      const xo = idx[p]! * l;
      for (let t = 0; t < l; t++) z[zo + t]! += v * x[xo + t]!;
    }
  }
}

/**
 * Rows [r0, r1) of the embedding: out[i·dim + c] = (A_i V)_c / ‖A_i V‖ for c < k (V: A.cols × dim, float32, its
 * first k columns used), zero rows stay zero. Two nonzeros per pass over the accumulator, as in spmmRows.
 */
export function projectRows(
  a: SparseMatrix,
  v: Float32Array,
  dim: number,
  k: number,
  out: Float32Array,
  r0: number,
  r1: number,
  row: Float64Array,
): void {
  const { ptr, idx, val } = a;
  for (let i = r0; i < r1; i++) {
    for (let c = 0; c < k; c++) row[c] = 0;
    const p1 = ptr[i + 1]!;
    let p = ptr[i]!;
    for (; p + 1 < p1; p += 2) {
      const v0 = val[p]!;
      const v1 = val[p + 1]!;
      const o0 = idx[p]! * dim;
      const o1 = idx[p + 1]! * dim;
      for (let c = 0; c < k; c++) row[c]! += v0 * v[o0 + c]! + v1 * v[o1 + c]!;
    }
    if (p < p1) {
      const v0 = val[p]!;
      const o0 = idx[p]! * dim;
      for (let c = 0; c < k; c++) row[c]! += v0 * v[o0 + c]!;
    }
    let norm = 0;
    for (let c = 0; c < k; c++) norm += row[c]! * row[c]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const o = i * dim;
    for (let c = 0; c < k; c++) out[o + c] = row[c]! * inv;
  }
}

/**
 * Which entries `gemmNT` computes: all; the upper triangle j ≥ r (for a symmetric result such as a Gram; the 4-row
 * tiles on the diagonal also add a few entries below it, with correct values, which `symmetrizeUpper` overwrites);
 * or all, knowing that row j of Y is zero beyond column j (Y lower-triangular), so each dot product stops there.
 */
export type GemmShape = 'full' | 'upper' | 'lowerY';

/**
 * out[(r - r0)·ldo + j] += Σ_t X[r, t] · Y[j, t] for r ∈ [r0, r1), j < cols (X Yᵀ, both row-major with `inner`
 * columns). 4 × 2 register tiles: 6 loads per 8 multiply-adds and no store in the inner loop; each entry is one
 * sequential dot product, so the result does not depend on the tiling (or on how the caller chunks r).
 */
export function gemmNT(
  x: Float64Array,
  y: Float64Array,
  inner: number,
  r0: number,
  r1: number,
  cols: number,
  out: Float64Array,
  ldo: number,
  shape: GemmShape = 'full',
): void {
  const upper = shape === 'upper';
  const lowerY = shape === 'lowerY';
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const a0 = r * inner;
    const a1 = a0 + inner;
    const a2 = a1 + inner;
    const a3 = a2 + inner;
    const o0 = (r - r0) * ldo;
    const o1 = o0 + ldo;
    const o2 = o1 + ldo;
    const o3 = o2 + ldo;
    let j = upper ? r : 0;
    for (; j + 2 <= cols; j += 2) {
      const b0 = j * inner;
      const b1 = b0 + inner;
      const len = lowerY ? Math.min(inner, j + 2) : inner;
      let s00 = 0;
      let s10 = 0;
      let s20 = 0;
      let s30 = 0;
      let s01 = 0;
      let s11 = 0;
      let s21 = 0;
      let s31 = 0;
      for (let t = 0; t < len; t++) {
        const u = y[b0 + t]!;
        const w = y[b1 + t]!;
        const x0 = x[a0 + t]!;
        const x1 = x[a1 + t]!;
        const x2 = x[a2 + t]!;
        const x3 = x[a3 + t]!;
        s00 += x0 * u;
        s10 += x1 * u;
        s20 += x2 * u;
        s30 += x3 * u;
        s01 += x0 * w;
        s11 += x1 * w;
        s21 += x2 * w;
        s31 += x3 * w;
      }
      out[o0 + j]! += s00;
      out[o1 + j]! += s10;
      out[o2 + j]! += s20;
      out[o3 + j]! += s30;
      out[o0 + j + 1]! += s01;
      out[o1 + j + 1]! += s11;
      out[o2 + j + 1]! += s21;
      out[o3 + j + 1]! += s31;
    }
    if (j < cols) {
      const b0 = j * inner;
      const len = lowerY ? Math.min(inner, j + 1) : inner;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < len; t++) {
        const u = y[b0 + t]!;
        s0 += x[a0 + t]! * u;
        s1 += x[a1 + t]! * u;
        s2 += x[a2 + t]! * u;
        s3 += x[a3 + t]! * u;
      }
      out[o0 + j]! += s0;
      out[o1 + j]! += s1;
      out[o2 + j]! += s2;
      out[o3 + j]! += s3;
    }
  }
  for (; r < r1; r++) {
    const a0 = r * inner;
    const o0 = (r - r0) * ldo;
    for (let j = upper ? r : 0; j < cols; j++) {
      const b0 = j * inner;
      const len = lowerY ? Math.min(inner, j + 1) : inner;
      let s = 0;
      for (let t = 0; t < len; t++) s += x[a0 + t]! * y[b0 + t]!;
      out[o0 + j]! += s;
    }
  }
}

/** dst (cols × (r1 - r0)) = transpose of rows [r0, r1) of src (· × cols). */
export function transposeRows(src: Float64Array, cols: number, r0: number, r1: number, dst: Float64Array): void {
  const h = r1 - r0;
  for (let r = r0; r < r1; r++) {
    const so = r * cols;
    const d = r - r0;
    for (let c = 0; c < cols; c++) dst[c * h + d] = src[so + c]!;
  }
}

/**
 * Upper triangle of G += X[r0..r1)ᵀ Y[r0..r1) (l × l; pass the same array twice for a Gram ZᵀZ). The rows are
 * transposed into tx / ty (each ≥ l·(r1 - r0)) so that gemmNT's dot products run along them.
 */
export function crossUpperRows(
  x: Float64Array,
  y: Float64Array,
  l: number,
  g: Float64Array,
  r0: number,
  r1: number,
  tx: Float64Array,
  ty: Float64Array,
): void {
  const h = r1 - r0;
  transposeRows(x, l, r0, r1, tx);
  if (y !== x) transposeRows(y, l, r0, r1, ty);
  gemmNT(tx, y === x ? tx : ty, h, 0, l, l, g, l, 'upper');
}

export function symmetrizeUpper(g: Float64Array, l: number): void {
  for (let a = 0; a < l; a++) for (let b = a + 1; b < l; b++) g[b * l + a] = g[a * l + b]!;
}

/**
 * Prepares Cholesky-QR from the Gram matrix G = ZᵀZ (upper triangle filled): returns column scales d and the lower
 * factor L of D G D = L Lᵀ, with dead (linearly dependent) columns marked by L[j,j] = 0.
 */
export function cholFactor(g: Float64Array, l: number, tol = 1e-10): { d: Float64Array; L: Float64Array } {
  const d = new Float64Array(l);
  for (let j = 0; j < l; j++) {
    const gj = g[j * l + j]!;
    d[j] = gj > 0 ? 1 / Math.sqrt(gj) : 0;
  }
  const L = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    if (d[j] === 0) continue;
    let s = 1; // scaled diagonal
    const jo = j * l;
    for (let k = 0; k < j; k++) s -= L[jo + k]! * L[jo + k]!;
    if (s <= tol) continue; // column j is (numerically) in the span of earlier ones
    const ljj = Math.sqrt(s);
    L[jo + j] = ljj;
    for (let i = j + 1; i < l; i++) {
      if (d[i] === 0) continue;
      const io = i * l;
      let v = g[j * l + i]! * d[i]! * d[j]!;
      for (let k = 0; k < j; k++) v -= L[io + k]! * L[jo + k]!;
      L[io + j] = v / ljj;
    }
  }
  return { d, L };
}

/**
 * The lower-triangular T with Z D L⁻ᵀ = Z Tᵀ, i.e. T = L⁻¹ D (rows of dead columns zero), so that orth(Z) is the
 * product gemmNT(Z, T, 'lowerY'): row j of Q is Σ_{t ≤ j} Z[·, t] T[j, t]. l³/6 flops (3 M for l = 266).
 */
export function cholInverseT(d: Float64Array, L: Float64Array, l: number): Float64Array {
  const inv = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    const lii = L[i * l + i]!;
    if (lii === 0) continue;
    const io = i * l;
    inv[io + i] = 1 / lii;
    for (let t = 0; t < i; t++) {
      let s = 0;
      for (let k = t; k < i; k++) s += L[io + k]! * inv[k * l + t]!;
      inv[io + t] = -s / lii;
    }
  }
  for (let i = 0; i < l; i++) for (let t = 0; t <= i; t++) inv[i * l + t]! *= d[t]!;
  return inv;
}

/** Z[r0..r1) ← (Z D) L⁻ᵀ in place: each row x solves x Lᵀ = z ∘ d (forward substitution: the reference form of
 * `cholInverseT` + `gemmNT`, which the tests compare against). */
export function cholSolveRows(
  z: Float64Array,
  l: number,
  d: Float64Array,
  L: Float64Array,
  r0: number,
  r1: number,
): void {
  for (let r = r0; r < r1; r++) {
    const o = r * l;
    for (let j = 0; j < l; j++) {
      const ljj = L[j * l + j]!;
      if (ljj === 0) {
        z[o + j] = 0;
        continue;
      }
      let v = z[o + j]! * d[j]!;
      const jo = j * l;
      for (let k = 0; k < j; k++) v -= L[jo + k]! * z[o + k]!;
      z[o + j] = v / ljj;
    }
  }
}

/**
 * Eigen-decomposition of a symmetric n × n matrix by cyclic Jacobi rotations (row-major, `a` is destroyed).
 * Returns eigenvalues in descending order and the matching eigenvectors as the columns of `vectors` (row-major).
 * O(n³) per sweep, ~6-10 sweeps to machine precision: 1.5 s for n = 266 in V8. The embedder uses `symmetricEigen`;
 * this stays as the independent reference the tests check it against.
 */
export function jacobiEigen(
  a: Float64Array,
  n: number,
  maxSweeps = 60,
): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i]! * a[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= 1e-24 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0 || Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J, touching rows and columns p and q only.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        const po = p * n;
        const qo = q * n;
        for (let k = 0; k < n; k++) {
          const apk = a[po + k]!;
          const aqk = a[qo + k]!;
          a[po + k] = c * apk - s * aqk;
          a[qo + k] = s * apk + c * aqk;
        }
        a[po + q] = 0;
        a[qo + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/**
 * Eigen-decomposition of a symmetric n × n matrix (row-major, read only), same output as `jacobiEigen`: Householder
 * reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-type shifts (the EISPACK tred2 / tql2
 * pair as published in JAMA). About 4n³ flops in all against ~1.5n³ per Jacobi sweep and 6-10 sweeps: the
 * Rayleigh-Ritz step on Beauty (n = 266) took 1.45 s with Jacobi and takes ~0.05 s here. The QL rotations run on
 * the rows of Vᵀ so they touch contiguous memory.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = Float64Array.from(a.subarray(0, n * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: V };
  // tred2: V ← the orthogonal transformation, d / e ← the tridiagonal's diagonal / subdiagonal.
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j * n + i] = f;
        g = e[j]! + V[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!;
          e[k]! += V[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!;
    V[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!;
        for (let k = 0; k <= i; k++) V[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!;
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;

  // tql2 on Vt = Vᵀ (row i of Vt = column i of V).
  const Vt = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) Vt[c * n + r] = V[r * n + c]!;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 64; iter++) {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ro = i * n;
          const so = ro + n;
          for (let k = 0; k < n; k++) {
            const hk = Vt[so + k]!;
            const vk = Vt[ro + k]!;
            Vt[so + k] = s * vk + c * hk;
            Vt[ro + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = Vt[src * n + k]!;
  });
  return { values, vectors };
}
