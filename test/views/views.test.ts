/**
 * The inspection views end to end: Scientific is imported in-process (through the real importer), two shipped ID
 * tables are attached (rqvae_native, rkmeans_native), a category-prefix run is built with the real builder, the
 * built-in embedder and the t-SNE kernel produce a projection; then `semid serve` + Debian chromium open every view,
 * interact with it, assert on what is drawn and save screenshots. A small extra dataset whose titles, brands and
 * category names are HTML payloads is shown in every view; `window.__pwned` must stay undefined.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedItems } from '../../src/core/embed/index';
import { ID_BUILDERS } from '../../src/core/ids/registry';
import { tsne, type TsneEvent } from '../../src/core/kernels/tsne';
import { drain } from '../../src/core/util/generators';
import { saveProjection, saveSemanticIds } from '../../src/node/db/artifacts';
import { loadDatasetArrays, loadItems, saveEmbeddings } from '../../src/node/db/datasets';
import { openDb, type Db } from '../../src/node/db/db';
import { createRun, getRunData } from '../../src/node/db/runs';
import { CODES_BEFORE_COLLISIONS_KEY, decodePreCollisionCodes, type PreCollisionCodes } from '../../src/node/jobs/runners/precollision';
import { importDataset } from '../../src/node/importers/index';
import { importIds } from '../../src/node/importers/ids';
import { ensureRenderer, hasChromium, launchBrowser, openHash, RENDERER_DIR, runViaApi, screenshot, startServe, watchPage, type ServeHandle } from '../helpers/browser';
import { hasScientific, SCIENTIFIC_DIR } from '../helpers/paths';

const XSS = '<img src=x onerror="window.__pwned=1">';

async function runTsne(gen: AsyncGenerator<TsneEvent, Float32Array, void>): Promise<Float32Array> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
  }
}

/** Embeds a dataset, stores the embeddings and a t-SNE projection of them. */
async function embedAndProject(db: Db, datasetId: number, dim: number, perplexity: number, iterations: number): Promise<Float32Array> {
  const items = loadItems(db, datasetId);
  const { data } = await drain(embedItems(items, { dim, seed: 0 }));
  saveEmbeddings(db, { datasetId, name: `tfidf-${dim}`, method: 'tfidf-rsvd', dim, data });
  const coords = await runTsne(tsne(data, items.length, dim, { perplexity, iterations, seed: 1, snapshotEvery: 0 }));
  saveProjection(db, { datasetId, runId: null, source: `embeddings:tfidf-${dim}`, method: 'tsne', params: { perplexity, iterations, seed: 1 }, coords });
  return data;
}

async function buildCategoryPrefix(db: Db, datasetId: number, embeddings: Float32Array, dim: number): Promise<number> {
  const builder = ID_BUILDERS['category-prefix']!;
  const res = await drain(builder({ data: loadDatasetArrays(db, datasetId), embeddings, dim }, { layers: 3, codebook: 64, seed: 1, collisions: 'none' }, { signal: new AbortController().signal, runId: 0 }));
  const runId = createRun(db, { datasetId, kind: 'build', method: 'category-prefix', name: 'category-prefix K64', status: 'succeeded', config: { layers: 3, codebook: 64, seed: 1 } });
  saveSemanticIds(db, { runId, datasetId, layers: res.layers, codebookSizes: res.codebookSizes, codes: res.codes, collisionMode: 'none' });
  return runId;
}

