/**
 * Training and evaluation of the generative retriever on any ID table (random, hkmeans, rqvae, catid2, imported,
 * URI's own). Training: cross-entropy of the relevant item's ID tokens (teacher forcing, every layer in one pass)
 * plus the ranker's sampled softmax (1 positive, 10 negatives, one of them a sibling-bucket hard negative).
 * Inference: trie-constrained beam search (default beam 20) → union of the top-b leaf buckets → ranker top-K.
 */
import * as tf from '@tensorflow/tfjs';
import type { JobEvent } from '../../shared/protocol';
import type { RetrievalTask } from '../../shared/types';
import { throwIfAborted } from '../../shared/errors';
import { type DatasetArrays, csrRow } from '../data/arrays';
import { Adam, restoreWithOptimizer, serializeWithOptimizer, unpackTensors } from '../models/tfops';
import { Rng } from '../util/random';
import { yieldToLoop } from '../util/generators';
import { type BeamStats, beamSearchBatch, candidatesOf } from './beam';
import { MetricsAccumulator, type MetricsSummary, topK } from './metrics';
import { RETRIEVER_DEFAULTS, type RetrieverConfig, RetrieverModel, historyBatch } from './model';
import { sampleNegatives } from './negatives';
import { type TaskExamples, evalExamples, historyOf, positivesOf, subsetExamples, trainExamples } from './tasks';
import { type IdTrie, buildTrie } from './trie';

export interface IdTableLike {
  codes: Int32Array;
  layers: number;
  codebookSizes: number[];
}

export interface RetrieverInput {
  data: DatasetArrays;
  /** Item embeddings nItems × dim (L2-normalised). */
  embeddings: Float32Array;
  dim: number;
  table: IdTableLike;
  task: RetrievalTask;
  /** search only: query text embeddings, nQueries × dim. */
  queryEmbeddings?: Float32Array;
}

export interface TrainRetrieverOptions {
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  d: number;
  blocks: number;
  heads: number;
  H: number;
  /** Ranker negatives per positive (URI: 10). */
  negatives: number;
  /** One of the negatives from a sibling bucket (URI §4.3); false = the paper's "w/o hard negative mining". */
  hardNegatives: boolean;
  /** Weight of the ranker loss next to the ID cross-entropy. */
  rankWeight: number;
  beam: number;
  /** Validation queries sampled for the per-epoch recall (0 = no per-epoch validation). */
  validSample: number;
  /** Cap on training examples per epoch (0 = all), a sample drawn afresh each epoch. */
  maxExamplesPerEpoch: number;
}

export const TRAIN_DEFAULTS: TrainRetrieverOptions = {
  epochs: 10,
  batch: 256,
  lr: 0.001,
  seed: 1,
  d: RETRIEVER_DEFAULTS.d,
  blocks: RETRIEVER_DEFAULTS.blocks,
  heads: RETRIEVER_DEFAULTS.heads,
  H: RETRIEVER_DEFAULTS.H,
  negatives: 10,
  hardNegatives: true,
  rankWeight: 1,
  beam: 20,
  validSample: 1000,
  maxExamplesPerEpoch: 0,
};

export interface RetrieverContext {
  signal: AbortSignal;
  runId: number;
  resume?: { step: number; epoch: number; meta: Record<string, unknown>; data: Uint8Array };
}

export interface TrainedRetriever {
  model: RetrieverModel;
  config: RetrieverConfig;
  /** Final weights (model variables only), for run storage and later evaluation. */
  weights: Uint8Array;
  summary: Record<string, unknown>;
}

/** Item IDs as a [B, L] int32 tensor. */
function idTensor(table: IdTableLike, items: ArrayLike<number>, upTo = table.layers): tf.Tensor2D {
  const B = items.length;
  const v = new Int32Array(B * upTo);
  for (let b = 0; b < B; b++) for (let l = 0; l < upTo; l++) v[b * upTo + l] = table.codes[items[b]! * table.layers + l]!;
  return tf.tensor2d(v, [B, upTo], 'int32');
}

