import { describe, expect, it } from 'vitest';
import { embedItems, fitEmbedder, randomizedSvd, tokenize } from '../../src/core/embed/index';
import {
  cholFactor,
  cholInverseT,
  cholSolveRows,
  crossUpperRows,
  gemmNT,
  jacobiEigen,
  sparseGram,
  symmetricEigen,
  symmetrizeUpper,
} from '../../src/core/embed/svd';
import {
  DEFAULT_TFIDF,
  FeatureTable,
  fitTfidf,
  fitTfidfTable,
  itemFeatures,
  type SparseMatrix,
} from '../../src/core/embed/tfidf';
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

/** Max |V diag(λ) Vᵀ − A| (reconstruction) and max |VᵀV − I| (orthonormality) of an eigen-decomposition. */
function eigenResiduals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { err: number; orth: number } {
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
  return { err, orth };
}

describe('Jacobi eigen-solver', () => {
  it('reconstructs a random symmetric matrix with orthonormal eigenvectors, values descending', () => {
    const n = 24;
    const rng = new Rng(5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = jacobiEigen(a.slice(), n);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    const { err, orth } = eigenResiduals(a, n, values, vectors);
    expect(err).toBeLessThan(1e-9);
    expect(orth).toBeLessThan(1e-9);
  });
});

describe('symmetricEigen (tridiagonal QL)', () => {
  const check = (a: Float64Array, n: number): void => {
    const { values, vectors } = symmetricEigen(a, n);
    const ref = jacobiEigen(a.slice(), n).values;
    let scale = 1e-300;
    for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
    for (let k = 0; k < n; k++) {
      if (k > 0) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
      expect(Math.abs(values[k]! - ref[k]!)).toBeLessThan(1e-11 * scale * n);
    }
    const { err, orth } = eigenResiduals(a, n, values, vectors);
    expect(err).toBeLessThan(1e-11 * scale * n);
    expect(orth).toBeLessThan(1e-12 * n);
  };

  it('matches Jacobi and reconstructs random, repeated-eigenvalue, rank-deficient and tiny matrices', () => {
    const rng = new Rng(8);
    for (const n of [1, 2, 3, 31, 80]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
      check(a, n);
    }
    // Rank 3 in dimension 40 (Gram of 3 vectors): 37 zero eigenvalues.
    const n = 40;
    const g = new Float64Array(n * n);
    for (let r = 0; r < 3; r++) {
      const v = Array.from({ length: n }, () => rng.normal());
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j]! += v[i]! * v[j]!;
    }
    check(g, n);
    // Identity plus a block of repeated eigenvalues, and the zero matrix.
    const e = new Float64Array(n * n);
    for (let i = 0; i < n; i++) e[i * n + i] = i < 10 ? 2 : 1;
    check(e, n);
    check(new Float64Array(n * n), n);
  });
});

