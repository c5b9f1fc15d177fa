/**
 * Barnes-Hut t-SNE (van der Maaten 2014, "Accelerating t-SNE using tree-based algorithms") on typed arrays.
 *
 * Pipeline: optional PCA to `pcaDims` (50, as bhtsne/openTSNE recommend: exact kNN on 12,101 × 256 would cost
 * 3.7e10 multiply-adds vs 7.3e9 at 50 dims) → exact kNN with k = ⌊3·perplexity⌋ (blocked dot products) →
 * per-point bandwidth by binary search on the perplexity → symmetric sparse P → gradient descent with early
 * exaggeration, momentum and per-parameter gains, repulsion approximated with a quadtree (θ = 0.5).
 *
 * Seeded (src/core/util/random.ts), cancelable between steps, and an async generator: it yields progress, KL metrics
 * and `snapshot` events with intermediate coordinates every `snapshotEvery` iterations.
 */
import type { JobEvent } from '../../shared/protocol';
import { throwIfAborted } from '../../shared/errors';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  /** Barnes-Hut opening angle; 0 = exact O(n²) repulsion (the baseline). */
  theta?: number;
  seed?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  /** Default 'auto' = max(n / earlyExaggeration / 4, 50) (Belkina et al. 2019, as sklearn and openTSNE). */
  learningRate?: number;
  /** Reduce to this many principal components before kNN when dim is larger; 0 = never. */
  pcaDims?: number;
  /** Iterations between snapshot/metrics events (0 = none). */
  snapshotEvery?: number;
}

export interface TsneSnapshot {
  type: 'snapshot';
  iteration: number;
  /** n × 2, row-major. */
  coords: Float32Array;
  kl: number;
}

export type TsneEvent = JobEvent | TsneSnapshot;

/** Symmetric joint probabilities in CSR form (rows sum to the row's share of 1). */
export interface SparseP {
  n: number;
  ptr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

// ---------------------------------------------------------------------------------------------------------------
// PCA

/**
 * Top-k principal components by subspace iteration on the d × d covariance (d ≤ a few hundred here, so the
 * covariance is cheap: n·d²/2 multiply-adds, 0.4 G for Beauty).
 */
export function pcaReduce(data: Float32Array, n: number, d: number, k: number, seed = 0): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) cov[off + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  const rng = new Rng(seed);
  let q = new Float64Array(d * k); // column-major: q[c * d + j]
  for (let t = 0; t < q.length; t++) q[t] = rng.normal();
  orthonormalize(q, d, k);
  for (let it = 0; it < 30; it++) {
    const z = new Float64Array(d * k);
    for (let c = 0; c < k; c++) {
      const qc = c * d;
      for (let a = 0; a < d; a++) {
        let s = 0;
        const off = a * d;
        for (let b = 0; b < d; b++) s += cov[off + b]! * q[qc + b]!;
        z[qc + a] = s;
      }
    }
    orthonormalize(z, d, k);
    q = z;
  }
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += row[j]! * q[c * d + j]!;
      out[i * k + c] = s;
    }
  }
  return out;
}

