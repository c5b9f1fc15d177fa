/**
 * tfjs building blocks shared by every trained model in src/core/models (RQ-VAE, CAT-ID², the retrieval decoder):
 * a matMul whose gradient is fast on wasm, dense layers, stop-gradient, one-hot lookups, seeded initialisers, a
 * deterministic Adam(W) and the (de)serialisation of weights + optimizer state for checkpoints.
 *
 * The backend itself is chosen at the process edge (src/node/tf.ts); code here only reads `tf.getBackend()`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';

let fastMatMul = false;

/**
 * Switches matMul's gradient to explicit transposes. wasm runs matMul at ~45 GFLOP/s only when neither operand is
 * transposed (3.6 GFLOP/s for (false, true), 0.9 for (true, false)), and tf.matMul's gradient uses exactly those
 * forms: the explicit form makes an RQ-VAE step 8x faster on wasm. On `cpu` it is slower, so it is off there.
 */
export function setFastMatMul(enabled: boolean): void {
  fastMatMul = enabled;
}

export function isFastMatMul(): boolean {
  return fastMatMul;
}

/** Whether the transpose-free gradient pays off on this backend (measured: wasm yes, cpu no). */
export function fastMatMulFor(backend: string): boolean {
  return backend === 'wasm';
}

/** Enables the fast gradient iff the current tfjs backend benefits from it. Returns the backend name. */
export function configureForBackend(): string {
  const backend = tf.getBackend();
  setFastMatMul(fastMatMulFor(backend));
  return backend;
}

const explicitTransposeMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const a = args[0] as tf.Tensor2D;
  const b = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** a [m, k] × b [k, n]. Uses the transpose-free gradient when setFastMatMul(true). */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return fastMatMul ? explicitTransposeMatMul(a, b) : tf.matMul(a, b);
}

const constInputMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const a = args[0] as tf.Tensor2D;
  const b = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  save([a]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sa = saved[0] as tf.Tensor2D;
      const db = fastMatMul ? tf.matMul(tf.transpose(sa), dy as tf.Tensor2D) : tf.matMul(sa, dy as tf.Tensor2D, true, false);
      return [tf.zerosLike(sa), db];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * a [m, k] × b [k, n] where a is data (input embeddings, one-hot rows) that never needs a gradient: the backward pass
 * skips dA = dY·bᵀ. For the retriever's first layers (5,120 history rows × 256 → 96, 2,816 candidates × 256 → 192)
 * that is 264M of its ~1.5G multiply-adds per step.
 */
export function matMulConstA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return constInputMatMul(a, b);
}

/** a [m, k] × bᵀ where b is [n, k]; the transpose is materialised so the forward pass is fast on wasm too. */
export function matMulBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return fastMatMul ? explicitTransposeMatMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** x [n, in] × w [in, out] (+ b [out]). */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = matMul(x, w);
  return b ? tf.add(y, b) : y;
}

const stopGradientOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** sg[x]: the value of x with zero gradient (tfjs has no tf.stopGradient). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/**
 * table[idx] as oneHot(idx, K) × table. tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks, and
 * gathering with indices from argMin of a variable fails on every backend (int32 gradient bug).
 */
export function oneHotLookup(idx: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const k = table.shape[0];
  return matMul(tf.oneHot(tf.cast(idx, 'int32'), k).toFloat() as tf.Tensor2D, table);
}

/** Row-wise L2 normalisation (cosine similarities become dot products). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  // eps inside the sqrt: d√s/ds is infinite at s = 0, and an all-zero row (a residual that k-means init put exactly
  // on a code) would turn inf · 0 into NaN for the whole batch (seen on Scientific at step 2).
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), eps)));
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded initialisers (tfjs initialisers have ignored `seed` in the past: use the project's Rng).

/** Glorot/Xavier uniform: U(-sqrt(6 / (fanIn + fanOut)), +...). shape = [fanIn, fanOut] (or [n] → fanIn = fanOut = n). */
export function glorotUniformValues(rng: Rng, shape: number[]): Float32Array {
  const fanIn = shape[0] ?? 1;
  const fanOut = shape.length > 1 ? shape[shape.length - 1]! : fanIn;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

export function glorotUniform(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(glorotUniformValues(rng, shape), shape, 'float32');
}

/** A trainable variable with Glorot-uniform values (or zeros when `zeros`). */
export function initVariable(rng: Rng | null, shape: number[]): tf.Variable {
  const values = rng ? glorotUniformValues(rng, shape) : new Float32Array(shape.reduce((a, b) => a * b, 1));
  // tf.variable keeps its initial-value tensor alive as a separate tensor: tidy frees it.
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true));
}

// ---------------------------------------------------------------------------------------------------------------
// Adam(W) with its state as plain variables, so a checkpoint restores it bit-exactly.

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW, as CAT-ID² uses); 0 = plain Adam. */
  weightDecay?: number;
}

/**
 * Adam / AdamW over a fixed list of variables. Written here instead of tf.train.adam because tf's keeps its bias
 * corrections in float32 variables updated by running products, which a restore recomputes with pow() — not
 * bit-identical, so a resumed run drifts from an uninterrupted one. Here the bias corrections are computed in
 * float64 from the step count, and the moments are saved and restored exactly.
 */
