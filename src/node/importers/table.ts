/**
 * Row sources for tabular importers: delimited files (CSV/TSV with CSV quoting, streamed through the pure
 * DelimitedParser) and JSON lines, both yielding {line, get(column)} so one mapping/validation path serves both.
 */
import { extname } from 'node:path';
import { InputError } from '../../shared/errors';
import { DelimitedParser } from '../../core/data/delimited';
import { readLines, readTextChunks } from './files';

export interface TableRow {
  line: number;
  /** Raw value of a column: string for delimited files, any JSON value for JSON lines; undefined when absent. */
  get(column: string): unknown;
}

export interface Table {
  file: string;
  /** Column names (the header of a delimited file; the keys of the first object of a JSON-lines file). */
  columns(): string[];
  rows(signal?: AbortSignal): AsyncGenerator<TableRow, void, void>;
}

export function delimiterFor(file: string, override?: string): string {
  if (override) return override === '\\t' || override === 'tab' ? '\t' : override;
  const ext = extname(file).toLowerCase();
  return ext === '.tsv' || ext === '.tab' || ext === '.txt' ? '\t' : ',';
}

/** A delimited file with a header row; every row must have exactly as many fields as the header. */
export function delimitedTable(file: string, delimiter: string): Table {
  let header: string[] = [];
  return {
    file,
    columns: () => header,
    async *rows(signal) {
      const parser = new DelimitedParser({ delimiter, file, header: true });
      let gotHeader = false;
      let index = new Map<string, number>();
      const toRow = (r: { fields: string[]; line: number }): TableRow | null => {
        if (!gotHeader) {
          header = r.fields.map((h) => h.trim());
          index = new Map(header.map((h, i) => [h, i]));
          gotHeader = true;
          return null;
        }
        if (r.fields.length !== header.length) {
          throw new InputError(file, r.line, null, `expected ${header.length} fields (as in the header), found ${r.fields.length}`);
        }
        const fields = r.fields;
        return { line: r.line, get: (c) => (index.has(c) ? fields[index.get(c)!] : undefined) };
      };
      for await (const chunk of readTextChunks(file, signal)) {
        for (const r of parser.push(chunk)) {
          const row = toRow(r);
          if (row) yield row;
        }
      }
      for (const r of parser.end()) {
        const row = toRow(r);
        if (row) yield row;
      }
      if (!gotHeader) throw new InputError(file, null, null, 'file is empty');
    },
  };
}

/** JSON lines: one object per non-blank line. */
export function jsonLinesTable(file: string): Table {
  let cols: string[] = [];
  return {
    file,
    columns: () => cols,
    async *rows(signal) {
      let any = false;
      for await (const { text, line } of readLines(file, signal)) {
        if (!text.trim()) continue;
        let obj: unknown;
        try {
          obj = JSON.parse(text);
        } catch (e) {
          throw new InputError(file, line, null, `invalid JSON: ${(e as Error).message.replace(/ in JSON at position (\d+).*$/, (_m, p: string) => ` at column ${Number(p) + 1}`)}`);
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new InputError(file, line, null, 'expected a JSON object on each line');
        const o = obj as Record<string, unknown>;
        if (!any) cols = Object.keys(o);
        any = true;
        yield { line, get: (c) => o[c] };
      }
      if (!any) throw new InputError(file, null, null, 'file is empty (no JSON objects)');
    },
  };
}

export function openTable(file: string, opts: { delimiter?: string } = {}): Table {
  const ext = extname(file).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? jsonLinesTable(file) : delimitedTable(file, delimiterFor(file, opts.delimiter));
}

/** A cell as trimmed text: strings as they are, numbers printed, null/undefined as ''. Objects are an error. */
export function cellText(file: string, row: TableRow, column: string | undefined, field: string): string {
  if (!column) return '';
  const x = row.get(column);
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x.trim();
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  throw new InputError(file, row.line, field, `expected a text value, got ${Array.isArray(x) ? 'an array' : typeof x}`);
}

/** Picks the source column of a canonical field: the explicit mapping, else the first candidate present. */
export function pickColumn(columns: string[], mapping: Record<string, string>, field: string, candidates: readonly string[]): string | undefined {
  if (mapping[field]) return mapping[field];
  return candidates.find((c) => columns.includes(c));
}
