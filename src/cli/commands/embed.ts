/**
 * `semid embed`: embeds a dataset's items with the built-in TF-IDF → randomized SVD embedder as an 'embed' job
 * (forked child through the JobHost, progress bar on stderr, Ctrl-C cancels politely), or imports precomputed
 * embeddings (`--from FILE`: .npy float32, CSV, JSONL) keyed by item id.
 */
import type { Command } from '../command';
import { numOption as int, runJob } from '../jobs';
import { openDb } from '../../node/db/db';
import { findDataset } from '../../node/db/datasets';
import { getRunResult } from '../../node/db/runs';
import { JobHost } from '../../node/jobs/host';
import { nodeForkAdapter } from '../../node/jobs/adapter';
import { importEmbeddingsFile } from '../../node/importers/embeddings';

export const embedCommand: Command = {
  name: 'embed',
  summary: 'Embed a dataset’s items (built-in TF-IDF + randomized SVD), or import precomputed embeddings',
  usage: 'semid embed --dataset D [--dim 256] [--seed S] [--name NAME] [--from FILE] [--json]',
  details: [
    'The built-in embedder is offline and deterministic: TF-IDF of title + brand + category words (and one feature',
    'per category node and brand), a randomized truncated SVD (Halko et al.), rows L2-normalised.',
    '--from imports precomputed vectors instead, keyed by item id:',
    '  .npy   float32 matrix, rows in item order (dataset idx order) — or a sibling .ids.txt with one item id per row',
    '  .csv   item_id,v1,v2,...  (a header row is optional)',
    '  .jsonl {"item_id": "...", "embedding": [...]} per line',
    'Example: semid embed --dataset scientific --dim 256',
  ].join('\n'),
  options: {
    dataset: { type: 'string', description: 'dataset id or name', valueName: 'D' },
    dim: { type: 'string', description: 'embedding dimension', valueName: 'N', default: '256' },
    seed: { type: 'string', description: 'random seed of the SVD sketch', valueName: 'S', default: '42' },
    name: { type: 'string', description: 'embedding name (default tfidf-rsvd-<dim>, or the file name)', valueName: 'NAME' },
    from: { type: 'string', description: 'import precomputed embeddings from a .npy/.csv/.jsonl file', valueName: 'FILE' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    if (typeof a.dataset !== 'string') throw new Error('--dataset is required');
    const db = openDb(ctx.dbPath);
    try {
      const ds = findDataset(db, a.dataset);
      if (typeof a.from === 'string') {
        const r = await importEmbeddingsFile(db, ds.id, a.from, typeof a.name === 'string' ? { name: a.name } : {});
        if (ctx.json) ctx.out(JSON.stringify({ ok: true, datasetId: ds.id, ...r }));
        else ctx.out(`imported ${r.count} × ${r.dim} embeddings "${r.name}" into ${ds.name} (id ${r.id})`);
        return 0;
      }
      const dim = int(a.dim, 'dim') ?? 256;
      if (dim < 1) throw new Error(`--dim expects a positive integer, got "${String(a.dim)}"`);
      const seed = int(a.seed, 'seed') ?? 42;
      const host = new JobHost({ db, dbPath: ctx.dbPath, adapter: nodeForkAdapter });
      try {
        const params: Record<string, unknown> = { dim, seed, ...(typeof a.name === 'string' ? { name: a.name } : {}) };
        const run = await runJob(host, ctx, 'embed', { datasetId: ds.id, params, method: 'tfidf-rsvd', name: `embed ${ds.name} ${dim}d` });
        if (run.status !== 'succeeded') throw new Error(`embed run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
        const result = getRunResult(db, run.id) ?? {};
        if (ctx.json) ctx.out(JSON.stringify({ ok: true, runId: run.id, datasetId: ds.id, backend: run.backend, ...result }));
        else {
          const ms = Number(result.ms ?? 0);
          ctx.out(
            `embedded ${String(result.count)} items of ${ds.name} into ${dim} dims as "${String(result.name)}" in ${(ms / 1000).toFixed(1)} s` +
              ` (${Math.round(Number(result.count) / Math.max(ms / 1000, 1e-3))} items/s, run ${run.id})`,
          );
        }
        return 0;
      } finally {
        host.dispose();
      }
    } finally {
      db.close();
    }
  },
};
