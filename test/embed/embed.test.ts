import { describe, expect, it } from 'vitest';
import { embedItems, fitEmbedder, randomizedSvd, tokenize } from '../../src/core/embed/index';
import { jacobiEigen } from '../../src/core/embed/svd';
import type { SparseMatrix } from '../../src/core/embed/tfidf';
import { generateDemoCatalog } from '../../src/core/demo/index';
import { drain } from '../../src/core/util/generators';
import { Rng } from '../../src/core/util/random';
import { CancelledError } from '../../src/shared/errors';
import type { ItemRecord } from '../../src/shared/types';
import { hasScientific } from '../helpers/paths';
import { loadScientific } from '../helpers/realData';

const demoItems = (n: number, seed = 3): ItemRecord[] =>
  generateDemoCatalog({ seed, items: n, users: 1 }).items.map((it, idx) => ({ ...it, idx }));

const pacer = { due: () => false, pause: () => Promise.resolve() };

function cosine(e: Float32Array, d: number, i: number, j: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += e[i * d + c]! * e[j * d + c]!;
  return s;
}

describe('tokenizer', () => {
  it('lowercases, drops stopwords and one-character pieces, keeps model numbers whole and split', () => {
    expect(tokenize('Stanley TRA708T Sharpshooter 1/2-Inch Leg, for the T-50')).toEqual([
      'stanley',
      'tra708t',
      'sharpshooter',
      'inch',
      '12inch',
      'leg',
      '50',
      't50',
    ]);
    expect(tokenize('Crème BRÛLÉE — 100 ml')).toEqual(['crème', 'brûlée', '100', 'ml']);
  });
});

describe('Jacobi eigen-solver', () => {
  it('reconstructs a random symmetric matrix with orthonormal eigenvectors, values descending', () => {
    const n = 24;
    const rng = new Rng(5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = jacobiEigen(a.slice(), n);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    let err = 0;
    let orth = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let k = 0; k < n; k++) {
          s += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
          o += vectors[k * n + i]! * vectors[k * n + j]!;
        }
        err = Math.max(err, Math.abs(s - a[i * n + j]!));
        orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
      }
    }
    expect(err).toBeLessThan(1e-9);
    expect(orth).toBeLessThan(1e-9);
  });
});

