/**
 * The import flow through the UI, end to end: `semid serve` on a temp database, Debian chromium, the user types the
 * Scientific folder path, the import job runs in a forked child, and the overview shows the dataset's real counts
 * (4,344 items, 8,317 users, 58,492 interactions). Also: a failing import shows a readable error, the empty state
 * says what to do, data strings never become HTML, and the overview's tables fit their boxes (no sideways scroll,
 * numbers right-aligned, header focus ring unclipped).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, screenshot, startServe, watchPage, type ServeHandle } from '../helpers/browser';
import { SCIENTIFIC_DIR, hasScientific } from '../helpers/paths';

describe.skipIf(!hasScientific || !hasChromium)('import through the UI (Scientific, chromium)', () => {
  let s: ServeHandle;
  let browser: Browser;
  let page: Page;
  let watch: { errors: string[] };
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'semid-ui-'));
    [s, browser] = await Promise.all([startServe(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    watch = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('shows an empty state that says what to do next', async () => {
    await page.goto(s.url);
    await page.getByText('No datasets yet').waitFor();
    expect(await page.getByRole('button', { name: 'Import dataset…' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'app-01-empty');
  });

  it('shows a failed import readably with file, line and field', async () => {
    // An LC-Rec pair whose second user references an unknown item: the error must name file, line and field.
    writeFileSync(join(tmp, 'Bad.item.json'), '{\n  "A1": {"title": "Good item", "categories": "X,Y"}\n}\n');
    writeFileSync(join(tmp, 'Bad.inter.json'), '{\n  "u1": ["A1"],\n  "u2": ["A1", "A2"]\n}\n');
    await page.getByTestId('open-import').first().click();
    await page.getByTestId('import-paths').fill(tmp);
    await page.getByTestId('import-start').click();
    const box = page.getByTestId('error-box');
    await box.waitFor({ timeout: 60_000 });
    expect(await box.getByTestId('error-file').innerText()).toMatch(/Bad\.inter\.json$/);
    expect(await box.getByTestId('error-line').innerText()).toBe('3');
    expect(await box.getByTestId('error-field').innerText()).toBe('u2');
    expect(await box.innerText()).toContain('A2');
    await screenshot(page, 'app-02-import-error');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('imports Scientific by folder path and shows the overview with its real counts', async () => {
    await page.getByTestId('open-import').first().click();
    await page.getByTestId('import-format').selectOption('lcrec');
    await page.getByTestId('import-paths').fill(SCIENTIFIC_DIR);
    const t0 = Date.now();
    await page.getByTestId('import-start').click();
    await page.getByTestId('dataset-overview').waitFor({ timeout: 100_000 });
    console.log(`[semid tests] Scientific import through the UI: ${Date.now() - t0} ms`);
    expect(await page.getByTestId('stat-items').innerText()).toContain('4,344');
    expect(await page.getByTestId('stat-queries').innerText()).toContain('8,317');
    expect(await page.getByTestId('stat-queries').innerText()).toMatch(/users/i);
    expect(await page.getByTestId('stat-interactions').innerText()).toContain('58,492');
    // Leave-last-out: one test and one valid interaction per user.
    expect(await page.getByTestId('stat-test').innerText()).toContain('8,317');
    // The histograms are drawn (bars with positive height) and the category tables are filled.
    const bars = await page.locator('[data-testid=hist-queries] rect.bar').count();
    expect(bars).toBeGreaterThan(3);
    expect(await page.locator('[data-testid=top-categories] tbody tr').count()).toBeGreaterThan(5);
    await page.locator('[data-testid=items-table] tbody tr').first().waitFor();
    await screenshot(page, 'app-03-scientific-overview');
  });

  it('fits the top-categories table to its box, with one-line paths and right-aligned counts', async () => {
    // The header's dataset picker has an accessible name.
    expect(await page.getByRole('combobox', { name: 'current dataset' }).count()).toBe(1);
    const measure = (): Promise<Record<string, number | string | boolean>> =>
      page.evaluate(() => {
        const box = document.querySelector('[data-testid=top-categories] .table-wrap')!;
        const cells = (i: number): HTMLElement[] => [...box.querySelectorAll<HTMLElement>(`tbody td:nth-child(${i})`)];
        const paths = cells(4);
        const lineHeight = parseFloat(getComputedStyle(paths[0]!).lineHeight);
        const cut = paths.filter((td) => td.scrollWidth > td.clientWidth);
        return {
          overflowX: box.scrollWidth - box.clientWidth,
          overflowY: box.scrollHeight - box.clientHeight,
          pathWidth: box.querySelector<HTMLElement>('thead th:nth-child(4)')!.offsetWidth,
          categoryWidth: box.querySelector<HTMLElement>('thead th:nth-child(2)')!.offsetWidth,
          tallestPath: Math.max(...paths.map((td) => td.clientHeight)) / lineHeight,
          cutWithoutTitle: cut.filter((td) => td.title !== td.textContent).length,
          cut: cut.length,
          itemsAlign: getComputedStyle(cells(3)[0]!).textAlign,
          itemsHeaderAlign: getComputedStyle(box.querySelector('thead th:nth-child(3)')!).textAlign,
        };
      });
    for (const width of [1400, 900]) {
      await page.setViewportSize({ width, height: 900 });
      const m = await measure();
      expect(m.overflowX, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      // No scroll box inside the scrolling page: the table shows a page of rows and a "Show more" button.
      expect(m.overflowY, `inner vertical scroll at ${width} px`).toBeLessThanOrEqual(0);
      expect(m.pathWidth).toBeGreaterThan(m.categoryWidth as number);
      expect(m.tallestPath, 'a path wraps onto a second line').toBeLessThan(2);
      expect(m.cutWithoutTitle).toBe(0);
      expect(m).toMatchObject({ itemsAlign: 'right', itemsHeaderAlign: 'right' });
      if (width === 900) expect(m.cut, 'long paths are cut with an ellipsis at 900 px').toBeGreaterThan(0);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    expect(await page.locator('[data-testid=top-categories] tbody tr').count()).toBe(15);
    expect(await page.getByTestId('top-categories').getByRole('button', { name: 'Show more' }).count()).toBe(1);

    // The keyboard focus ring of a sortable header is drawn inside the header, where the scroll box cannot clip it.
    const th = page.locator('[data-testid=top-categories] th.sortable').first();
    await th.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await th.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { visible: el.matches(':focus-visible'), style: cs.outlineStyle, extent: parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth) };
    });
    expect(ring).toMatchObject({ visible: true, style: 'solid' });
    expect(ring.extent).toBeLessThanOrEqual(0);
  });

  it('searches items and the Runs page lists the import run as succeeded', async () => {
    await page.getByTestId('items-search').fill('microscope');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=items-table] tbody tr')];
      return rows.length > 0 && rows.every((r) => /microscope/i.test(r.textContent ?? ''));
    }, null, { timeout: 10_000 });
    await page.goto(`${s.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    const runsText = await page.getByTestId('runs-table').innerText();
    expect(runsText).toContain('succeeded');
    expect(runsText).toContain('failed');
    // Numbers right-aligned; an empty cell (an import run has no backend) shows a muted dash, never a blank.
    const cells = await page.getByTestId('runs-table').evaluate((t) => ({
      idAlign: getComputedStyle(t.querySelector('tbody td:first-child')!).textAlign,
      blank: [...t.querySelectorAll('tbody td')].filter((td) => (td.textContent ?? '').trim() === '').length,
      dashes: t.querySelectorAll('tbody td .empty-cell').length,
    }));
    expect(cells.idAlign).toBe('right');
    expect(cells.blank).toBe(0);
    expect(cells.dashes).toBeGreaterThan(0);
    await screenshot(page, 'app-04-runs');
  });

  it('ran without page errors', () => {
    // A failed import's 4xx is expected; any uncaught exception in the page is not.
    expect(watch.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
