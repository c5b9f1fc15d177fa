/**
 * The one receiving edge for API calls: Electron ipcMain handlers and the `semid serve` HTTP server both call
 * `dispatch`, which validates the raw payload with API_VALIDATORS before the service sees it. An unknown domain or
 * method is refused by name; a bad payload names the offending field (PayloadError).
 */
import { API_VALIDATORS, type Api } from '../../shared/api/index';
import type { ApiEnvelope } from '../../shared/api/envelope';
import { toErrorInfo } from '../../shared/errors';
import type { Validator } from '../../shared/validate';

export class UnknownMethodError extends Error {
  constructor(domain: string, method: string) {
    super(`unknown API method "${domain}.${method}"`);
    this.name = 'UnknownMethodError';
  }
}

/** Looks up the validator, or throws UnknownMethodError (own properties only: no prototype lookups from the wire). */
function validatorOf(domain: string, method: string): Validator<unknown> {
  const validators = API_VALIDATORS as unknown as Record<string, Record<string, Validator<unknown>>>;
  if (!Object.hasOwn(validators, domain)) throw new UnknownMethodError(domain, method);
  const d = validators[domain]!;
  if (!Object.hasOwn(d, method)) throw new UnknownMethodError(domain, method);
  return d[method]!;
}

export async function dispatch(api: Api, domain: string, method: string, rawArg: unknown): Promise<unknown> {
  const validate = validatorOf(domain, method);
  const arg = validate(rawArg, 'arg');
  const service = (api as unknown as Record<string, Record<string, (a: unknown) => Promise<unknown>> | undefined>)[domain];
  const fn = service?.[method];
  if (typeof fn !== 'function') throw new UnknownMethodError(domain, method);
  return fn.call(service, arg);
}

/** dispatch() with the outcome as data (see envelope.ts): what both transports send back. */
export async function dispatchEnvelope(api: Api, domain: string, method: string, rawArg: unknown): Promise<ApiEnvelope> {
  try {
    return { ok: true, result: await dispatch(api, domain, method, rawArg) };
  } catch (e) {
    const error = toErrorInfo(e);
    delete error.stack; // stacks stay in the backend log, not in the UI
    return { ok: false, error };
  }
}
