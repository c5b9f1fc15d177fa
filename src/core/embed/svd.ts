/**
 * Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, Alg. 4.4 "randomized subspace
 * iteration"), run on the row space so every dense step is (vocabulary × l) rather than (items × l):
 *
 *   Z ← Aᵀ A Ω          Ω: m × l Gaussian from the project Rng, l = k + oversampling
 *   repeat q times:      Z ← orth(Z);  Z ← Aᵀ (A Z)
 *   Q ← orth(Z)          (m × l, orthonormal: approximates the top right singular space)
 *   M = Qᵀ Aᵀ A Q = W Λ Wᵀ   (l × l, Jacobi eigen-solver)
 *   V_k = Q W_k,  A V_k = U_k Σ_k  (the embedding, computed as one more sparse product)
 *
 * orth() is Cholesky-QR with column scaling: Gram (m·l²/2) + triangular solve (m·l²/2), about 2x cheaper than
 * modified Gram-Schmidt, and stable here because each Z is one AᵀA application away from an orthonormal basis
 * (condition number ~ (σ1/σl)², squared in the Gram: well inside float64). Rank-deficient columns (fewer items or
 * words than l) become zero columns instead of NaN.
 */
import type { SparseMatrix } from './tfidf';

/** Y (rows × l) += A[r0..r1) · X (A.cols × l), row-major dense. */
export function spmmRows(a: SparseMatrix, x: Float64Array, l: number, y: Float64Array, r0: number, r1: number): void {
  const { ptr, idx, val } = a;
  for (let i = r0; i < r1; i++) {
    const yo = i * l;
    for (let p = ptr[i]!; p < ptr[i + 1]!; p++) {
      const v = val[p]!;
      const xo = idx[p]! * l;
      for (let c = 0; c < l; c++) y[yo + c]! += v * x[xo + c]!;
    }
  }
}

/** Z (A.cols × l) += A[r0..r1)ᵀ · Y[r0..r1) (rows × l). */
export function spmmTransposeRows(a: SparseMatrix, y: Float64Array, l: number, z: Float64Array, r0: number, r1: number): void {
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

/** Upper triangle of G += Z[r0..r1)ᵀ Z[r0..r1) (l × l). */
export function gramRows(z: Float64Array, l: number, g: Float64Array, r0: number, r1: number): void {
  for (let r = r0; r < r1; r++) {
    const o = r * l;
    for (let a = 0; a < l; a++) {
      const za = z[o + a]!;
      if (za === 0) continue;
      const go = a * l;
      for (let b = a; b < l; b++) g[go + b]! += za * z[o + b]!;
    }
  }
}

/** Upper triangle of G += X[r0..r1)ᵀ Y[r0..r1) restricted to the upper triangle (for symmetric XᵀY). */
export function crossRows(x: Float64Array, y: Float64Array, l: number, g: Float64Array, r0: number, r1: number): void {
  for (let r = r0; r < r1; r++) {
    const o = r * l;
    for (let a = 0; a < l; a++) {
      const xa = x[o + a]!;
      if (xa === 0) continue;
      const go = a * l;
      for (let b = a; b < l; b++) g[go + b]! += xa * y[o + b]!;
    }
  }
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

/** Z[r0..r1) ← (Z D) L⁻ᵀ in place: each row x solves x Lᵀ = z ∘ d (forward substitution). */
export function cholSolveRows(z: Float64Array, l: number, d: Float64Array, L: Float64Array, r0: number, r1: number): void {
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
 * O(n³) per sweep, ~6-10 sweeps to machine precision: 0.3 s for n = 266.
 */
export function jacobiEigen(a: Float64Array, n: number, maxSweeps = 60): { values: Float64Array; vectors: Float64Array } {
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
