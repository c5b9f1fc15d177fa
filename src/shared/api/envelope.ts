/**
 * The wire form of one API call's outcome, shared by both transports (Electron IPC and `semid serve` HTTP).
 * Errors travel as data rather than as thrown exceptions because Electron's ipcMain.handle keeps only the message of a
 * thrown error; an InputError's file, line and field must reach the renderer intact.
 */
import type { ErrorInfo } from '../errors';

export type ApiEnvelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** HTTP header that carries the `semid serve` session token (browsers cannot set headers on WebSockets: query param there). */
export const TOKEN_HEADER = 'x-semid-token';

/** The renderer-side error for a failed call: keeps the structured info (file/line/field) for the ErrorBox. */
export class ApiError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.info = info;
  }
}

export function unwrapEnvelope<T>(env: ApiEnvelope<T>): T {
  if (env.ok) return env.result;
  throw new ApiError(env.error);
}
