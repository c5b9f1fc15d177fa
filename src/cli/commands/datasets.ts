/** `semid datasets [show D | remove D]`: list datasets, show one dataset's overview, or remove one. */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { deleteDataset, findDataset, getDatasetOverview, listDatasets } from '../../node/db/datasets';
import { PayloadError } from '../../shared/validate';

const pad = (s: string | number, n: number): string => String(s).padEnd(n);
const num = (n: number): string => n.toLocaleString('en-US');

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'List datasets, show one overview (datasets show D) or remove one (datasets remove D)',
  usage: 'semid datasets [show <id|name> | remove <id|name>] [--json]',
  options: {},
  json: true,
  async run(args, ctx) {
    const [sub, target] = args.positionals;
    const db = openDb(ctx.dbPath);
    try {
      if (!sub || sub === 'list') {
        const list = listDatasets(db);
        if (ctx.json) ctx.out(JSON.stringify({ ok: true, datasets: list }));
        else if (list.length === 0) ctx.out('no datasets yet: try `semid import` or `semid demo`');
        else {
          ctx.out(`${pad('id', 4)} ${pad('name', 24)} ${pad('format', 7)} ${pad('items', 9)} ${pad('queries', 9)} ${pad('interactions', 13)} ${pad('depth', 6)} embeddings`);
          for (const d of list) {
            ctx.out(
              `${pad(d.id, 4)} ${pad(d.name, 24)} ${pad(d.format, 7)} ${pad(num(d.items), 9)} ${pad(num(d.queries), 9)} ${pad(num(d.interactions), 13)} ${pad(d.categoryDepth, 6)} ${d.embeddings.map((e) => `${e.name}(${e.dim})`).join(', ') || '-'}`,
            );
          }
        }
        return 0;
      }
      if (!target) throw new PayloadError('dataset', `datasets ${sub} needs a dataset id or name`);
      const ds = findDataset(db, target);
      if (sub === 'show') {
        const o = getDatasetOverview(db, ds.id);
        if (ctx.json) {
          ctx.out(JSON.stringify({ ok: true, ...o }));
          return 0;
        }
        ctx.out(`dataset ${o.id} "${o.name}" (${o.format}, ${o.queryKind}s) from ${o.source}`);
        ctx.out(`  items ${num(o.items)} (${num(o.itemsWithoutCategory)} without category), ${o.queryKind}s ${num(o.queries)}, interactions ${num(o.interactions)}`);
        ctx.out(`  splits: train ${num(o.splits.train)}, valid ${num(o.splits.valid)}, test ${num(o.splits.test)}`);
        ctx.out(`  category tree: depth ${o.categoryDepth}, nodes per level ${o.categoryLevelCounts.join(' / ')}`);
        const q = o.interactionsPerQuery;
        const i = o.interactionsPerItem;
        ctx.out(`  interactions per ${o.queryKind}: min ${q.min}, median ${q.median}, mean ${q.mean.toFixed(2)}, max ${q.max}`);
        ctx.out(`  interactions per item: min ${i.min}, median ${i.median}, mean ${i.mean.toFixed(2)}, max ${i.max}`);
        for (const lvl of [1, 2]) {
          const top = o.topCategories.filter((c) => c.level === lvl).slice(0, 5);
          if (top.length) ctx.out(`  top level-${lvl} categories: ${top.map((c) => `${c.name} (${c.items})`).join(', ')}`);
        }
        ctx.out(`  embeddings: ${o.embeddings.map((e) => `${e.name} (${e.method}, ${e.dim}d)`).join(', ') || 'none'}`);
        return 0;
      }
      if (sub === 'remove' || sub === 'rm') {
        deleteDataset(db, ds.id);
        if (ctx.json) ctx.out(JSON.stringify({ ok: true, removed: ds.id, name: ds.name }));
        else ctx.out(`removed dataset ${ds.id} "${ds.name}"`);
        return 0;
      }
      throw new PayloadError('subcommand', `unknown "${sub}" (expected show or remove)`);
    } finally {
      db.close();
    }
  },
};
