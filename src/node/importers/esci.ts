/**
 * Amazon Shopping Queries (ESCI) parquet pair, read with hyparquet one row group at a time:
 * examples (query_id, query, product_id, esci_label, product_locale, split[, small_version]) and products
 * (product_id, product_title, product_brand, product_description?, product_bullet_point?, product_locale).
 * Labels E and S are positives by default (CAT-ID²'s setting); only positives become interactions, each keeping its
 * label. Splits are query-level from the `split` column (train/test); valid is carved out of train by a hash of the
 * query id (10% by default), so it is the same on every machine. Rows are reported 1-based as "lines".
 */
import { basename } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { InputError, throwIfAborted } from '../../shared/errors';
import type { ImportedDataset, ImportedItem, ImportedQuery } from '../../shared/dataset';
import { SPLIT_CODE } from '../../shared/dataset';
import type { Split } from '../../shared/types';
import { carveValid, normaliseSplit } from '../../core/data/splits';
import { InteractionBuilder } from '../../core/data/build';
import { splitCategoryPath } from '../../core/data/categories';
import { resolveInputs } from './files';
import { type ImportOptions, optEnum, optNumber, optRegex, optString } from './options';
import type { Progress } from './types';

const LABELS = ['E', 'S', 'C', 'I'] as const;

async function openParquet(file: string): Promise<{ buf: AsyncBuffer; meta: FileMetaData; columns: string[] }> {
  let buf: AsyncBuffer;
  let meta: FileMetaData;
  try {
    buf = await asyncBufferFromFile(file);
    if (buf.byteLength === 0) throw new InputError(file, null, null, 'file is empty');
    meta = await parquetMetadataAsync(buf);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, null, null, `not a readable parquet file: ${(e as Error).message}`);
  }
  const columns = meta.schema.slice(1).map((s) => s.name);
  return { buf, meta, columns };
}

/** Rows of the given columns, one row group at a time; `row` is the 1-based row number in the file. */
async function* parquetRows(file: string, columns: string[], signal?: AbortSignal): AsyncGenerator<{ row: number; get: (c: string) => unknown }, void, void> {
  const { buf, meta, columns: have } = await openParquet(file);
  const cols = columns.filter((c) => have.includes(c));
  let start = 0;
  for (const rg of meta.row_groups) {
    throwIfAborted(signal);
    const n = Number(rg.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buf, metadata: meta, columns: cols, rowStart: start, rowEnd: start + n });
    } catch (e) {
      throw new InputError(file, start + 1, null, `cannot decode row group: ${(e as Error).message}`);
    }
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      yield { row: start + k + 1, get: (c) => r[c] };
    }
    start += n;
  }
}

function text(file: string, row: number, field: string, x: unknown, required: boolean): string {
  if (x === undefined || x === null || x === '') {
    if (required) throw new InputError(file, row, field, 'missing required field');
    return '';
  }
  if (typeof x === 'string') return x.trim();
  if (typeof x === 'number' || typeof x === 'bigint') return String(x);
  throw new InputError(file, row, field, `expected text, got ${typeof x}`);
}

