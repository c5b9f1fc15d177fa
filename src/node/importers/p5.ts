/**
 * P5 format (../shared/data/amazon14-beauty): `sequential_data.txt` (one line per user: `user item item ...` in time
 * order) and an items table (TSV/CSV with CSV-style quoting; a quoted title may hold tabs and line breaks) with
 * columns p5_item_id, title, category_path ("Beauty > Makeup > Nails"), brand. Leave-last-out splits.
 * Items keep the table's row order, so item idx = P5 id - 1 for the shipped file, the key order of its sid-indexes.
 */
import { basename } from 'node:path';
import { InputError, throwIfAborted } from '../../shared/errors';
import type { ImportedDataset, ImportedQuery } from '../../shared/dataset';
import { leaveLastOutCode } from '../../core/data/splits';
import { InteractionBuilder } from '../../core/data/build';
import { readLines, resolveInputs } from './files';
import { type ImportOptions, optMap, optRegex, optString } from './options';
import { readCatalog, ITEM_FIELDS } from './catalog';
import { openTable } from './table';
import type { Progress } from './types';

export const P5_DEFAULT_SEP = '\\s*>\\s*';

export async function parseP5(paths: string[], options: ImportOptions, progress: Progress, signal?: AbortSignal): Promise<ImportedDataset> {
  const files = resolveInputs(paths, [
    { role: 'seq', test: (n) => /sequential.*\.txt$/i.test(n), required: true, describe: 'sequential_data.txt (user item item ...)' },
    { role: 'items', test: (n) => /\.(tsv|csv)$/i.test(n), required: true, describe: 'items table (.tsv or .csv)' },
  ]);
  const sep = optRegex(options, 'sep', P5_DEFAULT_SEP);
  const mapping = optMap(options, 'map', ITEM_FIELDS);
  const table = openTable(files.items!, { delimiter: optString(options, 'delimiter') });
  const { items, index } = await readCatalog(table, mapping, sep, progress, signal);
  progress('items', items.length, items.length);

  const seqFile = files.seq!;
  const queries: ImportedQuery[] = [];
  const userLine = new Map<string, number>();
  const b = new InteractionBuilder();
  for await (const { text, line } of readLines(seqFile, signal)) {
    const toks = text.trim().split(/\s+/);
    if (toks.length === 1 && toks[0] === '') continue;
    const user = toks[0]!;
    if (toks.length < 2) throw new InputError(seqFile, line, 'items', `user "${user}" has no items`);
    const prev = userLine.get(user);
    if (prev !== undefined) throw new InputError(seqFile, line, 'user', `duplicate user "${user}" (first on line ${prev})`);
    userLine.set(user, line);
    const q = queries.length;
    queries.push({ extId: user, kind: 'user', text: '', split: null });
    const n = toks.length - 1;
    for (let k = 0; k < n; k++) {
      const i = index.get(toks[k + 1]!);
      if (i === undefined) throw new InputError(seqFile, line, 'item', `item id "${toks[k + 1]}" (position ${k + 1}) is not in ${basename(files.items!)}`);
      b.push(q, i, k, leaveLastOutCode(k, n));
    }
    if (q % 5000 === 0) {
      progress('interactions', q, 0);
      throwIfAborted(signal);
    }
  }
  if (queries.length === 0) throw new InputError(seqFile, null, null, 'file is empty (no user lines)');
  progress('interactions', queries.length, queries.length);
  return {
    name: basename(paths.length === 1 ? paths[0]! : seqFile).replace(/\.(txt|tsv|csv)$/i, ''),
    format: 'p5',
    source: [seqFile, files.items!].join(', '),
    queryKind: 'user',
    items,
    queries,
    interactions: b.finish(),
    config: { sep: sep.source, map: mapping, split: 'leave-last-out' },
  };
}