function orthonormalize(q: Float64Array, d: number, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[c * d + j]! * q[p * d + j]!;
      for (let j = 0; j < d; j++) q[c * d + j]! -= dot * q[p * d + j]!;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += q[c * d + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) q[c * d + j]! /= norm;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kNN + perplexity calibration

/**
 * Exact k nearest neighbours (squared Euclidean), k per row, sorted ascending. A bounded max-heap per row keeps
 * selection at O(n log k). Yields between blocks of rows so a cancel is seen within ~50 ms.
 */
export async function* exactKnn(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  signal?: AbortSignal,
): AsyncGenerator<JobEvent, { idx: Int32Array; dist: Float64Array }, void> {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    norms[i] = s;
  }
  const idx = new Int32Array(n * k);
  const dist = new Float64Array(n * k);
  const hd = new Float64Array(k);
  const hi = new Int32Array(k);
  const block = 128;
  for (let i0 = 0; i0 < n; i0 += block) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + block);
    for (let i = i0; i < i1; i++) {
      let size = 0;
      const oi = i * d;
      const ni = norms[i]!;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const oj = j * d;
        let dot = 0;
        for (let t = 0; t < d; t++) dot += x[oi + t]! * x[oj + t]!;
        const dd = Math.max(0, ni + norms[j]! - 2 * dot);
        if (size < k) {
          // sift up
          let c = size++;
          while (c > 0) {
            const p = (c - 1) >> 1;
            if (hd[p]! >= dd) break;
            hd[c] = hd[p]!;
            hi[c] = hi[p]!;
            c = p;
          }
          hd[c] = dd;
          hi[c] = j;
        } else if (dd < hd[0]!) {
          // replace the max and sift down
          let c = 0;
          for (;;) {
            const l = 2 * c + 1;
            if (l >= k) break;
            const r = l + 1;
            const m = r < k && hd[r]! > hd[l]! ? r : l;
            if (hd[m]! <= dd) break;
            hd[c] = hd[m]!;
            hi[c] = hi[m]!;
            c = m;
          }
          hd[c] = dd;
          hi[c] = j;
        }
      }
      const order = Array.from({ length: size }, (_, t) => t).sort((a, b) => hd[a]! - hd[b]! || hi[a]! - hi[b]!);
      for (let t = 0; t < size; t++) {
        idx[i * k + t] = hi[order[t]!]!;
        dist[i * k + t] = hd[order[t]!]!;
      }
    }
    yield { type: 'progress', phase: 'knn', done: i1, total: n };
    await yieldToLoop();
  }
  return { idx, dist };
}

/**
 * Conditional p(j|i) over each row's k neighbours with the Gaussian bandwidth found by binary search so that the
 * entropy equals ln(perplexity), then P = (P + Pᵀ) / 2n in CSR.
 */
export function jointProbabilities(knnIdx: Int32Array, knnDist: Float64Array, n: number, k: number, perplexity: number): SparseP {
  const cond = new Float64Array(n * k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const dmin = knnDist[o]!;
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    // Distances are shifted by the row minimum (p is invariant to it) and scaled by the row mean so beta starts near 1.
    let scale = 0;
    for (let t = 0; t < k; t++) scale += knnDist[o + t]! - dmin;
    scale = scale / k || 1;
    for (let it = 0; it < 200; it++) {
      let sum = 0;
      let sumDP = 0;
      for (let t = 0; t < k; t++) {
        const dd = (knnDist[o + t]! - dmin) / scale;
        const p = Math.exp(-beta * dd);
        cond[o + t] = p;
        sum += p;
        sumDP += dd * p;
      }
      const h = Math.log(sum) + (beta * sumDP) / sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let t = 0; t < k; t++) sum += cond[o + t]!;
    for (let t = 0; t < k; t++) cond[o + t]! /= sum;
  }
  // Symmetrise: every (i, j, p) also contributes to (j, i); rows merged with a per-row map.
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = knnIdx[i * k + t]!;
      const p = cond[i * k + t]!;
      rows[i]!.set(j, (rows[i]!.get(j) ?? 0) + p);
      rows[j]!.set(i, (rows[j]!.get(i) ?? 0) + p);
    }
  }
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i]! + rows[i]!.size;
  const cols = new Int32Array(ptr[n]!);
  const vals = new Float64Array(ptr[n]!);
  for (let i = 0; i < n; i++) {
    const entries = [...rows[i]!.entries()].sort((a, b) => a[0] - b[0]);
    let o = ptr[i]!;
    for (const [j, p] of entries) {
      cols[o] = j;
      vals[o++] = p / (2 * n);
    }
  }
  return { n, ptr, cols, vals };
}

// ---------------------------------------------------------------------------------------------------------------
// Quadtree + gradient

