/**
 * Wall time of a full `uri` build on Beauty (12,101 items, L = 2, K = 32 as URI's Beauty setting; 2 epochs per layer,
 * task general, no ranker phase), beside hkmeans with the same L and K as the baseline; reports both APEs.
 * Run: `npm run bench -- uri-build`.
 */
import { beautyWithEmbeddings, hasBeauty } from './beauty';
import { uriBuilder } from '../src/core/uri/index';
import { hkmeansBuilder } from '../src/core/ids/hkmeans';
import { auditIds } from '../src/core/audit/index';
import { drain } from '../src/core/util/generators';
import { configureForBackend } from '../src/core/models/tfops';
import { initTf } from '../src/node/tf';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) return;
  const { backend } = await initTf();
  configureForBackend();
  const b = await beautyWithEmbeddings(256);
  const input = { data: b.arrays, embeddings: b.embeddings, dim: b.dim };
  const signal = new AbortController().signal;
  let t = performance.now();
  const hk = await drain(hkmeansBuilder(input, { layers: 2, codebook: 32, seed: 1, collisions: 'none' }, { signal, runId: 0 }));
  const hkSec = (performance.now() - t) / 1000;
  t = performance.now();
  const uri = await drain(uriBuilder(input, { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs: 2, extra: { task: 'general', retrieverEpochs: 0 } }, { signal, runId: 0 }));
  const uriSec = (performance.now() - t) / 1000;
  const apeU = auditIds(uri, b.arrays).ape;
  const apeH = auditIds(hk, b.arrays).ape;
  report({
    name: 'uri build on Beauty (L=2, K=32, 2 epochs/layer) vs hkmeans same L, K',
    value: uriSec,
    unit: 's',
    baseline: hkSec,
    note: `tfjs ${backend}; APE@2 uri ${apeU[1]!.toFixed(3)} vs hkmeans ${apeH[1]!.toFixed(3)} (URI Table 2, k=32: URI 1.040, K-means 1.106)`,
  });
}
