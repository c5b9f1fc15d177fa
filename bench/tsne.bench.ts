/**
 * t-SNE wall time on Beauty's 12,101 items (built-in 256-d embeddings → PCA 50 → exact kNN → Barnes-Hut, θ = 0.5,
 * 1,000 iterations), beside the exact O(n²) gradient (θ = 0, the same kernel) timed on a 2,000-item subsample and
 * extrapolated by (12,101 / 2,000)² per iteration — running it in full would take tens of minutes.
 * Run: `npm run bench -- tsne` (or `npx tsx bench/run.ts tsne`). Env TSNE_ITERATIONS overrides 1000.
 */
import { tsneAffinities, tsneOptimize, type SparseP, type TsneEvent } from '../src/core/kernels/tsne';
import type { JobEvent } from '../src/shared/protocol';
import { beautyWithEmbeddings, hasBeauty } from './beauty';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

async function finish<R>(gen: AsyncGenerator<TsneEvent | JobEvent, R, void>): Promise<R> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
  }
}

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'tsne: Beauty data missing', value: 0, unit: '-', note: 'skipped: ../shared/data/amazon14-beauty not found' });
    return;
  }
  const iterations = Number(process.env.TSNE_ITERATIONS ?? 1000);
  const { embeddings, dim, items } = await beautyWithEmbeddings(256);
  const n = items.length;

  const t0 = performance.now();
  const p = await finish(tsneAffinities(embeddings, n, dim, { perplexity: 30, seed: 1 }));
  const tAff = performance.now() - t0;
  const t1 = performance.now();
  await finish(tsneOptimize(p, { iterations, theta: 0.5, seed: 1, snapshotEvery: 0 }));
  const tOpt = performance.now() - t1;

  // Baseline: exact gradient on a subsample, per-iteration cost scaled by n².
  const m = 2000;
  const sub = embeddings.subarray(0, m * dim);
  const ps: SparseP = await finish(tsneAffinities(sub, m, dim, { perplexity: 30, seed: 1 }));
  const baseIters = 30;
  const t2 = performance.now();
  await finish(tsneOptimize(ps, { iterations: baseIters, theta: 0, seed: 1, snapshotEvery: 0 }));
  const exactPerIter = (performance.now() - t2) / baseIters;
  const t3 = performance.now();
  await finish(tsneOptimize(ps, { iterations: baseIters, theta: 0.5, seed: 1, snapshotEvery: 0 }));
  const bhPerIterSub = (performance.now() - t3) / baseIters;
  const exactExtrapolated = (exactPerIter * (n / m) ** 2 * iterations) / 1000;

  report({ name: `tsne Beauty ${n} items: affinities (PCA 50 + exact kNN k=90 + perplexity)`, value: tAff / 1000, unit: 's' });
  report({
    name: `tsne Beauty ${n} items: ${iterations} Barnes-Hut iterations`,
    value: tOpt / 1000,
    unit: 's',
    baseline: exactExtrapolated,
    note: `baseline = exact O(n²) gradient, ${exactPerIter.toFixed(1)} ms/iter at n=${m} scaled by (n/${m})²`,
  });
  report({ name: `tsne Beauty total wall time`, value: (tAff + tOpt) / 1000, unit: 's', baseline: exactExtrapolated + tAff / 1000 });
  report({ name: `tsne n=${m} per iteration, Barnes-Hut θ=0.5`, value: bhPerIterSub, unit: 'ms', baseline: exactPerIter, note: 'baseline = exact gradient, same points' });
}
