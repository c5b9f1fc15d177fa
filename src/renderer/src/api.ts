/**
 * The renderer's one entry to the backend. Inside Electron the preload exposes `window.api` (IPC); in a browser
 * against `semid serve` the same `ClientApi` shape is built here over HTTP + WebSocket. Views never see a transport.
 */
import { API_METHODS, type ApiEvent, type ClientApi } from '../../shared/api/index';
import { type ApiEnvelope, ApiError, TOKEN_HEADER, unwrapEnvelope } from '../../shared/api/envelope';

declare global {
  interface Window {
    /** Set by the Electron preload (src/preload/index.ts); absent in a browser. */
    api?: ClientApi;
  }
}

type Caller = (domain: string, method: string, arg: unknown) => Promise<unknown>;

function buildApi(call: Caller, onEvent: ClientApi['events']['onEvent']): ClientApi {
  const api: Record<string, unknown> = { events: { onEvent } };
  for (const [domain, methods] of Object.entries(API_METHODS)) {
    const d: Record<string, (arg?: unknown) => Promise<unknown>> = {};
    for (const m of methods as string[]) d[m] = (arg?: unknown) => call(domain, m, arg);
    api[domain] = d;
  }
  return api as unknown as ClientApi;
}

/** The session token of `semid serve`: from `?token=` on first load, then kept for the tab's lifetime. */
export function serveToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('semid-token', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('semid-token') ?? '';
}

/** WebSocket event stream with reconnect (the server may restart while the tab stays open). */
function wsEvents(token: string): ClientApi['events']['onEvent'] {
  const listeners = new Set<(ev: ApiEvent) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = (): void => {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${proto}//${window.location.host}/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => {
      retry = 500;
    };
    socket.onmessage = (msg) => {
      let ev: ApiEvent;
      try {
        ev = JSON.parse(String(msg.data)) as ApiEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(ev);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, (retry = Math.min(retry * 2, 8000)));
    };
  };
  return (listener) => {
    listeners.add(listener);
    if (!socket) connect();
    return () => {
      listeners.delete(listener);
    };
  };
}

function httpApi(): ClientApi {
  const token = serveToken();
  const call: Caller = async (domain, method, arg) => {
    let res: Response;
    try {
      res = await fetch(`api/${domain}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(arg ?? null),
      });
    } catch (e) {
      throw new ApiError({ name: 'NetworkError', message: `the backend is unreachable (${(e as Error).message})` });
    }
    let env: ApiEnvelope;
    try {
      env = (await res.json()) as ApiEnvelope;
    } catch {
      throw new ApiError({ name: 'HttpError', message: `HTTP ${res.status} ${res.statusText} from ${domain}.${method}` });
    }
    return unwrapEnvelope(env);
  };
  return buildApi(call, wsEvents(token));
}

let instance: ClientApi | null = null;

/** The process-wide API client: IPC when the preload provided it, else HTTP/WebSocket to `semid serve`. */
export function getApi(): ClientApi {
  instance ??= window.api ?? httpApi();
  return instance;
}

/** Which transport the client uses, for the status bar. */
export const transportName = (): 'electron' | 'serve' => (window.api ? 'electron' : 'serve');

/** Optional domains other helpers add (ids, retrieval, views) are probed at run time, so the shell builds without them. */
export function optionalMethod<A, R>(api: ClientApi, domain: string, method: string): ((arg: A) => Promise<R>) | undefined {
  const d = (api as unknown as Record<string, Record<string, unknown> | undefined>)[domain];
  const f = d?.[method];
  return typeof f === 'function' ? (f as (arg: A) => Promise<R>) : undefined;
}
