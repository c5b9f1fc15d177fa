/**
 * Beam-search latency per query (beam 20, one query at a time, as the query inspector and an online service run it)
 * through the real tfjs decoder (d = 96, 2 blocks, untrained weights: latency does not depend on training) over a
 * Beauty-sized trie (12,101 items, L = 3, K = 256, 3 layers of random codes — nearly every ID unique, the widest trie
 * for that size). Baseline: exhaustive scoring of every valid ID for the same query (what beam search avoids).
 * Run: `npm run bench -- beam`.
 */
import { RetrieverModel } from '../src/core/retrieval/model';
import { beamSearch, exhaustiveScores } from '../src/core/retrieval/beam';
import { buildTrie } from '../src/core/retrieval/trie';
import { decoderStep } from '../src/core/retrieval/train';
import { configureForBackend } from '../src/core/models/tfops';
import { Rng } from '../src/core/util/random';
import { initTf } from '../src/node/tf';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export default async function (report: (row: Row) => void): Promise<void> {
  const { backend } = await initTf();
  configureForBackend();
  const n = 12101;
  const L = 3;
  const K = 256;
  const rng = new Rng(7);
  const codes = Int32Array.from({ length: n * L }, () => rng.int(K));
  const trie = buildTrie(codes, L, [K, K, K]);
  const model = new RetrieverModel({ task: 'general', dim: 256, d: 96, blocks: 2, heads: 4, idLayers: L, codebookSizes: [K, K, K], H: 1, seed: 1 });
  try {
    const beamMs: number[] = [];
    const exMs: number[] = [];
    for (let q = 0; q < 60; q++) {
      const cond = rng.fillNormal(new Float32Array(96));
      const step = decoderStep(model, cond);
      const stepOne = (prefixes: Int32Array, count: number, t: number) => step({ query: new Int32Array(count), prefixes, t, count });
      let t0 = performance.now();
      await beamSearch(stepOne, trie, 20);
      if (q >= 5) beamMs.push(performance.now() - t0);
      if (q % 6 === 0) {
        t0 = performance.now();
        await exhaustiveScores(stepOne, trie);
        if (q >= 5) exMs.push(performance.now() - t0);
      }
    }
    const note = `tfjs ${backend}, ${trie.leaves.length} valid IDs, ${beamMs.length} queries`;
    report({ name: 'beam search (beam 20) latency per query, p50 vs exhaustive scoring', value: pct(beamMs, 0.5), unit: 'ms', baseline: pct(exMs, 0.5), note });
    report({ name: 'beam search (beam 20) latency per query, p95', value: pct(beamMs, 0.95), unit: 'ms', note });
  } finally {
    model.dispose();
  }
}
