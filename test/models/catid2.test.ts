/**
 * CAT-ID²: the three losses on hand-made batches (each property is one the loss must have), the ablation switches,
 * and on real Scientific data: layer-1 category purity of catid2 above rqvae with the same seed and budget.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { informativeLevels } from '../../src/core/ids/categories';
import type { BuildOptions } from '../../src/core/ids/types';
import { catid2Builder, hcclLevels, resolveConfig, rqvaeBuilder } from '../../src/core/models/builders';
import { clusterScaleConstraintLoss, dispersionLoss, hcclMasks, hierarchicalClassConstraintLoss } from '../../src/core/models/catid2Losses';
import { Rng } from '../../src/core/util/random';
import { syntheticCatalog } from '../ids/synthetic';
import { hasScientific } from '../helpers/paths';
import { scientificWithEmbeddings } from '../helpers/realData';
import { useBackend } from './backend';
import { build, buildKilledAfterEpoch, collisionRate, epochMetrics, purity } from './quantizers';

const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('CAT-ID² losses (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('HCCL (Eq. 4) is lower when same-category residuals point the same way', () => {
    const category = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2]);
    const rng = new Rng(1);
    const dirs = [rng.fillNormal(new Float32Array(4)), rng.fillNormal(new Float32Array(4)), rng.fillNormal(new Float32Array(4))];
    const grouped = tf.tensor2d(Array.from(category).map((c) => Array.from(dirs[c]!, (v) => v + 0.05 * rng.normal())));
    const random = tf.tensor2d(Array.from(category).map(() => Array.from(rng.fillNormal(new Float32Array(4)))));
    const lg = scalar(hierarchicalClassConstraintLoss(grouped, { category, parent: null }, 0.1));
    const lr = scalar(hierarchicalClassConstraintLoss(random, { category, parent: null }, 0.1));
    expect(lg).toBeLessThan(lr);
    expect(lg).toBeGreaterThan(0);
    tf.dispose([grouped, random]);
  });

  it('HCCL from layer 2 on contrasts only hard negatives (same parent, other category)', () => {
    // parents: items 0-3 under P0 (categories 10, 10, 11, 11); items 4-5 under P1 (categories 12, 12).
    const level = { category: Int32Array.from([10, 10, 11, 11, 12, 12]), parent: Int32Array.from([0, 0, 0, 0, 1, 1]) };
    const rng = new Rng(2);
    const base = Array.from({ length: 6 }, () => Array.from(rng.fillNormal(new Float32Array(5))));
    const moved = base.map((r, i) => (i >= 4 ? r.map((v) => -v * 3) : r));
    const movedHard = base.map((r, i) => (i === 2 ? r.map((v) => -v * 3) : r));
    const at = (rows: number[][]): number => {
      const t = tf.tensor2d(rows);
      const v = scalar(hierarchicalClassConstraintLoss(t, level, 0.5));
      t.dispose();
      return v;
    };
    const l0 = at(base);
    // Items 4-5 are not hard negatives of items 0-3 (other parent): moving them changes only their own term...
    // ...and they have no hard negative at all (both category 12 under P1), so they are skipped: the loss is unchanged.
    expect(at(moved)).toBeCloseTo(l0, 6);
    // Moving item 2 (a hard negative of items 0-1 and an anchor itself) changes it.
    expect(Math.abs(at(movedHard) - l0)).toBeGreaterThan(1e-3);
  });

  it('CSCL (Eq. 5) is 0 for a uniform batch-mean assignment and grows with collapse', () => {
    const uniform = tf.zeros([6, 4]) as tf.Tensor2D;
    expect(scalar(clusterScaleConstraintLoss(uniform))).toBeCloseTo(0, 6);
    // Every item far from all codes but code 0: the mean distribution collapses onto code 0.
    const collapsed = tf.tensor2d(Array.from({ length: 6 }, () => [0, 9, 9, 9]));
    const half = tf.tensor2d(Array.from({ length: 6 }, (_, i) => (i % 2 ? [0, 9, 9, 9] : [9, 0, 9, 9])));
    const lc = scalar(clusterScaleConstraintLoss(collapsed));
    const lh = scalar(clusterScaleConstraintLoss(half));
    expect(lc).toBeGreaterThan(lh);
    expect(lh).toBeGreaterThan(0.1);
    tf.dispose([uniform, collapsed, half]);
  });

  it('DisL (Eq. 7) is lowest when each reconstruction matches its own embedding', () => {
    const rng = new Rng(3);
    const d = tf.tensor2d(Array.from({ length: 8 }, () => Array.from(rng.fillNormal(new Float32Array(16)))));
    const shifted = tf.concat([tf.slice(d, [1, 0], [7, -1]), tf.slice(d, [0, 0], [1, -1])]) as tf.Tensor2D;
    const own = scalar(dispersionLoss(d, d, 0.1));
    const other = scalar(dispersionLoss(shifted, d, 0.1));
    expect(own).toBeLessThan(0.5);
    expect(other).toBeGreaterThan(own + 1);
    tf.dispose([d, shifted]);
  });

  it.each(['cpu', 'wasm'] as const)(
    'HCCL and DisL (fast log-sum-exp, no gradient to the data side) equal the plain tf.logSumExp formulas and gradients (%s)',
    async (backend) => {
      await useBackend(backend);
      try {
        const rng = new Rng(5);
        const B = 96;
        const r = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(B * 12)), [B, 12]));
        const o = tf.tensor2d(rng.fillNormal(new Float32Array(B * 12)), [B, 12]);
        const l1 = Int32Array.from({ length: B }, () => rng.int(4));
        const l2 = Int32Array.from(l1, (c) => c * 3 + rng.int(3));
        const unit = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12)));
        // Eq. (4) and (7) written with tf.logSumExp and tf.matMul(…, transposeB): the reference the fast forms must match.
        const hcclRef = (level: { category: Int32Array; parent: Int32Array | null }): tf.Scalar => {
          const m = hcclMasks(level, B);
          const u = unit(r);
          const logits = tf.div(tf.matMul(u, u, false, true), 0.1);
          const lse = tf.logSumExp(tf.add(logits, tf.tensor2d(m.denominator, [B, B])), 1);
          const pos = tf.div(tf.sum(tf.mul(logits, tf.tensor2d(m.positive, [B, B])), 1), tf.tensor1d(m.nPos));
          return tf.div(tf.sum(tf.mul(tf.sub(lse, pos), tf.tensor1d(m.valid))), Math.max(m.nValid, 1)) as tf.Scalar;
        };
        const dislRef = (): tf.Scalar => {
          const a = unit(r);
          const b = unit(o);
          return tf.mean(tf.sub(tf.logSumExp(tf.div(tf.matMul(a, b, false, true), 0.1), 1), tf.div(tf.sum(tf.mul(a, b), 1), 0.1))) as tf.Scalar;
        };
        const cases: [string, () => tf.Scalar, () => tf.Scalar][] = [
          ['hccl layer 1', () => hierarchicalClassConstraintLoss(r, { category: l1, parent: null }, 0.1), () => hcclRef({ category: l1, parent: null })],
          ['hccl layer 2', () => hierarchicalClassConstraintLoss(r, { category: l2, parent: l1 }, 0.1), () => hcclRef({ category: l2, parent: l1 })],
          ['disl', () => dispersionLoss(r, o, 0.1), dislRef],
        ];
        for (const [name, fast, ref] of cases) {
          const a = tf.variableGrads(fast, [r]);
          const b = tf.variableGrads(ref, [r]);
          expect(a.value.dataSync()[0], name).toBeCloseTo(b.value.dataSync()[0]!, 5);
          const ga = a.grads[r.name]!.dataSync();
          const gb = b.grads[r.name]!.dataSync();
          const scale = Math.max(...Array.from(gb, Math.abs));
          const diff = Math.max(...Array.from(ga, (g, i) => Math.abs(g - gb[i]!)));
          expect(diff / scale, name).toBeLessThan(1e-4);
          tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
        }
        tf.dispose([r, o]);
      } finally {
        await useBackend('cpu');
      }
    },
  );

  it('switches and defaults: the paper weights, H < L, and the constant root level skipped', () => {
    const syn = syntheticCatalog({ items: 200 });
    const opts: BuildOptions = { layers: 3, codebook: 8, seed: 1, collisions: 'none' };
    const cfg = resolveConfig('catid2', 16, opts);
    expect([cfg.alpha, cfg.beta, cfg.gamma]).toEqual([0.1, 0.0001, 1.0]);
    expect([cfg.hccl, cfg.cscl, cfg.disl]).toEqual([true, true, true]);
    const rq = resolveConfig('rqvae', 16, { ...opts, extra: { hccl: true } });
    expect([rq.hccl, rq.cscl, rq.disl]).toEqual([false, false, false]);
    const abl = resolveConfig('catid2', 16, { ...opts, extra: { hccl: 'false', cscl: false, gamma: '0.5' } });
    expect([abl.hccl, abl.cscl, abl.disl, abl.gamma]).toEqual([false, false, true, 0.5]);
    // synthetic tree: level 0 is a constant root, levels 1 and 2 are informative; L = 3 → H = 2.
    expect(hcclLevels(syn.data, cfg)).toEqual([1, 2]);
    expect(hcclLevels(syn.data, resolveConfig('catid2', 16, { ...opts, layers: 2 }))).toEqual([1]);
    expect(() => resolveConfig('catid2', 16, { ...opts, extra: { temperature: 0 } })).toThrow(/temperature/);
  });
});

describe('catid2 builder on a synthetic catalog (wasm)', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('reports every enabled loss term, none of the disabled ones, and leaks no tensor', async () => {
    const syn = syntheticCatalog({ items: 400, dim: 16, clusters: 8, seed: 9 });
    const input = { data: syn.data, embeddings: syn.embeddings, dim: syn.dim };
    const opts = (extra: Record<string, unknown>): BuildOptions => ({
      layers: 3,
      codebook: 8,
      seed: 2,
      collisions: 'none',
      epochs: 2,
      extra: { hidden: [16], latent: 8, batch: 100, ...extra },
    });
    await build(catid2Builder, input, opts({}));
    const before = tf.memory().numTensors;
    const all = await build(catid2Builder, input, opts({}));
    expect(tf.memory().numTensors).toBe(before);
    const keys = Object.keys(epochMetrics(all.events)[0]!);
    expect(keys).toEqual(expect.arrayContaining(['hccl', 'cscl', 'dispersion', 'codebook', 'commitment']));
    expect(keys).not.toContain('recon');
    const none = await build(catid2Builder, input, opts({ hccl: false, cscl: false, disl: false }));
    const k2 = Object.keys(epochMetrics(none.events)[0]!);
    expect(k2).toContain('recon');
    expect(k2.filter((k) => ['hccl', 'cscl', 'dispersion'].includes(k))).toEqual([]);
    // With every CAT-ID² loss off, catid2 is exactly rqvae.
    const rq = await build(rqvaeBuilder, input, opts({}));
    expect(Array.from(none.result.codes)).toEqual(Array.from(rq.result.codes));
  });

  it('a killed build resumes from its last checkpoint to the same losses and IDs (HCCL batches, CSCL, DisL)', async () => {
    const syn = syntheticCatalog({ items: 400, dim: 16, clusters: 8, seed: 9 });
    const input = { data: syn.data, embeddings: syn.embeddings, dim: syn.dim };
    const opts: BuildOptions = {
      layers: 3,
      codebook: 8,
      seed: 4,
      collisions: 'none',
      epochs: 4,
      extra: { hidden: [16], latent: 8, batch: 100, checkpointEvery: 2, beta: 0.1 },
    };
    const full = await build(catid2Builder, input, opts);
    const seen = await buildKilledAfterEpoch(catid2Builder, input, opts, 3);
    expect(seen.map((c) => c.epoch)).toEqual([2]);
    const resumed = await build(catid2Builder, input, opts, seen[0]);
    expect(epochMetrics(resumed.events)).toEqual(epochMetrics(full.events).slice(2));
    expect(Array.from(resumed.result.codes)).toEqual(Array.from(full.result.codes));
  });
});

describe.skipIf(!hasScientific)('catid2 vs rqvae on Scientific (wasm)', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  // K = 16 < the 25 level-1 categories, so layer-1 purity measures alignment (with K = 256 every method is ~1.0:
  // rqvae scored 0.997). beta = 0.1: at the paper's 0.0001 the HCCL term is ~5e-4 of a loss whose RQ terms are
  // ~0.1-1 on our 64-d latent, and catid2 measured 0.729 vs rqvae 0.767; at 0.1 it measured 0.879 (6 epochs, seed 1).
  it('layer-1 category purity of catid2 is above rqvae with the same seed and budget', async () => {
    const sci = await scientificWithEmbeddings(256);
    const input = { data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim };
    const opts: BuildOptions = { layers: 3, codebook: 16, seed: 1, collisions: 'none', epochs: 6, extra: { batch: 512 } };
    const rq = await build(rqvaeBuilder, input, opts);
    const cat = await build(catid2Builder, input, { ...opts, extra: { ...opts.extra, beta: 0.1 } });
    const lv = informativeLevels(sci.arrays)[0]!;
    const n = sci.arrays.nItems;
    const line = (name: string, r: typeof rq): string =>
      `${name}: ${(r.ms / 1000).toFixed(1)} s, purity L1 ${purity(r.result.codes, 3, 0, sci.arrays, lv).toFixed(3)}, ` +
      `collision rate ${collisionRate(r.result.codes, 3, n).toFixed(3)}, utilization ${(r.result.summary.utilization as number[]).map((u) => u.toFixed(2)).join('/')}`;
    console.log(`[catid2 scientific] ${line('rqvae', rq)}; ${line('catid2', cat)}`);
    expect(purity(cat.result.codes, 3, 0, sci.arrays, lv)).toBeGreaterThan(purity(rq.result.codes, 3, 0, sci.arrays, lv));
  });
});
