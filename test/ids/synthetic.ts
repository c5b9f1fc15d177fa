/**
 * A small synthetic catalog for kernel and builder tests: `clusters` Gaussian blobs on the unit sphere, a 3-level
 * category tree aligned with the blobs (root → cluster group → cluster), and users who buy inside one blob.
 */
import { csrFromSorted, type DatasetArrays } from '../../src/core/data/arrays';
import { Rng } from '../../src/core/util/random';

export function syntheticCatalog(opts: { items?: number; dim?: number; clusters?: number; users?: number; seed?: number } = {}): {
  data: DatasetArrays;
  embeddings: Float32Array;
  dim: number;
  cluster: Int32Array;
} {
  const n = opts.items ?? 1200;
  const dim = opts.dim ?? 16;
  const C = opts.clusters ?? 12;
  const U = opts.users ?? 400;
  const rng = new Rng(opts.seed ?? 7);
  const centers = rng.fillNormal(new Float32Array(C * dim));
  const cluster = new Int32Array(n);
  const emb = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % C;
    cluster[i] = c;
    let norm = 0;
    for (let t = 0; t < dim; t++) {
      const v = centers[c * dim + t]! + 0.35 * rng.normal();
      emb[i * dim + t] = v;
      norm += v * v;
    }
    for (let t = 0; t < dim; t++) emb[i * dim + t]! /= Math.sqrt(norm);
  }
  const depth = 3;
  const categoryLevels = new Int32Array(n * depth);
  for (let i = 0; i < n; i++) {
    categoryLevels[i * depth] = 0; // constant root
    categoryLevels[i * depth + 1] = 1 + (cluster[i]! % 4); // 4 groups
    categoryLevels[i * depth + 2] = i % 50 === 0 ? -1 : 10 + cluster[i]!; // leaf = cluster, a few unknown
  }
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < n; i++) members[cluster[i]!]!.push(i);
  const q: number[] = [];
  const it: number[] = [];
  for (let u = 0; u < U; u++) {
    const c = rng.int(C);
    const m = 2 + rng.int(6);
    for (let k = 0; k < m; k++) {
      q.push(u);
      it.push(members[c]![rng.int(members[c]!.length)]!);
    }
  }
  const empty = csrFromSorted(U, new Int32Array(0), new Int32Array(0));
  const data: DatasetArrays = {
    nItems: n,
    nQueries: U,
    depth,
    categoryLevels,
    train: csrFromSorted(U, Int32Array.from(q), Int32Array.from(it)),
    valid: empty,
    test: empty,
  };
  return { data, embeddings: emb, dim, cluster };
}
