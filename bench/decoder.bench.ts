/**
 * Retrieval-decoder training step (condition tower + 2-block causal Transformer, d = 96, 4 heads, 8 ID layers of 256
 * tokens, batch 256, Adam) in our tfjs model vs the PyTorch reference of the same model (bench/decoder_ref.py,
 * Debian python3-torch + OpenBLAS), side by side; plus our step without the transpose-free matMul gradient.
 * Run: `npm run bench -- decoder` (or `npx tsx bench/run.ts decoder`).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RetrieverModel } from '../src/core/retrieval/model';
import { Adam, configureForBackend, setFastMatMul } from '../src/core/models/tfops';
import { Rng } from '../src/core/util/random';
import { initTf } from '../src/node/tf';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };
const B = 256;
const L = 8;
const K = 256;

function timeOurStep(seconds: number, minSteps: number): number {
  const model = new RetrieverModel({ task: 'general', dim: 256, d: 96, blocks: 2, heads: 4, idLayers: L, codebookSizes: Array(L).fill(K) as number[], H: 1, seed: 1 });
  const adam = new Adam(model.variables(), { lr: 1e-3 });
  const rng = new Rng(2);
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(B * 256), 0.06), [B, 256]);
  const ids = tf.tensor2d(Int32Array.from({ length: B * L }, () => rng.int(K)), [B, L], 'int32');
  const prefix = tf.slice(ids, [0, 0], [B, L - 1]) as tf.Tensor2D;
  const targets = Array.from({ length: L }, (_, l) => tf.oneHot(tf.reshape(tf.slice(ids, [0, l], [B, 1]), [B]), K).toFloat());
  const step = (): void => {
    const loss = tf.tidy(() =>
      adam.minimize(() => {
        const logits = model.decodeAll(model.encodeItems(x), prefix);
        return tf.div(tf.addN(logits.map((lg, l) => tf.losses.softmaxCrossEntropy(targets[l]!, lg))), L) as tf.Scalar;
      }),
    );
    loss.dataSync();
    loss.dispose();
  };
  try {
    for (let i = 0; i < 2; i++) step();
    const t0 = performance.now();
    let steps = 0;
    while (steps < minSteps || performance.now() - t0 < seconds * 1000) {
      step();
      steps++;
    }
    return steps / ((performance.now() - t0) / 1000);
  } finally {
    tf.dispose([x, ids, prefix, ...targets]);
    adam.dispose();
    model.dispose();
  }
}

function torchStepsPerSec(threads: number): { value: number | null; note: string } {
  const r = spawnSync('/usr/bin/python3', [resolve(import.meta.dirname, 'decoder_ref.py'), '--steps', '30', '--threads', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(Math.max(2, threads)) },
    timeout: 600_000,
  });
  if (r.status !== 0) return { value: null, note: `PyTorch reference unavailable (${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop() ?? 'no python3-torch'}); apt-get install -y python3-torch libopenblas0-pthread` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { steps_per_s: number; torch: string };
  return { value: j.steps_per_s, note: `torch ${j.torch}, ${threads} thread(s), OpenBLAS` };
}

export default async function (report: (row: Row) => void): Promise<void> {
  const { backend } = await initTf();
  configureForBackend();
  const fast = timeOurStep(8, 5);
  const torch1 = torchStepsPerSec(1);
  report({ name: `decoder train step (tfjs ${backend}, fast matMul grad) vs PyTorch 1 thread`, value: fast, unit: 'steps/s', ...(torch1.value != null ? { baseline: torch1.value } : {}), note: torch1.note });
  if (backend === 'wasm') {
    setFastMatMul(false);
    const plain = timeOurStep(8, 3);
    configureForBackend();
    report({ name: 'decoder train step: fast matMul grad vs plain tf.matMul grad (wasm)', value: fast, unit: 'steps/s', baseline: plain });
  }
}
