/**
 * The RQ-VAE of TIGER (Rajput et al. 2023, §3.1) and its CAT-ID² extension (Eq. 1-8): an MLP encoder, L residual
 * codebooks of K entries, an MLP decoder, the straight-through estimator, codebook + commitment losses, and the
 * optional CAT-ID² losses. Pure tfjs on top of tfops (no layers API: tf.layers' embedding/gather cannot train on
 * wasm, and we want seeded initial weights and bit-exact checkpoints).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';
import {
  clusterScaleConstraintLoss,
  dispersionLoss,
  hierarchicalClassConstraintLoss,
  type HcclLevel,
} from './catid2Losses';
import { dense, initVariable, matMulBT, matMulConstA, oneHotLookup, stopGradient } from './tfops';

export interface RqvaeConfig {
  inputDim: number;
  /** Hidden widths of the encoder (the decoder mirrors them). TIGER: 512, 256, 128 → 32; we default to 512, 256 → 64. */
  hidden: number[];
  latent: number;
  layers: number;
  codebook: number;
  /** Commitment weight η of Eq. (2) (TIGER's beta, 0.25). */
  commitment: number;
  lr: number;
  /** Decoupled weight decay (AdamW). */
  weightDecay: number;
  batch: number;
  epochs: number;
  /** Emit a checkpoint artifact every this many epochs (0 = never). */
  checkpointEvery: number;
  /** Re-seed codes unused during an epoch from random residuals of a batch. */
  deadCodeReinit: boolean;
  /** Initialise the codebooks by k-means on the first batch's residuals (TIGER). */
  kmeansInit: boolean;
  // CAT-ID² (all off for plain rqvae)
  hccl: boolean;
  cscl: boolean;
  disl: boolean;
  /** Keep L_recon beside the Dispersion loss (Eq. 8 read as L_RQ-VAE + α L_Dis) instead of replacing it. */
  keepRecon: boolean;
  /** Weight of the Dispersion loss (paper default 0.1). */
  alpha: number;
  /** Weight of the Hierarchical Class Constraint loss (paper default 0.0001). */
  beta: number;
  /** Weight of the Cluster Scale Constraint loss (paper default 1.0). */
  gamma: number;
  /** Temperature τ of the InfoNCE losses (Eq. 4 and 7); the paper does not give its value. */
  temperature: number;
  /** Max category depth H used by HCCL (paper: truncated to 3, and H < L is required). */
  categoryDepth: number;
}

interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

/** Loss terms of one batch (scalars), the codes chosen per layer, and the total that is minimised. */
export interface ForwardOut {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
  codes: tf.Tensor1D[];
}

/** Squared Euclidean distances between rows of r [B, d] and codebook entries c [K, d] → [B, K]. */
export function sqDistances(r: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D {
  const rr = tf.sum(tf.square(r), 1, true);
  const cc = tf.reshape(tf.sum(tf.square(c), 1), [1, -1]);
  return tf.relu(tf.add(tf.sub(rr, tf.mul(matMulBT(r, c), 2)), cc)) as tf.Tensor2D;
}

/**
 * argmin_k ‖r − c_k‖² per row, as one op with a zero gradient. Written as three taped ops (distances on sg[r], sg[c],
 * then argMin) the backward pass still runs through the [B, K] distance matrix — two matMuls, broadcast-sum
 * reductions and a relu mask per quantizer layer — only for stop-gradient to discard the result: ~6 % of an RQ-VAE
 * step on wasm (tf.profile, batch 1024, K 256). Same forward values, same gradients.
 */
const nearestCodeOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const r = args[0] as tf.Tensor2D;
  const c = args[1] as tf.Tensor2D;
  return {
    value: tf.argMin(sqDistances(r, c), 1),
    gradFunc: () => [tf.zerosLike(r), tf.zerosLike(c)],
  };
}) as (r: tf.Tensor2D, c: tf.Tensor2D) => tf.Tensor1D;

