/** `semid import <format> <path...>`: parse, validate and store a dataset (or attach an external ID table). */
import type { Command } from '../command';
import type { DatasetFormat } from '../../shared/types';
import { openDb } from '../../node/db/db';
import { findDataset, getDataset } from '../../node/db/datasets';
import { importDataset } from '../../node/importers/index';
import { importIds, type IdKeyMode } from '../../node/importers/ids';
import { numOption } from '../jobs';

const FORMATS: (DatasetFormat | 'ids')[] = ['lcrec', 'p5', 'csv', 'jsonl', 'esci', 'ids'];
const num = (n: number): string => n.toLocaleString('en-US');

/** A progress line on stderr, rewritten in place on a terminal. */
export function progressPrinter(err: (s: string) => void): (phase: string, done: number, total: number) => void {
  let last = 0;
  const tty = Boolean(process.stderr.isTTY);
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 200 && done !== total) return;
    last = now;
    const text = total > 0 ? `${phase} ${done}/${total} (${Math.round((100 * done) / total)}%)` : `${phase} ${done}`;
    if (tty) process.stderr.write(`\r\x1b[K${text}${done === total ? '\n' : ''}`);
    else if (done === total) err(text);
  };
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a dataset (lcrec, p5, csv, jsonl, esci) or attach an external semantic-ID table (ids)',
  usage: 'semid import <format> <path...> [--name N] [--sep REGEX] [--map field=column,...] [--dataset D] [--json]',
  details: [
    'Formats:',
    '  lcrec  <name>.item.json + <name>.inter.json (+ optional <name>.index.json); folder or files. Categories split by --sep (default ",(?! )").',
    '  p5     sequential_data.txt (user item item ...) + items .tsv/.csv (p5_item_id, title, category_path " > ", brand).',
    '  csv    items file + interactions file (query_id|user_id, item_id[, ts, split, label, query]); --map renames columns.',
    '  jsonl  the same as JSON lines.',
    '  esci   Shopping Queries examples + products parquet; --locale (us), --positives (E,S), --valid-fraction (0.1).',
    '  ids    .index.json ({"0": ["<a_70>", ...]}) or CSV item_id,c1,c2,... attached to --dataset as an "imported" build run.',
    'Splits: leave-last-out for sequences, query-level for search data. A failed import writes nothing.',
    '',
    'Examples:',
    '  semid import lcrec ../shared/data/amazon18-scientific          (categories split by the default --sep ",(?! )")',
    '  semid import p5 ../shared/data/amazon14-beauty --name beauty',
    '  semid import ids ../shared/data/amazon18-scientific/indexes/rqvae_native.index.json --dataset Scientific',
  ].join('\n'),
  options: {
    name: { type: 'string', description: 'dataset name (default: from the files)', valueName: 'N' },
    sep: { type: 'string', description: 'category separator regex (default: lcrec ",(?! )" = a comma not followed by a space; other formats " > ")', valueName: 'REGEX' },
    map: { type: 'string', description: 'column mapping field=column,... (item_id, title, text, brand, categories, query_id, query, ts, split, label)', valueName: 'MAP' },
    'max-depth': { type: 'string', description: 'truncate category paths to this many levels (default: keep all)', valueName: 'N' },
    delimiter: { type: 'string', description: 'field delimiter of csv/tsv files (default by extension; "tab" for tab)', valueName: 'C' },
    'query-kind': { type: 'string', description: 'csv/jsonl: user or query (default: query when a query text column exists)', valueName: 'K' },
    locale: { type: 'string', description: 'esci: product locale (default us)', valueName: 'L' },
    positives: { type: 'string', description: 'esci: labels kept as positives (default E,S)', valueName: 'LABELS' },
    'valid-fraction': { type: 'string', description: 'esci: share of train queries moved to valid (default 0.1)', valueName: 'F' },
    version: { type: 'string', description: 'esci: all, small or large (default all)', valueName: 'V' },
    items: { type: 'string', description: 'esci: referenced (products in examples) or all (default referenced)', valueName: 'P' },
    'category-column': { type: 'string', description: 'esci: products column holding a category path', valueName: 'COL' },
    dataset: { type: 'string', description: 'ids: dataset id or name to attach the table to', valueName: 'D' },
    keys: { type: 'string', description: 'ids: table keys are item ext ids (ext), 0-based item indexes (idx) or auto', valueName: 'MODE' },
    codebook: { type: 'string', description: 'ids: codebook size of every layer (default: max token + 1 rounded up to a power of two)', valueName: 'K' },
  },
  json: true,
  async run(args, ctx) {
    const [format, ...paths] = args.positionals;
    if (!format) throw new Error(`give a format and a path: semid import <format> <path...> (formats: ${FORMATS.join(', ')}; see semid import --help)`);
    if (!(FORMATS as string[]).includes(format)) throw new Error(`unknown format "${format}" (expected one of ${FORMATS.join(', ')})`);
    if (paths.length === 0) throw new Error(`give at least one file or folder to import: semid import ${format} <path...>`);
    const maxDepth = numOption(args.values['max-depth'], 'max-depth');
    if (maxDepth !== undefined && maxDepth < 1) throw new Error(`--max-depth expects an integer >= 1, got "${String(args.values['max-depth'])}"`);
    const val = (k: string): string | undefined => args.values[k] as string | undefined;
    const db = openDb(ctx.dbPath);
    try {
      if (format === 'ids') {
        const d = val('dataset');
        if (!d) throw new Error('import ids needs --dataset (the id or name of the dataset to attach the table to; see semid datasets)');
        const ds = findDataset(db, d);
        const keys = (val('keys') ?? 'auto') as IdKeyMode;
        if (!['auto', 'ext', 'idx'].includes(keys)) throw new Error(`--keys expects auto, ext or idx, got "${keys}"`);
        const codebook = numOption(val('codebook'), 'codebook');
        if (codebook != null && codebook < 1) throw new Error(`--codebook expects a positive integer, got "${String(val('codebook'))}"`);
        const results = [];
        for (const p of paths) {
          const r = await importIds(db, { datasetId: ds.id, path: p, name: paths.length === 1 ? val('name') : undefined, keys, codebook });
          results.push(r);
          const c = r.collisions;
          // Same definitions as `semid audit`: colliding items = every item whose full ID is shared.
          if (!ctx.json) ctx.out(`attached ${r.name} to dataset ${ds.id} "${ds.name}" as run ${r.runId}: ${num(r.items)} items, ${r.layers} layers (K = ${r.codebookSizes.join('/')}), ${num(c.distinctIds)} distinct IDs, ${num(c.collidingItems)} colliding items in ${num(c.collidingGroups)} shared IDs (${num(c.duplicates)} duplicates beyond the first of each), keys by ${r.keyMode}`);
        }
        if (ctx.json) ctx.out(JSON.stringify(results.length === 1 ? results[0] : { ok: true, datasetId: ds.id, runs: results }));
        return 0;
      }
      const options: Record<string, unknown> = {
        sep: val('sep'),
        maxDepth,
        map: val('map'),
        delimiter: val('delimiter'),
        queryKind: val('query-kind'),
        locale: val('locale'),
        positives: val('positives'),
        validFraction: val('valid-fraction'),
        version: val('version'),
        items: val('items'),
        categoryColumn: val('category-column'),
      };
      for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
      const s = await importDataset(db, { format: format as DatasetFormat, paths, name: val('name'), options }, progressPrinter(ctx.err));
      if (ctx.json) ctx.out(JSON.stringify(s));
      else {
        ctx.out(`imported dataset ${s.datasetId} "${s.name}" in ${(s.ms / 1000).toFixed(1)} s`);
        const kind = getDataset(db, s.datasetId).queryKind;
        ctx.out(`  items ${num(s.items)}, ${kind}s ${num(s.queries)}, interactions ${num(s.interactions)} (train ${num(s.splits.train)}, valid ${num(s.splits.valid)}, test ${num(s.splits.test)})`);
        ctx.out(`  category tree: depth ${s.categoryDepth}, nodes per level ${s.categoryLevelCounts.join(' / ') || '-'}`);
        if (s.idRuns.length) ctx.out(`  attached ID table runs: ${s.idRuns.join(', ')}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