describe('randomized SVD', () => {
  it('matches the exact top singular values of a sparse matrix with a decaying spectrum', async () => {
    // 400 × 90 sparse matrix A = sum_r s_r u_r v_rᵀ restricted to a random sparsity pattern, plus noise.
    const rows = 400;
    const cols = 90;
    const rng = new Rng(11);
    const ptr = new Int32Array(rows + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (rng.next() < 0.15) {
          idx.push(j);
          val.push(rng.normal() * Math.pow(0.8, j % 30));
        }
      }
      ptr[i + 1] = idx.length;
    }
    const a: SparseMatrix = { rows, cols, ptr, idx: Int32Array.from(idx), val: Float32Array.from(val) };
    // Exact: eigenvalues of AᵀA.
    const ata = new Float64Array(cols * cols);
    for (let i = 0; i < rows; i++) {
      for (let p = ptr[i]!; p < ptr[i + 1]!; p++) {
        for (let q = ptr[i]!; q < ptr[i + 1]!; q++) ata[a.idx[p]! * cols + a.idx[q]!]! += a.val[p]! * a.val[q]!;
      }
    }
    const exact = jacobiEigen(ata, cols).values;
    const r = await drain(randomizedSvd(a, 8, { seed: 1, powerIterations: 3 }, pacer));
    expect(r.k).toBe(8);
    for (let c = 0; c < 5; c++) expect(Math.abs(r.values[c]! - Math.sqrt(exact[c]!)) / Math.sqrt(exact[c]!)).toBeLessThan(1e-3);
    // Columns of V_k are orthonormal.
    for (let c1 = 0; c1 < 8; c1++) {
      for (let c2 = 0; c2 < 8; c2++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += r.projection[j * 8 + c1]! * r.projection[j * 8 + c2]!;
        expect(Math.abs(s - (c1 === c2 ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });
});

describe('embedItems', () => {
  it('is deterministic for a seed, unit-norm, and groups items of the same leaf', async () => {
    const items = demoItems(600);
    const a = await drain(embedItems(items, { dim: 32, seed: 9 }));
    const b = await drain(embedItems(items, { dim: 32, seed: 9 }));
    expect(a.dim).toBe(32);
    expect(a.data.length).toBe(600 * 32);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    for (let i = 0; i < 600; i += 37) expect(cosine(a.data, 32, i, i)).toBeCloseTo(1, 5);
    // Mean cosine inside a leaf category vs across departments.
    let inLeaf = 0;
    let nIn = 0;
    let across = 0;
    let nAcross = 0;
    for (let i = 0; i < 600; i += 3) {
      for (let j = i + 1; j < 600; j += 5) {
        const s = cosine(a.data, 32, i, j);
        if (items[i]!.categories.join('>') === items[j]!.categories.join('>')) {
          inLeaf += s;
          nIn++;
        } else if (items[i]!.categories[0] !== items[j]!.categories[0]) {
          across += s;
          nAcross++;
        }
      }
    }
    expect(inLeaf / nIn).toBeGreaterThan(across / nAcross + 0.3);
  });

  it('zero-pads beyond the rank of a tiny catalog and never produces NaN', async () => {
    const items = demoItems(6);
    const r = await drain(embedItems(items, { dim: 64, seed: 1 }));
    expect(r.data.length).toBe(6 * 64);
    expect(r.data.every((x) => Number.isFinite(x))).toBe(true);
    for (let i = 0; i < 6; i++) expect(r.data[i * 64 + 63]).toBe(0);
  });

  it('embeds free text into the item space (a query finds its leaf)', async () => {
    const items = demoItems(800);
    const { data, dim, embedder } = await drain(fitEmbedder(items, { dim: 48, seed: 2 }));
    const q = embedder.embedText('cast iron skillet');
    let best = -1;
    let bestS = -Infinity;
    for (let i = 0; i < items.length; i++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += q[c]! * data[i * dim + c]!;
      if (s > bestS) {
        bestS = s;
        best = i;
      }
    }
    expect(items[best]!.categories.at(-1)).toBe('Skillets');
    expect(embedder.embedText('zzzz qqqq').every((x) => x === 0)).toBe(true);
  });

  it('stops with CancelledError when its signal is aborted', async () => {
    const ac = new AbortController();
    const gen = embedItems(demoItems(3000), { dim: 64 }, ac.signal);
    ac.abort();
    await expect(drain(gen)).rejects.toBeInstanceOf(CancelledError);
  });
});

describe.skipIf(!hasScientific)('embedItems on real Scientific (4,344 items)', () => {
  it('nearest neighbours share the level-3 category far more often than random pairs (> 3x)', async () => {
    const { items } = await loadScientific();
    const t0 = performance.now();
    const { data, dim } = await drain(embedItems(items, { dim: 256, seed: 42 }));
    const ms = performance.now() - t0;
    const n = items.length;
    expect(data.length).toBe(n * 256);
    const cat3 = items.map((it) => (it.categories.length >= 3 ? it.categories.slice(0, 3).join(' > ') : null));
    // 400 sampled query items, exact cosine nearest neighbour over all items.
    const rng = new Rng(1);
    let same = 0;
    let total = 0;
    for (let t = 0; t < 400; t++) {
      const i = rng.int(n);
      if (!cat3[i]) continue;
      let best = -1;
      let bestS = -Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const s = cosine(data, dim, i, j);
        if (s > bestS) {
          bestS = s;
          best = j;
        }
      }
      total++;
      if (cat3[best] === cat3[i]) same++;
    }
    let rs = 0;
    let rn = 0;
    for (let t = 0; t < 100_000; t++) {
      const i = rng.int(n);
      const j = rng.int(n);
      if (i === j || !cat3[i]) continue;
      rn++;
      if (cat3[i] === cat3[j]) rs++;
    }
    const nnRate = same / total;
    const randomRate = rs / rn;
    console.log(`[embed] Scientific: ${n} items in ${(ms / 1000).toFixed(1)} s; NN same level-3 category ${(nnRate * 100).toFixed(1)}% vs random pairs ${(randomRate * 100).toFixed(1)}%`);
    expect(nnRate).toBeGreaterThan(3 * randomRate);
    expect(nnRate).toBeGreaterThan(0.5);
  }, 900_000);
});
