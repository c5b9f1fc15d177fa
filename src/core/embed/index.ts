/**
 * The built-in offline text embedder: TF-IDF of title + brand + category words (plus category-node and brand
 * features) → randomized truncated SVD → L2-normalised rows. Deterministic for a seed, no model download.
 *
 * `embedItems` is the contract other modules use; `fitEmbedder` also returns the fitted model so free text (search
 * queries) can be embedded into the same space with `embedder.embedText`.
 */
import type { JobEvent } from '../../shared/protocol';
import type { ItemRecord } from '../../shared/types';
import { throwIfAborted } from '../../shared/errors';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';
import { DEFAULT_TFIDF, type SparseMatrix, type TfidfModel, type TfidfOptions, fitTfidf, itemFeatures, textFeatures } from './tfidf';
import { cholFactor, cholSolveRows, crossRows, gramRows, jacobiEigen, spmmRows, spmmTransposeRows, symmetrizeUpper } from './svd';

export { tokenize } from './tokenize';
export type { SparseMatrix, TfidfModel, TfidfOptions } from './tfidf';

export interface EmbedOptions extends TfidfOptions {
  /** Output dimension (default 256). Components beyond the matrix rank are zero. */
  dim?: number;
  seed?: number;
  /** Subspace iterations of the randomized SVD (default 2). */
  powerIterations?: number;
  /** Extra sketch columns beyond `dim` (default 10). */
  oversample?: number;
}

export const DEFAULT_EMBED_DIM = 256;
export const EMBED_METHOD = 'tfidf-rsvd';

export interface TextEmbedder {
  dim: number;
  tfidf: TfidfModel;
  /** V_k: vocabulary × dim (row-major); an item's embedding is normalise(tfidfRow · V_k). */
  projection: Float32Array;
  /** Top singular values of the TF-IDF matrix (length = effective rank ≤ dim). */
  singularValues: Float64Array;
  /** Embeds free text (e.g. a search query) into the item space; a zero vector when no word is known. */
  embedText(text: string): Float32Array;
}

export interface EmbedResult {
  data: Float32Array;
  dim: number;
}

/** Pacing: yield to the event loop (so a cancel message can arrive) and report progress at most every ~80 ms. */
class Pacer {
  private last = Date.now();
  constructor(private readonly signal: AbortSignal | undefined) {}
  due(): boolean {
    return Date.now() - this.last >= 80;
  }
  async pause(): Promise<void> {
    await yieldToLoop();
    this.last = Date.now();
    throwIfAborted(this.signal);
  }
}

const CHUNK = 256;

export async function* embedItems(
  items: ItemRecord[],
  opts: EmbedOptions = {},
  signal?: AbortSignal,
): AsyncGenerator<JobEvent, EmbedResult> {
  const r = yield* fitEmbedder(items, opts, signal);
  return { data: r.data, dim: r.dim };
}

