/**
 * The generative retriever (URI §4.2-4.3 / TIGER-style): a query encoder, an item tower, and a small causal
 * Transformer decoder over semantic-ID tokens, all in tfjs on the project's fast-gradient ops (src/core/models/tfops).
 *
 * Decoder input for an ID of L tokens: position 0 = the condition vector (query encoding, or the item tower's output
 * when URI asks the same decoder for an item's distribution), position t ≥ 1 = embedding of token t-1 (one table per
 * ID layer). The output at position t gives the logits of token t, so one teacher-forced pass trains every layer and
 * beam step t runs the decoder on a prefix of length t + 1. Sequences are at most L ≤ 4 long, so attention is tiny;
 * the cost is in the dense layers, which use the transpose-free gradient (8x faster on wasm, platform notes).
 *
 * Query encoder: the history (≤ H item embeddings, left-padded) is projected to d, a learned position embedding is
 * added, and the most recent position attends over the whole history (= the last row of one causal self-attention
 * layer; the other rows are never used, so they are not computed), followed by an MLP. A search query is a history of
 * one "item": its text embedding. general-recommendation histories go through the same path.
 *
 * Ranker (URI §4.3): score(q, i) = <encoder(q), tower(i)>, trained with sampled softmax over the positive and 10
 * negatives (9 random + 1 hard negative from a sibling bucket of the positive's leaf).
 */
import * as tf from '@tensorflow/tfjs';
import type { RetrievalTask } from '../../shared/types';
import { Rng } from '../util/random';
import { dense, initVariable, matMul, matMulConstA } from '../models/tfops';

export interface RetrieverConfig {
  task: RetrievalTask;
  /** Item (and query text) embedding dimension. */
  dim: number;
  /** Model width (URI: 96). */
  d: number;
  /** Decoder blocks (URI: 2). */
  blocks: number;
  heads: number;
  /** ID layers and their codebook sizes. */
  idLayers: number;
  codebookSizes: number[];
  /** History length of the query encoder (1 for search). */
  H: number;
  seed: number;
  /**
   * Per ID layer, a constant factor on that layer's logits (default 1). URI sets 4 on layers > 1: their new head
   * starts near the uniform distribution, where the entropy (commit) gradient vanishes, and the scale breaks that
   * symmetry (see src/core/uri/index.ts). Kept in the config so beam search scores with the logits URI trained.
   */
  logitScale?: number[];
}

export const RETRIEVER_DEFAULTS = { d: 96, blocks: 2, heads: 4, H: 20 } as const;

interface Block {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  wqkv: tf.Variable;
  wo: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

function zeros(shape: number[]): tf.Variable {
  return initVariable(null, shape);
}

function ones(shape: number[]): tf.Variable {
  // tidy: tf.variable copies its initial value, which would otherwise stay alive (9 tensors leaked per model).
  return tf.tidy(() => tf.variable(tf.ones(shape), true));
}

function scaled(rng: Rng, shape: number[], scale: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return tf.tidy(() => tf.variable(tf.tensor(v, shape), true));
}

export class RetrieverModel {
  readonly cfg: RetrieverConfig;
  // query encoder
  private readonly qIn: tf.Variable;
  private readonly qPos: tf.Variable;
  private readonly qAtt: tf.Variable;
  private readonly qW1: tf.Variable;
  private readonly qB1: tf.Variable;
  private readonly qW2: tf.Variable;
  private readonly qB2: tf.Variable;
  // item tower
  private readonly iW1: tf.Variable;
  private readonly iB1: tf.Variable;
  private readonly iW2: tf.Variable;
  private readonly iB2: tf.Variable;
  // decoder
  private readonly tokEmb: tf.Variable[];
  private readonly pos: tf.Variable;
  private readonly blocks: Block[];
  private readonly lnFg: tf.Variable;
  private readonly lnFb: tf.Variable;
  private readonly heads: tf.Variable[];
  private readonly headB: tf.Variable[];
  /** Upper-triangular -1e9 mask per sequence length. */
  private readonly masks = new Map<number, tf.Tensor>();

