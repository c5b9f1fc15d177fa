/**
 * Runner of kind 'embed': the built-in TF-IDF → randomized SVD embedder over a dataset's items. Loads the items
 * read-only, runs `embedItems` (src/core/embed) and yields one embeddings artifact that the host stores.
 */
import { DEFAULT_EMBED_DIM, EMBED_METHOD, embedItems } from '../../../core/embed/index';
import { v } from '../../../shared/validate';
import { loadItems } from '../../db/datasets';
import type { JobRunner } from '../types';

export interface EmbedParams {
  datasetId: number;
  dim: number;
  seed: number;
  name: string;
}

const parse = v.object({
  datasetId: v.num({ int: true, min: 1 }),
  dim: v.optional(v.num({ int: true, min: 1, max: 4096 })),
  seed: v.optional(v.num({ int: true })),
  name: v.optional(v.str({ max: 200 })),
});

export const embedRunner: JobRunner<EmbedParams> = {
  kind: 'embed',
  parse(raw) {
    const p = parse(raw, 'params');
    const dim = p.dim ?? DEFAULT_EMBED_DIM;
    return { datasetId: p.datasetId, dim, seed: p.seed ?? 42, name: p.name ?? `${EMBED_METHOD}-${dim}` };
  },
  async *run(p, ctx) {
    const t0 = Date.now();
    // This job never loads tfjs: record that on the run so the Runs view does not show a stale guess.
    ctx.reportBackend('none');
    const items = loadItems(ctx.db, p.datasetId);
    yield { type: 'log', level: 'info', message: `embedding ${items.length} items into ${p.dim} dims (seed ${p.seed})` };
    const t1 = Date.now();
    const { data, dim } = yield* embedItems(items, { dim: p.dim, seed: p.seed }, ctx.signal);
    const ms = Date.now() - t1;
    const config = { dim, seed: p.seed, method: EMBED_METHOD, ms };
    yield {
      type: 'artifact',
      artifact: { kind: 'embeddings', datasetId: p.datasetId, name: p.name, method: EMBED_METHOD, dim, count: items.length, data, config },
    };
    yield { type: 'metrics', step: 0, values: { itemsPerSecond: items.length / Math.max(ms / 1000, 1e-3) } };
    return { datasetId: p.datasetId, name: p.name, dim, count: items.length, ms, loadMs: t1 - t0 };
  },
};
