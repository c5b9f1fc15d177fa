/**
 * Browser-test infrastructure: `semid serve` in-process on a temp database, Debian's chromium through
 * playwright-core (never `playwright install`: it downloads), and screenshots under test-output/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, type Serving } from '../../src/node/server/backend';
import { TOKEN_HEADER } from '../../src/shared/api/envelope';
import type { RunRecord } from '../../src/shared/types';
import { REPO_ROOT } from './paths';

export const CHROMIUM = process.env.SEMID_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[semid tests] ${CHROMIUM} not found (apt-get install -y chromium): browser tests are skipped`);

/** Flags from notes/platform.md: headless, no sandbox (root in CI), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');

/**
 * Builds the renderer when out/renderer is missing (`npm test` builds it before vitest, so this only runs when a
 * test file is run alone). Pass force to rebuild after renderer changes.
 */
export function ensureRenderer(opts: { force?: boolean } = {}): void {
  if (!opts.force && existsSync(join(RENDERER_DIR, 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`vite build of the renderer failed:\n${r.stdout}\n${r.stderr}`);
}

export interface ServeHandle {
  url: string;
  /** The server root without the token, for requests that must fail. */
  origin: string;
  token: string;
  dbPath: string;
  serving: Serving;
  close(): Promise<void>;
}

/** A fresh temp database unless dbPath is given; the demo dataset is off unless asked for. */
export async function startServe(opts: { dbPath?: string; demo?: boolean } = {}): Promise<ServeHandle> {
  ensureRenderer();
  let tmp: string | null = null;
  const dbPath = opts.dbPath ?? join((tmp = mkdtempSync(join(tmpdir(), 'semid-serve-'))), 'test.db');
  const serving = await serve({ dbPath, demo: opts.demo ?? false, rendererDir: RENDERER_DIR });
  return {
    url: serving.url,
    origin: `http://127.0.0.1:${serving.port}`,
    token: serving.token,
    dbPath,
    serving,
    close: async () => {
      await serving.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export const SCREENSHOT_DIR = resolve(REPO_ROOT, 'test-output', 'screenshots');
let announced = false;

/** Full-page PNG under test-output/screenshots/<name>.png; prints the folder once per process. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (!announced) {
    announced = true;
    console.log(`[semid tests] screenshots in ${SCREENSHOT_DIR}`);
  }
  return file;
}

/** Collects page errors and console errors so a test can assert the UI ran cleanly. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { errors };
}

/** One call of `semid serve`'s API, as the renderer's HTTP client makes it; throws with the server's message. */
export async function apiCall<T>(s: ServeHandle, path: string, body: unknown): Promise<T> {
  const r = await fetch(`${s.origin}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: s.token }, body: JSON.stringify(body) });
  const env = (await r.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(`${path}: ${env.error?.message}`);
  return env.result as T;
}

/** Starts a job through the API (the app's path: a forked child) and polls until it leaves queued/running. */
export async function runViaApi(s: ServeHandle, kind: string, datasetId: number, params: Record<string, unknown>): Promise<RunRecord> {
  const { runId } = await apiCall<{ runId: number }>(s, 'runs/start', { kind, datasetId, params });
  for (;;) {
    const run = await apiCall<RunRecord>(s, 'runs/get', { runId });
    if (!['queued', 'running'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Navigates the single-page app by its hash route. */
export async function openHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}
