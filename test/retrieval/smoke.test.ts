/**
 * Fast synthetic checks of the tfjs paths (seconds, any machine): a tiny catalog where users buy inside one of 4
 * "topics". The retriever trains, its beams are always valid IDs, its weights round-trip, tensors do not leak; URI
 * builds a balanced 2-layer index and records its case study.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../models/backend';
import type { DatasetArrays } from '../../src/core/data/arrays';
import { drain } from '../../src/core/util/generators';
import { Rng } from '../../src/core/util/random';
import { evalExamples } from '../../src/core/retrieval/tasks';
import { evaluateRetriever, loadRetriever, trainRetriever } from '../../src/core/retrieval/train';
import { uriBuilder } from '../../src/core/uri/index';
import type { JobEvent } from '../../src/shared/protocol';

function synthetic(nItems = 96, nUsers = 60, dim = 16): { data: DatasetArrays; emb: Float32Array; dim: number; codes: Int32Array } {
  const rng = new Rng(11);
  const emb = new Float32Array(nItems * dim);
  const codes = new Int32Array(nItems * 2);
  for (let i = 0; i < nItems; i++) {
    const topic = i % 4;
    for (let d = 0; d < dim; d++) emb[i * dim + d] = (d % 4 === topic ? 1 : 0) + 0.3 * rng.normal();
    let z = 0;
    for (let d = 0; d < dim; d++) z += emb[i * dim + d]! ** 2;
    for (let d = 0; d < dim; d++) emb[i * dim + d] = emb[i * dim + d]! / Math.sqrt(z);
    codes[i * 2] = topic;
    codes[i * 2 + 1] = Math.floor(i / 4) % 4;
  }
  const tr: number[][] = [];
  const va: number[][] = [];
  const te: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const topic = u % 4;
    const seq = Array.from({ length: 7 }, () => topic + 4 * rng.int(nItems / 4));
    tr.push(seq.slice(0, 5));
    va.push([seq[5]!]);
    te.push([seq[6]!]);
  }
  const csr = (rows: number[][]) => {
    const ptr = new Int32Array(rows.length + 1);
    rows.forEach((r, q) => (ptr[q + 1] = ptr[q]! + r.length));
    return { ptr, items: Int32Array.from(rows.flat()) };
  };
  return {
    data: { nItems, nQueries: nUsers, depth: 0, categoryLevels: new Int32Array(0), train: csr(tr), valid: csr(va), test: csr(te) },
    emb,
    dim,
    codes,
  };
}

describe('retriever and URI on a synthetic catalog (fast)', () => {
  it('trains, keeps every beam inside the trie, round-trips weights and frees its tensors', async () => {
    await useBackend('wasm');
    const s = synthetic();
    const before = tf.memory().numTensors;
    const inp = { data: s.data, embeddings: s.emb, dim: s.dim, table: { codes: s.codes, layers: 2, codebookSizes: [4, 4] }, task: 'sequential' as const };
    const metrics: Record<string, number>[] = [];
    const trained = await drain(
      trainRetriever(inp, { epochs: 3, batch: 64, d: 16, heads: 2, validSample: 20, beam: 5, H: 5, lr: 0.01 }, { signal: new AbortController().signal, runId: 1 }),
      (ev) => ev.type === 'metrics' && metrics.push(ev.values),
    );
    expect(metrics).toHaveLength(3);
    expect(metrics[2]!.idLoss).toBeLessThan(metrics[0]!.idLoss!);
    const test = evalExamples(s.data, 'sequential', 'test', 5);
    const ev = await evaluateRetriever(trained.model, inp, test, { beam: 5, curve: [1, 5] });
    expect(ev.queries).toBe(60);
    expect(ev.beamStats.invalidAfterTrie).toBe(0);
    expect(ev.curve[1]!.candidates).toBeGreaterThanOrEqual(ev.curve[0]!.candidates);
    // Users buy inside one topic = one layer-1 token, and the second token is random within the topic. A model that
    // has learnt the topic puts the 4 leaf buckets of that topic first: 1 bucket holds the target with p = 1/4 and
    // 5 buckets hold it always (measured 0.25 and 1.0); 5 random buckets of 16 would hold it with p = 5/16.
    expect(ev.curve[0]!.candidateRecall).toBeGreaterThan(0.15);
    expect(ev.curve[1]!.candidateRecall).toBeGreaterThan(0.9);
    const re = loadRetriever(trained.weights);
    const ev2 = await evaluateRetriever(re, inp, test, { beam: 5, curve: [5] });
    expect(ev2.ranker.recall['@10']).toBeCloseTo(ev.ranker.recall['@10']!, 6);
    re.dispose();
    trained.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('URI assigns balanced tokens layer by layer and records the case study', async () => {
    await useBackend('wasm');
    const s = synthetic();
    const events: JobEvent[] = [];
    const build = (extra: Record<string, unknown>, onEvent?: (ev: JobEvent) => void) =>
      drain(
        uriBuilder(
          { data: s.data, embeddings: s.emb, dim: s.dim },
          { layers: 2, codebook: 4, seed: 1, collisions: 'none', epochs: 2, extra: { d: 16, heads: 2, batch: 64, H: 5, ...extra } },
          { signal: new AbortController().signal, runId: 9 },
        ),
        onEvent,
      );
    const built = await build({ retrieverEpochs: 1 }, (ev) => events.push(ev));
    const tokenLoad = (codes: Int32Array, l: number): number[] => {
      const load = [0, 0, 0, 0];
      for (let i = 0; i < 96; i++) load[codes[i * 2 + l]!]!++;
      return load;
    };
    const leafMax = (codes: Int32Array): number => {
      const pair = new Map<number, number>();
      for (let i = 0; i < 96; i++) pair.set(codes[i * 2]! * 4 + codes[i * 2 + 1]!, (pair.get(codes[i * 2]! * 4 + codes[i * 2 + 1]!) ?? 0) + 1);
      return Math.max(...pair.values());
    };
    expect(tokenLoad(built.codes, 0)).toEqual([24, 24, 24, 24]);
    // Default assignment: max load N/k = 24 per token at layer 2 as well (over all items, as URI §4.2 prints it).
    expect(Math.max(...tokenLoad(built.codes, 1))).toBeLessThanOrEqual(24);
    const summary = built.summary as { layers: { prefixes: number; maxPrefixLoad: number }[] };
    expect(summary.layers[1]!.maxPrefixLoad).toBe(leafMax(built.codes));
    // assignment 'parent': balanced inside each layer-1 group, 24 items over 4 tokens → at most 6 per leaf.
    const perParent = await build({ retrieverEpochs: 0, assignment: 'parent' });
    expect(tokenLoad(perParent.codes, 0)).toEqual([24, 24, 24, 24]);
    expect(leafMax(perParent.codes)).toBeLessThanOrEqual(6);
    expect(events.some((e) => e.type === 'artifact' && e.artifact.kind === 'run-data' && e.artifact.key === 'uriCaseStudy')).toBe(true);
    const cp = events.find((e) => e.type === 'artifact' && e.artifact.kind === 'checkpoint' && e.artifact.meta.kind === 'retriever');
    expect(cp).toBeDefined();
  }, 300_000);
});