export async function* fitEmbedder(
  items: Pick<ItemRecord, 'title' | 'brand' | 'categories' | 'text'>[],
  opts: EmbedOptions = {},
  signal?: AbortSignal,
): AsyncGenerator<JobEvent, EmbedResult & { embedder: TextEmbedder }> {
  const dim = opts.dim ?? DEFAULT_EMBED_DIM;
  if (!Number.isInteger(dim) || dim < 1 || dim > 4096) throw new RangeError(`embedding dim must be an integer in 1..4096, got ${dim}`);
  const pacer = new Pacer(signal);
  throwIfAborted(signal);
  const n = items.length;
  const tfOpts = { ...DEFAULT_TFIDF, ...opts };

  // 1. Features per item.
  const feats: Map<string, number>[] = new Array<Map<string, number>>(n);
  for (let i = 0; i < n; i++) {
    feats[i] = itemFeatures(items[i]!, tfOpts);
    if ((i & 255) === 255 && pacer.due()) {
      yield { type: 'progress', phase: 'tokenize', done: i + 1, total: n };
      await pacer.pause();
    }
  }
  yield { type: 'progress', phase: 'tokenize', done: n, total: n };

  // 2. TF-IDF. Tiny catalogs keep words seen once (otherwise nothing may survive minDf).
  let { model, matrix } = fitTfidf(feats, tfOpts);
  if (model.vocab.size === 0 && tfOpts.minDf > 1) ({ model, matrix } = fitTfidf(feats, { ...tfOpts, minDf: 1 }));
  await pacer.pause();

  // 3. Randomized SVD.
  const svd = yield* randomizedSvd(matrix, dim, opts, pacer);
  const { projection, values, k } = svd;

  // 4. Project and L2-normalise: E = A V_k (= U_k Σ_k).
  const data = new Float32Array(n * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let p = matrix.ptr[i]!; p < matrix.ptr[i + 1]!; p++) {
      const v = matrix.val[p]!;
      const o = matrix.idx[p]! * dim;
      for (let c = 0; c < k; c++) row[c]! += v * projection[o + c]!;
    }
    let norm = 0;
    for (let c = 0; c < k; c++) norm += row[c]! * row[c]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const o = i * dim;
    for (let c = 0; c < k; c++) data[o + c] = row[c]! * inv;
    if ((i & 1023) === 1023 && pacer.due()) {
      yield { type: 'progress', phase: 'project', done: i + 1, total: n };
      await pacer.pause();
    }
  }
  yield { type: 'progress', phase: 'project', done: n, total: n };

  const embedder: TextEmbedder = {
    dim,
    tfidf: model,
    projection,
    singularValues: values,
    embedText(text: string): Float32Array {
      const out = new Float32Array(dim);
      const acc = new Float64Array(dim);
      for (const [c, w] of textFeatures(text, model)) {
        const x = w * model.idf[c]!;
        const o = c * dim;
        for (let j = 0; j < k; j++) acc[j]! += x * projection[o + j]!;
      }
      let norm = 0;
      for (let j = 0; j < k; j++) norm += acc[j]! * acc[j]!;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < k; j++) out[j] = acc[j]! * inv;
      return out;
    },
  };
  return { data, dim, embedder };
}

export interface SvdResult {
  /** V_k as (cols × dim) row-major float32, columns ≥ k are zero. */
  projection: Float32Array;
  /** Singular values σ_1 ≥ … ≥ σ_k. */
  values: Float64Array;
  /** Effective rank (≤ dim). */
  k: number;
}

