/**
 * LC-Rec format (../shared/data/amazon18-scientific): `<name>.item.json` {id: {title, description, brand, categories}},
 * `<name>.inter.json` {user: [item ids in time order]} and an optional `<name>.index.json` ID table. These are whole-file
 * JSON objects, so a syntax error is located by the parser's position; item and user errors name the line of their key.
 * Categories are one string split by a regex (default ",(?! )": names such as "Tapes, Adhesives & Sealants" contain ", ").
 */
import { basename } from 'node:path';
import { InputError, throwIfAborted } from '../../shared/errors';
import type { ImportedDataset, ImportedItem, ImportedQuery } from '../../shared/dataset';
import { splitCategoryPath } from '../../core/data/categories';
import { leaveLastOutCode } from '../../core/data/splits';
import { InteractionBuilder } from '../../core/data/build';
import { topLevelKeys } from '../../core/data/text';
import { parseJsonText, readText, resolveInputs } from './files';
import { type ImportOptions, optRegex } from './options';
import { parseIdTable } from './ids';
import type { Progress } from './types';

export const LCREC_DEFAULT_SEP = ',(?! )';

function keyLines(file: string, text: string, what: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const { key, line } of topLevelKeys(text)) {
    if (lines.has(key)) throw new InputError(file, line, null, `duplicate ${what} id "${key}" (first on line ${lines.get(key)})`);
    lines.set(key, line);
  }
  return lines;
}

function asObject(file: string, v: unknown, line: number | null, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(file, line, null, `expected ${what}`);
  return v as Record<string, unknown>;
}

function optStr(file: string, obj: Record<string, unknown>, field: string, line: number | null, id: string): string {
  const x = obj[field];
  if (x === undefined || x === null) return '';
  if (typeof x !== 'string') throw new InputError(file, line, field, `item "${id}": expected a string, got ${Array.isArray(x) ? 'array' : typeof x}`);
  return x;
}

export async function parseLcrec(paths: string[], options: ImportOptions, progress: Progress, signal?: AbortSignal): Promise<ImportedDataset> {
  const files = resolveInputs(paths, [
    { role: 'item', test: (n) => n.endsWith('.item.json'), required: true, describe: '<name>.item.json file' },
    { role: 'inter', test: (n) => n.endsWith('.inter.json'), required: true, describe: '<name>.inter.json file' },
    { role: 'index', test: (n) => n.endsWith('.index.json'), required: false, describe: '<name>.index.json file' },
  ]);
  const sep = optRegex(options, 'sep', LCREC_DEFAULT_SEP);

  // Items
  const itemFile = files.item!;
  progress('items', 0, 1);
  const itemText = await readText(itemFile, signal);
  const itemObj = asObject(itemFile, parseJsonText(itemFile, itemText), 1, 'a JSON object {item id: {title, ...}}');
  const itemLines = keyLines(itemFile, itemText, 'item');
  const items: ImportedItem[] = [];
  const itemIdx = new Map<string, number>();
  for (const [id, raw] of Object.entries(itemObj)) {
    const line = itemLines.get(id) ?? null;
    const o = asObject(itemFile, raw, line, `item "${id}" to be an object {title, description, brand, categories}`);
    if (o.title === undefined || o.title === null) throw new InputError(itemFile, line, 'title', `item "${id}": missing required field`);
    const title = optStr(itemFile, o, 'title', line, id);
    const cats = o.categories;
    let categories: string[];
    if (Array.isArray(cats)) {
      categories = cats.map((c) => {
        if (typeof c !== 'string') throw new InputError(itemFile, line, 'categories', `item "${id}": expected strings`);
        return c.trim();
      }).filter(Boolean);
    } else categories = splitCategoryPath(optStr(itemFile, o, 'categories', line, id), sep);
    itemIdx.set(id, items.length);
    items.push({ extId: id, title: title.trim(), text: optStr(itemFile, o, 'description', line, id).trim(), brand: optStr(itemFile, o, 'brand', line, id).trim(), categories });
  }
  if (items.length === 0) throw new InputError(itemFile, null, null, 'no items in the file');
  progress('items', 1, 1);
  throwIfAborted(signal);

  // Interactions: one sequence per user, leave-last-out.
  const interFile = files.inter!;
  const interText = await readText(interFile, signal);
  const interObj = asObject(interFile, parseJsonText(interFile, interText), 1, 'a JSON object {user id: [item ids]}');
  const userLines = keyLines(interFile, interText, 'user');
  const queries: ImportedQuery[] = [];
  const b = new InteractionBuilder();
  const users = Object.entries(interObj);
  for (const [u, seq] of users) {
    const line = userLines.get(u) ?? null;
    if (!Array.isArray(seq)) throw new InputError(interFile, line, u, 'expected an array of item ids');
    if (seq.length === 0) throw new InputError(interFile, line, u, 'empty sequence');
    const q = queries.length;
    queries.push({ extId: u, kind: 'user', text: '', split: null });
    seq.forEach((raw, pos) => {
      if (typeof raw !== 'number' && typeof raw !== 'string') throw new InputError(interFile, line, u, `position ${pos}: expected an item id, got ${JSON.stringify(raw)}`);
      const i = itemIdx.get(String(raw));
      if (i === undefined) throw new InputError(interFile, line, u, `position ${pos}: item id ${JSON.stringify(raw)} is not in ${basename(itemFile)}`);
      b.push(q, i, pos, leaveLastOutCode(pos, seq.length));
    });
    if (q % 2000 === 0) progress('interactions', q, users.length);
  }
  if (queries.length === 0) throw new InputError(interFile, null, null, 'no users in the file');
  progress('interactions', users.length, users.length);

  const ds: ImportedDataset = {
    name: basename(itemFile).replace(/\.item\.json$/, ''),
    format: 'lcrec',
    source: [itemFile, interFile, ...(files.index ? [files.index] : [])].join(', '),
    queryKind: 'user',
    items,
    queries,
    interactions: b.finish(),
    config: { sep: sep.source, split: 'leave-last-out' },
  };
  if (files.index) {
    const t = await parseIdTable(files.index, items.map((i) => i.extId), { keys: 'ext' });
    ds.idTables = [{ name: t.name, source: t.source, layers: t.layers, codebookSizes: t.codebookSizes, codes: t.codes }];
  }
  return ds;
}
