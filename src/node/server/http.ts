/**
 * `semid serve`: the same Api over HTTP + WebSocket, so the renderer runs in any browser (and a GPU box can be the
 * backend of a laptop's browser). Every API call and the event socket need the session token; static files do not
 * (the page holds no data until it calls the API with the token from its URL).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Api, ApiEvent } from '../../shared/api/index';
import { TOKEN_HEADER, type ApiEnvelope } from '../../shared/api/envelope';
import { dispatchEnvelope } from '../services/dispatch';
import { eventForClient } from '../services/events';

export interface HttpServerOptions {
  api: Api;
  /** Backend events to push to every connected page. */
  onEvent: (listener: (ev: ApiEvent) => void) => () => void;
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** 0 = a random free port. */
  port?: number;
  token?: string;
  /** Largest accepted request body. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Strict CSP for the served renderer. 'wasm-unsafe-eval' lets tfjs-backend-wasm compile its module; inline styles
 * are allowed because d3 sets style attributes; no inline or remote scripts, no frames, no plugins.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response. COOP + COEP give cross-origin isolation, which Chromium needs for SharedArrayBuffer. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export const newToken = (): string => randomBytes(24).toString('base64url');

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HTTP status for a failed call: 4xx for what the caller can fix, 500 for the rest. */
export function statusOf(env: ApiEnvelope): number {
  if (env.ok) return 200;
  switch (env.error.name) {
    case 'PayloadError':
    case 'InputError':
      return 400;
    case 'UnknownMethodError':
      return 404;
    case 'NotFoundError':
      return 404;
    default:
      return /does not exist|not found/i.test(env.error.message) ? 404 : 500;
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw Object.assign(new Error(`request body larger than ${max} bytes`), { name: 'PayloadError' });
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Loopback binds accept only loopback Host headers: a DNS-rebinding page cannot reach the API (it lacks the token anyway). */
function hostAllowed(req: IncomingMessage, bindHost: string): boolean {
  if (bindHost !== '127.0.0.1' && bindHost !== 'localhost' && bindHost !== '::1') return true;
  const h = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === '127.0.0.1' || h === 'localhost' || h === '::1';
}

const MISSING_RENDERER = (dir: string): string =>
  `<!doctype html><meta charset="utf-8"><title>SemID Workbench</title><body style="font-family:system-ui;padding:2em">` +
  `<h1>The renderer is not built</h1><p>No <code>index.html</code> in <code>${dir.replace(/[<>&]/g, '')}</code>.</p>` +
  `<p>Run <code>npm run build:renderer</code> and reload. The API is up at <code>/api/&lt;domain&gt;/&lt;method&gt;</code>.</p>`;

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const rendererDir = resolve(opts.rendererDir);
  const log = opts.log ?? (() => undefined);

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { ok: false, error: { name: 'HttpError', message: 'method not allowed' } });
    const index = join(rendererDir, 'index.html');
    if (!existsSync(index)) return send(res, 503, MISSING_RENDERER(rendererDir), 'text/html; charset=utf-8');
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, 'bad path', 'text/plain');
    }
    const file = normalize(join(rendererDir, rel === '/' ? 'index.html' : rel));
    if (!file.startsWith(rendererDir + sep) && file !== rendererDir) return send(res, 403, 'forbidden', 'text/plain');
    let target = file;
    if (!existsSync(target) || !statSync(target).isFile()) {
      // Unknown paths get the app (hash routing needs no rewrites, but a bookmarked /?token=... must load).
      if (extname(rel)) return send(res, 404, 'not found', 'text/plain');
      target = index;
    }
    const type = MIME[extname(target).toLowerCase()] ?? 'application/octet-stream';
    const cache = target === index ? 'no-store' : 'public, max-age=31536000, immutable';
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': cache });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(target).pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req, host)) return sendJson(res, 421, { ok: false, error: { name: 'HttpError', message: 'unexpected Host header' } });
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/([A-Za-z][\w-]*)\/([A-Za-z][\w-]*)$/.exec(url.pathname);
    if (!m) return serveStatic(req, res, url.pathname);
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { name: 'HttpError', message: 'use POST' } });
    const given = req.headers[TOKEN_HEADER];
    const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!tokenMatches(token, (Array.isArray(given) ? given[0] : given) ?? auth)) {
      return sendJson(res, 401, { ok: false, error: { name: 'Unauthorized', message: `missing or wrong token (send it in the ${TOKEN_HEADER} header)` } });
    }
    let arg: unknown;
    try {
      const body = await readBody(req, maxBody);
      arg = body.trim() === '' ? undefined : JSON.parse(body);
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: { name: 'PayloadError', message: `invalid payload: ${(e as Error).message}` } });
    }
    const env = await dispatchEnvelope(opts.api, m[1]!, m[2]!, arg);
    if (!env.ok && statusOf(env) === 500) log(`api ${m[1]}.${m[2]} failed: ${env.error.message}`);
    sendJson(res, statusOf(env), env);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`request failed: ${String(e)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { name: 'Error', message: 'internal error' } });
      else res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/events' || !hostAllowed(req, host) || !tokenMatches(token, url.searchParams.get('token'))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });
  const unsubscribe = opts.onEvent((ev) => {
    if (clients.size === 0) return;
    const text = JSON.stringify(eventForClient(ev));
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/?token=${token}`;

  return {
    url,
    port,
    host,
    token,
    server,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