export class Adam {
  readonly vars: tf.Variable[];
  private m: tf.Variable[];
  private v: tf.Variable[];
  step = 0;
  lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(vars: tf.Variable[], opts: AdamOptions) {
    this.vars = vars;
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * Computes the gradients of lossFn over this.vars and applies one update. Returns the scalar loss tensor (and
   * any extra tensors lossFn returned) which the caller must dispose; everything else is freed here.
   */
  minimize(lossFn: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(lossFn, this.vars);
    this.applyGradients(this.vars.map((v) => grads[v.name] ?? null));
    tf.dispose(grads);
    return value;
  }

  applyGradients(grads: (tf.Tensor | null)[]): void {
    this.step++;
    const t = this.step;
    // Bias-corrected step size (Kingma & Ba, §2 end), in float64.
    const alpha = (this.lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    const decay = this.lr * this.weightDecay;
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const g = grads[i];
        if (!g) continue;
        const m = this.m[i]!;
        const v = this.v[i]!;
        const w = this.vars[i]!;
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        let w1 = tf.sub(w, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), this.eps)), alpha));
        if (decay > 0) w1 = tf.sub(w1, tf.mul(w, decay));
        w.assign(w1);
      }
    });
  }

  /** The moments, in the order m[0..n), v[0..n). */
  stateVariables(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  dispose(): void {
    tf.dispose(this.m);
    tf.dispose(this.v);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoint (de)serialisation: a little-endian container of float32 tensors plus a JSON header.
//   magic "SEMIDCK1" | u32 headerLength | header JSON (utf-8) | padding to 4 bytes | float32 data of every tensor
// The header holds { meta, tensors: [{ shape }] }; tensors are stored in list order.

const MAGIC = 'SEMIDCK1';

export interface PackedTensor {
  shape: number[];
  data: Float32Array;
}

export function packTensors(tensors: PackedTensor[], meta: Record<string, unknown>): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: tensors.map((t) => ({ shape: t.shape })) }));
  const headStart = MAGIC.length + 4;
  const dataStart = Math.ceil((headStart + header.length) / 4) * 4;
  const total = dataStart + tensors.reduce((a, t) => a + t.data.length * 4, 0);
  const out = new Uint8Array(total);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, headStart);
  let off = dataStart;
  for (const t of tensors) {
    // Copy through a byte view: the platform is little-endian (x86-64, arm64) and Float32Array uses native order.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), off);
    off += t.data.length * 4;
  }
  return out;
}

export function unpackTensors(bytes: Uint8Array): { meta: Record<string, unknown>; tensors: PackedTensor[] } {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new Error('checkpoint: bad magic (not a SemID tfjs checkpoint)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = view.getUint32(MAGIC.length, true);
  const headStart = MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(headStart, headStart + headLen))) as {
    meta: Record<string, unknown>;
    tensors: { shape: number[] }[];
  };
  let off = Math.ceil((headStart + headLen) / 4) * 4;
  const tensors = header.tensors.map(({ shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > bytes.byteLength) throw new Error('checkpoint: truncated tensor data');
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bytes.subarray(off, off + n * 4));
    off += n * 4;
    return { shape, data };
  });
  return { meta: header.meta, tensors };
}

/** Serialises variables (weights, then optimizer moments) plus JSON meta to bytes for a checkpoint artifact. */
export function serializeVariables(vars: tf.Variable[], meta: Record<string, unknown>): Uint8Array {
  return packTensors(
    vars.map((v) => ({ shape: v.shape, data: v.dataSync() as Float32Array })),
    meta,
  );
}

/** The JSON meta of a checkpoint, without reading its tensors (to check it matches before restoring). */
export function checkpointMeta(bytes: Uint8Array): Record<string, unknown> {
  return unpackTensors(bytes).meta;
}

/** Restores variables saved by serializeVariables (same list, same order, same shapes). Returns the meta. */
export function restoreVariables(vars: tf.Variable[], bytes: Uint8Array): Record<string, unknown> {
  const { meta, tensors } = unpackTensors(bytes);
  if (tensors.length !== vars.length) {
    throw new Error(`checkpoint: holds ${tensors.length} tensors, the model has ${vars.length}`);
  }
  vars.forEach((v, i) => {
    const t = tensors[i]!;
    if (t.shape.join('x') !== v.shape.join('x')) {
      throw new Error(`checkpoint: tensor ${i} has shape [${t.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  });
  return meta;
}

/** Saves an Adam optimizer with its variables: weights, moments and step count. */
export function serializeWithOptimizer(opt: Adam, meta: Record<string, unknown>): Uint8Array {
  return serializeVariables([...opt.vars, ...opt.stateVariables()], { ...meta, adamStep: opt.step, adamLr: opt.lr });
}

export function restoreWithOptimizer(opt: Adam, bytes: Uint8Array): Record<string, unknown> {
  const meta = restoreVariables([...opt.vars, ...opt.stateVariables()], bytes);
  opt.step = Number(meta.adamStep ?? 0);
  return meta;
}
