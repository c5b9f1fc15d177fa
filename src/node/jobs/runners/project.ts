/**
 * Runner of kind 'project': a 2-D Barnes-Hut t-SNE of a dataset's item embeddings (or of a run's encoder outputs)
 * for the embedding map (CAT-ID² Fig. 4). Loads inputs read-only, runs the pure kernel in src/core/kernels/tsne.ts,
 * stores intermediate coordinates as run data (key 'tsne-snapshot') so the map can show the layout converging, and
 * yields the final `projection` artifact.
 */
import { tsne } from '../../../core/kernels/tsne';
import { v } from '../../../shared/validate';
import { InputError } from '../../../shared/errors';
import { loadEmbeddings } from '../../db/datasets';
import { getRunData, requireRun } from '../../db/runs';
import type { JobRunner } from '../types';
import { float32FromBase64, toBase64 } from '../../base64';

export interface ProjectParams {
  datasetId: number;
  /** 'embeddings' (the dataset's embeddings, optionally by name) or 'run' (encoder outputs stored by sourceRunId). */
  source: 'embeddings' | 'run';
  embedding?: string;
  sourceRunId?: number;
  perplexity: number;
  iterations: number;
  theta: number;
  seed: number;
  /** Iterations between stored snapshots (0 = none). */
  snapshotEvery: number;
}

const parse = v.object({
  datasetId: v.num({ int: true, min: 1 }),
  source: v.optional(v.str({ max: 40 })),
  embedding: v.optional(v.str({ max: 200 })),
  sourceRunId: v.optional(v.num({ int: true, min: 1 })),
  perplexity: v.optional(v.num({ min: 2, max: 200 })),
  iterations: v.optional(v.num({ int: true, min: 10, max: 10000 })),
  theta: v.optional(v.num({ min: 0, max: 1.5 })),
  seed: v.optional(v.num({ int: true })),
  snapshotEvery: v.optional(v.num({ int: true, min: 0, max: 10000 })),
});

/** Run data under this key holds `{ dim, count, data: base64 float32 }`: a model's encoder outputs per item. */
export const ENCODER_OUTPUTS_KEY = 'encoderOutputs';
export const SNAPSHOT_KEY = 'tsne-snapshot';

interface StoredEncoderOutputs {
  dim: number;
  count: number;
  data: string;
}

/** The run-data value of ENCODER_OUTPUTS_KEY for z (count x dim). */
export function encodeEncoderOutputs(z: { dim: number; data: Float32Array }): StoredEncoderOutputs {
  return { dim: z.dim, count: z.data.length / z.dim, data: toBase64(z.data) };
}

export const projectRunner: JobRunner<ProjectParams> = {
  kind: 'project',
  parse(raw) {
    const p = parse(raw, 'params');
    let source: ProjectParams['source'] = 'embeddings';
    let sourceRunId = p.sourceRunId;
    if (p.source != null && p.source !== 'embeddings') {
      // `source` may also be the run id itself ("12" or "run:12"), as the issue phrases it.
      const m = /^(?:run:?)?(\d+)$/.exec(p.source);
      if (p.source === 'run') source = 'run';
      else if (m) {
        source = 'run';
        sourceRunId = Number(m[1]);
      } else throw new InputError('params', null, 'source', `expected "embeddings", "run" or a run id, got "${p.source}"`);
    }
    if (source === 'run' && sourceRunId == null) throw new InputError('params', null, 'sourceRunId', 'required when source is "run"');
    return {
      datasetId: p.datasetId,
      source,
      embedding: p.embedding,
      sourceRunId,
      perplexity: p.perplexity ?? 30,
      iterations: p.iterations ?? 1000,
      theta: p.theta ?? 0.5,
      seed: p.seed ?? 42,
      snapshotEvery: p.snapshotEvery ?? 100,
    };
  },
  async *run(p, ctx) {
    ctx.reportBackend('none');
    const t0 = Date.now();
    let data: Float32Array;
    let dim: number;
    let sourceLabel: string;
    if (p.source === 'run') {
      const run = requireRun(ctx.db, p.sourceRunId!);
      const stored = getRunData<StoredEncoderOutputs>(ctx.db, run.id, ENCODER_OUTPUTS_KEY);
      if (!stored) throw new Error(`run ${run.id} (${run.method}) stored no encoder outputs (run data "${ENCODER_OUTPUTS_KEY}"); project its dataset's embeddings instead`);
      data = float32FromBase64(stored.data);
      dim = stored.dim;
      sourceLabel = `run:${run.id}`;
    } else {
      const e = loadEmbeddings(ctx.db, p.datasetId, p.embedding);
      data = e.data;
      dim = e.dim;
      sourceLabel = `embeddings:${e.name}`;
    }
    const n = data.length / dim;
    yield { type: 'log', level: 'info', message: `t-SNE of ${n} × ${dim} (${sourceLabel}), perplexity ${p.perplexity}, ${p.iterations} iterations, θ ${p.theta}` };
    const gen = tsne(data, n, dim, { perplexity: p.perplexity, iterations: p.iterations, theta: p.theta, seed: p.seed, snapshotEvery: p.snapshotEvery }, ctx.signal);
    let coords: Float32Array;
    let kl = Number.NaN;
    let affinityMs = 0;
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        coords = r.value;
        break;
      }
      const ev = r.value;
      if (ev.type === 'snapshot') {
        kl = ev.kl;
        if (ev.iteration < p.iterations) {
          yield { type: 'artifact', artifact: { kind: 'run-data', runId: ctx.runId, key: SNAPSHOT_KEY, value: { iteration: ev.iteration, kl: ev.kl, coords: toBase64(ev.coords) } } };
        }
      } else {
        if (ev.type === 'progress' && ev.phase === 'optimize' && affinityMs === 0) affinityMs = Date.now() - t0;
        yield ev;
      }
    }
    const params = { perplexity: p.perplexity, iterations: p.iterations, theta: p.theta, seed: p.seed, dim, n, kl };
    yield {
      type: 'artifact',
      artifact: { kind: 'projection', datasetId: p.datasetId, runId: p.source === 'run' ? p.sourceRunId! : null, source: sourceLabel, method: 'tsne', params, coords },
    };
    return { n, dim, kl, ms: Date.now() - t0, affinityMs };
  },
};