/** Randomized truncated SVD of a sparse matrix (see svd.ts for the algorithm). Yields 'svd' progress. */
export async function* randomizedSvd(
  a: SparseMatrix,
  dim: number,
  opts: { seed?: number; powerIterations?: number; oversample?: number },
  pacer: { due(): boolean; pause(): Promise<void> },
): AsyncGenerator<JobEvent, SvdResult> {
  const n = a.rows;
  const m = a.cols;
  const kMax = Math.min(dim, m, n);
  if (kMax === 0) return { projection: new Float32Array(m * dim), values: new Float64Array(0), k: 0 };
  const l = Math.min(kMax + (opts.oversample ?? 10), m);
  const q = opts.powerIterations ?? 2;
  const rng = new Rng(opts.seed ?? 0);
  // Progress unit = one pass over the rows of A (sparse) or of Z (dense); passes: (q + 1) AᵀA + (q + 1) orth (x2)
  // + the final Gram.
  const totalPasses = 3 * (q + 1) + 1;
  let pass = 0;
  const report = (frac: number): JobEvent => ({
    type: 'progress',
    phase: 'svd',
    done: Math.round((pass + frac) * 1000),
    total: totalPasses * 1000,
  });

  let z: Float64Array = new Float64Array(m * l);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  const buf = new Float64Array(CHUNK * l);

  // Z ← Aᵀ A X, streaming A in row chunks so the items × l intermediate is never materialised.
  async function* applyGram(x: Float64Array): AsyncGenerator<JobEvent, Float64Array> {
    const out = new Float64Array(m * l);
    for (let r0 = 0; r0 < n; r0 += CHUNK) {
      const r1 = Math.min(n, r0 + CHUNK);
      buf.fill(0);
      spmmRows(shiftRows(a, r0, r1), x, l, buf, 0, r1 - r0);
      spmmTransposeRows(shiftRows(a, r0, r1), buf, l, out, 0, r1 - r0);
      if (pacer.due()) {
        yield report(r1 / n);
        await pacer.pause();
      }
    }
    pass++;
    return out;
  }

  async function* orth(x: Float64Array): AsyncGenerator<JobEvent, void> {
    const g = new Float64Array(l * l);
    for (let r0 = 0; r0 < m; r0 += CHUNK) {
      gramRows(x, l, g, r0, Math.min(m, r0 + CHUNK));
      if (pacer.due()) {
        yield report(r0 / m);
        await pacer.pause();
      }
    }
    pass++;
    const { d, L } = cholFactor(g, l);
    for (let r0 = 0; r0 < m; r0 += CHUNK) {
      cholSolveRows(x, l, d, L, r0, Math.min(m, r0 + CHUNK));
      if (pacer.due()) {
        yield report(r0 / m);
        await pacer.pause();
      }
    }
    pass++;
  }

  z = yield* applyGram(z);
  for (let it = 0; it < q; it++) {
    yield* orth(z);
    z = yield* applyGram(z);
  }
  yield* orth(z);
  const qm = z; // m × l, orthonormal columns (dead columns are zero)

  // M = Qᵀ AᵀA Q (l × l).
  const mm = new Float64Array(l * l);
  if (n <= m) {
    for (let r0 = 0; r0 < n; r0 += CHUNK) {
      const r1 = Math.min(n, r0 + CHUNK);
      buf.fill(0);
      spmmRows(shiftRows(a, r0, r1), qm, l, buf, 0, r1 - r0);
      gramRows(buf, l, mm, 0, r1 - r0);
      if (pacer.due()) {
        yield report(r1 / n);
        await pacer.pause();
      }
    }
    pass++;
  } else {
    const zq = yield* applyGram(qm);
    for (let r0 = 0; r0 < m; r0 += CHUNK) crossRows(qm, zq, l, mm, r0, Math.min(m, r0 + CHUNK));
  }
  symmetrizeUpper(mm, l);
  await pacer.pause();
  const eig = jacobiEigen(mm, l);
  yield report(1);

  // Keep components with a meaningful eigenvalue; V_k = Q W_k.
  const lam0 = Math.max(eig.values[0] ?? 0, 0);
  let k = 0;
  while (k < kMax && eig.values[k]! > lam0 * 1e-12 && eig.values[k]! > 0) k++;
  const projection = new Float32Array(m * dim);
  const w = eig.vectors;
  const acc = new Float64Array(k);
  for (let r = 0; r < m; r++) {
    const qo = r * l;
    acc.fill(0);
    for (let j = 0; j < l; j++) {
      const qv = qm[qo + j]!;
      if (qv === 0) continue;
      const wo = j * l;
      for (let c = 0; c < k; c++) acc[c]! += qv * w[wo + c]!;
    }
    projection.set(acc, r * dim);
  }
  // Canonical signs (each column's largest-|x| vocabulary entry positive), so equal inputs give equal outputs
  // regardless of the eigen-solver's sign choice.
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let r = 0; r < m; r++) if (Math.abs(projection[r * dim + c]!) > Math.abs(best)) best = projection[r * dim + c]!;
    if (best < 0) for (let r = 0; r < m; r++) projection[r * dim + c] = -projection[r * dim + c]!;
  }
  const values = new Float64Array(k);
  for (let c = 0; c < k; c++) values[c] = Math.sqrt(eig.values[c]!);
  return { projection, values, k };
}

/** A view of rows [r0, r1) of a CSR matrix as a matrix of r1 - r0 rows (no copy of the values). */
function shiftRows(a: SparseMatrix, r0: number, r1: number): SparseMatrix {
  const base = a.ptr[r0]!;
  const ptr = new Int32Array(r1 - r0 + 1);
  for (let i = r0; i <= r1; i++) ptr[i - r0] = a.ptr[i]! - base;
  return { rows: r1 - r0, cols: a.cols, ptr, idx: a.idx.subarray(base, a.ptr[r1]!), val: a.val.subarray(base, a.ptr[r1]!) };
}
