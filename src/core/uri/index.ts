/**
 * URI (Jin et al., "Generative Retrieval with Unified Indexer-Retriever", ICLR 2025): the retrieval decoder builds
 * the index. Layer by layer (l = 1..L) the same decoder gives token distributions for queries (P_Q, from the query
 * encoder) and items (P_I, from the item tower), trained with L_E (Eq. 8) + L_M (Eq. 9, with the adaptive balance of
 * Eq. 10) + the memory loss of earlier layers (Eq. 11); then every item is assigned a layer-l token by balanced
 * assignment (max load N/k per token, §4.2), and those tokens become decoder inputs for layer l+1. Random items (as
 * many as positives) join the commit and balance terms (§4.2). After the last layer the ranker is trained on the
 * final index (§4.3, `retrieverEpochs`), and the decoder + ranker are stored with the run as a retriever checkpoint,
 * so `semid eval --retriever <this run>` works directly.
 *
 * Layers after the first. Read as printed, the layer-l balance term is over the whole batch. But layer l's decoder
 * input includes the item's own (l-1)-prefix, so "token = a function of the prefix" (one token per parent, all parents
 * on different tokens) is balanced globally, fully committed and trivially predictable by the query: it is the
 * loss's optimum. Measured on Beauty (L 2, k 32): the layer-2 P_I collapses onto 32 prefix-determined tokens (E-step
 * loss 0.08), only 3 % of items keep their top token after a per-parent assignment, and APE@2 is no better than a
 * random split. So at layers > 1 (`parentBalance`, default on):
 *  - the balance term is taken inside each parent node. Its E[P_I] needs enough items per parent: taken over a
 *    uniform batch (~16 items per parent for 32 tokens) the log of the empty tokens dominates and P_I stays uniform,
 *    so the batch's random items come from `balanceGroups` = 2 parents (B/2 = 256 each, ~8 per token), weighted 1
 *    (Eq. 7: with Eq. 10's weights, ~4.5 at a uniform mean, P_I also stayed near uniform, mean entropy 3.46 of 3.47);
 *  - the layer's logits are scaled by `deepLogitScale` = 4: the new head starts near uniform, where the commit
 *    (entropy) gradient vanishes; at scale 1 only 5 % of items kept their top token, at 4, 62 %;
 *  - L_E and the M-step cross-entropy are weighted `deepCeWeight` = 0.1: at weight 1 the query side pulls the items of
 *    a parent back onto one shared distribution (the query cannot tell a parent's sub-buckets apart); weight 0.3 / 0.1 /
 *    0 gave ΔAPE (APE@2 − APE@1) 0.306 / 0.297 / 0.301.
 * With this, the paper's assignment (max load N/k per token of the layer, `assignment: 'token'`) no longer
 * degenerates into one token per parent. ΔAPE on Beauty from a fixed layer 1 (balanced hkmeans, 154k pairs, P_I
 * assignment): 0.257 with the per-token cap (1,021 of 1,024 leaves, largest 96 items), 0.297 with the per-parent cap
 * (`assignment: 'parent'`, every leaf ⌈N_parent/k⌉), 0.322 as printed. The per-token cap does allow unequal leaves:
 * with the default assignment below, Beauty's index has 670 leaves in use, the largest 378 (rqvae: 615, largest 230).
 *
 * What the assignment ranks tokens by (`assignScore`): §4.2 passes the items through the decoder (P_I); §4.1's greedy
 * M-step (Theorem 1) uses the mean P_Q of the item's training queries, which P_I only approximates through the item
 * tower. The default is the latter (items without a training query keep P_I). On Beauty, 2 epochs × 60k pairs per
 * layer: APE 1.316 / 1.519 by P_I, 1.288 / 1.501 by their average, 1.165 / 1.335 by the queries (docs/benchmarks.md).
 */
