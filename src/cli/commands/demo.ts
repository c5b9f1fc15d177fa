/**
 * `semid demo`: generates the seeded demo catalog (3-level category tree, category-specific titles and brands,
 * users with latent subtree preferences, leave-last-out split) and embeds it — an import job then an embed job,
 * through the same flow the app and `semid serve` use on first start.
 */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { getDataset, listDatasets } from '../../node/db/datasets';
import { JobHost } from '../../node/jobs/host';
import { nodeForkAdapter } from '../../node/jobs/adapter';
import { startDemo } from '../../node/services/demo';
import { followJobs } from '../jobs';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Create the built-in demo catalog (generated, seeded) and embed it',
  usage: 'semid demo [--seed S] [--name NAME] [--json]',
  details: 'Example: semid demo --json   (prints {ok, datasetId, name, items, queries, interactions, embedRunId})',
  options: {
    seed: { type: 'string', description: 'generator seed', valueName: 'S', default: '42' },
    name: { type: 'string', description: 'dataset name (default "demo catalog", numbered if taken)', valueName: 'NAME' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    const seed = a.seed === undefined ? 42 : Number(a.seed);
    if (!Number.isInteger(seed)) throw new Error(`--seed expects an integer, got "${String(a.seed)}"`);
    const db = openDb(ctx.dbPath);
    const host = new JobHost({ db, dbPath: ctx.dbPath, adapter: nodeForkAdapter });
    const stop = followJobs(host, ctx);
    try {
      let name = typeof a.name === 'string' ? a.name : 'demo catalog';
      if (typeof a.name !== 'string') {
        const taken = new Set(listDatasets(db).map((d) => d.name));
        for (let k = 2; taken.has(name); k++) name = `demo catalog ${k}`;
      }
      const t0 = Date.now();
      const flow = startDemo({ db, dbPath: ctx.dbPath, jobs: host, host: 'serve' }, { seed, name });
      const { datasetId, embedRunId } = await flow.done;
      const ds = getDataset(db, datasetId);
      const out = {
        ok: true,
        datasetId,
        name: ds.name,
        items: ds.items,
        queries: ds.queries,
        interactions: ds.interactions,
        categoryLevelCounts: ds.categoryLevelCounts,
        embeddings: ds.embeddings.map((e) => ({ name: e.name, dim: e.dim })),
        importRunId: flow.importRunId,
        embedRunId,
        ms: Date.now() - t0,
      };
      if (ctx.json) ctx.out(JSON.stringify(out));
      else {
        ctx.out(`demo dataset "${ds.name}" (id ${datasetId}): ${ds.items} items, ${ds.queries} users, ${ds.interactions} interactions`);
        ctx.out(`categories per level: ${ds.categoryLevelCounts.join(' / ')}; embeddings: ${out.embeddings.map((e) => `${e.name} (${e.dim}d)`).join(', ')}`);
      }
      return 0;
    } finally {
      stop();
      host.dispose();
      db.close();
    }
  },
};