function gatherRows(src: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(src.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  return out;
}

export function retrieverConfig(inp: RetrieverInput, o: TrainRetrieverOptions): RetrieverConfig {
  return {
    task: inp.task,
    dim: inp.dim,
    d: o.d,
    blocks: o.blocks,
    heads: o.heads,
    idLayers: inp.table.layers,
    codebookSizes: inp.table.codebookSizes.slice(),
    H: inp.task === 'search' ? 1 : o.H,
    seed: o.seed,
  };
}

/** The query encoder's input tensors for a batch of examples. */
export function queryInputs(
  model: RetrieverModel,
  ex: TaskExamples,
  rows: ArrayLike<number>,
  inp: Pick<RetrieverInput, 'embeddings' | 'dim' | 'queryEmbeddings'>,
): { hist: tf.Tensor3D; mask: tf.Tensor2D } {
  const qe = inp.queryEmbeddings ? { query: ex.query, data: inp.queryEmbeddings } : undefined;
  const hb = historyBatch(rows, ex.hist, ex.H, inp.embeddings, inp.dim, qe);
  return {
    hist: tf.tensor3d(hb.hist, [rows.length, hb.H, inp.dim]),
    mask: tf.tensor2d(hb.mask, [rows.length, hb.H]),
  };
}

/** Sampled-softmax loss of the ranker: q [B, d] against tower outputs of [B, C] candidates (slot 0 = positive). */
function rankerLoss(model: RetrieverModel, q: tf.Tensor2D, candEmb: tf.Tensor2D, B: number, C: number, accidental: tf.Tensor2D): tf.Scalar {
  const g = tf.reshape(model.encodeItems(candEmb), [B, C, model.cfg.d]);
  const s = tf.add(tf.sum(tf.mul(g, tf.expandDims(q, 1)), 2), accidental);
  const labels = tf.oneHot(tf.zeros([B], 'int32'), C).toFloat();
  return tf.losses.softmaxCrossEntropy(labels, s) as tf.Scalar;
}

export async function* trainRetriever(
  inp: RetrieverInput,
  options: Partial<TrainRetrieverOptions>,
  ctx: RetrieverContext,
  /** Continue from an existing model (URI's decoder after index construction) instead of a fresh one. */
  init?: RetrieverModel,
): AsyncGenerator<JobEvent, TrainedRetriever, void> {
  const o: TrainRetrieverOptions = { ...TRAIN_DEFAULTS, ...options };
  const cfg = init ? init.cfg : retrieverConfig(inp, o);
  const model = init ?? new RetrieverModel(cfg);
  const opt = new Adam(model.variables(), { lr: o.lr });
  const rng = new Rng(o.seed ^ 0x5eed);
  let startEpoch = 0;
  let step = 0;
  try {
    if (ctx.resume) {
      const meta = restoreWithOptimizer(opt, ctx.resume.data);
      startEpoch = ctx.resume.epoch;
      step = ctx.resume.step;
      if (Array.isArray(meta.rng)) rng.setState(meta.rng as number[]);
      yield { type: 'log', level: 'info', message: `resumed from epoch ${startEpoch} (step ${step})` };
    }
    const trie = buildTrie(inp.table.codes, inp.table.layers, inp.table.codebookSizes);
    const train = trainExamples(inp.data, inp.task, cfg.H);
    if (train.n === 0) throw new Error(`no training examples for task ${inp.task}`);
    const validAll = evalExamples(inp.data, inp.task, 'valid', cfg.H);
    const vRng = new Rng(o.seed + 17);
    const valid =
      o.validSample > 0 && validAll.n > 0
        ? subsetExamples(validAll, vRng.permutation(validAll.n).subarray(0, Math.min(o.validSample, validAll.n)))
        : null;
    const L = inp.table.layers;
    const C = o.negatives + 1;
    const perEpoch = o.maxExamplesPerEpoch > 0 ? Math.min(o.maxExamplesPerEpoch, train.n) : train.n;
    const stepsPerEpoch = Math.ceil(perEpoch / o.batch);
    yield {
      type: 'log',
      level: 'info',
      message: `train-retriever: task ${inp.task}, ${train.n} training pairs, ${trie.leaves.length} leaf buckets, ${stepsPerEpoch} steps/epoch`,
    };
    let summary: Record<string, unknown> = {};
    for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
      const perm = rng.permutation(train.n).subarray(0, perEpoch);
      let sumLoss = 0;
      let sumId = 0;
      let sumRank = 0;
      const t0 = Date.now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        throwIfAborted(ctx.signal);
        const rows = perm.subarray(s * o.batch, Math.min((s + 1) * o.batch, perEpoch));
        const B = rows.length;
        const pos = positivesOf(train, rows);
        const negs = sampleNegatives(trie, pos, o.negatives, o.hardNegatives, rng);
        const candIdx = new Int32Array(B * C);
        const acc = new Float32Array(B * C);
        for (let b = 0; b < B; b++) {
          candIdx[b * C] = pos[b]!;
          for (let j = 1; j < C; j++) {
            const n = negs[b * o.negatives + j - 1]!;
            candIdx[b * C + j] = n;
            if (n === pos[b]) acc[b * C + j] = -1e9; // accidental hit: the positive drawn as a negative
          }
        }
        const parts: tf.Tensor[] = [];
        const lossT = tf.tidy(() => {
          const { hist, mask } = queryInputs(model, train, rows, inp);
          const ids = idTensor(inp.table, pos);
          const prefix = L > 1 ? (tf.slice(ids, [0, 0], [B, L - 1]) as tf.Tensor2D) : null;
          const candEmb = tf.tensor2d(gatherRows(inp.embeddings, inp.dim, candIdx), [B * C, inp.dim]);
          const accT = tf.tensor2d(acc, [B, C]);
          return opt.minimize(() => {
            const q = model.encodeQuery(hist, mask);
            const logits = model.decodeAll(q, prefix);
            let idLoss = tf.scalar(0);
            for (let l = 0; l < L; l++) {
              const target = tf.oneHot(tf.reshape(tf.slice(ids, [0, l], [B, 1]), [B]), cfg.codebookSizes[l]!).toFloat();
              idLoss = tf.add(idLoss, tf.losses.softmaxCrossEntropy(target, logits[l]!));
            }
            idLoss = tf.div(idLoss, L);
            const rank = rankerLoss(model, q, candEmb, B, C, accT);
            parts.push(tf.keep(tf.clone(idLoss)), tf.keep(tf.clone(rank)));
            return tf.add(idLoss, tf.mul(rank, o.rankWeight));
          });
        });
        const [lv] = (await lossT.data()) as Float32Array;
        const [iv] = (await parts[0]!.data()) as Float32Array;
        const [rv] = (await parts[1]!.data()) as Float32Array;
        tf.dispose([lossT, ...parts]);
        sumLoss += lv!;
        sumId += iv!;
        sumRank += rv!;
        step++;
        if (s % 10 === 0 || s === stepsPerEpoch - 1) {
          yield { type: 'progress', phase: `epoch ${epoch + 1}/${o.epochs}`, done: s + 1, total: stepsPerEpoch };
          await yieldToLoop();
        }
      }
      const secs = (Date.now() - t0) / 1000;
      const values: Record<string, number> = {
        epoch: epoch + 1,
        loss: sumLoss / stepsPerEpoch,
        idLoss: sumId / stepsPerEpoch,
        rankLoss: sumRank / stepsPerEpoch,
        stepsPerSec: stepsPerEpoch / secs,
      };
      if (valid) {
        const ev = await evaluateRetriever(model, inp, valid, { beam: o.beam, trie, signal: ctx.signal });
        values['valid.recall@10'] = ev.ranker.recall['@10']!;
        values['valid.ndcg@10'] = ev.ranker.ndcg['@10']!;
      }
      yield { type: 'metrics', step: epoch + 1, values };
      summary = values;
      yield {
        type: 'artifact',
        artifact: {
          kind: 'checkpoint',
          runId: ctx.runId,
          step,
          epoch: epoch + 1,
          meta: { kind: 'retriever', config: cfg, options: o, rng: rng.getState(), final: epoch + 1 === o.epochs },
          data: serializeWithOptimizer(opt, { config: cfg, rng: rng.getState() }),
        },
      };
    }
    const weights = serializeWithOptimizer(opt, { config: cfg, options: o, rng: rng.getState() });
    return { model, config: cfg, weights, summary };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    opt.dispose();
  }
}

