/**
 * `semid train-retriever --run RUN --task T`: trains the generative retriever (Transformer decoder over the run's
 * semantic IDs + inner-product ranker) as a 'train-retriever' job, printing per-epoch losses and validation recall.
 */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { requireSemanticIds } from '../../node/db/artifacts';
import { getMetrics, getRunResult, requireRun } from '../../node/db/runs';
import { numOption as num, runJob, withHost } from '../jobs';

export const trainRetrieverCommand: Command = {
  name: 'train-retriever',
  summary: 'Train the generative retriever (decoder over semantic IDs + ranker) on a run\'s ID table',
  usage: 'semid train-retriever --run RUN --task search|general|sequential [--epochs E] [--beam B] [--seed S] [--json]',
  details: [
    'RUN is any run with a semantic-ID table (a build or an imported table). Defaults follow URI: d = 96, 2 decoder',
    'layers, lr 0.001, beam 20; the ranker is trained with sampled softmax over 10 negatives, one a hard negative from',
    'a sibling bucket (--no-hard-negatives for the ablation). Tasks: search (text queries), general (user history →',
    'held-out items), sequential (last ≤ 20 items → next item, leave-last-out).',
    'Then: semid eval --retriever <the printed run id>',
  ].join('\n'),
  options: {
    run: { type: 'string', description: 'run whose ID table to use', valueName: 'RUN' },
    task: { type: 'string', description: 'search | general | sequential', valueName: 'T' },
    epochs: { type: 'string', description: 'training epochs', valueName: 'E', default: '10' },
    beam: { type: 'string', description: 'beam size for the per-epoch validation', valueName: 'B', default: '20' },
    seed: { type: 'string', description: 'random seed', valueName: 'S', default: '1' },
    batch: { type: 'string', description: 'batch size', valueName: 'N', default: '256' },
    lr: { type: 'string', description: 'learning rate', valueName: 'LR', default: '0.001' },
    'max-examples': { type: 'string', description: 'cap on training pairs per epoch (0 = all)', valueName: 'N' },
    'no-hard-negatives': { type: 'boolean', description: 'ranker negatives all random (URI Table 4 ablation)' },
    embedding: { type: 'string', description: 'embedding name (default: the latest)', valueName: 'NAME' },
    name: { type: 'string', description: 'run name', valueName: 'NAME' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    const idsRunId = num(a.run, 'run');
    if (idsRunId === undefined) throw new Error('--run is required');
    if (typeof a.task !== 'string') throw new Error('--task is required (search | general | sequential)');
    const db = openDb(ctx.dbPath);
    let datasetId: number;
    let method: string;
    try {
      datasetId = requireSemanticIds(db, idsRunId).datasetId;
      method = requireRun(db, idsRunId).method;
    } finally {
      db.close();
    }
    const params: Record<string, unknown> = {
      idsRunId,
      task: a.task,
      epochs: num(a.epochs, 'epochs') ?? 10,
      beam: num(a.beam, 'beam') ?? 20,
      seed: num(a.seed, 'seed') ?? 1,
      batch: num(a.batch, 'batch') ?? 256,
      lr: num(a.lr, 'lr', false) ?? 0.001,
      ...(a['max-examples'] !== undefined ? { maxExamplesPerEpoch: num(a['max-examples'], 'max-examples') } : {}),
      ...(a['no-hard-negatives'] ? { hardNegatives: false } : {}),
      ...(typeof a.embedding === 'string' ? { embedding: a.embedding } : {}),
    };
    const run = await withHost(ctx.dbPath, (host) =>
      runJob(
        host,
        ctx,
        'train-retriever',
        { datasetId, params, name: typeof a.name === 'string' ? a.name : `retriever ${a.task} on run ${idsRunId} (${method})`, method: `${method}/${a.task}` },
        {
          onMetrics: (_id, m) => {
            if (!ctx.json)
              ctx.err(
                `epoch ${m.epoch}: loss ${m.loss?.toFixed(4)} (ids ${m.idLoss?.toFixed(4)}, ranker ${m.rankLoss?.toFixed(4)})` +
                  (m['valid.recall@10'] != null ? `, valid R@10 ${m['valid.recall@10'].toFixed(4)}` : ''),
              );
          },
        },
      ),
    );
    if (run.status !== 'succeeded') throw new Error(`train-retriever run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    const db2 = openDb(ctx.dbPath);
    try {
      const result = getRunResult(db2, run.id) ?? {};
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, runId: run.id, run: requireRun(db2, run.id), result, metrics: getMetrics(db2, run.id) }));
      else ctx.out(`run ${run.id}: retriever trained (${String(a.task)}) on run ${idsRunId}; evaluate with: semid eval --retriever ${run.id}`);
    } finally {
      db2.close();
    }
    return 0;
  },
};
