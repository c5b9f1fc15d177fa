/**
 * Residual k-means IDs (RQ-KMeans, as in the "rkmeans" tables of CollisionGenRec/GRID): layer l clusters the
 * residuals left by layers 1..l-1 into one global codebook of K centroids; the residual then subtracts the chosen
 * centroid. Unlike hkmeans the codebooks are shared across prefixes, so token l means the same direction everywhere.
 * `extra.balanced` uses balanced k-means per layer.
 */
import { throwIfAborted } from '../../shared/errors';
import { balancedAssignStep } from '../kernels/balanced';
import { kmeans, pairwiseSqDist } from '../kernels/kmeans';
import { yieldToLoop } from '../util/generators';
import { kmeansBuildSettings } from './hkmeans';
import type { IdBuilder } from './types';

export const rqkmeansBuilder: IdBuilder = async function* (input, opts, ctx) {
  const { embeddings, dim } = input;
  const { n, L, K, balanced, iters, rng } = kmeansBuildSettings(input, opts);
  const residual = embeddings.slice(0, n * dim);
  const codes = new Int32Array(n * L);
  const residualNorm: number[] = [];
  let lastLayerDistances: Float32Array | undefined;
  for (let l = 0; l < L; l++) {
    throwIfAborted(ctx.signal);
    const kk = Math.min(K, n);
    const res = kmeans(residual, dim, null, n, kk, rng, {
      iters,
      assignStep: balanced ? balancedAssignStep(residual, dim, null, n, kk) : undefined,
    });
    if (l === L - 1) {
      const d = pairwiseSqDist(residual, dim, null, n, res.centroids, kk);
      lastLayerDistances = new Float32Array(n * K).fill(Infinity);
      for (let i = 0; i < n; i++) lastLayerDistances.set(d.subarray(i * kk, (i + 1) * kk), i * K);
    }
    let rn = 0;
    for (let i = 0; i < n; i++) {
      const a = res.assign[i]!;
      codes[i * L + l] = a;
      for (let t = 0; t < dim; t++) {
        const v = (residual[i * dim + t]! -= res.centroids[a * dim + t]!);
        rn += v * v;
      }
    }
    residualNorm.push(Math.sqrt(rn / n));
    yield { type: 'metrics', step: l + 1, values: { residualRms: residualNorm[l]!, iterations: res.iterations } };
    yield { type: 'progress', phase: 'rqkmeans', done: l + 1, total: L, message: `layer ${l + 1}/${L}` };
    await yieldToLoop();
  }
  return {
    codes,
    layers: L,
    codebookSizes: Array<number>(L).fill(K),
    summary: { balanced, iters, residualRms: residualNorm },
    lastLayerDistances,
  };
};
