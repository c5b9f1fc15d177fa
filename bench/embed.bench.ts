/**
 * Embedding throughput (items/s) of the built-in embedder (TF-IDF → randomized SVD → L2), 256 dims:
 *  - 100k synthetic items (the demo generator's titles/brands/categories; SEMID_BENCH_EMBED_ITEMS to change),
 *  - Beauty's 12,101 real items (skipped when ../shared/data is absent).
 * Baseline, side by side on the same TF-IDF matrix and with the same dense and sparse kernels: the textbook form of
 * the same randomized SVD (Halko et al. Alg. 4.4 on the item side: the items × l sketch is materialised and
 * re-orthonormalised every iteration, then B = QᵀA and the eigen-decomposition of BBᵀ), whose dense steps cost
 * O(items · l²) instead of O(vocabulary · l²). Both times include tokenising and TF-IDF; the note splits ours into
 * features + TF-IDF / SVD / projection, wall and CPU.
 * Run: `npm run bench -- embed` (or `npx tsx bench/run.ts embed`).
 */
import { generateDemoCatalog } from '../src/core/demo/index';
import { fitEmbedder } from '../src/core/embed/index';
import { DEFAULT_TFIDF, FeatureTable, fitTfidfTable, type SparseMatrix } from '../src/core/embed/tfidf';
import {
  cholFactor,
  cholInverseT,
  crossUpperRows,
  gemmNT,
  spmmRows,
  spmmTransposeRows,
  symmetricEigen,
  symmetrizeUpper,
} from '../src/core/embed/svd';
import { drain } from '../src/core/util/generators';
import { Rng } from '../src/core/util/random';
import type { ItemRecord } from '../src/shared/types';
import { BEAUTY_DIR, hasBeauty } from './beauty';
import { parseImport } from '../src/node/importers/index';
import { itemRecordsFromImported } from '../src/core/data/build';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

const CHUNK = 256;

/** orth(x) in place for a tall rows × l matrix: Cholesky-QR with the embedder's kernels. */
function orth(x: Float64Array, rows: number, l: number): void {
  const g = new Float64Array(l * l);
  const tx = new Float64Array(CHUNK * l);
  for (let r0 = 0; r0 < rows; r0 += CHUNK) crossUpperRows(x, x, l, g, r0, Math.min(rows, r0 + CHUNK), tx, tx);
  const { d, L } = cholFactor(g, l);
  const t = cholInverseT(d, L, l);
  for (let r0 = 0; r0 < rows; r0 += CHUNK) {
    const r1 = Math.min(rows, r0 + CHUNK);
    tx.fill(0, 0, (r1 - r0) * l);
    gemmNT(x, t, l, r0, r1, l, tx, l, 'lowerY');
    x.set(tx.subarray(0, (r1 - r0) * l), r0 * l);
  }
}