  constructor(cfg: RetrieverConfig) {
    this.cfg = cfg;
    const { dim, d, H } = cfg;
    const rng = new Rng(cfg.seed);
    this.qIn = initVariable(rng, [dim, d]);
    this.qPos = scaled(rng, [H, d], 0.02);
    this.qAtt = initVariable(rng, [d, d]);
    this.qW1 = initVariable(rng, [2 * d, 2 * d]);
    this.qB1 = zeros([2 * d]);
    this.qW2 = initVariable(rng, [2 * d, d]);
    this.qB2 = zeros([d]);
    this.iW1 = initVariable(rng, [dim, 2 * d]);
    this.iB1 = zeros([2 * d]);
    this.iW2 = initVariable(rng, [2 * d, d]);
    this.iB2 = zeros([d]);
    this.tokEmb = cfg.codebookSizes.map((k) => scaled(rng, [k, d], 0.1));
    this.pos = scaled(rng, [cfg.idLayers, d], 0.02);
    this.blocks = Array.from({ length: cfg.blocks }, () => ({
      ln1g: ones([d]),
      ln1b: zeros([d]),
      wqkv: initVariable(rng, [d, 3 * d]),
      wo: initVariable(rng, [d, d]),
      ln2g: ones([d]),
      ln2b: zeros([d]),
      w1: initVariable(rng, [d, 4 * d]),
      b1: zeros([4 * d]),
      w2: initVariable(rng, [4 * d, d]),
      b2: zeros([d]),
    }));
    this.lnFg = ones([d]);
    this.lnFb = zeros([d]);
    this.heads = cfg.codebookSizes.map((k) => initVariable(rng, [d, k]));
    this.headB = cfg.codebookSizes.map((k) => zeros([k]));
  }

  /** Every trainable variable, in a fixed order (checkpoints rely on it). */
  variables(): tf.Variable[] {
    return [
      this.qIn, this.qPos, this.qAtt, this.qW1, this.qB1, this.qW2, this.qB2,
      this.iW1, this.iB1, this.iW2, this.iB2,
      ...this.tokEmb, this.pos,
      ...this.blocks.flatMap((b) => [b.ln1g, b.ln1b, b.wqkv, b.wo, b.ln2g, b.ln2b, b.w1, b.b1, b.w2, b.b2]),
      this.lnFg, this.lnFb, ...this.heads, ...this.headB,
    ];
  }

  /**
   * Query encoder. hist: [B, H, dim] (padded rows are zero), mask: [B, H] (1 = real item). Returns [B, d].
   * The most recent position (H-1) must be real.
   */
  encodeQuery(hist: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    const [B, H, dim] = hist.shape;
    const d = this.cfg.d;
    const z = tf.add(tf.reshape(matMulConstA(tf.reshape(hist, [B * H, dim]), this.qIn as tf.Tensor2D), [B, H, d]), this.qPos);
    const last = tf.reshape(tf.slice(z, [0, H - 1, 0], [B, 1, d]), [B, d]);
    const probe = matMul(last as tf.Tensor2D, this.qAtt as tf.Tensor2D); // [B, d]
    const logits = tf.div(tf.sum(tf.mul(z, tf.expandDims(probe, 1)), 2), Math.sqrt(d)); // [B, H]
    const att = tf.softmax(tf.add(logits, tf.mul(tf.sub(1, mask), -1e9))); // [B, H]
    const ctx = tf.sum(tf.mul(z, tf.expandDims(att, 2)), 1) as tf.Tensor2D; // [B, d]
    const h = tf.relu(dense(tf.concat([ctx, last as tf.Tensor2D], 1), (this.qW1 as tf.Tensor2D), this.qB1 as tf.Tensor1D));
    return dense(h, (this.qW2 as tf.Tensor2D), this.qB2 as tf.Tensor1D);
  }

  /** Item tower: [B, dim] item embeddings → [B, d]. */
  encodeItems(emb: tf.Tensor2D): tf.Tensor2D {
    const h = tf.relu(tf.add(matMulConstA(emb, this.iW1 as tf.Tensor2D), this.iB1)) as tf.Tensor2D;
    return dense(h, (this.iW2 as tf.Tensor2D), this.iB2 as tf.Tensor1D);
  }

  private mask(T: number): tf.Tensor {
    let m = this.masks.get(T);
    if (!m) {
      const v = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) v[i * T + j] = -1e9;
      m = tf.keep(tf.tensor(v, [1, T, T]));
      this.masks.set(T, m);
    }
    return m;
  }

