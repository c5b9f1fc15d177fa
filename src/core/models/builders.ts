/**
 * The `rqvae` (TIGER) and `catid2` (CAT-ID²) semantic-ID builders: one training loop, written as an async generator
 * that yields progress, per-epoch metrics and checkpoint artifacts, honours the AbortSignal between steps, resumes
 * from a checkpoint to the same IDs as an uninterrupted run (same seed, same backend), and returns the raw codes of
 * every item plus the last layer's code distances for the collision step (src/core/ids/collisions.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { JobEvent } from '../../shared/protocol';
import { throwIfAborted } from '../../shared/errors';
import type { DatasetArrays } from '../data/arrays';
import { informativeLevels } from '../ids/categories';
import type { BuildContext, BuildInput, BuildOptions, BuildResult, IdBuilder } from '../ids/types';
import { kmeans } from '../kernels/kmeans';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';
import type { HcclLevel } from './catid2Losses';
import { RqvaeModel, sqDistances, type RqvaeConfig } from './rqvae';
import { Adam, checkpointMeta, configureForBackend, oneHotLookup, restoreWithOptimizer, serializeWithOptimizer } from './tfops';

export type QuantizerMethod = 'rqvae' | 'catid2';

/**
 * Epochs when BuildOptions.epochs is not given (the CLI's default). Estimate from the platform note's 4.1 steps/s for
 * the 768-d, batch-1024 step on wasm (our 256-d input is cheaper): a Scientific epoch is 5 steps (~1 s), so 100
 * epochs is ~2 min on Scientific and ~5 min on Beauty (12 steps/epoch); tests pass a smaller budget.
 */
export const DEFAULT_EPOCHS = 100;

function num(extra: Record<string, unknown>, key: string, dflt: number): number {
  const v = extra[key];
  if (v == null) return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`option "${key}" must be a number, got ${String(v)}`);
  return n;
}