/** 40 items in a 3-level tree whose names, brands and titles carry HTML payloads. */
function writeXssDataset(dir: string): void {
  const items: Record<string, unknown> = {};
  const index: Record<string, string[]> = {};
  for (let i = 0; i < 40; i++) {
    const top = i % 2 ? 'Evil <b>Tools</b>' : 'Lab <i>Supplies</i>';
    const sub = `Sub ${i % 4} <script>window.__pwned=2</script>`;
    items[`X${i}`] = {
      title: i === 0 ? XSS : `widget ${i % 5} <svg onload="window.__pwned=3"> model ${i}`,
      description: '',
      brand: '<a href="javascript:window.__pwned=4">brand</a>',
      categories: `Root,${top},${sub}`,
    };
    index[`X${i}`] = [`<a_${i % 3}>`, `<b_${i % 5}>`, `<c_${i % 2}>`];
  }
  const inter: Record<string, string[]> = {};
  for (let u = 0; u < 12; u++) inter[`u${u}`] = Array.from({ length: 5 }, (_, k) => `X${(u * 3 + k * 7) % 40}`);
  writeFileSync(join(dir, 'Xss.item.json'), JSON.stringify(items, null, 1));
  writeFileSync(join(dir, 'Xss.inter.json'), JSON.stringify(inter, null, 1));
  writeFileSync(join(dir, 'xss-ids.index.json'), JSON.stringify(index));
}

/** Distinct layer-1 tokens and full-ID collision groups of a shipped index file, counted directly. */
function countIndex(file: string): { usedLayer1: number; collisionGroups: number } {
  const index = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  const first = new Set<string>();
  const full = new Map<string, number>();
  for (const ids of Object.values(index)) {
    first.add(ids[0]!);
    const k = ids.join('');
    full.set(k, (full.get(k) ?? 0) + 1);
  }
  return { usedLayer1: first.size, collisionGroups: [...full.values()].filter((c) => c > 1).length };
}

