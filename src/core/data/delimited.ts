/**
 * A streaming parser for delimited text (CSV, TSV) with CSV-style quoting: a field that starts with a quote runs to
 * the matching quote, may contain delimiters and line breaks, and writes a literal quote as two quotes. Feed it
 * decoded text in chunks of any size (a chunk may end inside a quoted field or between \r and \n); it returns the
 * rows completed so far, each with the 1-based line its first character is on, so errors can name the line.
 */
import { InputError } from '../../shared/errors';

export interface DelimitedRow {
  fields: string[];
  /** 1-based line of the row's first character. */
  line: number;
}

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class DelimitedParser {
  /** Column names, used only to name the field in errors: set by the caller, or from the first row when `header`. */
  columns: string[] | null = null;
  private readonly delim: number;
  private readonly quote: number;
  private state = S.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private rowLine = 1;
  private rowHasChars = false;
  private skipLf = false;
  private quotedFrom = 0;

  constructor(
    private readonly opts: { delimiter: string; quote?: string; file: string; header?: boolean },
  ) {
    if (opts.delimiter.length !== 1) throw new Error('delimiter must be one character');
    this.delim = opts.delimiter.charCodeAt(0);
    this.quote = (opts.quote ?? '"').charCodeAt(0);
  }

  push(chunk: string): DelimitedRow[] {
    const out: DelimitedRow[] = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.skipLf) {
        this.skipLf = false;
        if (c === 10) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case S.FieldStart:
        case S.Unquoted: {
          if (this.state === S.FieldStart && c === this.quote) {
            this.state = S.Quoted;
            this.quotedFrom = this.line;
            this.startRow();
            i++;
            break;
          }
          // Scan the unquoted run up to the next delimiter or line break in one slice.
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === this.delim || d === 10 || d === 13) break;
            j++;
          }
          if (j > i) {
            this.startRow();
            this.field += chunk.slice(i, j);
            this.state = S.Unquoted;
          }
          if (j === n) {
            i = n;
            break;
          }
          const d = chunk.charCodeAt(j);
          if (d === this.delim) {
            this.startRow();
            this.endField();
          } else {
            this.endRow(out);
            this.line++;
            if (d === 13) this.skipLf = true;
          }
          i = j + 1;
          break;
        }
        case S.Quoted: {
          const j = chunk.indexOf(this.opts.quote ?? '"', i);
          const end = j < 0 ? n : j;
          const part = chunk.slice(i, end);
          for (let k = 0; k < part.length; k++) if (part.charCodeAt(k) === 10) this.line++;
          this.field += part;
          if (j >= 0) this.state = S.QuoteInQuoted;
          i = end + (j >= 0 ? 1 : 0);
          break;
        }
        case S.QuoteInQuoted: {
          if (c === this.quote) {
            this.field += this.opts.quote ?? '"';
            this.state = S.Quoted;
            i++;
          } else if (c === this.delim) {
            this.endField();
            i++;
          } else if (c === 10 || c === 13) {
            this.endRow(out);
            this.line++;
            if (c === 13) this.skipLf = true;
            i++;
          } else {
            throw new InputError(
              this.opts.file,
              this.line,
              this.fieldName(),
              `unexpected character ${JSON.stringify(chunk[i])} after a closing quote (a quote inside a quoted field is written as two quotes)`,
            );
          }
          break;
        }
      }
    }
    return out;
  }

  end(): DelimitedRow[] {
    if (this.state === S.Quoted) {
      throw new InputError(this.opts.file, this.quotedFrom, this.fieldName(), 'quoted field is never closed (missing closing quote)');
    }
    const out: DelimitedRow[] = [];
    this.endRow(out);
    return out;
  }

  private fieldName(): string | null {
    const col = this.fields.length;
    return this.columns?.[col] ?? `column ${col + 1}`;
  }

  private startRow(): void {
    if (!this.rowHasChars) {
      this.rowHasChars = true;
      this.rowLine = this.line;
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = S.FieldStart;
  }

  private endRow(out: DelimitedRow[]): void {
    if (this.rowHasChars) {
      this.fields.push(this.field);
      if (this.opts.header && this.columns === null) this.columns = this.fields.map((f) => f.trim());
      out.push({ fields: this.fields, line: this.rowLine });
    }
    this.fields = [];
    this.field = '';
    this.state = S.FieldStart;
    this.rowHasChars = false;
  }
}

/** Parses a whole string (tests, small inputs). */
export function parseDelimited(text: string, opts: { delimiter: string; quote?: string; file: string; header?: boolean }): DelimitedRow[] {
  const p = new DelimitedParser(opts);
  return [...p.push(text), ...p.end()];
}