/** The textbook item-side randomized SVD (baseline). Returns U_k Σ_k row-normalised, n × k. */
function textbookEmbed(a: SparseMatrix, k: number, q: number, seed: number): Float32Array {
  const n = a.rows;
  const m = a.cols;
  const l = Math.min(k + 10, m, n);
  const rng = new Rng(seed);
  const omega = new Float64Array(m * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const y = new Float64Array(n * l);
  spmmRows(a, omega, l, y, 0, n);
  orth(y, n, l);
  const z = new Float64Array(m * l);
  for (let it = 0; it < q; it++) {
    z.fill(0);
    spmmTransposeRows(a, y, l, z, 0, n);
    orth(z, m, l);
    y.fill(0);
    spmmRows(a, z, l, y, 0, n);
    orth(y, n, l);
  }
  // Bᵀ = AᵀQ (m × l); BBᵀ = (Bᵀ)ᵀ Bᵀ; eigenvectors W give U = Q W, embedding = U Σ.
  z.fill(0);
  spmmTransposeRows(a, y, l, z, 0, n);
  const g = new Float64Array(l * l);
  const tx = new Float64Array(CHUNK * l);
  const ty = new Float64Array(CHUNK * l);
  for (let r0 = 0; r0 < m; r0 += CHUNK) crossUpperRows(z, z, l, g, r0, Math.min(m, r0 + CHUNK), tx, ty);
  symmetrizeUpper(g, l);
  const { values, vectors } = symmetricEigen(g, l);
  const kk = Math.min(k, l);
  const ws = new Float64Array(kk * l); // (W_k Σ_k)ᵀ
  for (let j = 0; j < l; j++)
    for (let c = 0; c < kk; c++) ws[c * l + j] = vectors[j * l + c]! * Math.sqrt(Math.max(values[c]!, 0));
  const out = new Float32Array(n * k);
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const r1 = Math.min(n, r0 + CHUNK);
    tx.fill(0, 0, (r1 - r0) * kk);
    gemmNT(y, ws, l, r0, r1, kk, tx, kk);
    for (let i = r0; i < r1; i++) {
      let norm = 0;
      const o = (i - r0) * kk;
      for (let c = 0; c < kk; c++) norm += tx[o + c]! * tx[o + c]!;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let c = 0; c < kk; c++) out[i * k + c] = tx[o + c]! * inv;
    }
  }
  return out;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function measure(label: string, items: ItemRecord[], report: (row: Row) => void): Promise<void> {
  const dim = 256;
  // Wall time per phase, from the generator's own progress events (each phase starts with a done = 0 event).
  const phaseMs: Record<string, number> = {};
  let phase = 'tokenize';
  let tp = performance.now();
  const t0 = tp;
  const c0 = cpuSeconds();
  const r = await drain(fitEmbedder(items, { dim, seed: 1 }), (ev) => {
    if (ev.type !== 'progress' || ev.phase === phase) return;
    const now = performance.now();
    phaseMs[phase] = (phaseMs[phase] ?? 0) + now - tp;
    phase = ev.phase;
    tp = now;
  });
  const end = performance.now();
  phaseMs[phase] = (phaseMs[phase] ?? 0) + end - tp;
  const ms = end - t0;
  const cpu = cpuSeconds() - c0;
  const s = (x: number | undefined): string => ((x ?? 0) / 1000).toFixed(1);
  let note =
    `${items.length.toLocaleString('en-US')} items, vocabulary ${r.embedder.tfidf.vocab.size.toLocaleString('en-US')}: ` +
    `${s(ms)} s wall (${cpu.toFixed(1)} s CPU) = features + TF-IDF ${s(phaseMs.tokenize)} + SVD ${s(phaseMs.svd)} + projection ${s(phaseMs.project)}`;
  // Same features and TF-IDF for the baseline, so only the SVD differs.
  const tb = performance.now();
  const table = new FeatureTable(DEFAULT_TFIDF);
  for (const it of items) table.add(it);
  const { matrix } = fitTfidfTable(table);
  textbookEmbed(matrix, dim, 2, 1);
  const bms = performance.now() - tb;
  note += `; textbook item-side SVD ${s(bms)} s`;
  report({
    name: `embed ${label} (256-d)`,
    value: items.length / (ms / 1000),
    unit: 'items/s',
    baseline: items.length / (bms / 1000),
    note,
  });
}

export default async function (report: (row: Row) => void): Promise<void> {
  const n = Number(process.env.SEMID_BENCH_EMBED_ITEMS ?? 100_000);
  const synth = generateDemoCatalog({ seed: 7, items: n, users: 1 }).items.map((it, idx) => ({ ...it, idx }));
  await measure(`${Math.round(n / 1000)}k synthetic`, synth, report);
  if (hasBeauty) {
    const items = itemRecordsFromImported(await parseImport({ format: 'p5', paths: [BEAUTY_DIR] }));
    await measure('Beauty', items, report);
  } else report({ name: 'embed Beauty: skipped', value: 0, unit: '-', note: 'no ../shared/data/amazon14-beauty' });
}
