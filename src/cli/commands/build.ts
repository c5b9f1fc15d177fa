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
import { numOption, runJob } from '../jobs';
import { type CollisionMode, type IdMethod, URI_ASSIGNMENTS, URI_ASSIGN_SCORES } from '../../shared/types';
import { isOneOf } from '../../shared/validate';

/** Methods `semid build` can run (a Record so the compiler flags a method added to IdMethod but missing here). */
const BUILD_METHODS: Record<Exclude<IdMethod, 'imported'>, true> = { random: true, hkmeans: true, rqkmeans: true, 'category-prefix': true, rqvae: true, catid2: true, uri: true };
const COLLISION_MODES: Record<CollisionMode, true> = { none: true, suffix: true, sinkhorn: true };

/** Method-specific options (BuildOptions.extra) from the command line; each builder ignores the keys it does not know. */
export function buildExtra(a: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const num = (k: string, key: string, integer: boolean): void => {
    const x = numOption(a[k], k, integer);
    if (x !== undefined) extra[key] = x;
  };
  if (a.balanced) extra.balanced = true;
  num('batch', 'batch', true);
  num('lr', 'lr', false);
  if (a['no-hccl']) extra.hccl = false;
  if (a['no-cscl']) extra.cscl = false;
  if (a['no-disl']) extra.disl = false;
  num('alpha', 'alpha', false);
  num('beta', 'beta', false);
  num('gamma', 'gamma', false);
  num('temperature', 'temperature', false);
  if (a.task !== undefined) {
    if (a.task !== 'general' && a.task !== 'sequential') throw new Error(`--task expects general or sequential, got "${String(a.task)}"`);
    extra.task = a.task;
  }
  if (a['no-adaptive-weight']) extra.adaptiveWeight = false;
  if (a['no-hard-negatives']) extra.hardNegatives = false;
  // Checked here too so the error names the flag (parseUriOptions names the builder option).
  if (a.assignment !== undefined) {
    if (!isOneOf(URI_ASSIGNMENTS, a.assignment)) throw new Error(`--assignment expects token or parent, got "${String(a.assignment)}"`);
    extra.assignment = a.assignment;
  }
  if (a['assign-score'] !== undefined) {
    if (!isOneOf(URI_ASSIGN_SCORES, a['assign-score'])) throw new Error(`--assign-score expects item, queries or both, got "${String(a['assign-score'])}"`);
    extra.assignScore = a['assign-score'];
  }
  // Layers > 1 trained with the loss exactly as printed (see src/core/uri/index.ts): the three deep-layer settings off.
  if (a['printed-deep-loss']) Object.assign(extra, { parentBalance: false, deepLogitScale: 1, deepCeWeight: 1 });
  num('retriever-epochs', 'retrieverEpochs', true);
  num('max-examples', 'maxExamplesPerEpoch', true);
  return extra;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build semantic IDs (random, hkmeans, rqkmeans, category-prefix, rqvae, catid2, uri) for a dataset',
  usage: 'semid build --dataset D --method M --layers L --codebook K [--seed S] [--epochs E] [--collisions none|suffix|sinkhorn] [--json]',
  details: [
    'Methods: random (balanced random per layer, the APE baseline), hkmeans (hierarchical k-means; --balanced),',
    'rqkmeans (residual k-means; --balanced), category-prefix (category path tokens, k-means inside categories),',
    'and the trained rqvae / catid2 / uri (TensorFlow.js; the backend is chosen per run, see `semid runs`).',
    'Collisions: none (report), suffix (extra token 0,1,2.. per identical-ID group), sinkhorn (re-assign the last',
    'token by Sinkhorn OT: zero collisions whenever each prefix group has at most K items).',
    'Example: semid build --dataset scientific --method hkmeans --layers 3 --codebook 256 --collisions sinkhorn',
    'Ablations: semid build --dataset beauty --method catid2 --no-hccl   |   --method uri --no-adaptive-weight',
  ].join('\n'),
  options: {
    dataset: { type: 'string', description: 'dataset id or name', valueName: 'D' },
    method: { type: 'string', description: 'ID method: random, hkmeans, rqkmeans, category-prefix, rqvae, catid2 or uri', valueName: 'M' },
    layers: { type: 'string', description: 'number of ID layers', valueName: 'L', default: '3' },
    codebook: { type: 'string', description: 'codebook size K per layer', valueName: 'K', default: '256' },
    seed: { type: 'string', description: 'random seed', valueName: 'S', default: '42' },
    epochs: { type: 'string', description: 'training epochs (trained methods)', valueName: 'E' },
    collisions: { type: 'string', description: 'none | suffix | sinkhorn', valueName: 'MODE', default: 'none' },
    embedding: { type: 'string', description: 'embedding name (default: the latest)', valueName: 'NAME' },
    balanced: { type: 'boolean', description: 'balanced k-means (hkmeans, rqkmeans, category-prefix)' },
    name: { type: 'string', description: 'run name', valueName: 'NAME' },
    resume: { type: 'string', description: 'resume an interrupted/failed/cancelled build run from its last checkpoint', valueName: 'RUN' },
    batch: { type: 'string', description: 'batch size (rqvae, catid2, uri)', valueName: 'N' },
    lr: { type: 'string', description: 'learning rate (rqvae, catid2, uri)', valueName: 'LR' },
    'no-hccl': { type: 'boolean', description: 'catid2: switch off the Hierarchical Class Constraint loss (Table 3 ablation)' },
    'no-cscl': { type: 'boolean', description: 'catid2: switch off the Cluster Scale Constraint loss' },
    'no-disl': { type: 'boolean', description: 'catid2: switch off the Dispersion loss (reconstruction loss instead)' },
    alpha: { type: 'string', description: 'catid2: DisL weight (default 0.1)', valueName: 'A' },
    beta: { type: 'string', description: 'catid2: HCCL weight (default 0.0001)', valueName: 'B' },
    gamma: { type: 'string', description: 'catid2: CSCL weight (default 1.0)', valueName: 'G' },
    temperature: { type: 'string', description: 'catid2: InfoNCE temperature', valueName: 'T' },
    task: { type: 'string', description: 'uri: general | sequential (queries = users or histories)', valueName: 'T' },
    'no-adaptive-weight': { type: 'boolean', description: 'uri: Eq. 7 balance loss instead of Eq. 10 (Table 4 ablation)' },
    'no-hard-negatives': { type: 'boolean', description: 'uri: ranker negatives all random (Table 4 ablation)' },
    assignment: { type: 'string', description: 'uri: balanced-assignment max load N/k per token (token, default) or per parent node (parent)', valueName: 'A' },
    'assign-score': { type: 'string', description: "uri: rank tokens by the mean P_Q of the item's training queries (queries, default), its own P_I (item) or both", valueName: 'S' },
    'printed-deep-loss': { type: 'boolean', description: 'uri: layers > 1 with the batch-wide balance, logit scale 1 and cross-entropy weight 1 as printed' },
    'retriever-epochs': { type: 'string', description: 'uri: ranker epochs on the final index (default 2)', valueName: 'E' },
    'max-examples': { type: 'string', description: 'uri: cap on training pairs per epoch (0 = all)', valueName: 'N' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    const resumeId = numOption(a.resume, 'resume');
    if (resumeId === undefined && typeof a.dataset !== 'string') throw new Error('--dataset is required');
    if (resumeId === undefined && typeof a.method !== 'string') throw new Error(`--method is required (one of ${Object.keys(BUILD_METHODS).join(', ')})`);
    // Checked here so a typo fails at once instead of recording a failed run.
    if (resumeId === undefined && !Object.hasOwn(BUILD_METHODS, a.method as string)) {
      throw new Error(`--method expects one of ${Object.keys(BUILD_METHODS).join(', ')}, got "${String(a.method)}"`);
    }
    if (a.collisions !== undefined && !Object.hasOwn(COLLISION_MODES, a.collisions as string)) {
      throw new Error(`--collisions expects none, suffix or sinkhorn, got "${String(a.collisions)}"`);
    }
    for (const k of ['layers', 'codebook'] as const) {
      const n = numOption(a[k], k);
      if (n !== undefined && n < 1) throw new Error(`--${k} expects a positive integer, got "${String(a[k])}"`);
    }
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
        layers: numOption(a.layers, 'layers') ?? 3,
        codebook: numOption(a.codebook, 'codebook') ?? 256,
        seed: numOption(a.seed, 'seed') ?? 42,
        collisions: a.collisions ?? 'none',
        ...(a.epochs !== undefined ? { epochs: numOption(a.epochs, 'epochs') } : {}),
        ...(typeof a.embedding === 'string' ? { embedding: a.embedding } : {}),
      };
      const extra = buildExtra(a);
      if (Object.keys(extra).length) params.extra = extra;
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
