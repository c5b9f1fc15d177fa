import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { ApiError } from '../../../shared/api/envelope';

/**
 * Structured view of an error. InputError info carries file/line/field directly; errors that arrive only as a
 * message (run.error, IPC) are parsed from InputError's fixed message shape `file:line: field "f": reason`.
 */
export function errorDetails(err: unknown): ErrorInfo & { reason?: string } {
  const info: ErrorInfo =
    err instanceof ApiError
      ? err.info
      : err instanceof Error
        ? { name: err.name, message: err.message }
        : typeof err === 'object' && err !== null && 'message' in err
          ? (err as ErrorInfo)
          : { name: 'Error', message: String(err) };
  if (info.file) {
    const m = /: (?:field "[^"]*": )?(.*)$/s.exec(info.message);
    return { ...info, reason: m?.[1] ?? info.message };
  }
  const m = /^(?:[A-Za-z]*Error: )?(.+?):(\d+): field "([^"]+)": (.*)$/s.exec(info.message);
  if (m) return { ...info, file: m[1], line: Number(m[2]), field: m[3], reason: m[4] };
  const m2 = /^(?:[A-Za-z]*Error: )?(.+?):(\d+): (.*)$/s.exec(info.message);
  if (m2 && /[./\\]/.test(m2[1]!)) return { ...info, file: m2[1], line: Number(m2[2]), field: null, reason: m2[3] };
  const m3 = /field "([^"]+)": (.*)$/s.exec(info.message);
  if (m3) return { ...info, field: m3[1], reason: m3[2] };
  return info;
}

export function ErrorBox({ error, title, onDismiss }: { error: unknown; title?: string; onDismiss?: () => void }): ReactNode {
  if (error == null) return null;
  const d = errorDetails(error);
  return (
    <div className="error-box" role="alert" data-testid="error-box">
      <div className="row">
        <div className="title">{title ?? (d.name && d.name !== 'Error' ? d.name : 'Something went wrong')}</div>
        <span className="spacer" />
        {onDismiss && (
          <button type="button" className="link" onClick={onDismiss}>
            dismiss
          </button>
        )}
      </div>
      <div>{d.reason ?? d.message}</div>
      {(d.file || d.field) && (
        <dl className="kv">
          {d.file && (
            <>
              <dt>file</dt>
              <dd className="mono" data-testid="error-file">
                {d.file}
              </dd>
            </>
          )}
          {d.line != null && (
            <>
              <dt>line</dt>
              <dd data-testid="error-line">{d.line}</dd>
            </>
          )}
          {d.field && (
            <>
              <dt>field</dt>
              <dd className="mono" data-testid="error-field">
                {d.field}
              </dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