export async function parseEsci(paths: string[], options: ImportOptions, progress: Progress, signal?: AbortSignal): Promise<ImportedDataset> {
  const files = resolveInputs(paths, [
    { role: 'examples', test: (n) => /example.*\.parquet$/i.test(n), required: true, describe: 'examples parquet (shopping_queries_dataset_examples.parquet)' },
    { role: 'products', test: (n) => /product.*\.parquet$/i.test(n), required: true, describe: 'products parquet (shopping_queries_dataset_products.parquet)' },
  ]);
  const locale = optString(options, 'locale') ?? 'us';
  const positives = new Set((optString(options, 'positives') ?? 'E,S').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
  for (const p of positives) if (!(LABELS as readonly string[]).includes(p)) throw new InputError('options', null, 'positives', `"${p}" is not an ESCI label (E, S, C, I)`);
  const validFraction = optNumber(options, 'validFraction', { min: 0, max: 0.9 }) ?? 0.1;
  const version = optEnum(options, 'version', ['all', 'small', 'large'] as const, 'all');
  const itemsPolicy = optEnum(options, 'items', ['referenced', 'all'] as const, 'referenced');
  const categoryColumn = optString(options, 'categoryColumn');
  const sep = optRegex(options, 'sep', '\\s*>\\s*');

  // 1. Examples of the locale: queries (with their split) and labelled (query, product) pairs.
  const exFile = files.examples!;
  const { columns: exCols } = await openParquet(exFile);
  for (const c of ['query_id', 'query', 'product_id', 'esci_label', 'split']) {
    if (!exCols.includes(c)) throw new InputError(exFile, null, c, `missing required column (have: ${exCols.join(', ')})`);
  }
  const versionCol = version === 'small' ? 'small_version' : version === 'large' ? 'large_version' : null;
  if (versionCol && !exCols.includes(versionCol)) throw new InputError(exFile, null, versionCol, 'missing column needed by --version');
  const queryIdx = new Map<string, number>();
  const queries: ImportedQuery[] = [];
  const pairs: { q: number; product: string; label: string; row: number }[] = [];
  const referenced = new Set<string>();
  let rows = 0;
  for await (const r of parquetRows(exFile, ['query_id', 'query', 'product_id', 'esci_label', 'product_locale', 'split', ...(versionCol ? [versionCol] : [])], signal)) {
    rows++;
    if (exCols.includes('product_locale') && text(exFile, r.row, 'product_locale', r.get('product_locale'), true) !== locale) continue;
    if (versionCol && Number(r.get(versionCol)) !== 1) continue;
    const qid = text(exFile, r.row, 'query_id', r.get('query_id'), true);
    const product = text(exFile, r.row, 'product_id', r.get('product_id'), true);
    const label = text(exFile, r.row, 'esci_label', r.get('esci_label'), true).toUpperCase();
    if (!(LABELS as readonly string[]).includes(label)) throw new InputError(exFile, r.row, 'esci_label', `"${label}" is not an ESCI label (E, S, C, I)`);
    const splitText = text(exFile, r.row, 'split', r.get('split'), true);
    const split = normaliseSplit(splitText);
    if (!split) throw new InputError(exFile, r.row, 'split', `"${splitText}" is not a split (train, test)`);
    let q = queryIdx.get(qid);
    if (q === undefined) {
      q = queries.length;
      queryIdx.set(qid, q);
      queries.push({ extId: qid, kind: 'query', text: text(exFile, r.row, 'query', r.get('query'), true), split: carveValid(qid, split, validFraction) });
    } else if (queries[q]!.split !== carveValid(qid, split, validFraction)) {
      throw new InputError(exFile, r.row, 'split', `query "${qid}" appears in more than one split`);
    }
    referenced.add(product);
    if (positives.has(label)) pairs.push({ q, product, label, row: r.row });
    if (rows % 50000 === 0) progress('examples', rows, 0);
  }
  if (queries.length === 0) throw new InputError(exFile, null, 'product_locale', `no examples for locale "${locale}"`);

  // 2. Products of the locale.
  const prFile = files.products!;
  const { columns: prCols } = await openParquet(prFile);
  for (const c of ['product_id', 'product_title']) {
    if (!prCols.includes(c)) throw new InputError(prFile, null, c, `missing required column (have: ${prCols.join(', ')})`);
  }
  if (categoryColumn && !prCols.includes(categoryColumn)) throw new InputError(prFile, null, categoryColumn, 'missing column named by --category-column');
  const items: ImportedItem[] = [];
  const itemIdx = new Map<string, number>();
  const itemRow: number[] = [];
  const want = ['product_id', 'product_title', 'product_brand', 'product_description', 'product_bullet_point', 'product_locale', ...(categoryColumn ? [categoryColumn] : [])];
  for await (const r of parquetRows(prFile, want, signal)) {
    if (prCols.includes('product_locale') && text(prFile, r.row, 'product_locale', r.get('product_locale'), true) !== locale) continue;
    const id = text(prFile, r.row, 'product_id', r.get('product_id'), true);
    if (itemsPolicy === 'referenced' && !referenced.has(id)) continue;
    const prev = itemIdx.get(id);
    if (prev !== undefined) throw new InputError(prFile, r.row, 'product_id', `duplicate product id "${id}" (first on row ${itemRow[prev]})`);
    itemIdx.set(id, items.length);
    itemRow.push(r.row);
    const desc = text(prFile, r.row, 'product_description', r.get('product_description'), false);
    const bullets = text(prFile, r.row, 'product_bullet_point', r.get('product_bullet_point'), false);
    items.push({
      extId: id,
      title: text(prFile, r.row, 'product_title', r.get('product_title'), false),
      text: [desc, bullets].filter(Boolean).join('\n'),
      brand: text(prFile, r.row, 'product_brand', r.get('product_brand'), false),
      categories: categoryColumn ? splitCategoryPath(text(prFile, r.row, categoryColumn, r.get(categoryColumn), false), sep) : [],
    });
  }
  if (items.length === 0) throw new InputError(prFile, null, 'product_locale', `no products for locale "${locale}"`);

  // 3. Positive pairs → interactions; queries without a positive are dropped (nothing to retrieve).
  const b = new InteractionBuilder({ labels: true });
  const keep = new Int32Array(queries.length).fill(-1);
  const kept: ImportedQuery[] = [];
  const nextPos: number[] = [];
  for (const p of pairs) {
    const i = itemIdx.get(p.product);
    if (i === undefined) throw new InputError(exFile, p.row, 'product_id', `product "${p.product}" is not in ${basename(prFile)} (locale ${locale})`);
    if (keep[p.q]! < 0) {
      keep[p.q] = kept.length;
      kept.push(queries[p.q]!);
      nextPos.push(0);
    }
    const q = keep[p.q]!;
    b.push(q, i, nextPos[q]!++, SPLIT_CODE[queries[p.q]!.split as Split], null, p.label);
  }
  progress('examples', rows, rows);
  return {
    name: `esci-${locale}`,
    format: 'esci',
    source: [exFile, prFile].join(', '),
    queryKind: 'query',
    items,
    queries: kept,
    interactions: b.finish(),
    config: { locale, positives: [...positives], validFraction, version, items: itemsPolicy, droppedQueriesWithoutPositives: queries.length - kept.length },
  };
}
