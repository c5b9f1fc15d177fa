/**
 * One RQ-VAE training step (encoder 768-512-256-64, 3 codebooks 256 x 64, decoder mirror, batch 1024, Adam) in our
 * tfjs trainer vs the PyTorch reference of the same model (bench/rqvae_ref.py, Debian python3-torch + OpenBLAS),
 * side by side in the same run; plus our step with and without the transpose-free matMul gradient.
 * Run: `npm run bench -- rqvae` (or `npx tsx bench/run.ts rqvae`).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { trainStep } from '../src/core/models/builders';
import { RqvaeModel, type RqvaeConfig } from '../src/core/models/rqvae';
import { Adam, configureForBackend, setFastMatMul } from '../src/core/models/tfops';
import { Rng } from '../src/core/util/random';
import { initTf } from '../src/node/tf';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

const PYTHON = '/usr/bin/python3';
const BATCH = 1024;

const CFG: RqvaeConfig = {
  inputDim: 768,
  hidden: [512, 256],
  latent: 64,
  layers: 3,
  codebook: 256,
  commitment: 0.25,
  lr: 1e-3,
  weightDecay: 0,
  batch: BATCH,
  epochs: 1,
  checkpointEvery: 0,
  deadCodeReinit: false,
  kmeansInit: false,
  hccl: false,
  cscl: false,
  disl: false,
  keepRecon: false,
  alpha: 0.1,
  beta: 0.0001,
  gamma: 1,
  temperature: 0.1,
  categoryDepth: 3,
};

/** Steps/s of our step: `warmup` untimed steps, then steps until `seconds` have passed (at least `minSteps`). */
function timeOurStep(seconds: number, minSteps: number): number {
  const rng = new Rng(1);
  const model = new RqvaeModel(CFG, rng);
  const adam = new Adam(model.variables(), { lr: CFG.lr });
  const x = rng.fillNormal(new Float32Array(BATCH * 768));
  const X = tf.tidy(() => {
    const t = tf.tensor2d(x, [BATCH, 768]);
    return tf.div(t, tf.norm(t, 2, 1, true)) as tf.Tensor2D;
  });
  // The trainer's own path: batches are copied from the row-major embeddings in JS (src/core/models/builders.ts).
  const XA = X.dataSync() as Float32Array;
  const rows = Int32Array.from({ length: BATCH }, (_, i) => i);
  try {
    for (let i = 0; i < 2; i++) trainStep(model, adam, XA, rows, null);
    const t0 = performance.now();
    let steps = 0;
    while (steps < minSteps || performance.now() - t0 < seconds * 1000) {
      trainStep(model, adam, XA, rows, null);
      steps++;
    }
    return steps / ((performance.now() - t0) / 1000);
  } finally {
    model.dispose();
    adam.dispose();
    X.dispose();
  }
}

/** Steps/s of the PyTorch reference, or a reason why it could not run. */
export function torchReference(steps: number): { stepsPerS: number; version: string } | { error: string } {
  const script = resolve(import.meta.dirname, 'rqvae_ref.py');
  const r = spawnSync(PYTHON, [script, '--steps', String(steps)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '2' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.error) return { error: `${PYTHON} not runnable: ${r.error.message}` };
  if (r.status !== 0) {
    const msg = /No module named 'torch'/.test(r.stderr)
      ? 'python3-torch is not installed (apt-get install -y python3-torch libopenblas0-pthread)'
      : r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
    return { error: msg };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { steps_per_s: number; torch: string };
  return { stepsPerS: out.steps_per_s, version: out.torch };
}

export default async function (report: (row: Row) => void): Promise<void> {
  const { backend } = await initTf();
  const fast = configureForBackend() === 'wasm';
  const ours = timeOurStep(10, 5);
  const ref = torchReference(20);
  const shape = '768-512-256-64, 3x256x64 codebooks, batch 1024, Adam';
  if ('error' in ref) {
    report({ name: `rqvae train step, tfjs ${backend}`, value: ours, unit: 'steps/s', note: `${shape}; PyTorch baseline skipped: ${ref.error}` });
  } else {
    report({
      name: `rqvae train step, tfjs ${backend} vs PyTorch ${ref.version} CPU (OpenBLAS, 1 thread)`,
      value: ours,
      unit: 'steps/s',
      baseline: ref.stepsPerS,
      note: `${shape}; ratio ours/PyTorch = ${(ours / ref.stepsPerS).toFixed(2)}`,
    });
  }
  if (fast) {
    setFastMatMul(false);
    const plain = timeOurStep(5, 2);
    setFastMatMul(true);
    report({
      name: 'rqvae train step, wasm: transpose-free matMul gradient vs tf.matMul gradient',
      value: ours,
      unit: 'steps/s',
      baseline: plain,
      note: `speed-up ${(ours / plain).toFixed(1)}x`,
    });
  }
}