describe.skipIf(!hasScientific || !hasChromium)('inspection views in chromium (Scientific + an HTML-payload dataset)', () => {
  let s: ServeHandle;
  let browser: Browser;
  let page: Page;
  let watch: { errors: string[] };
  let tmp: string;
  const ids = { sci: 0, xss: 0, rq: 0, rk: 0, cp: 0, xssRun: 0 };
  const rqFile = join(SCIENTIFIC_DIR, 'indexes', 'rqvae_native.index.json');

  beforeAll(async () => {
    // A renderer built before these views were registered lacks their chunks: rebuild it then.
    const assets = join(RENDERER_DIR, 'assets');
    ensureRenderer({ force: !existsSync(assets) || !readdirSync(assets).some((f) => f.startsWith('SankeyView')) });
    tmp = mkdtempSync(join(tmpdir(), 'semid-views-'));
    const dbPath = join(tmp, 'views.db');
    const db = openDb(dbPath);
    try {
      const sci = await importDataset(db, { format: 'lcrec', paths: [SCIENTIFIC_DIR], name: 'Scientific' });
      ids.sci = sci.datasetId;
      ids.rq = (await importIds(db, { datasetId: sci.datasetId, path: rqFile, name: 'rqvae_native' })).runId;
      ids.rk = (await importIds(db, { datasetId: sci.datasetId, path: join(SCIENTIFIC_DIR, 'indexes', 'rkmeans_native.index.json'), name: 'rkmeans_native' })).runId;
      // 500 iterations: 250 with early exaggeration and 250 without (stopping at 250 leaves the clusters squeezed).
      const emb = await embedAndProject(db, sci.datasetId, 64, 30, 500);
      ids.cp = await buildCategoryPrefix(db, sci.datasetId, emb, 64);
      writeXssDataset(tmp);
      const xss = await importDataset(db, { format: 'lcrec', paths: [join(tmp, 'Xss.item.json'), join(tmp, 'Xss.inter.json')], name: 'Xss <b>dataset</b>' });
      ids.xss = xss.datasetId;
      ids.xssRun = (await importIds(db, { datasetId: xss.datasetId, path: join(tmp, 'xss-ids.index.json'), name: 'xss <i>ids</i>' })).runId;
      await embedAndProject(db, xss.datasetId, 8, 5, 200);
    } finally {
      db.close();
    }
    [s, browser] = await Promise.all([startServe({ dbPath }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    watch = watchPage(page);
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

  it('Sankey: one layer-1 node per used code after tail aggregation; clicking a node lists its items', async () => {
    const { usedLayer1 } = countIndex(rqFile);
    await open(`#/inspect/sankey?run=${ids.rq}`);
    const col1 = page.locator('[data-testid=sankey-node][data-column="1"]');
    await col1.first().waitFor({ timeout: 120_000 });
    expect(await col1.count()).toBe(Math.min(usedLayer1, 24));
    expect(await page.getByTestId('sankey-purity').locator('tbody tr').count()).toBe(4);
    // Raise the per-layer node budget above the codebook: every used code gets its own node.
    await open(`#/inspect/sankey?run=${ids.rq}&tokens=300&layers=0`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=sankey-node][data-column="1"]').length === n, usedLayer1, { timeout: 120_000 });
    await open(`#/inspect/sankey?run=${ids.rq}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=sankey-node][data-column="1"]').length <= 24, undefined, { timeout: 120_000 });
    // Click the node's bar: the centre of the <g> (bar + label) can fall on a link or on empty canvas.
    await col1.first().locator('rect').click();
    const table = page.getByTestId('sankey-items');
    await table.locator('tbody tr').first().waitFor({ timeout: 60_000 });
    const label = await page.getByTestId('sankey-selection').locator('.chart-title').innerText();
    expect(label).toMatch(/<a_\d+> — \d+ items/);
    await screenshot(page, 'views-01-sankey');
    // A second run: the category-prefix build is pure at layer 1 (its first token is the level-2 category).
    await open(`#/inspect/sankey?run=${ids.cp}`);
    await page.waitForFunction(() => /1\.000/.test(document.querySelector('[data-testid=sankey-purity] tbody tr td:nth-child(2)')?.textContent ?? ''), undefined, { timeout: 120_000 });
    await screenshot(page, 'views-02-sankey-category-prefix');
  }, 300_000);

  it('Prefix tree + word cloud: selecting a prefix draws its words, category mix and items', async () => {
    await open(`#/inspect/prefixes?run=${ids.rq}`);
    const node = page.getByTestId('prefix-node').first();
    await node.waitFor({ timeout: 60_000 });
    await node.click();
    await page.locator('[data-testid=word-cloud] text').nth(3).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=word-cloud] text').count()).toBeGreaterThan(3);
    await page.getByTestId('prefix-items').locator('tbody tr').first().waitFor();
    await screenshot(page, 'views-03-prefix-cloud');
  }, 120_000);

  it('Embedding map: draws the projection, box selection lists items; Compute t-SNE runs as a cancellable job', async () => {
    await open(`#/inspect/map?run=${ids.rq}&color=cat:2`);
    const canvas = page.getByTestId('map-canvas');
    await canvas.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('map-legend').locator('> span').count()).toBeGreaterThan(5);
    await page.getByTestId('map-box-tool').check();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('map-selection').waitFor();
    const title = await page.getByTestId('map-selection').locator('.chart-title').innerText();
    expect(Number(title.replace(/[^\d]/g, ''))).toBeGreaterThan(10);
    await screenshot(page, 'views-04-map-selection');
    await page.getByTestId('map-box-tool').uncheck();
    await page.getByTestId('map-iterations').fill('5000');
    await page.getByTestId('map-compute').click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor({ timeout: 120_000 });
    await screenshot(page, 'views-05-map-tsne-running');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/t-SNE run #\d+ cancelled/).waitFor({ timeout: 120_000 });
  }, 300_000);

  it('DocID table: two runs side by side with shared prefixes, search, and the diff mode', async () => {
    await open(`#/compare/docids?runs=${ids.rq},${ids.cp}`);
    await page.getByTestId('docid-row').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=docid-row] .shared').count()).toBeGreaterThan(0);
    await screenshot(page, 'views-06-docids');
    await page.getByTestId('docid-search').fill('pipette');
    await page.getByTestId('docid-search').press('Enter');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=docid-row] td:first-child')];
      return rows.length > 0 && rows.every((r) => /pipette/i.test(r.textContent ?? ''));
    }, undefined, { timeout: 60_000 });
    await page.getByRole('tab', { name: 'Diff of two runs' }).click();
    await page.getByTestId('diff-stats').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('diff-stats').locator('tbody tr').count()).toBe(3);
    await screenshot(page, 'views-07-diff');
  }, 120_000);

  it('Collision inspector: group count equals a direct count of the shipped file', async () => {
    const { collisionGroups } = countIndex(rqFile);
    await open(`#/inspect/collisions?run=${ids.rq}`);
    const after = page.getByTestId('collisions-after-groups');
    await after.waitFor({ timeout: 60_000 });
    expect(Number((await after.innerText()).replace(/[^\d]/g, ''))).toBe(collisionGroups);
    // An imported table had no de-collision: before = after.
    expect(Number((await page.getByTestId('collisions-before-groups').innerText()).replace(/[^\d]/g, ''))).toBe(collisionGroups);
    await page.getByTestId('collisions-after').locator('tbody tr').first().click();
    await page.getByTestId('collisions-group').waitFor();
    await page.getByTestId('collisions-group').scrollIntoViewIfNeeded();
    await screenshot(page, 'views-08-collisions');
  }, 120_000);

  it('Collision inspector on a sinkhorn build (rqkmeans L=3, K=256, via the API): before-groups as stored, none after', async () => {
    // Build through `semid serve`'s API, as the app does: the job runs in a forked child, the host stores its artifacts.
    const params = { datasetId: ids.sci, method: 'rqkmeans', layers: 3, codebook: 256, seed: 1, collisions: 'sinkhorn', name: 'rqkmeans sinkhorn L3 K256' };
    const run = await runViaApi(s, 'build', ids.sci, params);
    const runId = run.id;
    expect(run.status, run.error ?? '').toBe('succeeded');
    // Direct count from the stored pre-collision codes (read-only connection beside the server's writer).
    const db = openDb(s.dbPath, { readonly: true });
    let direct: { groups: number; items: number; maxGroup: number };
    try {
      const kept = getRunData<PreCollisionCodes>(db, runId, CODES_BEFORE_COLLISIONS_KEY);
      expect(kept, 'the sinkhorn build keeps its IDs from before de-collision').toBeDefined();
      const pre = decodePreCollisionCodes(kept!);
      expect(pre.layers).toBe(3);
      const sizes = new Map<string, number>();
      for (let i = 0; i < pre.codes.length / 3; i++) {
        const k = Array.from(pre.codes.subarray(i * 3, i * 3 + 3)).join(',');
        sizes.set(k, (sizes.get(k) ?? 0) + 1);
      }
      const shared = [...sizes.values()].filter((c) => c > 1);
      direct = { groups: shared.length, items: shared.reduce((a, b) => a + b, 0), maxGroup: Math.max(1, ...shared) };
    } finally {
      db.close();
    }
    console.log(`[semid tests] sinkhorn build #${runId}: ${direct.groups} ID groups (${direct.items} items, largest ${direct.maxGroup}) before de-collision`);
    expect(direct.groups).toBeGreaterThan(0);
    await open(`#/inspect/collisions?run=${runId}`);
    const before = page.getByTestId('collisions-before-groups');
    await before.waitFor({ timeout: 60_000 });
    const num = async (testId: string): Promise<number> => Number((await page.getByTestId(testId).innerText()).replace(/[^\d]/g, ''));
    expect(await num('collisions-before-groups')).toBe(direct.groups);
    expect(await num('collisions-before-items')).toBe(direct.items);
    expect(await num('collisions-after-groups')).toBe(0);
    await page.getByTestId('collisions-after-none').waitFor();
    // The size histogram has one bar per group size (≤ 12 sizes here), summing to the group count.
    const bars = page.getByTestId('collisions-before-hist').locator('.bar-row .num');
    const histTotal = (await bars.allInnerTexts()).reduce((a, t) => a + Number(t.replace(/[^\d]/g, '')), 0);
    expect(histTotal).toBe(direct.groups);
    // The largest before-group: its items, both IDs, and where they went (sinkhorn at K=256 leaves no shared ID).
    await page.getByTestId('collisions-before').locator('tbody tr').first().click();
    const group = page.getByTestId('collisions-group');
    await group.waitFor();
    expect(await group.locator('.chart-title').innerText()).toContain(`${direct.maxGroup} items`);
    expect(await page.getByTestId('collisions-group-items').locator('tbody tr').count()).toBe(direct.maxGroup);
    expect(await page.getByTestId('collisions-fate').innerText()).toMatch(new RegExp(`${direct.maxGroup} distinct final IDs, ${direct.maxGroup - 1} moved, 0 still`));
    const headers = await page.getByTestId('collisions-group-items').locator('thead th').allInnerTexts();
    expect(headers.map((h) => h.replace(/[▲▼]/g, '').trim())).toEqual(['#', 'item id', 'title', 'category', 'ID before', 'final ID', 'outcome']);
    await screenshot(page, 'views-08b-collisions-sinkhorn');
    await group.scrollIntoViewIfNeeded();
    await screenshot(page, 'views-08c-collisions-sinkhorn-group');
  }, 300_000);

  it('Run dashboards and the query inspector', async () => {
    await open(`#/compare/dashboard?runs=${ids.rq},${ids.rk},${ids.cp}`);
    await page.getByTestId('dashboard-view').waitFor({ timeout: 60_000 });
    await page.getByTestId('dash-quality').locator('tbody tr').first().waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('dash-quality').locator('thead th').count()).toBe(4);
    await screenshot(page, 'views-09-dashboard');
    await open('#/inspect/query');
    await page.getByTestId('query-view').or(page.getByText('retrieval backend')).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'views-10-query');
  }, 240_000);

  it('shows HTML-looking titles, brands and category names as text in every view; nothing executes', async () => {
    await page.getByTestId('dataset-select').selectOption(String(ids.xss));
    const hashes = [
      `#/inspect/sankey?run=${ids.xssRun}`,
      `#/inspect/prefixes?run=${ids.xssRun}&prefix=0`,
      `#/inspect/map?run=${ids.xssRun}`,
      `#/compare/docids?runs=${ids.xssRun}`,
      `#/inspect/collisions?run=${ids.xssRun}`,
      `#/compare/dashboard?runs=${ids.xssRun}`,
    ];
    for (const h of hashes) {
      await open(h);
      await page.waitForTimeout(1500);
    }
    // The sankey's category labels and the DocID table's titles carry the payloads as text.
    await open(`#/compare/docids?runs=${ids.xssRun}&levels=1`);
    await page.getByTestId('docid-row').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('docid-groups').innerText()).toContain(XSS);
    await open(`#/inspect/sankey?run=${ids.xssRun}`);
    await page.locator('[data-testid=sankey-node][data-column="0"]').first().locator('rect').click();
    await page.getByTestId('sankey-items').locator('tbody tr').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sankey-view').innerText()).toMatch(/<b>Tools<\/b>|<i>Supplies<\/i>|<script>/);
    await open(`#/inspect/prefixes?run=${ids.xssRun}&prefix=0`);
    await page.getByTestId('prefix-items').locator('tbody tr').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('prefix-items').innerText()).toContain(XSS);
    await screenshot(page, 'views-11-xss-as-text');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src=x]').count()).toBe(0);
    // A 404 from the API is an empty state the views handle (e.g. no projection stored for the HTML-payload run);
    // Chromium logs it as a console error. Script errors and every other console error still fail the test.
    expect(watch.errors.filter((e) => !/favicon|Failed to load resource: the server responded with a status of 404/.test(e))).toEqual([]);
  }, 240_000);
});