function bool(extra: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = extra[key];
  if (v == null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw new Error(`option "${key}" must be true or false, got ${String(v)}`);
}

function intList(extra: Record<string, unknown>, key: string, dflt: number[]): number[] {
  const v = extra[key];
  if (v == null) return dflt;
  const list = Array.isArray(v) ? v : String(v).split(',').filter((s) => s.trim() !== '');
  const out = list.map(Number);
  if (out.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`option "${key}" must be positive integers, got ${String(v)}`);
  return out;
}

/**
 * Resolves the model config from BuildOptions (extra keys: hidden "512,256", latent, lr, weightDecay, batch,
 * commitment, checkpointEvery, deadCodeReinit, kmeansInit, hccl, cscl, disl, alpha, beta, gamma, temperature,
 * categoryDepth). CAT-ID²'s defaults are the paper's (§4.1): alpha 0.1, beta 0.0001, gamma 1.0.
 */
export function resolveConfig(method: QuantizerMethod, dim: number, opts: BuildOptions): RqvaeConfig {
  const x = opts.extra ?? {};
  const cat = method === 'catid2';
  const cfg: RqvaeConfig = {
    inputDim: dim,
    hidden: intList(x, 'hidden', [512, 256]),
    latent: num(x, 'latent', 64),
    layers: opts.layers,
    codebook: opts.codebook,
    commitment: num(x, 'commitment', 0.25),
    lr: num(x, 'lr', 1e-3),
    weightDecay: num(x, 'weightDecay', 0),
    batch: num(x, 'batch', 1024),
    epochs: opts.epochs ?? DEFAULT_EPOCHS,
    checkpointEvery: num(x, 'checkpointEvery', 10),
    deadCodeReinit: bool(x, 'deadCodeReinit', true),
    kmeansInit: bool(x, 'kmeansInit', true),
    hccl: cat && bool(x, 'hccl', true),
    cscl: cat && bool(x, 'cscl', true),
    disl: cat && bool(x, 'disl', true),
    keepRecon: bool(x, 'keepRecon', false),
    alpha: num(x, 'alpha', 0.1),
    beta: num(x, 'beta', 0.0001),
    gamma: num(x, 'gamma', 1.0),
    temperature: num(x, 'temperature', 0.1),
    categoryDepth: num(x, 'categoryDepth', 3),
  };
  if (cfg.layers < 1 || cfg.codebook < 2) throw new Error(`${method}: needs layers ≥ 1 and codebook ≥ 2`);
  if (!Number.isInteger(cfg.batch) || cfg.batch < 2) throw new Error(`${method}: batch must be an integer ≥ 2`);
  if (cfg.temperature <= 0) throw new Error(`${method}: temperature must be > 0`);
  return cfg;
}

/** The part of the config a checkpoint must match to be resumed (epochs and checkpointEvery may change). */
function configKey(method: QuantizerMethod, cfg: RqvaeConfig): string {
  const { epochs: _e, checkpointEvery: _c, ...rest } = cfg;
  return JSON.stringify({ method, ...rest });
}

/**
 * The category levels HCCL ties to quantizer layers 0..H-1: the informative levels (a constant root such as Amazon's
 * "Industrial & Scientific" carries no information and is skipped, as in the audit), truncated to
 * H = min(categoryDepth, layers − 1), since §3.1 requires H < L.
 */
export function hcclLevels(data: DatasetArrays, cfg: RqvaeConfig): number[] {
  return informativeLevels(data).slice(0, Math.max(0, Math.min(cfg.categoryDepth, cfg.layers - 1)));
}

function batchLevels(data: DatasetArrays, levels: number[], rows: Int32Array): HcclLevel[] {
  const col = (lv: number): Int32Array => {
    const a = new Int32Array(rows.length);
    for (let r = 0; r < rows.length; r++) a[r] = data.categoryLevels[rows[r]! * data.depth + lv]!;
    return a;
  };
  return levels.map((lv, l) => ({ category: col(lv), parent: l > 0 ? col(levels[l - 1]!) : null }));
}

/** r minus its nearest entry of codebook cb (the residual entering the next layer); disposes r. */
function nextResidual(r: tf.Tensor2D, cb: tf.Variable): tf.Tensor2D {
  const next = tf.tidy(() => {
    const idx = tf.argMin(sqDistances(r, cb as tf.Tensor2D), 1) as tf.Tensor1D;
    return tf.sub(r, oneHotLookup(idx, cb as tf.Tensor2D)) as tf.Tensor2D;
  });
  r.dispose();
  return next;
}

/** k-means initialisation of every codebook on the residuals of one batch (TIGER §3.1). */
function kmeansInitCodebooks(model: RqvaeModel, xb: tf.Tensor2D, rng: Rng): void {
  const { latent, codebook: K, layers } = model.cfg;
  let r = tf.tidy(() => model.encode(xb));
  try {
    for (let l = 0; l < layers; l++) {
      const rows = r.shape[0];
      const data = r.dataSync() as Float32Array;
      const res = kmeans(data, latent, null, rows, Math.min(K, rows), rng, { iters: 20 });
      const cent = new Float32Array(K * latent);
      cent.set(res.centroids);
      // Fewer rows than codes: the extra codes start on random rows plus a little noise (dead-code re-init fixes them).
      for (let k = res.centroids.length / latent; k < K; k++) {
        const src = rng.int(rows) * latent;
        for (let t = 0; t < latent; t++) cent[k * latent + t] = data[src + t]! + 1e-3 * rng.normal();
      }
      const cb = model.codebooks[l]!;
      tf.tidy(() => cb.assign(tf.tensor2d(cent, [K, latent])));
      r = nextResidual(r, cb);
    }
  } finally {
    r.dispose();
  }
}

/**
 * Dead-code re-initialisation: each code of layer l unused during the epoch is moved onto a random residual of
 * layer l from a random batch (layers in order, so layer l+1 sees residuals of the repaired layer l).
 * Returns the number of codes re-seeded per layer.
 */
function reinitDeadCodes(model: RqvaeModel, X: tf.Tensor2D, usage: Int32Array[], rng: Rng): number[] {
  const { latent, codebook: K, layers, batch } = model.cfg;
  const n = X.shape[0];
  const dead = usage.map((u) => {
    const d: number[] = [];
    for (let k = 0; k < K; k++) if (u[k] === 0) d.push(k);
    return d;
  });
  if (dead.every((d) => d.length === 0)) return dead.map(() => 0);
  const perm = rng.permutation(n).subarray(0, Math.min(batch, n));
  const xb = tf.tidy(() => tf.gather(X, tf.tensor1d(perm, 'int32')) as tf.Tensor2D);
  let r = tf.tidy(() => model.encode(xb));
  try {
    for (let l = 0; l < layers; l++) {
      const cb = model.codebooks[l]!;
      if (dead[l]!.length > 0) {
        const rows = r.shape[0];
        const data = r.dataSync() as Float32Array;
        const cent = (cb.dataSync() as Float32Array).slice();
        for (const k of dead[l]!) {
          const src = rng.int(rows) * latent;
          cent.set(data.subarray(src, src + latent), k * latent);
        }
        tf.tidy(() => cb.assign(tf.tensor2d(cent, [K, latent])));
      }
      if (l === layers - 1) break;
      r = nextResidual(r, cb);
    }
  } finally {
    r.dispose();
    xb.dispose();
  }
  return dead.map((d) => d.length);
}

/** Codes of every item (n x L) and squared distances of each item to every last-layer code (n x K). */
export function encodeAll(model: RqvaeModel, X: tf.Tensor2D, chunk = 2048): { codes: Int32Array; lastSqDist: Float32Array; latent: Float32Array } {
  const { layers: L, codebook: K, latent: D } = model.cfg;
  const n = X.shape[0];
  const codes = new Int32Array(n * L);
  const lastSqDist = new Float32Array(n * K);
  const latent = new Float32Array(n * D);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    // Return tensors from tidy and read them outside: reading inside tidy walks the result (~10x slower).
    const [c, d, z] = tf.tidy(() => {
      const q = model.quantize(tf.slice(X, [s, 0], [e - s, -1]));
      return [tf.stack(q.codes, 1), q.lastSqDist, q.residuals[0]!];
    });
    const cd = c!.dataSync();
    codes.set(cd, s * L);
    lastSqDist.set(d!.dataSync(), s * K);
    latent.set(z!.dataSync() as Float32Array, s * D);
    tf.dispose([c!, d!, z!]);
  }
  return { codes, lastSqDist, latent };
}

