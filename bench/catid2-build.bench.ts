/**
 * Wall time to build CAT-ID² IDs (L = 3, K = 256, all three losses at the paper's weights) on Beauty (12,101 items,
 * 256-d built-in embeddings), beside a plain RQ-VAE (TIGER) build of the same budget: the overhead of the CAT-ID²
 * losses (the paper's Table 7 reports 24.8 h vs 19.9 h including the generative model).
 * Run: `npm run bench -- catid2-build` (or `npx tsx bench/run.ts catid2-build`).
 * SEMID_BENCH_EPOCHS sets the epoch budget (default 20).
 */
import { auditIds } from '../src/core/audit/index';
import { catid2Builder, rqvaeBuilder } from '../src/core/models/builders';
import type { BuildResult, IdBuilder } from '../src/core/ids/types';
import { drain } from '../src/core/util/generators';
import { initTf } from '../src/node/tf';
import { beautyWithEmbeddings, hasBeauty } from './beauty';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'catid2 build: Beauty data missing', value: 0, unit: '-' });
    return;
  }
  const epochs = Number(process.env.SEMID_BENCH_EPOCHS ?? 20);
  const { backend } = await initTf();
  const { arrays, embeddings, dim } = await beautyWithEmbeddings(256);
  const input = { data: arrays, embeddings, dim };
  const run = async (b: IdBuilder): Promise<{ s: number; r: BuildResult }> => {
    const t0 = performance.now();
    const r = await drain(b(input, { layers: 3, codebook: 256, seed: 1, collisions: 'none', epochs }, { signal: new AbortController().signal, runId: 0 }));
    return { s: (performance.now() - t0) / 1000, r };
  };
  const cat = await run(catid2Builder);
  const rq = await run(rqvaeBuilder);
  const a = auditIds(cat.r, arrays);
  const b = auditIds(rq.r, arrays);
  const fmt = (x: (number | null)[]): string => x.map((v) => (v == null ? '-' : v.toFixed(3))).join('/');
  report({
    name: `catid2 build on Beauty (L=3, K=256, ${epochs} epochs, tfjs ${backend}) vs rqvae, same budget`,
    value: cat.s,
    unit: 's',
    baseline: rq.s,
    note:
      `${(cat.s / epochs).toFixed(2)} s/epoch vs ${(rq.s / epochs).toFixed(2)}; purity per layer catid2 ${fmt(a.categoryPurity)} ` +
      `vs rqvae ${fmt(b.categoryPurity)}; collision rate ${a.collisionRate.toFixed(3)} vs ${b.collisionRate.toFixed(3)}; ` +
      `utilization ${fmt(a.utilization)} vs ${fmt(b.utilization)}`,
  });
}