describe('dense kernels', () => {
  const rng = new Rng(21);
  const rand = (len: number): Float64Array => Float64Array.from({ length: len }, () => rng.normal());

  it('gemmNT equals the naive X Yᵀ for every shape, with row counts and columns not multiples of the tile', () => {
    const inner = 13;
    const rows = 11;
    const cols = 9;
    const x = rand(rows * inner);
    const y = rand(cols * inner);
    const lowerY = y.slice();
    for (let j = 0; j < cols; j++) for (let t = j + 1; t < inner; t++) lowerY[j * inner + t] = 0;
    for (const [shape, yy] of [
      ['full', y],
      ['upper', y],
      ['lowerY', lowerY],
    ] as const) {
      const r0 = 2;
      const out = new Float64Array((rows - r0) * cols).fill(0.5); // accumulates into what is there
      gemmNT(x, yy, inner, r0, rows, cols, out, cols, shape);
      for (let r = r0; r < rows; r++) {
        for (let j = shape === 'upper' ? r : 0; j < cols; j++) {
          let s = 0.5;
          for (let t = 0; t < inner; t++) s += x[r * inner + t]! * yy[j * inner + t]!;
          expect(out[(r - r0) * cols + j]!).toBeCloseTo(s, 12);
        }
      }
    }
  });

  it('Cholesky-QR by the inverse factor equals forward substitution and gives orthonormal (or zero) columns', () => {
    const m = 70;
    const l = 12;
    const z = rand(m * l);
    for (let r = 0; r < m; r++) z[r * l + 7] = z[r * l + 2]! - 0.5 * z[r * l + 4]!; // column 7 is dependent
    const g = new Float64Array(l * l);
    const tx = new Float64Array(l * 32);
    for (let r0 = 0; r0 < m; r0 += 32) crossUpperRows(z, z, l, g, r0, Math.min(m, r0 + 32), tx, tx);
    const { d, L } = cholFactor(g, l);
    const t = cholInverseT(d, L, l);
    const q = new Float64Array(m * l);
    gemmNT(z, t, l, 0, m, l, q, l, 'lowerY');
    const ref = z.slice();
    cholSolveRows(ref, l, d, L, 0, m);
    for (let i = 0; i < m * l; i++) expect(Math.abs(q[i]! - ref[i]!)).toBeLessThan(1e-10);
    for (let a = 0; a < l; a++) {
      for (let b = 0; b < l; b++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += q[r * l + a]! * q[r * l + b]!;
        expect(Math.abs(s - (a === b && a !== 7 ? 1 : 0))).toBeLessThan(1e-10);
      }
    }
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
    for (let c = 0; c < 5; c++)
      expect(Math.abs(r.values[c]! - Math.sqrt(exact[c]!)) / Math.sqrt(exact[c]!)).toBeLessThan(1e-3);
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

describe('sparse Gram operator', () => {
  const randomSparse = (rows: number, cols: number, density: number, seed: number): SparseMatrix => {
    const rng = new Rng(seed);
    const ptr = new Int32Array(rows + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (rng.next() < density) {
          idx.push(j);
          val.push(rng.normal() * Math.pow(0.85, j % 25));
        }
      }
      ptr[i + 1] = idx.length;
    }
    return { rows, cols, ptr, idx: Int32Array.from(idx), val: Float32Array.from(val) };
  };

  it('sparseGram is AᵀA (sorted columns), and gives up past its bound', () => {
    const a = randomSparse(120, 30, 0.1, 4);
    const c = sparseGram(a, Infinity)!;
    const dense = new Float64Array(30 * 30);
    for (let i = 0; i < a.rows; i++) {
      for (let p = a.ptr[i]!; p < a.ptr[i + 1]!; p++) {
        for (let q = a.ptr[i]!; q < a.ptr[i + 1]!; q++) dense[a.idx[p]! * 30 + a.idx[q]!]! += a.val[p]! * a.val[q]!;
      }
    }
    const got = new Float64Array(30 * 30);
    for (let j = 0; j < 30; j++) {
      for (let p = c.ptr[j]!; p < c.ptr[j + 1]!; p++) {
        if (p > c.ptr[j]!) expect(c.idx[p]!).toBeGreaterThan(c.idx[p - 1]!);
        got[j * 30 + c.idx[p]!] = c.val[p]!;
      }
    }
    for (let i = 0; i < 900; i++) expect(got[i]!).toBeCloseTo(dense[i]!, 12);
    expect(sparseGram(a, c.ptr[30]! - 1)).toBeNull();
  });

  it('randomizedSvd gives the same result through the sparse Gram and item by item', async () => {
    const a = randomSparse(500, 60, 0.12, 6);
    const viaGram = await drain(randomizedSvd(a, 10, { seed: 3, operator: 'gram' }, pacer));
    const viaRows = await drain(randomizedSvd(a, 10, { seed: 3, operator: 'rows' }, pacer));
    expect(viaGram.k).toBe(viaRows.k);
    for (let c = 0; c < viaGram.k; c++)
      expect(Math.abs(viaGram.values[c]! - viaRows.values[c]!) / viaRows.values[c]!).toBeLessThan(1e-10);
    for (let i = 0; i < viaGram.projection.length; i++)
      expect(Math.abs(viaGram.projection[i]! - viaRows.projection[i]!)).toBeLessThan(1e-5);
  });
});

describe('FeatureTable', () => {
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
    a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));
  const compare = (
    items: Pick<ItemRecord, 'title' | 'brand' | 'categories' | 'text'>[],
    opts = DEFAULT_TFIDF,
  ): void => {
    const ref = fitTfidf(
      items.map((it) => itemFeatures(it, opts)),
      opts,
    );
    const table = new FeatureTable(opts);
    for (const it of items) table.add(it);
    expect(table.featureMap(1)).toEqual(itemFeatures(items[1]!, opts));
    const got = fitTfidfTable(table);
    expect([...got.model.vocab]).toEqual([...ref.model.vocab]);
    expect(same(got.model.idf, ref.model.idf)).toBe(true);
    expect(same(got.matrix.ptr, ref.matrix.ptr)).toBe(true);
    expect(same(got.matrix.idx, ref.matrix.idx)).toBe(true);
    expect(same(got.matrix.val, ref.matrix.val)).toBe(true);
  };

  it('gives the TF-IDF matrix of itemFeatures + fitTfidf bit for bit (demo catalog, with descriptions)', () => {
    const items = demoItems(1500);
    compare(items);
    compare(
      items.map((it, i) => ({ ...it, text: i % 3 ? `${it.title} with extra words, model T-${i % 40}` : '' })),
      { ...DEFAULT_TFIDF, textWeight: 0.3, minDf: 3 },
    );
  });

  it.skipIf(!hasScientific)(
    'gives the TF-IDF matrix of itemFeatures + fitTfidf bit for bit on Scientific',
    async () => {
      compare((await loadScientific()).items);
    },
  );
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
    console.log(
      `[embed] Scientific: ${n} items in ${(ms / 1000).toFixed(1)} s; NN same level-3 category ${(nnRate * 100).toFixed(1)}% vs random pairs ${(randomRate * 100).toFixed(1)}%`,
    );
    expect(nnRate).toBeGreaterThan(3 * randomRate);
    expect(nnRate).toBeGreaterThan(0.5);
  }, 900_000);
});
