/**
 * URI's losses (Jin et al., ICLR 2025, §4.1-4.2), on logits from the shared decoder. P_Q^l and P_I^l are the softmax
 * distributions over the k tokens of layer l for a query and an item. In H(a, b) = -Σ a log b (cross-entropy) the
 * first argument is the target: reading Eq. 8-9 with §4.1 ("By swapping the roles of items and queries, the item
 * distribution can be similarly trained"), the E-step moves the query towards the item and the M-step the item
 * towards the query, so the target side is stop-gradiented in each (otherwise Eq. 8 and the first term of Eq. 9 would
 * be the same symmetric pull counted twice). All losses are means over the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../models/tfops';

/** Eq. 8: L_E-step = L_ce(x, Y⁺_x) = H(P_I, P_Q) — the query distribution learns the (fixed) item distribution. */
export function eStepLoss(logitsQ: tf.Tensor2D, logitsI: tf.Tensor2D): tf.Scalar {
  const target = stopGradient(tf.softmax(logitsI));
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logitsQ)), 1))) as tf.Scalar;
}

/** Eq. 5 / first term of Eq. 9: L_ce(y, X⁺_y) = H(P_Q, P_I) — the item distribution learns its queries' mean. */
export function mStepCrossEntropy(logitsQ: tf.Tensor2D, logitsI: tf.Tensor2D): tf.Scalar {
  const target = stopGradient(tf.softmax(logitsQ));
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logitsI)), 1))) as tf.Scalar;
}

/** Eq. 6 / second term of Eq. 9: L_commit = H(P_I) = -Σ_j p_j log p_j, pushing each item towards one token. */
export function commitLoss(logitsI: tf.Tensor2D): tf.Scalar {
  const logp = tf.logSoftmax(logitsI);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1))) as tf.Scalar;
}

/**
 * Eq. 7 and Eq. 10: L_balance = H_w(U_k, E_y[P_I]) = -Σ_j sg(w_j) · (1/k) · log E_y[p_j], over the items of the
 * batch (positives and the same number of random items, §4.2).
 *
 * The adaptive weight is printed garbled as "w_j = |1/k − log E_y[p_j]| + 1"; we read it literally: with
 * E[p_j] ≤ 1 the weight is 1/k − log E[p_j] + 1, which grows as a token's expected mass shrinks, so the optimiser
 * concentrates on nearly empty buckets — the effect §5.3 describes ("many tokens are ignored … adaptive weight
 * ensures the optimizer focuses on these buckets"). The weight is stop-gradiented ("sgd(w_j)"). `adaptive = false`
 * gives Eq. 7 (all weights 1), the "w/o adaptive weight" ablation of Table 4.
 */
export function balanceLoss(logitsI: tf.Tensor2D, adaptive: boolean): tf.Scalar {
  const k = logitsI.shape[1];
  const meanP = tf.mean(tf.softmax(logitsI), 0); // E_y[P_I], [k]
  const logMean = tf.log(tf.add(meanP, 1e-10));
  const w = adaptive ? stopGradient(tf.add(tf.abs(tf.sub(1 / k, logMean)), 1)) : tf.onesLike(logMean);
  return tf.neg(tf.sum(tf.mul(w, tf.mul(logMean, 1 / k)))) as tf.Scalar;
}

/**
 * Eq. 11: L_memory^l = Σ_{i<l} H(C^i, P_Q^i) + H(C^i, P_I^i) — cross-entropy of the tokens already assigned at earlier
 * layers, so training layer l does not make the decoder forget them. (The printed minus sign in front of the sum
 * would maximise the cross-entropy; we read it as a typo: this is "the same loss used in prior works for training the
 * decoder after index construction", which is minimised.)
 */
export function memoryLoss(logits: tf.Tensor2D[], tokens: tf.Tensor2D, upTo: number): tf.Scalar {
  let loss = tf.scalar(0);
  const B = tokens.shape[0];
  for (let i = 0; i < upTo; i++) {
    const k = logits[i]!.shape[1];
    const target = tf.oneHot(tf.reshape(tf.slice(tokens, [0, i], [B, 1]), [B]), k).toFloat();
    loss = tf.add(loss, tf.losses.softmaxCrossEntropy(target, logits[i]!));
  }
  return loss;
}
