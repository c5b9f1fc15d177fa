/**
 * Embedding throughput (items/s) of the built-in embedder (TF-IDF → randomized SVD → L2), 256 dims:
 *  - 100k synthetic items (the demo generator's titles/brands/categories; SEMID_BENCH_EMBED_ITEMS to change),
 *  - Beauty's 12,101 real items (skipped when ../shared/data is absent).
 * Baseline, side by side on the same TF-IDF matrix: the textbook form of the same randomized SVD (Halko et al.
 * Alg. 4.4 on the item side: the items × l sketch is materialised and re-orthonormalised every iteration, then
 * B = QᵀA and the eigen-decomposition of BBᵀ), which costs O(items · l²) per step instead of O(vocabulary · l²).
 * Run: `npm run bench -- embed` (or `npx tsx bench/run.ts embed`).
 */
import { generateDemoCatalog } from '../src/core/demo/index';
import { fitEmbedder } from '../src/core/embed/index';
import { DEFAULT_TFIDF, fitTfidf, itemFeatures, type SparseMatrix } from '../src/core/embed/tfidf';
import { cholFactor, cholSolveRows, gramRows, jacobiEigen, spmmRows, spmmTransposeRows, symmetrizeUpper } from '../src/core/embed/svd';
import { drain } from '../src/core/util/generators';
import { Rng } from '../src/core/util/random';
import type { ItemRecord } from '../src/shared/types';
import { BEAUTY_DIR, hasBeauty } from './beauty';
import { parseImport } from '../src/node/importers/index';
import { itemRecordsFromImported } from '../src/core/data/build';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

/** The textbook item-side randomized SVD (baseline). Returns U_k Σ_k row-normalised, n × k. */
function textbookEmbed(a: SparseMatrix, k: number, q: number, seed: number): Float32Array {
  const n = a.rows;
  const m = a.cols;
  const l = Math.min(k + 10, m, n);
  const rng = new Rng(seed);
  const omega = new Float64Array(m * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const orth = (x: Float64Array, rows: number): void => {
    const g = new Float64Array(l * l);
    gramRows(x, l, g, 0, rows);
    const { d, L } = cholFactor(g, l);
    cholSolveRows(x, l, d, L, 0, rows);
  };
  let y = new Float64Array(n * l);
  spmmRows(a, omega, l, y, 0, n);
  orth(y, n);
  for (let it = 0; it < q; it++) {
    const z = new Float64Array(m * l);
    spmmTransposeRows(a, y, l, z, 0, n);
    orth(z, m);
    y = new Float64Array(n * l);
    spmmRows(a, z, l, y, 0, n);
    orth(y, n);
  }
  // Bᵀ = AᵀQ (m × l); BBᵀ = (Bᵀ)ᵀ Bᵀ; eigenvectors W give U = Q W, embedding = U Σ.
  const bt = new Float64Array(m * l);
  spmmTransposeRows(a, y, l, bt, 0, n);
  const g = new Float64Array(l * l);
  gramRows(bt, l, g, 0, m);
  symmetrizeUpper(g, l);
  const { values, vectors } = jacobiEigen(g, l);
  const out = new Float32Array(n * k);
  const kk = Math.min(k, l);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    const row = new Float64Array(kk);
    for (let j = 0; j < l; j++) {
      const qv = y[i * l + j]!;
      for (let c = 0; c < kk; c++) row[c]! += qv * vectors[j * l + c]! * Math.sqrt(Math.max(values[c]!, 0));
    }
    for (let c = 0; c < kk; c++) norm += row[c]! * row[c]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < kk; c++) out[i * k + c] = row[c]! * inv;
  }
  return out;
}

async function measure(label: string, items: ItemRecord[], report: (row: Row) => void, baseline: boolean): Promise<void> {
  const dim = 256;
  const t0 = performance.now();
  const r = await drain(fitEmbedder(items, { dim, seed: 1 }));
  const ms = performance.now() - t0;
  const ours = items.length / (ms / 1000);
  let base: number | undefined;
  let note = `${items.length.toLocaleString('en-US')} items, vocabulary ${r.embedder.tfidf.vocab.size.toLocaleString('en-US')}, ${(ms / 1000).toFixed(1)} s`;
  if (baseline) {
    // Same features and TF-IDF for the baseline, so only the SVD differs.
    const tb = performance.now();
    const feats = items.map((it) => itemFeatures(it, DEFAULT_TFIDF));
    const { matrix } = fitTfidf(feats);
    textbookEmbed(matrix, dim, 2, 1);
    const bms = performance.now() - tb;
    base = items.length / (bms / 1000);
    note += `; textbook item-side SVD ${(bms / 1000).toFixed(1)} s`;
  }
  report({ name: `embed ${label} (256-d)`, value: ours, unit: 'items/s', baseline: base, note });
}

export default async function (report: (row: Row) => void): Promise<void> {
  const n = Number(process.env.SEMID_BENCH_EMBED_ITEMS ?? 100_000);
  const synth = generateDemoCatalog({ seed: 7, items: n, users: 1 }).items.map((it, idx) => ({ ...it, idx }));
  await measure(`${Math.round(n / 1000)}k synthetic`, synth, report, true);
  if (hasBeauty) {
    const items = itemRecordsFromImported(await parseImport({ format: 'p5', paths: [BEAUTY_DIR] }));
    await measure('Beauty', items, report, true);
  } else report({ name: 'embed Beauty: skipped', value: 0, unit: '-', note: 'no ../shared/data/amazon14-beauty' });
}