/** Array-backed quadtree over 2-D points, rebuilt every iteration (≈ 2-3 nodes per point). */
class QuadTree {
  cap = 0;
  size = 0;
  cx = new Float64Array(0);
  cy = new Float64Array(0);
  hw = new Float64Array(0);
  sx = new Float64Array(0);
  sy = new Float64Array(0);
  cnt = new Int32Array(0);
  child = new Int32Array(0);
  point = new Int32Array(0);

  private grow(min: number): void {
    if (min <= this.cap) return;
    const cap = Math.max(min, this.cap * 2, 64);
    const f = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.cx = f(this.cx);
    this.cy = f(this.cy);
    this.hw = f(this.hw);
    this.sx = f(this.sx);
    this.sy = f(this.sy);
    this.cnt = g(this.cnt);
    this.child = g(this.child);
    this.point = g(this.point);
    this.cap = cap;
  }

  private newNode(cx: number, cy: number, hw: number): number {
    this.grow(this.size + 1);
    const k = this.size++;
    this.cx[k] = cx;
    this.cy[k] = cy;
    this.hw[k] = hw;
    this.sx[k] = 0;
    this.sy[k] = 0;
    this.cnt[k] = 0;
    this.child[k] = -1;
    this.point[k] = -1;
    return k;
  }

  build(y: Float64Array, n: number): void {
    this.size = 0;
    this.grow(4 * n + 8);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i]!;
      const py = y[2 * i + 1]!;
      if (px < minX) minX = px;
      if (px > maxX) maxX = px;
      if (py < minY) minY = py;
      if (py > maxY) maxY = py;
    }
    const hw = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
    this.newNode((minX + maxX) / 2, (minY + maxY) / 2, hw);
    for (let i = 0; i < n; i++) this.insert(i, y[2 * i]!, y[2 * i + 1]!);
  }

  private quadrant(node: number, px: number, py: number): number {
    return (px >= this.cx[node]! ? 1 : 0) + (py >= this.cy[node]! ? 2 : 0);
  }

  private subdivide(node: number): void {
    const h = this.hw[node]! / 2;
    const cx = this.cx[node]!;
    const cy = this.cy[node]!;
    const first = this.newNode(cx - h, cy - h, h);
    this.newNode(cx + h, cy - h, h);
    this.newNode(cx - h, cy + h, h);
    this.newNode(cx + h, cy + h, h);
    this.child[node] = first;
  }

  private insert(p: number, px: number, py: number): void {
    let node = 0;
    for (let depth = 0; ; depth++) {
      this.sx[node]! += px;
      this.sy[node]! += py;
      this.cnt[node]! += 1;
      if (this.child[node] === -1) {
        if (this.cnt[node] === 1) {
          this.point[node] = p;
          return;
        }
        // Coincident points: stop splitting; the leaf keeps a count > 1 and its centre of mass.
        if (depth >= 48) return;
        const old = this.point[node]!;
        this.point[node] = -1;
        const ox = (this.sx[node]! - px) / (this.cnt[node]! - 1);
        const oy = (this.sy[node]! - py) / (this.cnt[node]! - 1);
        this.subdivide(node);
        const oc = this.child[node]! + this.quadrant(node, ox, oy);
        this.sx[oc] = this.sx[node]! - px;
        this.sy[oc] = this.sy[node]! - py;
        this.cnt[oc] = this.cnt[node]! - 1;
        this.point[oc] = old;
      }
      node = this.child[node]! + this.quadrant(node, px, py);
    }
  }
}

/**
 * The t-SNE gradient (eq. 5 of van der Maaten 2014): ∂C/∂y_i = 4 (exag · Σ_j p_ij q_ij Z (y_i − y_j) − Σ_j q_ij² Z (y_i − y_j) / Z),
 * with the repulsive sum over a quadtree cell replaced by its centre of mass when width/distance < θ; θ = 0 runs the
 * exact O(n²) double loop. Returns Z = Σ_{i≠j} (1 + |y_i − y_j|²)⁻¹, which the KL estimate needs.
 */
