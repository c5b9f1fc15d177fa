/**
 * Hierarchical k-means IDs (DSI / NCI style): layer 1 clusters all items into K clusters; each cluster is clustered
 * again into min(K, size) sub-clusters for layer 2, and so on. With `extra.balanced`, every clustering is balanced
 * k-means (capacity ceil(size/k) per cluster).
 */
import type { JobEvent } from '../../shared/protocol';
import { throwIfAborted } from '../../shared/errors';
import { balancedAssignStep } from '../kernels/balanced';
import { kmeans, pairwiseSqDist } from '../kernels/kmeans';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';
import type { BuildInput, BuildOptions, BuildResult, IdBuilder } from './types';

export interface HkmeansParams {
  x: Float32Array;
  dim: number;
  /** Items to cluster (all items, or one category-prefix group). */
  items: Int32Array;
  /** Output table: codes[i * totalLayers + l]. */
  codes: Int32Array;
  totalLayers: number;
  /** Layers [fromLayer, totalLayers) are filled. */
  fromLayer: number;
  k: number;
  balanced: boolean;
  iters: number;
  rng: Rng;
  signal: AbortSignal;
  /** When given, filled with each item's squared distance to the K last-layer centroids of its parent group. */
  lastDist?: Float32Array;
  /** Progress: phase name and the expected number of k-means runs (groups), for the progress events. */
  phase?: string;
  expectedGroups?: number;
}

/** Splits `items` by their token at `layer` into groups (in token order). */
function splitByToken(items: Int32Array, codes: Int32Array, totalLayers: number, layer: number, k: number): Int32Array[] {
  const buckets: number[][] = Array.from({ length: k }, () => []);
  for (const i of items) buckets[codes[i * totalLayers + layer]!]!.push(i);
  return buckets.filter((b) => b.length > 0).map((b) => Int32Array.from(b));
}

/**
 * Fills layers [fromLayer, totalLayers) of `codes` for `items` by recursive k-means. Yields after every group that
 * took more than ~50 ms so a cancel message can be delivered.
 */
export async function* hierarchicalKmeans(p: HkmeansParams): AsyncGenerator<JobEvent, { groups: number; inertia: number }, void> {
  const { x, dim, codes, totalLayers, k } = p;
  let groups: Int32Array[] = [p.items];
  let clustered = 0;
  let inertia = 0;
  let lastYield = Date.now();
  for (let l = p.fromLayer; l < totalLayers; l++) {
    const isLast = l === totalLayers - 1;
    const next: Int32Array[] = [];
    for (const g of groups) {
      throwIfAborted(p.signal);
      const kk = Math.min(k, g.length);
      if (kk <= 1) {
        for (const i of g) codes[i * totalLayers + l] = 0;
        if (isLast && p.lastDist) for (const i of g) p.lastDist.fill(Infinity, i * k, (i + 1) * k).fill(0, i * k, i * k + 1);
      } else {
        const res = kmeans(x, dim, g, g.length, kk, p.rng, {
          iters: p.iters,
          assignStep: p.balanced ? balancedAssignStep(x, dim, g, g.length, kk) : undefined,
        });
        inertia += res.inertia;
        for (let r = 0; r < g.length; r++) codes[g[r]! * totalLayers + l] = res.assign[r]!;
        if (isLast && p.lastDist) {
          const d = pairwiseSqDist(x, dim, g, g.length, res.centroids, kk);
          for (let r = 0; r < g.length; r++) {
            const o = g[r]! * k;
            p.lastDist.fill(Infinity, o, o + k);
            p.lastDist.set(d.subarray(r * kk, (r + 1) * kk), o);
          }
        }
      }
      clustered++;
      if (!isLast) next.push(...splitByToken(g, codes, totalLayers, l, kk));
      if (Date.now() - lastYield > 50) {
        await yieldToLoop();
        lastYield = Date.now();
        const total = Math.max(p.expectedGroups ?? clustered, clustered);
        yield { type: 'progress', phase: p.phase ?? 'k-means', done: clustered, total, message: `layer ${l + 1}/${totalLayers}` };
      }
    }
    groups = next;
  }
  return { groups: clustered, inertia };
}

/** The settings hkmeans and rqkmeans share, read from BuildOptions (extra: balanced, iters). */
export function kmeansBuildSettings(
  input: BuildInput,
  opts: BuildOptions,
): { n: number; L: number; K: number; balanced: boolean; iters: number; rng: Rng } {
  return {
    n: input.data.nItems,
    L: opts.layers,
    K: opts.codebook,
    balanced: opts.extra?.balanced === true,
    iters: typeof opts.extra?.iters === 'number' ? opts.extra.iters : 20,
    rng: new Rng(opts.seed),
  };
}

export const hkmeansBuilder: IdBuilder = async function* (input, opts, ctx) {
  const { embeddings, dim } = input;
  const { n, L, K, balanced, iters, rng } = kmeansBuildSettings(input, opts);
  const codes = new Int32Array(n * L);
  const lastDist = new Float32Array(n * K);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  // Expected number of k-means runs: 1 + K + K² ... capped by the items.
  let expected = 0;
  for (let l = 0, g = 1; l < L; l++, g = Math.min(g * K, n)) expected += g;
  const t0 = Date.now();
  const res = yield* hierarchicalKmeans({
    x: embeddings, dim, items: all, codes, totalLayers: L, fromLayer: 0, k: K, balanced, iters, rng,
    signal: ctx.signal, lastDist, phase: 'hkmeans', expectedGroups: expected,
  });
  yield { type: 'progress', phase: 'hkmeans', done: res.groups, total: res.groups };
  const result: BuildResult = {
    codes,
    layers: L,
    codebookSizes: Array<number>(L).fill(K),
    summary: { balanced, iters, groups: res.groups, inertia: res.inertia, ms: Date.now() - t0 },
    lastLayerDistances: lastDist,
  };
  return result;
};