/** Rebuilds a model from a train-retriever checkpoint (weights, optimizer moments ignored). */
export function loadRetriever(bytes: Uint8Array): RetrieverModel {
  const { meta, tensors } = unpackTensors(bytes);
  const cfg = meta.config as RetrieverConfig | undefined;
  if (!cfg) throw new Error('checkpoint has no retriever config: is it a train-retriever run?');
  const model = new RetrieverModel(cfg);
  const vars = model.variables();
  if (tensors.length < vars.length) throw new Error(`checkpoint holds ${tensors.length} tensors, the retriever needs ${vars.length}`);
  vars.forEach((v, i) => {
    const t = tensors[i]!;
    if (t.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint tensor ${i}: shape [${t.shape.join(', ')}] vs [${v.shape.join(', ')}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  });
  return model;
}

export interface EvalOptions {
  beam: number;
  maxK?: number;
  /** Bucket counts b of the recall-vs-candidates curve (≤ beam). */
  curve?: number[];
  trie?: IdTrie;
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface RetrieverEvaluation {
  queries: number;
  /** Candidates (union of the top-`beam` buckets) ranked by the ranker — URI's inference. */
  ranker: MetricsSummary;
  /** Items in beam order (bucket by bucket, ranker order inside a bucket) — TIGER-style ranking by generation. */
  beamOrder: MetricsSummary;
  /** Recall@10 and mean candidate count when only the top-b buckets are kept (URI Fig. 4). */
  curve: { buckets: number; candidates: number; recall10: number; candidateRecall: number }[];
  beamStats: BeamStats;
  meanCandidates: number;
  msPerQuery: number;
}

/** Item tower outputs for the whole catalog, nItems × d. */
export async function itemRepresentations(model: RetrieverModel, emb: Float32Array, dim: number, batch = 2048): Promise<Float32Array> {
  const n = emb.length / dim;
  const d = model.cfg.d;
  const out = new Float32Array(n * d);
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const t = tf.tidy(() => model.encodeItems(tf.tensor2d(emb.subarray(s * dim, e * dim), [e - s, dim])));
    out.set((await t.data()) as Float32Array, s * d);
    t.dispose();
  }
  return out;
}

/** Encodes queries: [rows, d]. */
export async function encodeQueries(
  model: RetrieverModel,
  ex: TaskExamples,
  rows: ArrayLike<number>,
  inp: Pick<RetrieverInput, 'embeddings' | 'dim' | 'queryEmbeddings'>,
): Promise<Float32Array> {
  const t = tf.tidy(() => {
    const { hist, mask } = queryInputs(model, ex, rows, inp);
    return model.encodeQuery(hist, mask);
  });
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/** A StepLogProbs callback over the model for a batch of encoded queries (cond: nQueries × d). */
export function decoderStep(model: RetrieverModel, cond: Float32Array) {
  const d = model.cfg.d;
  return async (rows: { query: Int32Array; prefixes: Int32Array; t: number; count: number }): Promise<Float32Array> => {
    const c = gatherRows(cond, d, rows.query);
    const t = tf.tidy(() => {
      const condT = tf.tensor2d(c, [rows.count, d]);
      const prefix = rows.t > 0 ? tf.tensor2d(rows.prefixes, [rows.count, rows.t], 'int32') : null;
      return tf.logSoftmax(model.decodeNext(condT, prefix));
    });
    const v = (await t.data()) as Float32Array;
    t.dispose();
    return v;
  };
}

/** Inner products of one query representation with the representations of some items. */
function scoreItems(q: Float32Array, qOff: number, G: Float32Array, d: number, items: Int32Array): Float32Array {
  const s = new Float32Array(items.length);
  for (let j = 0; j < items.length; j++) {
    let v = 0;
    const o = items[j]! * d;
    for (let k = 0; k < d; k++) v += q[qOff + k]! * G[o + k]!;
    s[j] = v;
  }
  return s;
}

export async function evaluateRetriever(
  model: RetrieverModel,
  inp: Pick<RetrieverInput, 'embeddings' | 'dim' | 'queryEmbeddings' | 'table'>,
  ex: TaskExamples,
  opts: EvalOptions,
): Promise<RetrieverEvaluation> {
  const t0 = Date.now();
  const trie = opts.trie ?? buildTrie(inp.table.codes, inp.table.layers, inp.table.codebookSizes);
  const maxK = opts.maxK ?? 20;
  const curveBs = (opts.curve ?? [1, 2, 3, 5, 10, 15, 20, 30, 50]).filter((b) => b <= opts.beam);
  if (!curveBs.includes(opts.beam)) curveBs.push(opts.beam);
  const d = model.cfg.d;
  const G = await itemRepresentations(model, inp.embeddings, inp.dim);
  const ranker = new MetricsAccumulator();
  const beamOrder = new MetricsAccumulator();
  const curve = curveBs.map(() => ({ cand: 0, r10: 0, candRec: 0 }));
  let invalid = 0;
  let invalidFinal = 0;
  let invalidAfter = 0;
  let batches = 0;
  let candTotal = 0;
  const batch = opts.batch ?? 256;
  for (let s = 0; s < ex.n; s += batch) {
    throwIfAborted(opts.signal);
    const rows = Int32Array.from({ length: Math.min(batch, ex.n - s) }, (_, i) => s + i);
    const cond = await encodeQueries(model, ex, rows, inp);
    const { results, stats } = await beamSearchBatch(decoderStep(model, cond), rows.length, trie, opts.beam, {
      trackInvalid: true,
      signal: opts.signal,
    });
    invalid += stats.invalidBeforeTrie;
    invalidFinal += stats.invalidBeforeTrieFinal;
    invalidAfter += stats.invalidAfterTrie;
    batches++;
    for (let r = 0; r < rows.length; r++) {
      const e = rows[r]!;
      const rel = new Set(csrRow(ex.relevant, e));
      const exclude = ex.excludeHistory ? new Set(historyOf(ex, e)) : null;
      const res = results[r]!;
      const cands = candidatesOf(trie, res.leaves);
      const filtered = exclude ? cands.filter((i) => !exclude.has(i)) : cands;
      candTotal += filtered.length;
      const sc = scoreItems(cond, r * d, G, d, filtered);
      const top = topK(sc, maxK);
      ranker.add(Int32Array.from(top, (j) => filtered[j]!), rel);
      // Beam order: buckets in beam order, ranker order inside each bucket.
      const bo: number[] = [];
      for (let b = 0; b < res.leaves.length && bo.length < maxK; b++) {
        const bucket = candidatesOf(trie, res.leaves.subarray(b, b + 1)).filter((i) => !exclude?.has(i));
        const bs = scoreItems(cond, r * d, G, d, bucket);
        for (const j of topK(bs, maxK)) bo.push(bucket[j]!);
      }
      beamOrder.add(bo.slice(0, maxK), rel);
      curveBs.forEach((b, ci) => {
        const cb = candidatesOf(trie, res.leaves, b).filter((i) => !exclude?.has(i));
        const cs = scoreItems(cond, r * d, G, d, cb);
        const t10 = topK(cs, 10);
        let hits = 0;
        for (const j of t10) if (rel.has(cb[j]!)) hits++;
        let inCand = 0;
        for (const i of cb) if (rel.has(i)) inCand++;
        curve[ci]!.cand += cb.length;
        curve[ci]!.r10 += hits / rel.size;
        curve[ci]!.candRec += inCand / rel.size;
      });
    }
    opts.onProgress?.(Math.min(ex.n, s + batch), ex.n);
    await yieldToLoop();
  }
  const n = Math.max(1, ex.n);
  return {
    queries: ex.n,
    ranker: ranker.summary(),
    beamOrder: beamOrder.summary(),
    curve: curveBs.map((b, ci) => ({
      buckets: b,
      candidates: curve[ci]!.cand / n,
      recall10: curve[ci]!.r10 / n,
      candidateRecall: curve[ci]!.candRec / n,
    })),
    beamStats: {
      invalidBeforeTrie: batches ? invalid / batches : 0,
      invalidBeforeTrieFinal: batches ? invalidFinal / batches : 0,
      invalidAfterTrie: batches ? invalidAfter / batches : 0,
    },
    meanCandidates: candTotal / n,
    msPerQuery: (Date.now() - t0) / n,
  };
}

export { evalExamples, trainExamples };