export function tsneGradient(p: SparseP, y: Float64Array, theta: number, exaggeration: number, grad: Float64Array, tree?: QuadTree): number {
  const n = p.n;
  const rep = new Float64Array(2 * n);
  let sumQ = 0;
  if (theta <= 0) {
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i]!;
      const yi1 = y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dx = yi0 - y[2 * j]!;
        const dy = yi1 - y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        sumQ += q;
        fx += q * q * dx;
        fy += q * q * dy;
      }
      rep[2 * i] = fx;
      rep[2 * i + 1] = fy;
    }
  } else {
    const t = tree ?? new QuadTree();
    t.build(y, n);
    const stack = new Int32Array(4 * 64 + 8);
    const theta2 = theta * theta;
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i]!;
      const yi1 = y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      let sp = 0;
      stack[sp++] = 0;
      while (sp > 0) {
        const node = stack[--sp]!;
        const c = t.cnt[node]!;
        if (c === 0) continue;
        const leaf = t.child[node] === -1;
        if (leaf && c === 1 && t.point[node] === i) continue;
        const mx = t.sx[node]! / c;
        const my = t.sy[node]! / c;
        const dx = yi0 - mx;
        const dy = yi1 - my;
        const d2 = dx * dx + dy * dy;
        const w = 2 * t.hw[node]!;
        if (leaf || w * w < theta2 * d2) {
          // A leaf holding coincident points that include i counts the others only.
          const m = leaf && d2 < 1e-18 ? c - 1 : c;
          if (m <= 0) continue;
          const q = 1 / (1 + d2);
          sumQ += m * q;
          fx += m * q * q * dx;
          fy += m * q * q * dy;
        } else {
          const ch = t.child[node]!;
          stack[sp++] = ch;
          stack[sp++] = ch + 1;
          stack[sp++] = ch + 2;
          stack[sp++] = ch + 3;
        }
      }
      rep[2 * i] = fx;
      rep[2 * i + 1] = fy;
    }
  }
  for (let i = 0; i < n; i++) {
    let ax = 0;
    let ay = 0;
    const yi0 = y[2 * i]!;
    const yi1 = y[2 * i + 1]!;
    for (let e = p.ptr[i]!; e < p.ptr[i + 1]!; e++) {
      const j = p.cols[e]!;
      const dx = yi0 - y[2 * j]!;
      const dy = yi1 - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      const pq = p.vals[e]! * q;
      ax += pq * dx;
      ay += pq * dy;
    }
    grad[2 * i] = 4 * (exaggeration * ax - rep[2 * i]! / sumQ);
    grad[2 * i + 1] = 4 * (exaggeration * ay - rep[2 * i + 1]! / sumQ);
  }
  return sumQ;
}

/** KL(P‖Q) over P's non-zeros (the terms where P is 0 contribute nothing). */
export function klDivergence(p: SparseP, y: Float64Array, sumQ: number): number {
  let kl = 0;
  for (let i = 0; i < p.n; i++) {
    for (let e = p.ptr[i]!; e < p.ptr[i + 1]!; e++) {
      const j = p.cols[e]!;
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy) / sumQ;
      const pv = p.vals[e]!;
      if (pv > 0) kl += pv * Math.log(pv / Math.max(q, 1e-300));
    }
  }
  return kl;
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

/** Affinities from raw data: PCA (when dim > pcaDims) → exact kNN → perplexity calibration. */
export async function* tsneAffinities(
  data: Float32Array,
  n: number,
  dim: number,
  opts: TsneOptions,
  signal?: AbortSignal,
): AsyncGenerator<JobEvent, SparseP, void> {
  if (n < 2) throw new Error(`t-SNE needs at least 2 points, got ${n}`);
  if (data.length !== n * dim) throw new Error(`t-SNE input has ${data.length} values, expected ${n} × ${dim}`);
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const pcaDims = opts.pcaDims ?? 50;
  let x = data;
  let d = dim;
  if (pcaDims > 0 && dim > pcaDims && n > pcaDims) {
    yield { type: 'progress', phase: 'pca', done: 0, total: 1 };
    await yieldToLoop();
    x = pcaReduce(data, n, dim, pcaDims, opts.seed ?? 0);
    d = pcaDims;
    throwIfAborted(signal);
  }
  const k = Math.max(1, Math.min(n - 1, Math.floor(3 * perplexity)));
  const knn = yield* exactKnn(x, n, d, k, signal);
  return jointProbabilities(knn.idx, knn.dist, n, k, perplexity);
}