  /**
   * Decoder: cond [B, d] and prefix tokens [B, t] (t = 0..L-1; tokens of layers 0..t-1) → hidden states of the
   * t + 1 positions, [B * (t + 1), d] row-major by (row, position).
   */
  private decodeHidden(cond: tf.Tensor2D, prefix: tf.Tensor2D | null): tf.Tensor2D {
    const B = cond.shape[0];
    const d = this.cfg.d;
    const t = prefix ? prefix.shape[1] : 0;
    const T = t + 1;
    const parts: tf.Tensor3D[] = [tf.reshape(cond, [B, 1, d])];
    for (let l = 0; l < t; l++) {
      const tok = tf.reshape(tf.slice(prefix!, [0, l], [B, 1]), [B]);
      const oh = tf.oneHot(tf.cast(tok, 'int32'), this.cfg.codebookSizes[l]!).toFloat() as tf.Tensor2D;
      parts.push(tf.reshape(matMulConstA(oh, this.tokEmb[l] as tf.Tensor2D), [B, 1, d]));
    }
    let x = tf.reshape(
      tf.add(T === 1 ? parts[0]! : tf.concat(parts, 1), tf.slice(this.pos, [0, 0], [T, d])),
      [B * T, d],
    ) as tf.Tensor2D;
    const nh = this.cfg.heads;
    const dh = d / nh;
    for (const blk of this.blocks) {
      const hn = layerNorm(x, blk.ln1g, blk.ln1b);
      const qkv = matMul(hn, blk.wqkv as tf.Tensor2D); // [B*T, 3d]
      // Column slices of the 2-D [B*T, 3d] product: a rank-5 slice ([B, T, 3, nh, dh]) takes wasm's generic path,
      // measured at 650 ms of a 1,000 ms decoder step (B 256, T 8); the 2-D slice costs < 5 ms.
      const split = (i: number): tf.Tensor3D =>
        tf.reshape(tf.transpose(tf.reshape(tf.slice(qkv, [0, i * d], [B * T, d]), [B, T, nh, dh]), [0, 2, 1, 3]), [B * nh, T, dh]);
      const q = split(0);
      const k = split(1);
      const v = split(2);
      // T ≤ 4: the transposed batched matMul is negligible next to the dense layers.
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), this.mask(T));
      const o = tf.matMul(tf.softmax(scores), v); // [B*nh, T, dh]
      const merged = tf.reshape(tf.transpose(tf.reshape(o, [B, nh, T, dh]), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
      x = tf.add(x, matMul(merged, blk.wo as tf.Tensor2D));
      const h2 = layerNorm(x, blk.ln2g, blk.ln2b);
      const ff = dense(tf.relu(dense(h2, blk.w1 as tf.Tensor2D, blk.b1 as tf.Tensor1D)), blk.w2 as tf.Tensor2D, blk.b2 as tf.Tensor1D);
      x = tf.add(x, ff);
    }
    return layerNorm(x, this.lnFg, this.lnFb);
  }

  /**
   * Logits of every position: returns [B, K_l] for l = 0..t (position l predicts token l given tokens < l).
   */
  decodeAll(cond: tf.Tensor2D, prefix: tf.Tensor2D | null): tf.Tensor2D[] {
    const B = cond.shape[0];
    const T = (prefix ? prefix.shape[1] : 0) + 1;
    const h = tf.reshape(this.decodeHidden(cond, prefix), [B, T, this.cfg.d]);
    const out: tf.Tensor2D[] = [];
    for (let l = 0; l < T && l < this.cfg.idLayers; l++) {
      const hl = tf.reshape(tf.slice(h, [0, l, 0], [B, 1, this.cfg.d]), [B, this.cfg.d]) as tf.Tensor2D;
      const logits = dense(hl, this.heads[l] as tf.Tensor2D, this.headB[l] as tf.Tensor1D);
      const scale = this.cfg.logitScale?.[l] ?? 1;
      out.push(scale === 1 ? logits : tf.mul(logits, scale));
    }
    return out;
  }

  /** Logits of the next token after a prefix of length t: [B, K_t]. */
  decodeNext(cond: tf.Tensor2D, prefix: tf.Tensor2D | null): tf.Tensor2D {
    const all = this.decodeAll(cond, prefix);
    return all[all.length - 1]!;
  }

  dispose(): void {
    tf.dispose(this.variables());
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }
}

/**
 * Builds the history input of a batch on the JS side: hist [B, H, dim] from item embeddings (zero rows for padding)
 * and the mask. For search examples the "history" is the query's text embedding (H = 1).
 */
export function historyBatch(
  rows: ArrayLike<number>,
  hist: Int32Array,
  H: number,
  emb: Float32Array,
  dim: number,
  queryEmb?: { query: Int32Array; data: Float32Array },
): { hist: Float32Array; mask: Float32Array; H: number } {
  const B = rows.length;
  if (H === 0) {
    if (!queryEmb) throw new Error('search examples need query embeddings');
    const out = new Float32Array(B * dim);
    for (let r = 0; r < B; r++) {
      const q = queryEmb.query[rows[r]!]!;
      out.set(queryEmb.data.subarray(q * dim, (q + 1) * dim), r * dim);
    }
    return { hist: out, mask: new Float32Array(B).fill(1), H: 1 };
  }
  const out = new Float32Array(B * H * dim);
  const mask = new Float32Array(B * H);
  for (let r = 0; r < B; r++) {
    const e = rows[r]!;
    for (let p = 0; p < H; p++) {
      const it = hist[e * H + p]!;
      if (it < 0) continue;
      mask[r * H + p] = 1;
      out.set(emb.subarray(it * dim, (it + 1) * dim), (r * H + p) * dim);
    }
  }
  return { hist: out, mask, H };
}
