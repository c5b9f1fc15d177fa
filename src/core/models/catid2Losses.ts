/**
 * The three CAT-ID² losses (Liu et al. 2025, "CAT-ID²: Category-Tree Integrated Document Identifier Learning for
 * Generative Retrieval in E-commerce", §3.1-3.3), as tfjs functions of one batch. Each returns a scalar and is
 * differentiable w.r.t. its tensor inputs; masks and category ids are plain data.
 *
 * No tf.tidy inside: they run under the gradient tape of the training step, whose own tidy frees the
 * intermediates once the backward pass no longer needs them.
 */
import * as tf from '@tensorflow/tfjs';
import { isFastMatMul, l2Normalize, matMulBT } from './tfops';

/** A large negative logit for masked-out pairs (exp underflows to exactly 0 in float32). */
const MASKED = -1e9;

/**
 * log Σ_j exp(x_ij) per row, with the row max as a constant shift. tf.logSumExp computes the same values but also
 * differentiates through its max, whose gradient builds an equal(x, max) mask by broadcasting [B, B] against [B, 1]:
 * on wasm that one op took 157 ms per call (43 % of a catid2 step at batch 1024, tf.profile), for a term that is zero
 * in exact arithmetic (the shift cancels). Same forward values; gradient softmax(x) without the rounding residue.
 */
function logSumExpRows(x: tf.Tensor2D): tf.Tensor1D {
  const m = rowMaxConstant(x);
  return tf.add(tf.reshape(m, [-1]), tf.log(tf.sum(tf.exp(tf.sub(x, m)), 1))) as tf.Tensor1D;
}

// The max is computed inside the op, off the tape: stopGradient(tf.max(x)) would still run Max's backward (with a zero
// dy), and with it the slow mask.
const rowMaxConstant = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D;
  return { value: tf.max(x, 1, true), gradFunc: () => tf.zerosLike(x) };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

