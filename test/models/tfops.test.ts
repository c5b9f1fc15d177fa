import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  dense,
  glorotUniformValues,
  matMul,
  matMulBT,
  matMulConstA,
  oneHotLookup,
  packTensors,
  restoreWithOptimizer,
  serializeWithOptimizer,
  setFastMatMul,
  stopGradient,
  unpackTensors,
} from '../../src/core/models/tfops';
import { Rng } from '../../src/core/util/random';
import { useBackend } from './backend';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function seeded(rng: Rng, shape: [number, number]): tf.Tensor2D {
  return tf.tensor(rng.fillNormal(new Float32Array(shape[0]! * shape[1]!)), shape) as tf.Tensor2D;
}

describe.each(['wasm', 'cpu'] as const)('tfops on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => setFastMatMul(false));

  it('the transpose-free matMul has the same value and gradients as tf.matMul', () => {
    const rng = new Rng(1);
    const a = seeded(rng, [37, 23]);
    const b = seeded(rng, [23, 11]);
    const dy = seeded(rng, [37, 11]);
    const lossWith = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), dy));
    setFastMatMul(true);
    const [ga, gb] = tf.grads(lossWith(matMul))([a, b]);
    const fastValue = matMul(a, b);
    setFastMatMul(false);
    const [ra, rb] = tf.grads(lossWith((x, y) => tf.matMul(x, y)))([a, b]);
    expect(maxAbsDiff(fastValue, tf.matMul(a, b))).toBeLessThan(1e-5);
    expect(maxAbsDiff(ga!, ra!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(gb!, rb!)).toBeLessThan(1e-4);
    // a·bᵀ form
    setFastMatMul(true);
    const [gbt] = tf.grads((y: tf.Tensor) => tf.sum(tf.mul(matMulBT(a, y as tf.Tensor2D), dy)))([tf.transpose(b)]);
    setFastMatMul(false);
    expect(maxAbsDiff(tf.transpose(gbt!), rb!)).toBeLessThan(1e-4);
    tf.dispose([a, b, dy, ga!, gb!, ra!, rb!, gbt!, fastValue]);
  });

  it('matMulConstA has tf.matMul\'s value and weight gradient and a zero data gradient, with either gradient form', () => {
    const rng = new Rng(3);
    const a = seeded(rng, [29, 17]);
    const b = seeded(rng, [17, 13]);
    const dy = seeded(rng, [29, 13]);
    const [, rb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dy)))([a, b]);
    for (const fast of [true, false]) {
      setFastMatMul(fast);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulConstA(x as tf.Tensor2D, y as tf.Tensor2D), dy)))([a, b]);
      const v = matMulConstA(a, b);
      expect(maxAbsDiff(v, tf.matMul(a, b))).toBeLessThan(1e-5);
      expect(maxAbsDiff(gb!, rb!)).toBeLessThan(1e-4);
      expect(tf.tidy(() => tf.max(tf.abs(ga!)).dataSync()[0])).toBe(0);
      tf.dispose([ga!, gb!, v]);
    }
    setFastMatMul(false);
    tf.dispose([a, b, dy, rb!]);
  });

  it('stopGradient passes the value and blocks the gradient', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.add(tf.square(v), tf.mul(stopGradient(v), 10))))([x]);
    expect(Array.from(g!.dataSync())).toEqual([2, 4, 6, 8]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([x, g!]);
  });

  it('oneHotLookup equals gather and scatters its gradient onto the chosen rows', () => {
    setFastMatMul(backend === 'wasm');
    const rng = new Rng(2);
    const table = seeded(rng, [6, 4]);
    const idx = tf.tensor1d([5, 0, 5, 2], 'int32');
    expect(maxAbsDiff(oneHotLookup(idx, table), tf.gather(table, idx))).toBe(0);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(oneHotLookup(idx, t as tf.Tensor2D)))([table]);
    // row 5 picked twice, rows 0 and 2 once, others never
    expect(Array.from(tf.sum(g!, 1).dataSync())).toEqual([4, 0, 4, 0, 0, 8]);
    setFastMatMul(false);
    tf.dispose([table, idx, g!]);
  });

  it('a warm Adam step over dense layers leaks no tensor', () => {
    setFastMatMul(backend === 'wasm');
    const rng = new Rng(3);
    const w = tf.variable(tf.tensor2d(glorotUniformValues(rng, [8, 4]), [8, 4]));
    const b = tf.variable(tf.zeros([4]));
    const x = seeded(rng, [16, 8]);
    const adam = new Adam([w, b], { lr: 0.01 });
    const step = (): void => tf.tidy(() => void adam.minimize(() => tf.mean(tf.square(dense(x, w as tf.Tensor2D, b as tf.Tensor1D)))));
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    tf.dispose([w, b, x]);
    setFastMatMul(false);
  });
});

describe('checkpoint serialisation', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('packs and unpacks tensors and meta exactly', () => {
    const t = [
      { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, Number.MIN_VALUE, 1e30, -0]) },
      { shape: [1], data: Float32Array.from([Math.PI]) },
    ];
    const back = unpackTensors(packTensors(t, { epoch: 7, name: 'ünïcode' }));
    expect(back.meta).toEqual({ epoch: 7, name: 'ünïcode' });
    expect(back.tensors.map((x) => x.shape)).toEqual([[2, 3], [1]]);
    expect(Array.from(back.tensors[0]!.data)).toEqual(Array.from(t[0]!.data));
    expect(back.tensors[1]!.data[0]).toBe(Math.fround(Math.PI));
    expect(() => unpackTensors(new Uint8Array(16))).toThrow(/bad magic/);
  });

  it('Adam restored from a checkpoint continues bit-identically', () => {
    const rng = new Rng(4);
    const init = glorotUniformValues(rng, [5, 3]);
    const x = seeded(rng, [7, 5]);
    const run = (w: tf.Variable, adam: Adam, steps: number): void => {
      for (let s = 0; s < steps; s++) tf.tidy(() => void adam.minimize(() => tf.sum(tf.square(tf.sin(matMul(x, w as tf.Tensor2D))))));
    };
    const wA = tf.variable(tf.tensor2d(init, [5, 3]));
    const adamA = new Adam([wA], { lr: 0.05, weightDecay: 0.01 });
    run(wA, adamA, 3);
    const ck = serializeWithOptimizer(adamA, { epoch: 3 });
    run(wA, adamA, 4);
    const wB = tf.variable(tf.zeros([5, 3]));
    const adamB = new Adam([wB], { lr: 0.05, weightDecay: 0.01 });
    expect(restoreWithOptimizer(adamB, ck).epoch).toBe(3);
    expect(adamB.step).toBe(3);
    run(wB, adamB, 4);
    expect(Array.from(wB.dataSync())).toEqual(Array.from(wA.dataSync()));
    adamA.dispose();
    adamB.dispose();
    tf.dispose([wA, wB, x]);
  });
});
