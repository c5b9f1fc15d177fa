import { scientificWithEmbeddings } from '/work/main/test/helpers/realData';
import { rqvaeBuilder, catid2Builder } from '/work/main/src/core/models/builders';
import { drain } from '/work/main/src/core/util/generators';
import { initTf } from '/work/main/src/node/tf';
import { configureForBackend } from '/work/main/src/core/models/tfops';
import { informativeLevels } from '/work/main/src/core/ids/categories';
import { purity, collisionRate } from '/work/main/test/models/quantizers';
const tf = await initTf(); configureForBackend();
const sci = await scientificWithEmbeddings(256);
const input = { data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim };
const lv = informativeLevels(sci.arrays)[0]!;
const K = Number(process.env.K ?? 16);
const configs: [string, any, any][] = [['rqvae', rqvaeBuilder, {}], ['catid2', catid2Builder, {}], ['catid2 b0.1', catid2Builder, {beta:0.1}], ['catid2 b0.1 recon', catid2Builder, {beta:0.1, keepRecon:true}], ['catid2 b1 recon', catid2Builder, {beta:1, keepRecon:true}]];
for (const [name, b, extra] of configs) {
  const t0 = Date.now();
  const r = await drain(b(input, { layers: 3, codebook: K, seed: 1, collisions: 'none', epochs: 6, extra: { batch: 512, ...extra } }, { signal: new AbortController().signal, runId: 0 }));
  console.log(`${name}: ${Date.now()-t0} ms purity L1 ${purity(r.codes,3,0,sci.arrays,lv).toFixed(3)} L2 ${purity(r.codes,3,1,sci.arrays,lv).toFixed(3)} coll ${collisionRate(r.codes,3,sci.arrays.nItems).toFixed(3)} util ${(r.summary.utilization as number[]).map(u=>u.toFixed(2)).join('/')}`);
}
