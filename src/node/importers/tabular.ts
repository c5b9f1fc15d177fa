/**
 * Generic `csv` / `jsonl` import: an item catalog and an interactions file, with a column mapping
 * (`--map item_id=asin,title=name,query_id=user`). The split comes from a split column when there is one (per
 * interaction; for search data it is also the query's split), else leave-last-out per query in time order (file
 * order when there is no time column).
 */
import { basename, extname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { InputError, throwIfAborted } from '../../shared/errors';
import type { ImportedDataset, ImportedQuery } from '../../shared/dataset';
import { SPLIT_CODE } from '../../shared/dataset';
import type { DatasetFormat, QueryKind, Split } from '../../shared/types';
import { leaveLastOutCode, normaliseSplit } from '../../core/data/splits';
import { InteractionBuilder } from '../../core/data/build';
import { resolveInputs } from './files';
import { type ImportOptions, optEnum, optMap, optRegex, optString } from './options';
import { checkColumns, ITEM_CANDIDATES, ITEM_FIELDS, readCatalog } from './catalog';
import { cellText, openTable, pickColumn } from './table';
import type { Progress } from './types';

export const INTER_FIELDS = ['query_id', 'query', 'ts', 'split', 'label'] as const;
const INTER_CANDIDATES: Record<(typeof INTER_FIELDS)[number] | 'item_id', readonly string[]> = {
  query_id: ['query_id', 'user_id', 'user', 'session_id'],
  query: ['query', 'query_text'],
  ts: ['ts', 'timestamp', 'time', 'unixReviewTime'],
  split: ['split'],
  label: ['label', 'esci_label'],
  item_id: ITEM_CANDIDATES.item_id,
};

export const TABULAR_DEFAULT_SEP = '\\s*>\\s*';

function parseTs(file: string, line: number, col: string, x: unknown): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && x.trim()) {
    const s = x.trim();
    if (/^[-+]?\d+(\.\d+)?$/.test(s)) return Number(s);
    const d = Date.parse(s);
    if (Number.isFinite(d) && /\d{4}-\d{2}-\d{2}/.test(s)) return d / 1000;
  }
  throw new InputError(file, line, col, `${JSON.stringify(x)} is not a number (unix time) or an ISO date`);
}

interface Ev {
  item: number;
  ts: number;
  order: number;
  split: Split | null;
  label: string | null;
}

export async function parseTabular(format: Extract<DatasetFormat, 'csv' | 'jsonl'>, paths: string[], options: ImportOptions, progress: Progress, signal?: AbortSignal): Promise<ImportedDataset> {
  const ext = format === 'csv' ? /\.(csv|tsv|tab|txt)$/i : /\.(jsonl|ndjson|json)$/i;
  let itemsFile: string;
  let interFile: string;
  if (paths.length === 2 && paths.every((p) => existsSync(p) && statSync(p).isFile())) [itemsFile, interFile] = paths as [string, string];
  else {
    const f = resolveInputs(paths, [
      { role: 'items', test: (n) => ext.test(n) && /item|product|catalog/i.test(n), required: true, describe: `items ${format} file (name containing "item", "product" or "catalog")` },
      { role: 'inter', test: (n) => ext.test(n) && /inter|event|rating|click|review|example|seq/i.test(n), required: true, describe: `interactions ${format} file (name containing "inter", "events", "ratings", ...)` },
    ]);
    itemsFile = f.items!;
    interFile = f.inter!;
  }
  const sep = optRegex(options, 'sep', TABULAR_DEFAULT_SEP);
  const mapping = optMap(options, 'map', [...ITEM_FIELDS, ...INTER_FIELDS]);
  const delimiter = optString(options, 'delimiter');
  const { items, index } = await readCatalog(openTable(itemsFile, { delimiter }), mapping, sep, progress, signal);
  progress('items', items.length, items.length);

  const table = openTable(interFile, { delimiter });
  let cols: Record<string, string | undefined> | null = null;
  const byQuery = new Map<string, { text: string; events: Ev[] }>();
  let order = 0;
  for await (const row of table.rows(signal)) {
    if (!cols) {
      const c: Record<string, string | undefined> = {};
      for (const f of [...INTER_FIELDS, 'item_id'] as const) c[f] = pickColumn(table.columns(), mapping, f, INTER_CANDIDATES[f]);
      checkColumns(table, row.line, c, ['query_id', 'item_id'], mapping);
      cols = c;
    }
    const qid = cellText(interFile, row, cols.query_id, cols.query_id!);
    if (!qid) throw new InputError(interFile, row.line, cols.query_id!, 'missing required field (empty query/user id)');
    const iid = cellText(interFile, row, cols.item_id, cols.item_id!);
    if (!iid) throw new InputError(interFile, row.line, cols.item_id!, 'missing required field (empty item id)');
    const item = index.get(iid);
    if (item === undefined) throw new InputError(interFile, row.line, cols.item_id!, `item id "${iid}" is not in ${basename(itemsFile)}`);
    let split: Split | null = null;
    if (cols.split) {
      const s = cellText(interFile, row, cols.split, cols.split);
      split = normaliseSplit(s);
      if (!split) throw new InputError(interFile, row.line, cols.split, `"${s}" is not a split (train, valid, test)`);
    }
    const ts = cols.ts ? parseTs(interFile, row.line, cols.ts, row.get(cols.ts)) : order;
    let q = byQuery.get(qid);
    if (!q) byQuery.set(qid, (q = { text: cellText(interFile, row, cols.query, cols.query ?? 'query'), events: [] }));
    q.events.push({ item, ts, order: order++, split, label: cols.label ? cellText(interFile, row, cols.label, cols.label) || null : null });
    if (order % 20000 === 0) {
      progress('interactions', order, 0);
      throwIfAborted(signal);
    }
  }
  if (!cols || order === 0) throw new InputError(interFile, null, null, 'no interactions');
  const queryKind: QueryKind = optEnum(options, 'queryKind', ['user', 'query'] as const, cols.query ? 'query' : 'user');
  const queries: ImportedQuery[] = [];
  const b = new InteractionBuilder({ ts: Boolean(cols.ts), labels: Boolean(cols.label) });
  for (const [qid, { text, events }] of byQuery) {
    events.sort((a, b2) => a.ts - b2.ts || a.order - b2.order);
    const q = queries.length;
    const splits = new Set(events.map((e) => e.split));
    const querySplit = cols.split && splits.size === 1 && queryKind === 'query' ? events[0]!.split : null;
    queries.push({ extId: qid, kind: queryKind, text, split: querySplit });
    events.forEach((e, pos) => b.push(q, e.item, pos, e.split ? SPLIT_CODE[e.split] : leaveLastOutCode(pos, events.length), cols!.ts ? e.ts : null, e.label));
  }
  progress('interactions', order, order);
  return {
    name: basename(paths.length === 1 ? paths[0]! : itemsFile).replace(extname(paths.length === 1 ? paths[0]! : itemsFile), ''),
    format,
    source: [itemsFile, interFile].join(', '),
    queryKind,
    items,
    queries,
    interactions: b.finish(),
    config: { sep: sep.source, map: mapping, split: cols.split ? `column ${cols.split}` : 'leave-last-out' },
  };
}