interface StepOut {
  terms: Record<string, number>;
  codes: Int32Array;
}

/**
 * The batch rows of X as a tensor. From a Float32Array (row-major, model.cfg.inputDim wide) the rows are copied in JS:
 * wasm's GatherV2 took ~5 % of an RQ-VAE step for the 1024 x 768 batch (tf.profile), a JS row copy well under 1 %.
 */
function batchRows(X: tf.Tensor2D | Float32Array, dim: number, rows: Int32Array): tf.Tensor2D {
  if (!(X instanceof Float32Array)) return tf.gather(X, tf.tensor1d(rows, 'int32'));
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  return tf.tensor2d(out, [rows.length, dim]);
}

/**
 * One optimisation step on rows of X (a tensor, or the item embeddings as a row-major Float32Array), entirely inside
 * tf.tidy; returns the loss terms and the codes used.
 */
export function trainStep(model: RqvaeModel, adam: Adam, X: tf.Tensor2D | Float32Array, rows: Int32Array, hccl: HcclLevel[] | null): StepOut {
  let names: string[] = [];
  // Tensors made inside the loss function live in the gradient's own tidy: tf.keep them out, dispose them here.
  let kept: tf.Tensor[] = [];
  const termsT = tf.tidy(() => {
    const xb = batchRows(X, model.cfg.inputDim, rows);
    const total = adam.minimize(() => {
      const out = model.forward(xb, hccl);
      names = Object.keys(out.terms);
      kept = [tf.keep(tf.stack(Object.values(out.terms))), tf.keep(tf.stack(out.codes, 0))];
      return out.total;
    });
    return tf.concat([tf.reshape(total, [1]), kept[0]!]);
  });
  const tv = termsT.dataSync();
  const codes = kept[1]!.dataSync() as Int32Array;
  tf.dispose([termsT, ...kept]);
  const terms: Record<string, number> = { loss: tv[0]! };
  names.forEach((nm, i) => (terms[nm] = tv[i + 1]!));
  return { terms, codes };
}

/**
 * Trains an RQ-VAE (or CAT-ID²) on the item embeddings and returns the raw codes. Checkpoints hold the weights,
 * the Adam moments and step, the Rng state and the number of finished epochs, taken at epoch boundaries, so a
 * resumed run replays exactly the epochs an uninterrupted run would.
 */
