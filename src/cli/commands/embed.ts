/**
 * `semid embed`: embeds a dataset's items with the built-in TF-IDF → randomized SVD embedder as an 'embed' job
 * (forked child through the JobHost, progress bar on stderr, Ctrl-C cancels politely), or imports precomputed
 * embeddings (`--from FILE`: .npy float32, CSV, JSONL) keyed by item id.
 */
import type { Command, CliContext } from '../command';
import type { ApiEvent } from '../../shared/api/index';
import type { JobKind } from '../../shared/protocol';
import type { RunRecord } from '../../shared/types';
import { openDb } from '../../node/db/db';
import { findDataset } from '../../node/db/datasets';
import { getRunResult } from '../../node/db/runs';
import { JobHost, type StartOptions } from '../../node/jobs/host';
import { nodeForkAdapter } from '../../node/jobs/adapter';
import { importEmbeddingsFile } from '../../node/importers/embeddings';

/** A one-line progress bar. */
export function progressBar(phase: string, done: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const fill = Math.round(frac * width);
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${phase}`;
}

/**
 * Follows every job of `host` on stderr (a `\r`-redrawn bar on a TTY, a line every 2 s otherwise) and turns the
 * first Ctrl-C into a polite cancel of the running jobs (a second one exits at once). Returns a disposer.
 */
export function followJobs(host: JobHost, ctx: CliContext, label: (runId: number) => string = (id) => `run ${id}`): () => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastPrint = 0;
  let drawn = false;
  const off = host.onEvent((ev: ApiEvent) => {
    if (ev.type === 'run') {
      if (ev.run.status === 'succeeded' || ev.run.status === 'failed' || ev.run.status === 'cancelled' || ev.run.status === 'interrupted') {
        if (drawn && tty) process.stderr.write('\n');
        drawn = false;
      }
      return;
    }
    const m = ev.message;
    if (m.type === 'progress') {
      const line = `${label(ev.runId)} ${progressBar(m.phase, m.done, m.total)}`;
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastPrint > 2000) {
        lastPrint = Date.now();
        ctx.err(line);
      }
    } else if (m.type === 'log' && m.level !== 'info') ctx.err(`${label(ev.runId)} ${m.level}: ${m.message}`);
  });
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ctx.err('\ncancelling (press Ctrl-C again to quit at once)…');
    for (const id of host.activeRuns()) host.cancel(id);
  };
  process.on('SIGINT', onSigint);
  return () => {
    off();
    process.off('SIGINT', onSigint);
  };
}

/** Starts one job and waits for it, following its progress. */
export async function runJob(host: JobHost, ctx: CliContext, kind: JobKind, opts: StartOptions): Promise<RunRecord> {
  const stop = followJobs(host, ctx);
  try {
    return await host.wait(host.start(kind, opts));
  } finally {
    stop();
  }
}

const int = (s: unknown, name: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`--${name} expects an integer, got "${String(s)}"`);
  return n;
};

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