import * as tf from '@tensorflow/tfjs';
import { type RetrievalTask, URI_ASSIGNMENTS, URI_ASSIGN_SCORES, type UriAssignScore, type UriAssignment } from '../../shared/types';
import { isOneOf } from '../../shared/validate';
import { throwIfAborted } from '../../shared/errors';
import { csrRow } from '../data/arrays';
import type { BuildResult, IdBuilder } from '../ids/types';
import { prefixBuckets } from '../kernels/ape';
import { Adam, serializeVariables } from '../models/tfops';
import { Rng } from '../util/random';
import { yieldToLoop } from '../util/generators';
import { RETRIEVER_DEFAULTS, type RetrieverConfig, RetrieverModel, historyBatch } from '../retrieval/model';
import { type TaskExamples, evalExamples, positivesOf, subsetExamples, trainExamples } from '../retrieval/tasks';
import { trainRetriever } from '../retrieval/train';
import { uriBalancedAssign, uriBalancedAssignGrouped } from './balanced';
import { balanceLoss, commitLoss, eStepLoss, memoryLoss, mStepCrossEntropy } from './losses';

export interface UriOptions {
  task: Exclude<RetrievalTask, 'search'>;
  epochsPerLayer: number;
  batch: number;
  lr: number;
  d: number;
  blocks: number;
  heads: number;
  H: number;
  /** Eq. 10's adaptive weight; false = Eq. 7 (the "w/o adaptive weight" ablation). */
  adaptiveWeight: boolean;
  /** Sibling-bucket hard negative for the ranker; false = "w/o hard negative mining". */
  hardNegatives: boolean;
  /** Epochs of ranker (+ ID memory) training on the final index; 0 = none (the decoder alone is kept). */
  retrieverEpochs: number;
  /** Cap on training pairs per epoch (0 = all). */
  maxExamplesPerEpoch: number;
  /** Queries followed through training for the case study (URI Fig. 5). */
  caseStudyQueries: number;
  /**
   * Layers > 1 only (see "Layers after the first" below): the balance term is taken inside each parent node, over
   * random items drawn from `balanceGroups` parents per batch; false = the printed Eq. 7/10 over the whole batch.
   */
  parentBalance: boolean;
  balanceGroups: number;
  /** Layers > 1 only: factor on the layer's logits (RetrieverConfig.logitScale). */
  deepLogitScale: number;
  /** Layers > 1 only: weight of L_E and of the M-step cross-entropy. */
  deepCeWeight: number;
  /** Layers > 1 only: weight of the (per-parent) balance term. */
  deepBalanceWeight: number;
  /**
   * What the balanced assignment ranks tokens by: 'item' = the item's own P_I (§4.2), 'queries' = the mean P_Q of
   * its training queries (§4.1's greedy M-step), 'both' = their average.
   */
  assignScore: UriAssignScore;
  /**
   * Max load of the balanced assignment: 'token' = N/k items per token of the layer, over all items (§4.2 as
   * printed); 'parent' = (items of the parent node)/k per token inside each parent, so every leaf has the same size.
   * The two are the same at layer 1.
   */
  assignment: UriAssignment;
}

export const URI_DEFAULTS: UriOptions = {
  task: 'general',
  epochsPerLayer: 5,
  batch: 512,
  lr: 0.001,
  d: RETRIEVER_DEFAULTS.d,
  blocks: RETRIEVER_DEFAULTS.blocks,
  heads: RETRIEVER_DEFAULTS.heads,
  H: RETRIEVER_DEFAULTS.H,
  adaptiveWeight: true,
  hardNegatives: true,
  retrieverEpochs: 2,
  maxExamplesPerEpoch: 0,
  caseStudyQueries: 3,
  parentBalance: true,
  balanceGroups: 2,
  deepLogitScale: 4,
  deepCeWeight: 0.1,
  deepBalanceWeight: 1,
  assignScore: 'queries',
  assignment: 'token',
};

