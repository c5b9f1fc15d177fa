/**
 * Frames per second while panning 100,000 points in the embedding map, in headless Debian chromium against
 * `semid serve` (the map's seeded synthetic mode `#/inspect/map?synthetic=100000`, so no dataset is needed).
 * Baseline, side by side in the same page: the obvious canvas renderer (one fillStyle + fillRect per point) drawing
 * the same 100k points per frame. rAF caps both at the display rate (60 in headless chromium). The drag is measured
 * twice: with playwright's mouse (CDP round trips, so input-bound on a loaded machine) and with one synthetic
 * mousemove per animation frame inside the page (draw-bound).
 * Run: `npm run bench -- mapfps` (or `npx tsx bench/run.ts mapfps`).
 */
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../src/node/server/backend';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

const CHROMIUM = process.env.SEMID_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const N = 100_000;
const SECONDS = 4;

export default async function (report: (row: Row) => void): Promise<void> {
  const rendererDir = join(import.meta.dirname, '..', 'out', 'renderer');
  if (!existsSync(CHROMIUM) || !existsSync(join(rendererDir, 'index.html'))) {
    report({ name: 'mapfps', value: 0, unit: '-', note: `skipped: needs ${CHROMIUM} and a built renderer (npm run build:renderer)` });
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'semid-mapfps-'));
  const serving = await serve({ dbPath: join(tmp, 'bench.db'), demo: false, rendererDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // tsx compiles this file with esbuild's keepNames, which wraps the named functions inside the page.evaluate
    // callback below in `__name(fn, "step")`; the page has no such helper ("ReferenceError: __name is not defined").
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await page.goto(`${serving.url}#/inspect/map?synthetic=${N}`);
    const canvas = page.getByTestId('map-canvas');
    await canvas.waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => (window.__semidMapFrames ?? 0) > 0);
    const box = (await canvas.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;

    // Ours: drag back and forth for SECONDS; count drawn frames and their draw time.
    const f0 = await page.evaluate(() => window.__semidMapFrames ?? 0);
    const drawMs: number[] = [];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    const t0 = Date.now();
    let k = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      await page.mouse.move(cx + 200 * Math.sin(k / 10), cy + 120 * Math.cos(k / 13));
      if (k++ % 5 === 0) drawMs.push(await page.evaluate(() => window.__semidMapDrawMs ?? 0));
    }
    await page.mouse.up();
    const elapsed = (Date.now() - t0) / 1000;
    const frames = (await page.evaluate(() => window.__semidMapFrames ?? 0)) - f0;
    const fps = frames / elapsed;

    // Ours again, with the drag driven inside the page: one synthetic mousemove per animation frame (dispatched on
    // the canvas, bubbling to React's root listener). Each CDP mouse.move above is a round trip to the browser, so on
    // a loaded 2-core machine the first number can be bounded by how fast input arrives rather than by drawing.
    const inPage = await page.evaluate(
      async ({ seconds, cx, cy }) => {
        const canvas = document.querySelector('[data-testid=map-canvas]')!;
        const fire = (type: string, x: number, y: number): boolean => canvas.dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: x, clientY: y, button: 0, buttons: type === 'mouseup' ? 0 : 1 }));
        const w = window as unknown as { __semidMapFrames?: number };
        fire('mousedown', cx, cy);
        const f0 = w.__semidMapFrames ?? 0;
        const t0 = performance.now();
        let k = 0;
        await new Promise<void>((done) => {
          const tick = (): void => {
            k++;
            fire('mousemove', cx + 200 * Math.sin(k / 10), cy + 120 * Math.cos(k / 13));
            if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick);
            else done();
          };
          requestAnimationFrame(tick);
        });
        fire('mouseup', cx, cy);
        const elapsed = (performance.now() - t0) / 1000;
        return { fps: ((w.__semidMapFrames ?? 0) - f0) / elapsed, moves: k / elapsed };
      },
      { seconds: SECONDS, cx: box.x + box.width / 2, cy: box.y + box.height / 2 },
    );

    // Baseline: fillRect per point, driven by rAF for the same time, same points and canvas size.
    const base = await page.evaluate(
      async ({ n, seconds, w, h }) => {
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        document.body.appendChild(c);
        const ctx = c.getContext('2d')!;
        const xs = new Float32Array(n);
        const ys = new Float32Array(n);
        let s = 12345;
        for (let i = 0; i < n; i++) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          xs[i] = (s / 4294967296) * w;
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          ys[i] = (s / 4294967296) * h;
        }
        const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
        let frames = 0;
        let drawTotal = 0;
        const t0 = performance.now();
        await new Promise<void>((done) => {
          const step = (): void => {
            const a = performance.now();
            ctx.clearRect(0, 0, w, h);
            const off = frames % 50;
            for (let i = 0; i < n; i++) {
              ctx.fillStyle = colors[i % 10]!;
              ctx.fillRect(xs[i]! + off, ys[i]!, 2, 2);
            }
            drawTotal += performance.now() - a;
            frames++;
            if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(step);
            else done();
          };
          requestAnimationFrame(step);
        });
        c.remove();
        return { fps: frames / ((performance.now() - t0) / 1000), drawMs: drawTotal / frames };
      },
      { n: N, seconds: SECONDS, w: Math.round(box.width), h: Math.round(box.height) },
    );
    const meanDraw = drawMs.length ? drawMs.reduce((a, b) => a + b, 0) / drawMs.length : 0;
    report({ name: `map pan FPS, ${N.toLocaleString()} points, drag by CDP mouse events`, value: fps, unit: 'fps', baseline: base.fps, note: `baseline = fillRect per point, same page; rAF caps at 60; ${(k / elapsed).toFixed(0)} mouse moves/s arrived` });
    report({ name: `map pan FPS, ${N.toLocaleString()} points, drag by one in-page mousemove per frame`, value: inPage.fps, unit: 'fps', baseline: base.fps, note: `baseline = fillRect per point, same page; ${inPage.moves.toFixed(0)} moves/s` });
    report({ name: `map draw time per frame, ${N.toLocaleString()} points`, value: meanDraw, unit: 'ms', baseline: base.drawMs });
  } finally {
    await browser.close();
    await serving.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
