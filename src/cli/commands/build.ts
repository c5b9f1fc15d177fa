/**
 * `semid build`: builds semantic IDs for a dataset as a 'build' job (forked child through the JobHost), with a
 * progress bar on stderr, then prints the collision counts and the audit's APE.
 */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { findDataset } from '../../node/db/datasets';
import { getAudit, getRunResult, requireRun } from '../../node/db/runs';
import { JobHost } from '../../node/jobs/host';
import { nodeForkAdapter } from '../../node/jobs/adapter';
import { numOption as int, runJob } from '../jobs';

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build semantic IDs (random, hkmeans, rqkmeans, category-prefix, rqvae, catid2, uri) for a dataset',
  usage: 'semid build --dataset D --method M --layers L --codebook K [--seed S] [--epochs E] [--collisions none|suffix|sinkhorn] [--json]',
  details: [
    'Methods: random (balanced random per layer, the APE baseline), hkmeans (hierarchical k-means; --balanced),',
    'rqkmeans (residual k-means; --balanced), category-prefix (category path tokens, k-means inside categories),',
    'and the trained rqvae / catid2 / uri when installed.',
    'Collisions: none (report), suffix (extra token 0,1,2.. per identical-ID group), sinkhorn (re-assign the last',
    'token by Sinkhorn OT: zero collisions whenever each prefix group has at most K items).',
    'Example: semid build --dataset scientific --method hkmeans --layers 3 --codebook 256 --collisions sinkhorn',
  ].join('\n'),
  options: {
    dataset: { type: 'string', description: 'dataset id or name', valueName: 'D' },
    method: { type: 'string', description: 'ID method', valueName: 'M' },
    layers: { type: 'string', description: 'number of ID layers', valueName: 'L', default: '3' },
    codebook: { type: 'string', description: 'codebook size K per layer', valueName: 'K', default: '256' },
    seed: { type: 'string', description: 'random seed', valueName: 'S', default: '42' },
    epochs: { type: 'string', description: 'training epochs (trained methods)', valueName: 'E' },
    collisions: { type: 'string', description: 'none | suffix | sinkhorn', valueName: 'MODE', default: 'none' },
    embedding: { type: 'string', description: 'embedding name (default: the latest)', valueName: 'NAME' },
    balanced: { type: 'boolean', description: 'balanced k-means (hkmeans, rqkmeans, category-prefix)' },
    name: { type: 'string', description: 'run name', valueName: 'NAME' },
    resume: { type: 'string', description: 'resume an interrupted/failed/cancelled build run from its last checkpoint', valueName: 'RUN' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    const resumeId = int(a.resume, 'resume');
    if (resumeId === undefined && typeof a.dataset !== 'string') throw new Error('--dataset is required');
    if (resumeId === undefined && typeof a.method !== 'string') throw new Error('--method is required');
    const db = openDb(ctx.dbPath);
    const host = new JobHost({ db, dbPath: ctx.dbPath, adapter: nodeForkAdapter });
    try {
      const resumed = resumeId !== undefined ? requireRun(db, resumeId) : undefined;
      if (resumed && resumed.kind !== 'build') throw new Error(`run ${resumeId} is a ${resumed.kind} run, not a build`);
      const ds = findDataset(db, resumed ? String(resumed.datasetId) : (a.dataset as string));
      const method = resumed ? resumed.method : (a.method as string);
      const params: Record<string, unknown> = {
        datasetId: ds.id,
        method,
        layers: int(a.layers, 'layers') ?? 3,
        codebook: int(a.codebook, 'codebook') ?? 256,
        seed: int(a.seed, 'seed') ?? 42,
        collisions: a.collisions ?? 'none',
        ...(a.epochs !== undefined ? { epochs: int(a.epochs, 'epochs') } : {}),
        ...(typeof a.embedding === 'string' ? { embedding: a.embedding } : {}),
        ...(a.balanced ? { extra: { balanced: true } } : {}),
      };
      const run = await runJob(
        host,
        ctx,
        'build',
        {
          datasetId: ds.id,
          params,
          method,
          name: typeof a.name === 'string' ? a.name : `${method} L${String(params.layers)} K${String(params.codebook)}`,
        },
        resumed ? { resume: resumed.id } : {},
      );
      const runId = run.id;
      if (run.status !== 'succeeded') throw new Error(`build run ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}`);
      const result = getRunResult(db, runId) ?? {};
      const audit = getAudit(db, runId) as { ape?: number[]; collisionRate?: number } | undefined;
      if (ctx.json) {
        ctx.out(JSON.stringify({ ok: true, runId, run: requireRun(db, runId), result, audit }));
      } else {
        const col = result.collisions as { mode: string; before: { collidingItems: number }; after: { collidingItems: number } } | undefined;
        ctx.out(`run ${runId}: ${method} on ${ds.name}, ${String(result.layers)} layers (${(result.codebookSizes as number[] | undefined)?.join('/')})`);
        if (col) ctx.out(`collisions (${col.mode}): ${col.before.collidingItems} colliding items before, ${col.after.collidingItems} after`);
        if (audit?.ape) ctx.out(`APE per prefix: ${audit.ape.map((x) => x.toFixed(3)).join(' / ')}  (semid audit ${runId} for the full report)`);
      }
      return 0;
    } finally {
      host.dispose();
      db.close();
    }
  },
};