/** Optimises the embedding for given affinities; returns n × 2 coordinates. */
export async function* tsneOptimize(p: SparseP, opts: TsneOptions, signal?: AbortSignal): AsyncGenerator<TsneEvent, Float32Array, void> {
  const n = p.n;
  const iterations = opts.iterations ?? 1000;
  const theta = opts.theta ?? 0.5;
  const exag = opts.earlyExaggeration ?? 12;
  const exagIters = Math.min(opts.exaggerationIterations ?? 250, iterations);
  const lr = opts.learningRate ?? Math.max(n / exag / 4, 50);
  const every = opts.snapshotEvery ?? 50;
  const rng = new Rng(opts.seed ?? 0);
  const y = new Float64Array(2 * n);
  for (let t = 0; t < y.length; t++) y[t] = rng.normal() * 1e-4;
  const grad = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const tree = new QuadTree();
  let lastYield = Date.now();
  for (let it = 0; it < iterations; it++) {
    const ex = it < exagIters ? exag : 1;
    const momentum = it < exagIters ? 0.5 : 0.8;
    const sumQ = tsneGradient(p, y, theta, ex, grad, tree);
    let mx = 0;
    let my = 0;
    for (let t = 0; t < 2 * n; t++) {
      const g = grad[t]!;
      const u = update[t]!;
      gains[t] = Math.max(0.01, Math.sign(g) !== Math.sign(u) ? gains[t]! + 0.2 : gains[t]! * 0.8);
      update[t] = momentum * u - lr * gains[t]! * g;
      y[t]! += update[t]!;
    }
    for (let i = 0; i < n; i++) {
      mx += y[2 * i]!;
      my += y[2 * i + 1]!;
    }
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i]! -= mx;
      y[2 * i + 1]! -= my;
    }
    const last = it === iterations - 1;
    if ((every > 0 && (it + 1) % every === 0) || last) {
      const kl = klDivergence(p, y, sumQ);
      yield { type: 'metrics', step: it + 1, values: { kl } };
      yield { type: 'snapshot', iteration: it + 1, coords: Float32Array.from(y), kl };
    }
    // Yield to the event loop at most every ~40 ms: each await costs ~1 ms (setTimeout clamp), so not per step.
    if (Date.now() - lastYield > 40 || last) {
      yield { type: 'progress', phase: 'optimize', done: it + 1, total: iterations };
      await yieldToLoop();
      lastYield = Date.now();
      throwIfAborted(signal);
    }
  }
  return Float32Array.from(y);
}

/** The whole t-SNE: affinities then optimisation. */
export async function* tsne(data: Float32Array, n: number, dim: number, opts: TsneOptions = {}, signal?: AbortSignal): AsyncGenerator<TsneEvent, Float32Array, void> {
  const p = yield* tsneAffinities(data, n, dim, opts, signal);
  return yield* tsneOptimize(p, opts, signal);
}

/** Fraction of each point's k nearest neighbours in the input that stay among its k nearest in the map (quality check). */
export function neighbourhoodPreservation(high: Float32Array, dim: number, low: Float32Array, k: number, sample: number[]): number {
  const n = low.length / 2;
  const knnOf = (x: Float32Array, d: number, i: number): Set<number> => {
    const ds: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += (x[i * d + t]! - x[j * d + t]!) ** 2;
      ds.push([s, j]);
    }
    ds.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return new Set(ds.slice(0, k).map((e) => e[1]));
  };
  let kept = 0;
  for (const i of sample) {
    const a = knnOf(high, dim, i);
    for (const j of knnOf(low, 2, i)) if (a.has(j)) kept++;
  }
  return kept / (sample.length * k);
}
