/**
 * The 'build' job: loads the dataset arrays and item embeddings (read-only), runs one ID builder from
 * src/core/ids/registry.ts, applies the collision mode, and yields the semantic-ID table and its audit as artifacts
 * (the host persists them). tfjs is initialised only for methods that train a model (rqvae, catid2, uri).
 * With `suffix` or `sinkhorn` collision handling the builder's IDs from before de-collision are kept too, as run data
 * under CODES_BEFORE_COLLISIONS_KEY, so the collision inspector can show the groups before and where their items went.
 */
import { auditIds } from '../../../core/audit/index';
import { applyCollisions } from '../../../core/ids/collisions';
import { ID_BUILDERS, TF_METHODS } from '../../../core/ids/registry';
import type { BuildResult } from '../../../core/ids/types';
import { latestCheckpoint } from '../../db/runs';
import { loadDatasetArrays, loadEmbeddings } from '../../db/datasets';
import { v } from '../../../shared/validate';
import type { CollisionMode, IdMethod } from '../../../shared/types';
import type { JobRunner } from '../types';
import { CODES_BEFORE_COLLISIONS_KEY, encodePreCollisionCodes } from './precollision';
import { ENCODER_OUTPUTS_KEY, encodeEncoderOutputs } from './project';

export interface BuildParams {
  datasetId: number;
  method: IdMethod;
  layers: number;
  codebook: number;
  seed: number;
  collisions: CollisionMode;
  epochs?: number;
  /** Embedding name (default: the dataset's latest). */
  embedding?: string;
  extra?: Record<string, unknown>;
}

const METHODS: IdMethod[] = ['random', 'hkmeans', 'rqkmeans', 'rqvae', 'catid2', 'uri', 'category-prefix'];

export const parseBuildParams = v.object({
  datasetId: v.num({ int: true, min: 1 }),
  method: v.literal<IdMethod>(...METHODS),
  layers: v.num({ int: true, min: 1, max: 16 }),
  codebook: v.num({ int: true, min: 2, max: 65536 }),
  seed: (x: unknown, p?: string) => v.optional(v.num({ int: true }))(x, p) ?? 42,
  collisions: (x: unknown, p?: string) => v.optional(v.literal<CollisionMode>('none', 'suffix', 'sinkhorn'))(x, p) ?? 'none',
  epochs: v.optional(v.num({ int: true, min: 1, max: 100000 })),
  embedding: v.optional(v.str({ max: 200 })),
  extra: v.optional(v.record()),
});

export const buildRunner: JobRunner<BuildParams> = {
  kind: 'build',
  parse: (params) => {
    const p = parseBuildParams(params, 'params');
    return {
      ...p,
      epochs: p.epochs ?? undefined,
      embedding: p.embedding ?? undefined,
      extra: p.extra ?? undefined,
    };
  },
  async *run(p, ctx) {
    const timings: Record<string, number> = {};
    let t = Date.now();
    const builder = ID_BUILDERS[p.method];
    if (!builder) throw new Error(`no ID builder is registered for method "${p.method}"`);
    const data = loadDatasetArrays(ctx.db, p.datasetId);
    const needsEmbeddings = p.method !== 'random';
    const emb = needsEmbeddings ? loadEmbeddings(ctx.db, p.datasetId, p.embedding) : null;
    if (emb && emb.count !== data.nItems) throw new Error(`embeddings "${emb.name}" have ${emb.count} rows, dataset has ${data.nItems} items`);
    timings.load = Date.now() - t;
    let backend: string | undefined;
    if (TF_METHODS.includes(p.method)) {
      const { initTf } = await import('../../tf');
      const tf = await initTf();
      backend = tf.backend;
      ctx.reportBackend(tf.backend);
      yield { type: 'log', level: 'info', message: `tfjs backend: ${tf.backend}` };
    }
    const resume = latestCheckpoint(ctx.db, ctx.runId);
    if (resume) yield { type: 'log', level: 'info', message: `resuming from checkpoint at step ${resume.step} (epoch ${resume.epoch})` };
    t = Date.now();
    const built: BuildResult = yield* builder(
      { data, embeddings: emb?.data ?? new Float32Array(0), dim: emb?.dim ?? 0 },
      { layers: p.layers, codebook: p.codebook, seed: p.seed, collisions: p.collisions, epochs: p.epochs, extra: p.extra },
      { signal: ctx.signal, runId: ctx.runId, ...(resume ? { resume } : {}) },
    );
    timings.build = Date.now() - t;
    const col = applyCollisions(built, p.collisions, data.nItems, emb?.data ?? null, emb?.dim ?? 0);
    timings.collisions = col.ms;
    const r = col.result;
    yield {
      type: 'log',
      level: 'info',
      message: `collisions (${p.collisions}): ${col.before.collidingItems} colliding items before, ${col.after.collidingItems} after`,
    };
    if (p.collisions !== 'none') {
      yield { type: 'artifact', artifact: { kind: 'run-data', runId: ctx.runId, key: CODES_BEFORE_COLLISIONS_KEY, value: encodePreCollisionCodes(built, p.collisions) } };
    }
    if (built.encoderOutputs) {
      // 12,101 items x 64 latent dims = 3.1 MB of float32 on Beauty: small enough for one run-data row.
      const value = encodeEncoderOutputs(built.encoderOutputs);
      yield { type: 'artifact', artifact: { kind: 'run-data', runId: ctx.runId, key: ENCODER_OUTPUTS_KEY, value } };
    }
    yield {
      type: 'artifact',
      artifact: { kind: 'semantic-ids', runId: ctx.runId, layers: r.layers, codebookSizes: r.codebookSizes, codes: r.codes, collisionMode: p.collisions },
    };
    t = Date.now();
    const report = auditIds(r, data);
    timings.audit = Date.now() - t;
    yield { type: 'artifact', artifact: { kind: 'audit', runId: ctx.runId, report: report as unknown as Record<string, unknown> } };
    return {
      method: p.method,
      layers: r.layers,
      codebookSizes: r.codebookSizes,
      embedding: emb?.name ?? null,
      ...(backend ? { backend } : {}),
      collisions: { mode: p.collisions, before: col.before, after: col.after, moved: col.moved },
      summary: built.summary,
      ape: report.ape,
      timings,
    };
  },
};