export function parseUriOptions(extra: Record<string, unknown> | undefined, epochs: number | undefined): UriOptions {
  const o: UriOptions = { ...URI_DEFAULTS };
  if (epochs != null) o.epochsPerLayer = epochs;
  const e = extra ?? {};
  const num = (k: keyof UriOptions): void => {
    if (e[k] != null) {
      const v = Number(e[k]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`uri option ${k}: expected a non-negative number, got ${String(e[k])}`);
      (o as unknown as Record<string, number>)[k] = v;
    }
  };
  (['epochsPerLayer', 'batch', 'lr', 'd', 'blocks', 'heads', 'H', 'retrieverEpochs', 'maxExamplesPerEpoch', 'caseStudyQueries', 'balanceGroups', 'deepLogitScale', 'deepCeWeight', 'deepBalanceWeight'] as const).forEach(num);
  if (e.task != null) {
    if (e.task !== 'general' && e.task !== 'sequential')
      throw new Error(`uri option task: expected general or sequential (search needs query text embeddings), got ${String(e.task)}`);
    o.task = e.task;
  }
  if (e.adaptiveWeight != null) o.adaptiveWeight = e.adaptiveWeight !== false && e.adaptiveWeight !== 'false';
  if (e.hardNegatives != null) o.hardNegatives = e.hardNegatives !== false && e.hardNegatives !== 'false';
  if (e.assignment != null) {
    if (!isOneOf(URI_ASSIGNMENTS, e.assignment)) throw new Error(`uri option assignment: expected token or parent, got ${String(e.assignment)}`);
    o.assignment = e.assignment;
  }
  if (e.assignScore != null) {
    if (!isOneOf(URI_ASSIGN_SCORES, e.assignScore)) throw new Error(`uri option assignScore: expected item, queries or both, got ${String(e.assignScore)}`);
    o.assignScore = e.assignScore;
  }
  if (e.parentBalance != null) o.parentBalance = e.parentBalance !== false && e.parentBalance !== 'false';
  if (e.noAdaptiveWeight === true) o.adaptiveWeight = false;
  if (e.noHardNegatives === true) o.hardNegatives = false;
  if (!Number.isInteger(o.balanceGroups) || o.balanceGroups < 1) throw new Error(`uri option balanceGroups: expected an integer ≥ 1, got ${o.balanceGroups}`);
  if (o.deepLogitScale <= 0) throw new Error(`uri option deepLogitScale: expected a positive number, got ${o.deepLogitScale}`);
  return o;
}

/** URI Fig. 5: per-epoch token distributions of a few queries and their positives at layer 1. */
export interface UriCaseStudy {
  layer: number;
  k: number;
  queries: {
    queryIdx: number;
    items: number[];
    /** Layer-1 token finally assigned to each item. */
    assigned: number[];
    epochs: { epoch: number; query: number[]; items: number[][] }[];
  }[];
}

