/**
 * `semid serve` at its edges: the token guards every API call and the event socket, payloads are validated with a
 * message naming the field, static files carry the isolation and CSP headers, and nothing outside out/renderer is
 * served. Runs against the real server in-process on a temp database (no chromium needed).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TOKEN_HEADER } from '../../src/shared/api/envelope';
import { startServe, type ServeHandle } from '../helpers/browser';

let s: ServeHandle;
beforeAll(async () => {
  s = await startServe();
});
afterAll(async () => {
  await s?.close();
});

const call = (path: string, body: unknown, token: string | null = s.token): Promise<Response> =>
  fetch(`${s.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token != null ? { [TOKEN_HEADER]: token } : {}) },
    body: JSON.stringify(body),
  });

describe('semid serve API', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('refuses calls without the token (401) or with a wrong one', async () => {
    const none = await call('/api/system/info', null, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { ok: boolean }).ok).toBe(false);
    const wrong = await call('/api/system/info', null, s.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')));
    expect(wrong.status).toBe(401);
  });

  it('answers with the token: system.info says serve and names the db', async () => {
    const r = await call('/api/system/info', null);
    expect(r.status).toBe(200);
    const env = (await r.json()) as { ok: true; result: { host: string; dbPath: string; tfBackend: { name: string } } };
    expect(env.ok).toBe(true);
    expect(env.result.host).toBe('serve');
    expect(env.result.dbPath).toBe(s.dbPath);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(env.result.tfBackend.name);
    const list = (await (await call('/api/datasets/list', null)).json()) as { ok: true; result: unknown[] };
    expect(list.result).toEqual([]);
  });

  it('rejects a bad payload with 400 and an error naming the field', async () => {
    const r = await call('/api/datasets/overview', { datasetId: 'three' });
    expect(r.status).toBe(400);
    const env = (await r.json()) as { ok: false; error: { name: string; message: string } };
    expect(env.error.name).toBe('PayloadError');
    expect(env.error.message).toContain('"arg.datasetId"');
    const r2 = await call('/api/runs/start', { kind: 'mine-bitcoin', params: {} });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { error: { message: string } }).error.message).toContain('"arg.kind"');
    const r3 = await call('/api/datasets/items', { datasetId: 1, limit: 1e9 });
    expect(((await r3.json()) as { error: { message: string } }).error.message).toMatch(/"arg\.limit": must be <= 5000/);
  });

  it('404s unknown methods, including prototype names', async () => {
    expect((await call('/api/datasets/nope', null)).status).toBe(404);
    expect((await call('/api/constructor/name', null)).status).toBe(404);
    expect((await call('/api/datasets/hasOwnProperty', null)).status).toBe(404);
  });

  it('reports a missing run as 404 with a readable message', async () => {
    const r = await call('/api/runs/get', { runId: 999 });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('run 999');
  });

  it('serves the renderer with COOP/COEP and a strict CSP, and nothing outside out/renderer', async () => {
    const r = await fetch(`${s.origin}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<div id="root">');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("object-src 'none'");
    for (const p of ['/%2e%2e/package.json', '/..%2fpackage.json', '/assets/../../package.json']) {
      const t = await fetch(`${s.origin}${p}`);
      expect(await t.text()).not.toContain('"semid-workbench"');
    }
  });

  it('rejects a foreign Host header on a loopback bind (DNS rebinding)', async () => {
    const status = await new Promise<number>((ok, fail) => {
      const req = request(`${s.origin}/api/system/info`, { method: 'POST', headers: { host: 'evil.example:80', [TOKEN_HEADER]: s.token } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end('null');
    });
    expect(status).toBe(421);
  });

  it('opens the event socket only with the token', async () => {
    const ws = (token: string): Promise<'open' | 'refused'> =>
      new Promise((ok) => {
        const w = new WebSocket(`ws://127.0.0.1:${s.serving.port}/events?token=${token}`);
        w.on('open', () => {
          w.close();
          ok('open');
        });
        w.on('error', () => ok('refused'));
      });
    expect(await ws('nope')).toBe('refused');
    expect(await ws(s.token)).toBe('open');
  });
});