const dataRightMatMulBT = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const a = args[0] as tf.Tensor2D;
  const b = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  save([b]);
  return {
    value: isFastMatMul() ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sb = saved[0] as tf.Tensor2D;
      return [tf.matMul(dy as tf.Tensor2D, sb), tf.zerosLike(sb)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * a × bᵀ (same values as matMulBT) where b is data: only ∂/∂a = dY·b is computed. In DisL b is the batch's original
 * embeddings, and the skipped ∂/∂b = dYᵀ·a is a [D, B] × [B, B] product (268M multiply-adds at B 1024, D 256).
 */
function matMulBTDataB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return dataRightMatMulBT(a, b);
}

/**
 * Category ids of the batch items at one category level (−1 = unknown), plus the parent level for hard negatives.
 */
export interface HcclLevel {
  /** Category node id of each batch item at the level tied to this quantizer layer, −1 when unknown. */
  category: Int32Array;
  /** Category node id at the previous level (hard negatives share it), or null for the first quantizer layer. */
  parent: Int32Array | null;
}

/**
 * Hierarchical Class Constraint Loss, Eq. (4), for one quantizer layer l:
 *   L_HCC^l = −1/|B| Σ_a log( exp(⟨r_a, r_p⟩/τ) / Σ_{n∈B} exp(⟨r_a, r_n⟩/τ) ),  ⟨·,·⟩ = cosine similarity,
 * computed on the residuals r^l that enter quantizer layer l (r^0 = z, the encoder output).
 *
 * Readings of what Eq. (4) leaves open:
 * - Several positives per anchor (every other batch item of the same level-l category): the loss averages
 *   −log softmax over the anchor's positives (the supervised-contrastive form of Khosla et al. 2020), which is Eq. (4)
 *   when there is one positive.
 * - The denominator runs over the anchor's positives and its negatives (never the anchor itself). Negatives are
 *   items of a different level-l category; from the second quantizer layer on they are restricted to the hard
 *   negatives of §3.1: same category at level l−1, different category at level l.
 * - Anchors with no positive or no negative in the batch, and items with unknown category at the level, contribute
 *   nothing; the mean is taken over the anchors that do (|B| in Eq. (4) would shrink the loss by the share of
 *   skipped anchors, which only rescales beta).
 */
export function hierarchicalClassConstraintLoss(residual: tf.Tensor2D, level: HcclLevel, temperature: number): tf.Scalar {
  const n = residual.shape[0];
  // The masks are plain data: built here in one O(B²) pass rather than from ~15 boolean tensor ops, which on the
  // wasm backend cost ~6 s per epoch on Scientific (batch 512, 3 layers) — more than the rest of the step.
  const { positive, denominator, valid, nPos, nValid } = hcclMasks(level, n);
  const posF = tf.tensor2d(positive, [n, n]);
  const u = l2Normalize(residual);
  const logits = tf.div(matMulBT(u, u), temperature);
  const lse = logSumExpRows(tf.add(logits, tf.tensor2d(denominator, [n, n])) as tf.Tensor2D);
  // mean over positives of (logit_ap − lse_a) = (Σ_p logit_ap)/|P_a| − lse_a
  const posMean = tf.div(tf.sum(tf.mul(logits, posF), 1), tf.tensor1d(nPos));
  const perAnchor = tf.mul(tf.sub(lse, posMean), tf.tensor1d(valid));
  return tf.div(tf.sum(perAnchor), Math.max(nValid, 1)) as tf.Scalar;
}

/**
 * HCCL's pair masks for one batch: `positive` (1 where b is a positive of anchor a), `denominator` (0 where b enters
 * the softmax denominator of a — a positive or a negative — else MASKED, as an additive mask), `valid` (1 for anchors
 * with at least one positive and one negative), `nPos` (positives per anchor, at least 1 to divide by).
 */
export function hcclMasks(
  level: HcclLevel,
  n: number,
): { positive: Float32Array; denominator: Float32Array; valid: Float32Array; nPos: Float32Array; nValid: number } {
  const { category: cat, parent: par } = level;
  const positive = new Float32Array(n * n);
  const denominator = new Float32Array(n * n).fill(MASKED);
  const valid = new Float32Array(n);
  const nPos = new Float32Array(n);
  let nValid = 0;
  for (let a = 0; a < n; a++) {
    const ca = cat[a]!;
    if (ca < 0) {
      nPos[a] = 1;
      continue;
    }
    const pa = par ? par[a]! : 0;
    let p = 0;
    let q = 0;
    const o = a * n;
    for (let b = 0; b < n; b++) {
      const cb = cat[b]!;
      if (b === a || cb < 0) continue;
      if (cb === ca) {
        positive[o + b] = 1;
        denominator[o + b] = 0;
        p++;
      } else if (!par || (pa >= 0 && par[b]! === pa)) {
        // From layer 2 on only hard negatives: same level-(l−1) category, different level-l category.
        denominator[o + b] = 0;
        q++;
      }
    }
    nPos[a] = Math.max(p, 1);
    if (p > 0 && q > 0) {
      valid[a] = 1;
      nValid++;
    }
  }
  return { positive, denominator, valid, nPos, nValid };
}

/**
 * Cluster Scale Constraint Loss, Eq. (5), for one quantizer layer:
 *   L_CSC^l = KL(p̄ ‖ u) + KL(u ‖ p̄),  p̄ = 1/|B| Σ_i p_i,  p_i = softmax(−‖r_i − e_k‖₂)_k,  u = 1/K · 1.
 * Eq. (5) writes the mean as (Σ_i |B| p_i)/|B|, which is not a distribution; we read it as the batch mean of p_i
 * (the text: "the average distribution of samples across codebook entries"). The distance is the unsquared
 * Euclidean distance, as in §3's definition of p^l. `distance` is [B, K]; a small epsilon keeps the logs finite.
 */
export function clusterScaleConstraintLoss(distance: tf.Tensor2D): tf.Scalar {
  const k = distance.shape[1];
  const p = tf.softmax(tf.neg(distance), 1);
  const pbar = tf.add(tf.mean(p, 0), 1e-10);
  const logU = -Math.log(k);
  const logP = tf.log(pbar);
  const klPU = tf.sum(tf.mul(pbar, tf.sub(logP, logU)));
  const klUP = tf.mul(tf.sum(tf.sub(logU, logP)), 1 / k);
  return tf.add(klPU, klUP) as tf.Scalar;
}

/**
 * Dispersion Loss, Eq. (7): InfoNCE between reconstructed embeddings d̂_i = D(ẑ_i) and the original embeddings d_j
 * of the batch, cosine similarity over temperature τ:
 *   L_Dis = −1/|B| Σ_i log( exp(⟨d̂_i, d_i⟩/τ) / Σ_j exp(⟨d̂_i, d_j⟩/τ) ).
 * The denominator includes j = i (as written). Per §3.3 it replaces the reconstruction loss of Eq. (1).
 */
export function dispersionLoss(reconstructed: tf.Tensor2D, original: tf.Tensor2D, temperature: number): tf.Scalar {
  const r = l2Normalize(reconstructed);
  const o = l2Normalize(original);
  // `original` is data (the input embeddings), so its gradient is skipped.
  const logits = tf.div(matMulBTDataB(r, o), temperature) as tf.Tensor2D;
  // The diagonal ⟨d̂_i, d_i⟩/τ as a row-wise dot product: multiplying the B × B logits by eye(B) cost ~4 s per epoch.
  const diag = tf.div(tf.sum(tf.mul(r, o), 1), temperature);
  return tf.mean(tf.sub(logSumExpRows(logits), diag)) as tf.Scalar;
}
