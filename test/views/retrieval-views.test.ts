/**
 * The retrieval side of the views, end to end on Scientific: through `semid serve`'s API (the app's own path: each
 * job runs in a forked child) an hkmeans index is built, a generative retriever is trained on it and evaluated, a
 * dense baseline is evaluated and a small URI index is built. Then chromium opens the query inspector (beam token
 * distributions per layer, beams with their buckets, the ranker's top-K with hits marked, URI's case study) and the
 * run dashboard's retrieval table and recall-vs-candidates curve, and the test checks what is drawn against the API.
 * A tiny dataset whose titles are HTML payloads gets a retriever too, so the query inspector shows them as text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedItems } from '../../src/core/embed/index';
import { prefixLabel } from '../../src/core/layout/tokens';
import { drain } from '../../src/core/util/generators';
import { loadItems, saveEmbeddings } from '../../src/node/db/datasets';
import { openDb } from '../../src/node/db/db';
import { importDataset } from '../../src/node/importers/index';
import type { EvaluationRecord, QueryInspection, UriCaseStudyView } from '../../src/shared/api/retrieval';
import type { RunRecord } from '../../src/shared/types';
import type { AuditSummary } from '../../src/shared/api/ids';
import { apiCall, hasChromium, launchBrowser, openHash, runViaApi, screenshot, startServe, watchPage, type ServeHandle } from '../helpers/browser';
import { hasScientific, SCIENTIFIC_DIR } from '../helpers/paths';

const XSS = '<img src=x onerror="window.__pwned=1">';

function writeXssDataset(dir: string): void {
  const items: Record<string, unknown> = {};
  for (let i = 0; i < 24; i++) {
    items[`X${i}`] = { title: i % 3 === 0 ? `${XSS} ${i}` : `gadget ${i} <svg onload="window.__pwned=3">`, description: '', brand: 'b', categories: `Root,T${i % 2},S${i % 4}` };
  }
  const inter: Record<string, string[]> = {};
  for (let u = 0; u < 10; u++) inter[`u${u}`] = Array.from({ length: 6 }, (_, k) => `X${(u * 5 + k * 3) % 24}`);
  writeFileSync(join(dir, 'Xss.item.json'), JSON.stringify(items));
  writeFileSync(join(dir, 'Xss.inter.json'), JSON.stringify(inter));
}

describe.skipIf(!hasScientific || !hasChromium)('retrieval views in chromium (Scientific): query inspector, URI case study, retrieval dashboard', () => {
  let s: ServeHandle;
  let browser: Browser;
  let page: Page;
  let watch: { errors: string[] };
  let tmp: string;
  const failed: string[] = [];
  const ids = { sci: 0, xss: 0, hk: 0, retriever: 0, uri: 0, xssRetriever: 0 };

  const call = <T,>(path: string, body: unknown): Promise<T> => apiCall<T>(s, path, body);
  const runJob = async (kind: string, datasetId: number, params: Record<string, unknown>): Promise<number> => {
    const run = await runViaApi(s, kind, datasetId, params);
    if (run.status !== 'succeeded') throw new Error(`${kind} run ${run.id} ${run.status}: ${run.error ?? ''}`);
    return run.id;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'semid-rviews-'));
    const dbPath = join(tmp, 'rviews.db');
    const db = openDb(dbPath);
    try {
      ids.sci = (await importDataset(db, { format: 'lcrec', paths: [SCIENTIFIC_DIR], name: 'Scientific' })).datasetId;
      writeXssDataset(tmp);
      ids.xss = (await importDataset(db, { format: 'lcrec', paths: [join(tmp, 'Xss.item.json'), join(tmp, 'Xss.inter.json')], name: 'Xss' })).datasetId;
      for (const [datasetId, dim] of [[ids.sci, 64], [ids.xss, 8]] as const) {
        const { data } = await drain(embedItems(loadItems(db, datasetId), { dim, seed: 0 }));
        saveEmbeddings(db, { datasetId, name: `tfidf-${dim}`, method: 'tfidf-rsvd', dim, data });
      }
    } finally {
      db.close();
    }
    [s, browser] = await Promise.all([startServe({ dbPath }), launchBrowser()]);
    // Scientific: hkmeans L 2 K 16, a one-epoch retriever on 3,000 pairs, its evaluation on 300 users, a dense
    // baseline, and a URI index from one epoch per layer on 2,000 pairs (seconds each: the views are under test).
    ids.hk = await runJob('build', ids.sci, { datasetId: ids.sci, method: 'hkmeans', layers: 2, codebook: 16, seed: 1 });
    ids.retriever = await runJob('train-retriever', ids.sci, { idsRunId: ids.hk, task: 'sequential', epochs: 1, maxExamplesPerEpoch: 3000, validSample: 0 });
    await runJob('eval', ids.sci, { retrieverRunId: ids.retriever, limit: 300 });
    await runJob('eval', ids.sci, { baseline: 'dense', datasetId: ids.sci, task: 'sequential', limit: 300 });
    ids.uri = await runJob('build', ids.sci, {
      datasetId: ids.sci,
      method: 'uri',
      layers: 2,
      codebook: 16,
      seed: 1,
      epochs: 1,
      extra: { task: 'sequential', maxExamplesPerEpoch: 2000, retrieverEpochs: 0 },
    });
    const xssIds = await runJob('build', ids.xss, { datasetId: ids.xss, method: 'hkmeans', layers: 2, codebook: 4, seed: 1 });
    ids.xssRetriever = await runJob('train-retriever', ids.xss, { idsRunId: xssIds, task: 'sequential', epochs: 1, validSample: 0 });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    watch = watchPage(page);
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(s.url);
    await page.getByTestId('dataset-select').waitFor();
    await page.getByTestId('dataset-select').selectOption(String(ids.sci));
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const open = (hash: string): Promise<void> => openHash(page, hash);

  it('query inspector: per-layer token distributions, beams in the trie, the ranker top-K with exactly the relevant items marked', async () => {
    // Find a test user whose relevant item the retriever ranks in its top 20, so the hit marks are exercised.
    let q = 0;
    let ref: QueryInspection | null = null;
    for (let i = 0; i < 200 && !ref; i++) {
      const r = await call<QueryInspection>('retrieval/inspectQuery', { retrieverRunId: ids.retriever, queryIdx: i, topK: 20 });
      if (r.ranked.some((x) => x.hit)) [q, ref] = [i, r];
    }
    expect(ref, 'some user among the first 200 has a hit in the top 20').not.toBeNull();
    await open(`#/inspect/query?retriever=${ids.retriever}&q=${q}`);
    const view = page.getByTestId('query-inspection');
    await view.waitFor({ timeout: 120_000 });
    // One distribution panel per ID layer, each with at most 12 bars whose probabilities are in [0, 1].
    const svgs = view.locator('svg[aria-label^="Next-token probabilities"]');
    expect(await svgs.count()).toBe(2);
    // Layer 1 starts the ID, layer 2 follows the best beam's first token; bars are labelled with that layer's tokens.
    const titles = await view.locator('.panel .chart-title').filter({ hasText: /^layer/ }).allInnerTexts();
    expect(titles.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['layer 1 after (start)', `layer 2 after ${prefixLabel(ref!.beams[0]!.tokens.slice(0, 1))}`]);
    const barLabels = await svgs.nth(1).locator('g text:first-child').allTextContents();
    expect(barLabels.length).toBeGreaterThan(0);
    for (const l of barLabels) expect(l).toMatch(/^<b_\d+>$/);
    // The retriever picker names what the retriever was trained on.
    expect(await page.getByTestId('query-retriever').locator('option:checked').innerText()).toContain(`retriever (sequential) on #${ids.hk}`);
    // Beams: at most 20, each a 2-token ID that is in the index (the trie), best first.
    const beamRows = view.locator('table').first().locator('tbody tr');
    const nBeams = await beamRows.count();
    expect(nBeams).toBe(Math.min(20, ref!.beams.length));
    const beamIds = await beamRows.locator('td:nth-child(2)').allInnerTexts();
    expect(beamIds.map((t) => t.trim())).toEqual(ref!.beams.slice(0, 20).map((b) => prefixLabel(b.tokens)));
    const logps = ref!.beams.map((b) => b.logProb);
    for (let i = 1; i < logps.length; i++) expect(logps[i]!).toBeLessThanOrEqual(logps[i - 1]! + 1e-9);
    // Ranker top 20: the ✓ marks are exactly the relevant items among them.
    const ranked = page.getByTestId('query-ranked').locator('tbody tr');
    expect(await ranked.count()).toBe(ref!.ranked.length);
    const marks = await ranked.locator('td:last-child').allInnerTexts();
    expect(marks.map((m) => m.includes('✓'))).toEqual(ref!.ranked.map((r) => r.hit));
    expect(ref!.ranked.filter((r) => r.hit).every((r) => ref!.relevant.some((x) => x.idx === r.idx))).toBe(true);
    await screenshot(page, 'views-12-query-inspector');
  }, 300_000);

  it('URI case study: one heat strip block per saved query, its epochs × (query + items) rows', async () => {
    const cs = await call<UriCaseStudyView | null>('retrieval/uriCaseStudy', { runId: ids.uri });
    expect(cs).not.toBeNull();
    expect(cs!.queries.length).toBeGreaterThan(0);
    await open(`#/inspect/query?uri=${ids.uri}`);
    const strips = page.locator('svg[aria-label^="Token distributions of query"]');
    await strips.first().waitFor({ timeout: 60_000 });
    expect(await strips.count()).toBe(cs!.queries.length);
    const q0 = cs!.queries[0]!;
    const rows = q0.epochs.length * (1 + q0.items.length);
    expect(await strips.first().locator('g').count()).toBe(rows);
    expect(await strips.first().locator('rect').count()).toBe(rows * cs!.k);
    await strips.first().scrollIntoViewIfNeeded();
    await screenshot(page, 'views-13-uri-case-study');
  }, 120_000);

  it('run dashboard: the retrieval table lists the retriever and the dense baseline, with the recall-vs-candidates curve', async () => {
    const evals = await call<EvaluationRecord[]>('retrieval/evaluations', { datasetId: ids.sci });
    expect(evals.length).toBe(2);
    await open(`#/compare/dashboard?runs=${ids.hk},${ids.uri}`);
    const table = page.getByTestId('dash-retrieval');
    await table.waitFor({ timeout: 60_000 });
    expect(await table.locator('tbody tr').count()).toBe(2);
    const text = await table.innerText();
    expect(text).toMatch(/dense/i);
    // The curve chart has one line per evaluation that recorded a candidate curve (the generative retriever).
    const curve = page.getByTestId('dash-curve');
    await curve.waitFor();
    expect(await curve.locator('path[fill="none"]').count()).toBe(evals.filter((e) => e.report.curve?.length).length);
    await table.scrollIntoViewIfNeeded();
    await screenshot(page, 'views-14-dashboard-retrieval');
  }, 120_000);

  it('build form: URI options (task, max load, pairs per epoch, ablation switches) reach the build', async () => {
    await open('#/runs');
    await page.getByTestId('toggle-build').click();
    const form = page.getByTestId('build-form');
    await page.getByTestId('build-method').selectOption('uri');
    await form.getByLabel('Layers (L)').fill('2');
    await form.getByLabel('Codebook size (K)').fill('16');
    await form.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByTestId('uri-task').selectOption('sequential');
    await page.getByTestId('uri-assignment').selectOption('parent');
    await page.getByTestId('uri-assign-score').selectOption('both');
    await page.getByTestId('uri-max-pairs').fill('1500');
    await page.getByTestId('uri-adaptive').uncheck();
    await screenshot(page, 'rviews-05-build-form-uri');
    await form.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(/#\/runs\/\d+/);
    const runId = Number(/#\/runs\/(\d+)/.exec(page.url())![1]);
    let run = await call<RunRecord>('runs/get', { runId });
    expect(run.method).toBe('uri');
    expect(run.config.extra).toEqual({ task: 'sequential', adaptiveWeight: false, hardNegatives: true, assignment: 'parent', assignScore: 'both', maxExamplesPerEpoch: 1500 });
    while (['queued', 'running'].includes(run.status)) {
      await new Promise((r) => setTimeout(r, 500));
      run = await call<RunRecord>('runs/get', { runId });
    }
    expect(run.status, run.error ?? '').toBe('succeeded');
    // Max load per parent node: layer-1 buckets hold ≤ ⌈4,344 / 16⌉ = 272 items, so every leaf ≤ ⌈272 / 16⌉ = 17.
    const { report } = await call<AuditSummary>('ids/audit', { runId });
    expect(report.maxBucket[0]).toBeLessThanOrEqual(272);
    expect(report.maxBucket[1]).toBeLessThanOrEqual(17);
  }, 300_000);

  it('shows HTML-looking titles in the query inspector as text; nothing executes', async () => {
    await page.getByTestId('dataset-select').selectOption(String(ids.xss));
    await open(`#/inspect/query?retriever=${ids.xssRetriever}&q=0`);
    const view = page.getByTestId('query-inspection');
    await view.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('query-ranked').innerText()).toContain(XSS);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect({ errors: watch.errors, failed }).toEqual({ errors: [], failed: [] });
  }, 120_000);
});