export async function* trainQuantizer(
  method: QuantizerMethod,
  input: BuildInput,
  opts: BuildOptions,
  ctx: BuildContext,
): AsyncGenerator<JobEvent, BuildResult, void> {
  const { data, embeddings, dim } = input;
  const n = data.nItems;
  if (embeddings.length < n * dim) throw new Error(`${method}: embeddings hold ${embeddings.length / dim} rows, dataset has ${n} items`);
  const cfg = resolveConfig(method, dim, opts);
  const backend = configureForBackend();
  const key = configKey(method, cfg);
  const rng = new Rng(opts.seed);
  const model = new RqvaeModel(cfg, rng);
  const adam = new Adam(model.variables(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  const X = tf.tensor2d(embeddings.subarray(0, n * dim), [n, dim]);
  const levels = cfg.hccl ? hcclLevels(data, cfg) : [];
  const K = cfg.codebook;
  const L = cfg.layers;
  const B = Math.min(cfg.batch, n);
  const stepsPerEpoch = Math.ceil(n / B);
  const history: Record<string, number>[] = [];
  let startEpoch = 0;
  try {
    if (ctx.resume) {
      if (checkpointMeta(ctx.resume.data).configKey !== key) {
        throw new Error(`${method}: the checkpoint was made with a different configuration; cannot resume`);
      }
      const meta = restoreWithOptimizer(adam, ctx.resume.data);
      rng.setState(meta.rng as number[]);
      startEpoch = Number(meta.epoch);
      yield { type: 'log', level: 'info', message: `${method}: resumed at epoch ${startEpoch} (step ${adam.step})` };
    }
    yield {
      type: 'log',
      level: 'info',
      message:
        `${method}: ${n} items, dim ${dim} → ${cfg.hidden.join('-')} → ${cfg.latent}, L=${L}, K=${K}, batch ${B}, ` +
        `${cfg.epochs} epochs on ${backend}` +
        (method === 'catid2'
          ? `; HCCL ${cfg.hccl ? `on levels [${levels.map((l) => l + 1).join(', ')}]` : 'off'}, CSCL ${cfg.cscl ? 'on' : 'off'}, DisL ${cfg.disl ? 'on' : 'off'}`
          : ''),
    };
    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      const perm = rng.permutation(n);
      if (epoch === 0 && cfg.kmeansInit) {
        const xb = tf.tidy(() => tf.gather(X, tf.tensor1d(perm.subarray(0, B), 'int32')) as tf.Tensor2D);
        try {
          kmeansInitCodebooks(model, xb, rng);
        } finally {
          xb.dispose();
        }
      }
      const usage = Array.from({ length: L }, () => new Int32Array(K));
      const sums: Record<string, number> = {};
      for (let s = 0; s < stepsPerEpoch; s++) {
        throwIfAborted(ctx.signal);
        const rows = perm.subarray(s * B, Math.min(n, (s + 1) * B));
        const out = trainStep(model, adam, embeddings, rows, levels.length > 0 ? batchLevels(data, levels, rows) : null);
        for (const [k, v] of Object.entries(out.terms)) sums[k] = (sums[k] ?? 0) + v;
        const m = rows.length;
        for (let l = 0; l < L; l++) for (let i = 0; i < m; i++) usage[l]![out.codes[l * m + i]!]!++;
        if (!Number.isFinite(out.terms.loss!)) throw new Error(`${method}: loss became ${out.terms.loss} at step ${adam.step}`);
        await yieldToLoop();
      }
      const values: Record<string, number> = { epoch: epoch + 1 };
      for (const [k, v] of Object.entries(sums)) values[k] = v / stepsPerEpoch;
      usage.forEach((u, l) => (values[`utilization_l${l + 1}`] = u.reduce((a, c) => a + (c > 0 ? 1 : 0), 0) / K));
      if (cfg.deadCodeReinit && epoch < cfg.epochs - 1) {
        reinitDeadCodes(model, X, usage, rng).forEach((d, l) => (values[`reinit_l${l + 1}`] = d));
      }
      history.push(values);
      yield { type: 'metrics', step: adam.step, values };
      yield { type: 'progress', phase: method, done: epoch + 1, total: cfg.epochs, message: `epoch ${epoch + 1}/${cfg.epochs}, loss ${values.loss!.toFixed(4)}` };
      if (cfg.checkpointEvery > 0 && (epoch + 1) % cfg.checkpointEvery === 0 && epoch + 1 < cfg.epochs) {
        const meta = { method, epoch: epoch + 1, configKey: key, rng: rng.getState(), backend };
        yield {
          type: 'artifact',
          artifact: {
            kind: 'checkpoint',
            runId: ctx.runId,
            step: adam.step,
            epoch: epoch + 1,
            meta: { method, backend, configKey: key },
            data: serializeWithOptimizer(adam, meta),
          },
        };
      }
      await yieldToLoop();
    }
    throwIfAborted(ctx.signal);
    yield { type: 'progress', phase: 'encode', done: 0, total: n, message: 'assigning codes to all items' };
    const { codes, lastSqDist, latent } = encodeAll(model, X);
    const utilization: number[] = [];
    for (let l = 0; l < L; l++) {
      const used = new Uint8Array(K);
      for (let i = 0; i < n; i++) used[codes[i * L + l]!] = 1;
      utilization.push(used.reduce((a, b) => a + b, 0) / K);
    }
    const last = history[history.length - 1] ?? {};
    return {
      codes,
      layers: L,
      codebookSizes: Array<number>(L).fill(K),
      lastLayerDistances: lastSqDist,
      encoderOutputs: { dim: cfg.latent, data: latent },
      summary: {
        method,
        backend,
        epochs: cfg.epochs,
        steps: adam.step,
        resumedFromEpoch: ctx.resume ? startEpoch : null,
        finalLosses: last,
        firstEpochLoss: history[0]?.loss ?? null,
        utilization,
        hcclLevels: levels.map((l) => l + 1),
        config: JSON.parse(key) as unknown,
      },
    };
  } finally {
    model.dispose();
    adam.dispose();
    X.dispose();
  }
}

export const rqvaeBuilder: IdBuilder = (input, opts, ctx) => trainQuantizer('rqvae', input, opts, ctx);
export const catid2Builder: IdBuilder = (input, opts, ctx) => trainQuantizer('catid2', input, opts, ctx);