function gather(emb: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(emb.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  return out;
}

function prefixOf(codes: Int32Array, L: number, items: ArrayLike<number>, upTo: number): Int32Array {
  const out = new Int32Array(items.length * upTo);
  for (let b = 0; b < items.length; b++) for (let l = 0; l < upTo; l++) out[b * upTo + l] = codes[items[b]! * L + l]!;
  return out;
}

/** Token distributions P_I^l of every item given its assigned prefix: n × k. */
async function itemDistributions(model: RetrieverModel, emb: Float32Array, dim: number, codes: Int32Array, L: number, l: number, k: number): Promise<Float32Array> {
  const n = emb.length / dim;
  const out = new Float32Array(n * k);
  const batch = 2048;
  for (let s = 0; s < n; s += batch) {
    const items = Int32Array.from({ length: Math.min(batch, n - s) }, (_, i) => s + i);
    const t = tf.tidy(() => {
      const ic = model.encodeItems(tf.tensor2d(gather(emb, dim, items), [items.length, dim]));
      const prefix = l > 0 ? tf.tensor2d(prefixOf(codes, L, items, l), [items.length, l], 'int32') : null;
      return tf.softmax(model.decodeNext(ic, prefix));
    });
    out.set((await t.data()) as Float32Array, s * k);
    t.dispose();
  }
  return out;
}

/**
 * URI §4.1's greedy M-step: for every item, the mean layer-l distribution of its training queries, E_{x∈X_y}[P_Q^l],
 * each query given that item's (l-1)-prefix; n × k, rows of items without a training query are left 0 (count 0).
 */
async function expectedQueryDistributions(
  model: RetrieverModel,
  train: TaskExamples,
  emb: Float32Array,
  dim: number,
  codes: Int32Array,
  L: number,
  l: number,
  k: number,
  n: number,
  signal: AbortSignal,
): Promise<{ sum: Float32Array; count: Int32Array }> {
  const sum = new Float32Array(n * k);
  const count = new Int32Array(n);
  const batch = 1024;
  for (let s = 0; s < train.n; s += batch) {
    throwIfAborted(signal);
    const rows = Int32Array.from({ length: Math.min(batch, train.n - s) }, (_, i) => s + i);
    const pos = positivesOf(train, rows);
    const hb = historyBatch(rows, train.hist, train.H, emb, dim);
    const t = tf.tidy(() => {
      const qc = model.encodeQuery(tf.tensor3d(hb.hist, [rows.length, hb.H, dim]), tf.tensor2d(hb.mask, [rows.length, hb.H]));
      const prefix = l > 0 ? tf.tensor2d(prefixOf(codes, L, pos, l), [rows.length, l], 'int32') : null;
      return tf.softmax(model.decodeNext(qc, prefix));
    });
    const p = (await t.data()) as Float32Array;
    t.dispose();
    for (let r = 0; r < rows.length; r++) {
      const y = pos[r]!;
      count[y] = count[y]! + 1;
      for (let j = 0; j < k; j++) sum[y * k + j] = sum[y * k + j]! + p[r * k + j]!;
    }
    await yieldToLoop();
  }
  return { sum, count };
}

/** Layer-1 distributions of the case-study queries and their items. */
async function caseStudySnapshot(
  model: RetrieverModel,
  ex: TaskExamples,
  items: number[][],
  emb: Float32Array,
  dim: number,
): Promise<{ query: number[]; items: number[][] }[]> {
  const rows = Int32Array.from({ length: ex.n }, (_, i) => i);
  const hb = historyBatch(rows, ex.hist, ex.H, emb, dim);
  const flat = items.flat();
  const [pq, pi] = tf.tidy(() => {
    const qc = model.encodeQuery(tf.tensor3d(hb.hist, [ex.n, hb.H, dim]), tf.tensor2d(hb.mask, [ex.n, hb.H]));
    const ic = model.encodeItems(tf.tensor2d(gather(emb, dim, flat), [flat.length, dim]));
    return [tf.softmax(model.decodeNext(qc, null)), tf.softmax(model.decodeNext(ic, null))];
  });
  const q = (await pq.data()) as Float32Array;
  const it = (await pi.data()) as Float32Array;
  tf.dispose([pq, pi]);
  const k = q.length / Math.max(1, ex.n);
  const round = (a: Float32Array): number[] => Array.from(a, (x) => Math.round(x * 1e4) / 1e4);
  let o = 0;
  return items.map((list, r) => ({
    query: round(q.subarray(r * k, (r + 1) * k)),
    items: list.map(() => round(it.subarray(o * k, (o++ + 1) * k))),
  }));
}

export const uriBuilder: IdBuilder = async function* (input, opts, ctx) {
  const o = parseUriOptions(opts.extra, opts.epochs);
  const { data, embeddings: emb, dim } = input;
  const L = opts.layers;
  const K = opts.codebook;
  const n = data.nItems;
  if (ctx.resume) yield { type: 'log', level: 'warn', message: 'uri builds do not resume from checkpoints yet: starting over' };
  const cfg: RetrieverConfig = {
    task: o.task,
    dim,
    d: o.d,
    blocks: o.blocks,
    heads: o.heads,
    idLayers: L,
    codebookSizes: Array.from({ length: L }, () => K),
    H: o.H,
    seed: opts.seed,
    logitScale: Array.from({ length: L }, (_, l) => (l === 0 ? 1 : o.deepLogitScale)),
  };
  const model = new RetrieverModel(cfg);
  const opt = new Adam(model.variables(), { lr: o.lr });
  const rng = new Rng(opts.seed ^ 0x0ba5e);
  const codes = new Int32Array(n * L);
  const train = trainExamples(data, o.task, o.H);
  if (train.n === 0) throw new Error(`uri: no training pairs for task ${o.task}`);
  // Case study: users with 3-6 train positives, their history as the query.
  const validAll = evalExamples(data, o.task, 'valid', o.H);
  const csIdx: number[] = [];
  for (let e = 0; e < validAll.n && csIdx.length < o.caseStudyQueries; e++) {
    const m = csrRow(data.train, validAll.query[e]!).length;
    if (m >= 3 && m <= 6) csIdx.push(e);
  }
  const csEx = subsetExamples(validAll, csIdx);
  const csItems = csIdx.map((e) => [...new Set(csrRow(data.train, validAll.query[e]!))].slice(0, 5));
  const csEpochs: { epoch: number; snaps: { query: number[]; items: number[][] }[] }[] = [];
  const perEpoch = o.maxExamplesPerEpoch > 0 ? Math.min(o.maxExamplesPerEpoch, train.n) : train.n;
  const steps = Math.ceil(perEpoch / o.batch);
  const summary: Record<string, unknown> = {
    task: o.task,
    adaptiveWeight: o.adaptiveWeight,
    hardNegatives: o.hardNegatives,
    parentBalance: o.parentBalance,
    deepLogitScale: o.deepLogitScale,
    deepCeWeight: o.deepCeWeight,
    deepBalanceWeight: o.deepBalanceWeight,
    assignScore: o.assignScore,
    assignment: o.assignment,
    layers: [] as unknown[],
  };
  let globalStep = 0;
  // Items' assigned (l-1)-prefix buckets (one group at layer 1), for the per-parent balance and assignment; each
  // layer's assignment hands its prefix buckets to the next.
  let groupOf: Int32Array = new Int32Array(n);
  try {
    for (let l = 0; l < L; l++) {
      const deep = l > 0;
      const perParent = deep && o.parentBalance;
      const ceWeight = deep ? o.deepCeWeight : 1;
      const members: number[][] = [];
      if (perParent) for (let i = 0; i < n; i++) (members[groupOf[i]!] ??= []).push(i);
      if (l === 0 && csEx.n > 0) csEpochs.push({ epoch: 0, snaps: await caseStudySnapshot(model, csEx, csItems, emb, dim) });
      let last: Record<string, number> = {};
      for (let epoch = 0; epoch < o.epochsPerLayer; epoch++) {
        const perm = rng.permutation(train.n).subarray(0, perEpoch);
        const sums = { loss: 0, eStep: 0, mStepCe: 0, commit: 0, balance: 0, memory: 0 };
        for (let s = 0; s < steps; s++) {
          throwIfAborted(ctx.signal);
          const rows = perm.subarray(s * o.batch, Math.min((s + 1) * o.batch, perEpoch));
          const B = rows.length;
          const pos = positivesOf(train, rows);
          const all = new Int32Array(2 * B);
          all.set(pos);
          // Random items (§4.2). Per-parent balance: `balanceGroups` parents per batch (each picked with probability
          // ∝ its size, through a uniformly drawn item), B / G random items from each.
          const G = perParent ? Math.min(o.balanceGroups, B) : 1;
          const per = Math.floor(B / G);
          const groups: [start: number, end: number][] = Array.from({ length: G }, (_, g) => [g * per, g === G - 1 ? B : (g + 1) * per]);
          for (const [start, end] of groups) {
            const m = perParent ? members[groupOf[rng.int(n)]!]! : null;
            for (let b = start; b < end; b++) all[B + b] = m ? m[rng.int(m.length)]! : rng.int(n);
          }
          const hb = historyBatch(rows, train.hist, train.H, emb, dim);
          const parts: tf.Tensor[] = [];
          const lossT = tf.tidy(() => {
            const hist = tf.tensor3d(hb.hist, [B, hb.H, dim]);
            const mask = tf.tensor2d(hb.mask, [B, hb.H]);
            const itemEmb = tf.tensor2d(gather(emb, dim, all), [2 * B, dim]);
            const prefixQ = l > 0 ? tf.tensor2d(prefixOf(codes, L, pos, l), [B, l], 'int32') : null;
            const prefixI = l > 0 ? tf.tensor2d(prefixOf(codes, L, all, l), [2 * B, l], 'int32') : null;
            return opt.minimize(() => {
              const lq = model.decodeAll(model.encodeQuery(hist, mask), prefixQ);
              const li = model.decodeAll(model.encodeItems(itemEmb), prefixI);
              const lqL = lq[l]!;
              const liAll = li[l]!;
              const liPos = tf.slice(liAll, [0, 0], [B, K]) as tf.Tensor2D;
              const e = tf.mul(eStepLoss(lqL, liPos), ceWeight) as tf.Scalar;
              const m = tf.mul(mStepCrossEntropy(lqL, liPos), ceWeight) as tf.Scalar;
              const c = commitLoss(liAll);
              const bRaw = perParent
                ? (tf.div(tf.addN(groups.map(([start, end]) => balanceLoss(tf.slice(liAll, [B + start, 0], [end - start, K]) as tf.Tensor2D, false))), G) as tf.Scalar)
                : balanceLoss(liAll, o.adaptiveWeight);
              const b = deep && o.deepBalanceWeight !== 1 ? (tf.mul(bRaw, o.deepBalanceWeight) as tf.Scalar) : bRaw;
              const mem = l > 0 ? tf.add(memoryLoss(lq, prefixQ!, l), memoryLoss(li, prefixI!, l)) : tf.scalar(0);
              parts.push(...[e, m, c, b, mem].map((t) => tf.keep(tf.clone(t))));
              return tf.addN([e, m, c, b, mem]) as tf.Scalar;
            });
          });
          const vals = await Promise.all([lossT, ...parts].map((t) => t.data()));
          tf.dispose([lossT, ...parts]);
          sums.loss += vals[0]![0]!;
          sums.eStep += vals[1]![0]!;
          sums.mStepCe += vals[2]![0]!;
          sums.commit += vals[3]![0]!;
          sums.balance += vals[4]![0]!;
          sums.memory += vals[5]![0]!;
          globalStep++;
          if (s % 10 === 0 || s === steps - 1) {
            yield { type: 'progress', phase: `layer ${l + 1}/${L} epoch ${epoch + 1}/${o.epochsPerLayer}`, done: s + 1, total: steps };
            await yieldToLoop();
          }
        }
        last = Object.fromEntries(Object.entries(sums).map(([k2, v]) => [`layer${l + 1}.${k2}`, v / steps]));
        yield { type: 'metrics', step: globalStep, values: last };
        if (l === 0 && csEx.n > 0) csEpochs.push({ epoch: epoch + 1, snaps: await caseStudySnapshot(model, csEx, csItems, emb, dim) });
      }
      // Assignment (§4.2): token distributions given the assigned prefix, balanced with max load N/k per token (or
      // per parent with `assignment: 'parent'`).
      const probs = await itemDistributions(model, emb, dim, codes, L, l, K);
      if (o.assignScore !== 'item') {
        // Mix in (or use) the expected distribution of the item's training queries (§4.1); items without a
        // training query keep P_I.
        const { sum, count } = await expectedQueryDistributions(model, train, emb, dim, codes, L, l, K, n, ctx.signal);
        const wI = o.assignScore === 'both' ? 0.5 : 0;
        for (let i = 0; i < n; i++) {
          if (count[i] === 0) continue;
          for (let j = 0; j < K; j++) probs[i * K + j] = wI * probs[i * K + j]! + (1 - wI) * (sum[i * K + j]! / count[i]!);
        }
      }
      const tok = o.assignment === 'parent' ? uriBalancedAssignGrouped(probs, n, K, groupOf) : uriBalancedAssign(probs, n, K);
      let keptArgmax = 0;
      const argmaxLoad = new Int32Array(K);
      const load = new Int32Array(K);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let j = 1; j < K; j++) if (probs[i * K + j]! > probs[i * K + best]!) best = j;
        argmaxLoad[best] = argmaxLoad[best]! + 1;
        if (best === tok[i]) keptArgmax++;
        codes[i * L + l] = tok[i]!;
        load[tok[i]!] = load[tok[i]!]! + 1;
      }
      const leaves = prefixBuckets(codes, n, L, cfg.codebookSizes);
      groupOf = leaves.ids[l]!;
      const leafLoad = new Int32Array(leaves.counts[l]!);
      for (const id of groupOf) leafLoad[id] = leafLoad[id]! + 1;
      const layerSummary = {
        layer: l + 1,
        ...last,
        /** Distinct l-token prefixes in use and the largest one (the balance APE needs to be meaningful, URI §3). */
        prefixes: leaves.counts[l]!,
        maxPrefixLoad: Math.max(...leafLoad),
        emptyBucketsArgmax: argmaxLoad.filter((c) => c === 0).length,
        emptyTokens: load.filter((c) => c === 0).length,
        maxLoad: Math.max(...load),
        keptArgmax: keptArgmax / n,
      };
      (summary.layers as unknown[]).push(layerSummary);
      yield {
        type: 'log',
        level: 'info',
        message: `uri layer ${l + 1}: ${layerSummary.emptyBucketsArgmax} of ${K} tokens empty under argmax, ${Math.round(
          layerSummary.keptArgmax * 100,
        )}% of items kept their top token after balancing; ${layerSummary.prefixes} prefixes in use, the largest holds ${layerSummary.maxPrefixLoad} items`,
      };
    }
    const caseStudy: UriCaseStudy = {
      layer: 1,
      k: K,
      queries: csIdx.map((e, r) => ({
        queryIdx: validAll.query[e]!,
        items: csItems[r]!,
        assigned: csItems[r]!.map((i) => codes[i * L]!),
        epochs: csEpochs.map((ep) => ({ epoch: ep.epoch, query: ep.snaps[r]!.query, items: ep.snaps[r]!.items })),
      })),
    };
    yield { type: 'artifact', artifact: { kind: 'run-data', runId: ctx.runId, key: 'uriCaseStudy', value: caseStudy } };
    if (o.retrieverEpochs > 0) {
      const trained = yield* trainRetriever(
        { data, embeddings: emb, dim, table: { codes, layers: L, codebookSizes: cfg.codebookSizes }, task: o.task },
        { epochs: o.retrieverEpochs, batch: 256, lr: o.lr, seed: opts.seed, hardNegatives: o.hardNegatives, validSample: 0, maxExamplesPerEpoch: o.maxExamplesPerEpoch },
        { signal: ctx.signal, runId: ctx.runId },
        model,
      );
      summary.retriever = trained.summary;
    } else {
      // The decoder alone (untrained ranker tower) is still stored, so the index can be inspected with it.
      yield {
        type: 'artifact',
        artifact: {
          kind: 'checkpoint',
          runId: ctx.runId,
          step: globalStep,
          epoch: o.epochsPerLayer * L,
          meta: { kind: 'retriever', config: cfg, final: true },
          data: serializeVariables(model.variables(), { config: cfg }),
        },
      };
    }
    const result: BuildResult = { codes, layers: L, codebookSizes: cfg.codebookSizes.slice(), summary };
    return result;
  } finally {
    opt.dispose();
    model.dispose();
  }
};