/** Index of the nearest codebook entry of each row of r; no gradient flows through it. */
export function nearestCode(r: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor1D {
  return nearestCodeOp(r, c);
}

/**
 * c[idx] as oneHot(idx) × c, with the gradient to the codebook only (the one-hot matrix is data: its gradient
 * dY·cᵀ, [B, K] per layer, is never used).
 */
function codeLookup(idx: tf.Tensor1D, c: tf.Tensor2D): tf.Tensor2D {
  return matMulConstA(tf.oneHot(tf.cast(idx, 'int32'), c.shape[0]).toFloat() as tf.Tensor2D, c);
}

export class RqvaeModel {
  readonly cfg: RqvaeConfig;
  readonly encoder: Dense[];
  readonly decoder: Dense[];
  readonly codebooks: tf.Variable[];

  /** Weights are drawn from rng in a fixed order (encoder, codebooks, decoder), so a seed fixes them. */
  constructor(cfg: RqvaeConfig, rng: Rng) {
    this.cfg = cfg;
    const encDims = [cfg.inputDim, ...cfg.hidden, cfg.latent];
    const decDims = [...encDims].reverse();
    const mlp = (dims: number[]): Dense[] =>
      dims.slice(1).map((out, i) => ({ w: initVariable(rng, [dims[i]!, out]), b: initVariable(null, [out]) }));
    this.encoder = mlp(encDims);
    this.codebooks = Array.from({ length: cfg.layers }, () => initVariable(rng, [cfg.codebook, cfg.latent]));
    this.decoder = mlp(decDims);
  }

  /** Every trainable variable, in a fixed order (checkpoints rely on it). */
  variables(): tf.Variable[] {
    return [...this.encoder.flatMap((d) => [d.w, d.b]), ...this.codebooks, ...this.decoder.flatMap((d) => [d.w, d.b])];
  }

  /** `dataInput`: x is data (the item embeddings), so the first layer skips the gradient w.r.t. x. */
  private static mlp(x: tf.Tensor2D, layers: Dense[], dataInput: boolean): tf.Tensor2D {
    let h = x;
    layers.forEach((d, i) => {
      // The encoder's first layer is the step's largest matMul (768 x 512 on the platform note's shapes): its unused
      // input gradient was ~8 % of the step (tf.profile).
      h = i === 0 && dataInput ? tf.add(matMulConstA(h, d.w as tf.Tensor2D), d.b) : dense(h, d.w as tf.Tensor2D, d.b as tf.Tensor1D);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    return h;
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    return RqvaeModel.mlp(x, this.encoder, true);
  }

  decode(z: tf.Tensor2D): tf.Tensor2D {
    return RqvaeModel.mlp(z, this.decoder, false);
  }

  /**
   * Loss of one batch, Eq. (1)-(3) plus, when enabled, Eq. (8)'s CAT-ID² terms. `hccl[l]` gives the batch's
   * category ids for quantizer layer l (shorter than layers: only the first H layers carry HCCL).
   */
  forward(x: tf.Tensor2D, hccl: HcclLevel[] | null): ForwardOut {
    const cfg = this.cfg;
    const z = this.encode(x);
    let r = z;
    let zq: tf.Tensor2D | null = null;
    let codebookLoss: tf.Tensor = tf.scalar(0);
    let commitLoss: tf.Tensor = tf.scalar(0);
    let hcclLoss: tf.Tensor = tf.scalar(0);
    let csclLoss: tf.Tensor = tf.scalar(0);
    const codes: tf.Tensor1D[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const c = this.codebooks[l]! as tf.Tensor2D;
      if (cfg.hccl && hccl && l < hccl.length) {
        hcclLoss = tf.add(hcclLoss, hierarchicalClassConstraintLoss(r, hccl[l]!, cfg.temperature));
      }
      const rs = stopGradient(r);
      const idx = nearestCode(r, c);
      codes.push(idx);
      if (cfg.cscl) {
        // p^l = softmax(−‖r − e_k‖₂) needs gradients w.r.t. both r and the codebook.
        // ‖a‖² + ‖e‖² − 2a·e rounds to slightly negative values in float32 when r sits on a code: clamp before √.
        const dist = tf.sqrt(tf.add(tf.relu(sqDistances(r, c)), 1e-8)) as tf.Tensor2D;
        csclLoss = tf.add(csclLoss, clusterScaleConstraintLoss(dist));
      }
      const e = codeLookup(idx, c);
      const es = stopGradient(e);
      // Eq. (2): ‖sg[r] − e‖² moves the codebook, η‖r − sg[e]‖² commits the encoder.
      codebookLoss = tf.add(codebookLoss, tf.mean(tf.sum(tf.square(tf.sub(rs, e)), 1)));
      commitLoss = tf.add(commitLoss, tf.mean(tf.sum(tf.square(tf.sub(r, es)), 1)));
      zq = (zq ? tf.add(zq, es) : es) as tf.Tensor2D;
      r = tf.sub(r, es);
    }
    // Straight-through estimator: the decoder sees ẑ, the gradient goes to z unchanged.
    const zHat = tf.add(z, stopGradient(tf.sub(zq!, z))) as tf.Tensor2D;
    const xHat = this.decode(zHat);
    const rq = tf.add(codebookLoss, tf.mul(commitLoss, cfg.commitment)) as tf.Scalar;
    const terms: Record<string, tf.Scalar> = { codebook: codebookLoss as tf.Scalar, commitment: commitLoss as tf.Scalar };
    let total: tf.Tensor = rq;
    if (cfg.disl) {
      // §3.3: the Dispersion loss replaces the reconstruction loss of Eq. (1) (Eq. 8 has no L_recon).
      const dis = dispersionLoss(xHat, x, cfg.temperature);
      terms.dispersion = dis;
      total = tf.add(total, tf.mul(dis, cfg.alpha));
    }
    if (!cfg.disl || cfg.keepRecon) {
      const recon = tf.mean(tf.sum(tf.square(tf.sub(x, xHat)), 1)) as tf.Scalar;
      terms.recon = recon;
      total = tf.add(total, recon);
    }
    if (cfg.hccl && hccl && hccl.length > 0) {
      terms.hccl = hcclLoss as tf.Scalar;
      total = tf.add(total, tf.mul(hcclLoss, cfg.beta));
    }
    if (cfg.cscl) {
      terms.cscl = csclLoss as tf.Scalar;
      total = tf.add(total, tf.mul(csclLoss, cfg.gamma));
    }
    return { total: total as tf.Scalar, terms, codes };
  }

  /**
   * Residuals entering each quantizer layer and the chosen codes, without gradients. Returns L+1 residual
   * tensors (r^0 = z … r^L) and L code tensors; the caller disposes them (or runs this inside tf.tidy).
   */
  quantize(x: tf.Tensor2D): { residuals: tf.Tensor2D[]; codes: tf.Tensor1D[]; lastSqDist: tf.Tensor2D } {
    let r = this.encode(x);
    const residuals = [r];
    const codes: tf.Tensor1D[] = [];
    let lastSqDist: tf.Tensor2D | null = null;
    for (let l = 0; l < this.cfg.layers; l++) {
      const c = this.codebooks[l]! as tf.Tensor2D;
      const d = sqDistances(r, c);
      const idx = tf.argMin(d, 1) as tf.Tensor1D;
      codes.push(idx);
      if (l === this.cfg.layers - 1) lastSqDist = d;
      r = tf.sub(r, oneHotLookup(idx, c));
      residuals.push(r);
    }
    return { residuals, codes, lastSqDist: lastSqDist! };
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}
