/**
 * An error in user-supplied input. The message always names the file, the line (or row) and the field,
 * so a user can open the file and fix it: `items.tsv:17: field "title": invalid UTF-8`.
 */
export class InputError extends Error {
  readonly file: string;
  readonly line: number | null;
  readonly field: string | null;
  readonly reason: string;

  constructor(file: string, line: number | null, field: string | null, reason: string) {
    const where = line == null ? file : `${file}:${line}`;
    super(field == null ? `${where}: ${reason}` : `${where}: field "${field}": ${reason}`);
    this.name = 'InputError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }
}

/** Serializable form of any error, for job messages and API responses. */
export interface ErrorInfo {
  name: string;
  message: string;
  file?: string;
  line?: number | null;
  field?: string | null;
  stack?: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof InputError) {
    return { name: err.name, message: err.message, file: err.file, line: err.line, field: err.field };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Thrown by long jobs when their AbortSignal fires; the host records the run as `cancelled`. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
