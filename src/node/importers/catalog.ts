/** Reading an item catalog from a Table with a column mapping (shared by p5, csv and jsonl). */
import { InputError, throwIfAborted } from '../../shared/errors';
import type { ImportedItem } from '../../shared/dataset';
import { splitCategoryPath } from '../../core/data/categories';
import { cellText, pickColumn, type Table, type TableRow } from './table';
import type { Progress } from './types';

export const ITEM_FIELDS = ['item_id', 'title', 'text', 'brand', 'categories'] as const;

export const ITEM_CANDIDATES: Record<(typeof ITEM_FIELDS)[number], readonly string[]> = {
  item_id: ['item_id', 'p5_item_id', 'id', 'asin', 'product_id'],
  title: ['title', 'name', 'product_title'],
  text: ['text', 'description', 'product_description'],
  brand: ['brand', 'product_brand'],
  categories: ['categories', 'category_path', 'category', 'categories_path'],
};

/** Fails on the first row when a required (or explicitly mapped) column is absent from the header. */
export function checkColumns(table: Table, line: number, cols: Record<string, string | undefined>, required: string[], mapping: Record<string, string>): void {
  const have = table.columns();
  for (const [field, col] of Object.entries(cols)) {
    if (required.includes(field) && !col) {
      throw new InputError(table.file, line, field, `missing required column (have: ${have.join(', ') || 'none'}; map one with --map ${field}=COLUMN)`);
    }
    if (col && mapping[field] && !have.includes(col)) {
      throw new InputError(table.file, line, field, `mapped column "${col}" is not in the header (have: ${have.join(', ')})`);
    }
  }
}

export async function readCatalog(
  table: Table,
  mapping: Record<string, string>,
  sep: RegExp,
  progress: Progress,
  signal?: AbortSignal,
): Promise<{ items: ImportedItem[]; index: Map<string, number>; columns: Record<string, string | undefined> }> {
  const items: ImportedItem[] = [];
  const index = new Map<string, number>();
  const lineOf: number[] = [];
  let cols: Record<string, string | undefined> | null = null;
  for await (const row of table.rows(signal)) {
    if (!cols) {
      const c: Record<string, string | undefined> = {};
      for (const f of ITEM_FIELDS) c[f] = pickColumn(table.columns(), mapping, f, ITEM_CANDIDATES[f]);
      checkColumns(table, row.line, c, ['item_id', 'title'], mapping);
      cols = c;
    }
    const id = cellText(table.file, row, cols.item_id, 'item_id');
    if (!id) throw new InputError(table.file, row.line, cols.item_id!, 'missing required field (empty item id)');
    if (row.get(cols.title!) === undefined || row.get(cols.title!) === null) {
      throw new InputError(table.file, row.line, cols.title!, `item "${id}": missing required field`);
    }
    const prev = index.get(id);
    if (prev !== undefined) throw new InputError(table.file, row.line, cols.item_id!, `duplicate item id "${id}" (first on line ${lineOf[prev]})`);
    index.set(id, items.length);
    lineOf.push(row.line);
    items.push({
      extId: id,
      title: cellText(table.file, row, cols.title, cols.title!),
      text: cellText(table.file, row, cols.text, cols.text ?? 'text'),
      brand: cellText(table.file, row, cols.brand, cols.brand ?? 'brand'),
      categories: categoriesOf(table.file, row, cols.categories, sep),
    });
    if (items.length % 5000 === 0) {
      progress('items', items.length, 0);
      throwIfAborted(signal);
    }
  }
  if (items.length === 0) throw new InputError(table.file, null, null, 'no items (only a header?)');
  return { items, index, columns: cols ?? {} };
}

function categoriesOf(file: string, row: TableRow, col: string | undefined, sep: RegExp): string[] {
  if (!col) return [];
  const x = row.get(col);
  if (Array.isArray(x)) {
    return x.map((c) => {
      if (typeof c !== 'string') throw new InputError(file, row.line, col, 'expected an array of category names');
      return c.trim();
    }).filter(Boolean);
  }
  return splitCategoryPath(cellText(file, row, col, col), sep);
}
