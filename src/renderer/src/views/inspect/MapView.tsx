/**
 * Embedding map (CAT-ID² Fig. 4): a t-SNE of item embeddings drawn on a canvas. Points are written straight into an
 * ImageData buffer (one Uint32 store per pixel) rather than one fillRect per point: 100k points cost ~1-2 ms per
 * frame that way, so pan and zoom stay smooth (see bench/mapfps.bench.ts). A d3 quadtree in data space serves hover
 * hit-testing; shift-drag selects a box whose items can be listed and exported. "Compute t-SNE" starts the `project`
 * job with progress, cancel and a live preview from its intermediate snapshots.
 *
 * `#/inspect/map?synthetic=100000` draws a seeded synthetic cloud without a backend, for the FPS benchmark.
 */
import { type MouseEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { quadtree, type Quadtree } from 'd3';
import { decodeFloat32, decodeInt32, type ItemBrief, type ProjectionData, type ProjectionSummary } from '../../../../shared/api/views';
import { EmptyState, ErrorBox, FloatingTooltip, ProgressBar, Select, type TooltipState } from '../../components/index';
import { useAsync, useRunProgress } from '../../hooks';
import type { ViewProps } from '../registry';
import { ItemTable, OTHER_COLOR, PALETTE, prefixLabel, RunSelect, tokenLabel, useElementWidth, useIdRuns } from './common';

interface MapData {
  n: number;
  coords: Float32Array;
  titles: string[];
  depth: number;
  catLevels: Int32Array;
  catNames: Record<string, string>;
  tokens: { layers: number; data: Int32Array } | null;
}

declare global {
  interface Window {
    /** Frame counter of the embedding map, read by the FPS benchmark. */
    __semidMapFrames?: number;
    __semidMapDrawMs?: number;
  }
}

const HEIGHT = 580;

function decode(p: ProjectionData): MapData {
  return {
    n: p.n,
    coords: decodeFloat32(p.coords),
    titles: p.titles,
    depth: p.categoryDepth,
    catLevels: decodeInt32(p.categoryLevels),
    catNames: p.categoryNames,
    tokens: p.tokens ? { layers: p.tokens.layers, data: decodeInt32(p.tokens.data) } : null,
  };
}

/** Seeded clusters for the benchmark / demo mode (no backend involved). */
function synthetic(n: number): MapData {
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const coords = new Float32Array(2 * n);
  const catLevels = new Int32Array(n);
  const centres = Array.from({ length: 24 }, () => [gauss() * 40, gauss() * 40]);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rnd() * centres.length);
    coords[2 * i] = centres[c]![0]! + gauss() * 4;
    coords[2 * i + 1] = centres[c]![1]! + gauss() * 4;
    catLevels[i] = c;
  }
  return {
    n,
    coords,
    titles: Array.from({ length: n }, (_, i) => `synthetic point ${i}`),
    depth: 1,
    catLevels,
    catNames: Object.fromEntries(centres.map((_, c) => [String(c), `cluster ${c}`])),
    tokens: null,
  };
}

/** CSS colour → 0xAABBGGRR for a little-endian ImageData Uint32 view. */
function rgbaU32(css: string): number {
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.fillStyle = css;
  ctx.fillRect(0, 0, 1, 1);
  const d = ctx.getImageData(0, 0, 1, 1).data;
  return ((255 << 24) | (d[2]! << 16) | (d[1]! << 8) | d[0]!) >>> 0;
}

export default function MapView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const syntheticN = query.synthetic ? Math.min(1_000_000, Math.max(10, Number(query.synthetic) || 100_000)) : 0;
  const { runs } = useIdRuns(syntheticN ? null : datasetId);
  const projections = useAsync<ProjectionSummary[]>(
    () => (datasetId == null || syntheticN ? Promise.resolve([]) : api.views.projections({ datasetId })),
    [api, datasetId, syntheticN],
  );
  const projId = query.proj ? Number(query.proj) : (projections.data?.[0]?.id ?? null);
  const colorRun = query.run ? Number(query.run) : null;
  const color = query.color ?? 'cat:2';
  const proj = useAsync<MapData | null>(
    () =>
      syntheticN
        ? Promise.resolve(synthetic(syntheticN))
        : projId == null
          ? Promise.resolve(null)
          : api.views.projection({ id: projId, runId: colorRun ?? undefined }).then(decode),
    [api, projId, colorRun, syntheticN],
  );

  // The t-SNE job.
  const [jobRun, setJobRun] = useState<number | null>(null);
  const [jobError, setJobError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const { run: job } = useRunProgress(jobRun);
  const [preview, setPreview] = useState<{ iteration: number; coords: Float32Array } | null>(null);
  const [params, setParams] = useState({ perplexity: 30, iterations: 1000, seed: 42 });
  // What to project: the item embeddings (0) or the encoder outputs z a trained rqvae / catid2 run kept (its id).
  const [tsneSource, setTsneSource] = useState(0);
  const encoderRuns = runs.filter((r) => r.kind === 'build' && (r.method === 'rqvae' || r.method === 'catid2') && r.status === 'succeeded');
  useEffect(() => {
    if (!job) return;
    if (job.status === 'succeeded') {
      setPreview(null);
      projections.reload();
      setQuery({ ...query, proj: undefined });
      setJobRun(null);
    } else if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted') {
      setPreview(null);
      setCancelling(false);
    }
  }, [job?.status]);
  useEffect(() => {
    if (jobRun == null || !job || (job.status !== 'running' && job.status !== 'queued')) return;
    const t = setInterval(() => {
      api.views.snapshot({ runId: jobRun }).then(
        (s) => s && setPreview((p) => (p?.iteration === s.iteration ? p : { iteration: s.iteration, coords: decodeFloat32(s.coords) })),
        () => undefined,
      );
    }, 1500);
    return () => clearInterval(t);
  }, [api, jobRun, job?.status]);

  const startTsne = (): void => {
    if (datasetId == null) return;
    setJobError(null);
    setCancelling(false);
    const source = tsneSource > 0 ? { source: 'run', sourceRunId: tsneSource } : {};
    api.runs.start({ kind: 'project', datasetId, params: { datasetId, ...params, ...source, snapshotEvery: 50 } }).then(
      (r) => setJobRun(r.runId),
      (e: unknown) => setJobError(e),
    );
  };

  const data = proj.data ?? null;
  const shown: MapData | null = useMemo(() => (data && preview && preview.coords.length === data.coords.length ? { ...data, coords: preview.coords } : data), [data, preview]);

  // Colour classes: category at a level, or token at a layer.
  const { classOf, legend } = useMemo(() => {
    if (!shown) return { classOf: new Uint8Array(0), legend: [] as { label: string; color: string; count: number }[] };
    const [mode, arg] = color.split(':') as [string, string];
    const k = Number(arg);
    const keyOf = (i: number): number => {
      if (mode === 'tok' && shown.tokens) return shown.tokens.data[i * shown.tokens.layers + Math.min(k, shown.tokens.layers - 1)]!;
      const level = Math.min(Math.max(1, k), Math.max(1, shown.depth));
      return shown.depth ? shown.catLevels[i * shown.depth + level - 1]! : -1;
    };
    const counts = new Map<number, number>();
    for (let i = 0; i < shown.n; i++) {
      const key = keyOf(i);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].filter(([key]) => key >= 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const kept = new Map(ranked.slice(0, PALETTE.length - 1).map(([key], j) => [key, j]));
    const cls = new Uint8Array(shown.n);
    for (let i = 0; i < shown.n; i++) cls[i] = kept.get(keyOf(i)) ?? PALETTE.length - 1;
    const label = (key: number): string => (mode === 'tok' ? tokenLabel(k, key) : (shown.catNames[String(key)] ?? `#${key}`));
    const leg = ranked.slice(0, PALETTE.length - 1).map(([key, c], j) => ({ label: label(key), color: PALETTE[j]!, count: c }));
    const rest = shown.n - leg.reduce((s, l) => s + l.count, 0);
    if (rest > 0) leg.push({ label: ranked.length > PALETTE.length - 1 ? `other (${ranked.length - PALETTE.length + 1} more)` : 'none', color: OTHER_COLOR, count: rest });
    return { classOf: cls, legend: leg };
  }, [shown, color]);

  // Canvas drawing.
  const [wrapRef, width] = useElementWidth(900);
  const W = Math.max(320, width - 2);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const view = useRef({ k: 1, tx: 0, ty: 0 });
  const frame = useRef(0);
  const fit = useMemo(() => {
    if (!shown || shown.n === 0) return { cx: 0, cy: 0, s: 1 };
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < shown.n; i++) {
      const x = shown.coords[2 * i]!;
      const y = shown.coords[2 * i + 1]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, s: 0.92 * Math.min(W / Math.max(1e-9, x1 - x0), HEIGHT / Math.max(1e-9, y1 - y0)) };
  }, [shown, W]);
  const toData = useCallback(
    (sx: number, sy: number): [number, number] => {
      const v = view.current;
      return [(sx - W / 2 - v.tx) / (fit.s * v.k) + fit.cx, (sy - HEIGHT / 2 - v.ty) / (fit.s * v.k) + fit.cy];
    },
    [fit, W],
  );
  const palette32 = useMemo(() => [...PALETTE, OTHER_COLOR].map(rgbaU32), []);
  const [selection, setSelection] = useState<number[] | null>(null);
  const selSet = useMemo(() => {
    if (!selection || !shown) return null;
    const m = new Uint8Array(shown.n);
    for (const i of selection) m[i] = 1;
    return m;
  }, [selection, shown]);

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    if (!canvas || !shown) return;
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(W * dpr);
    const ch = Math.round(HEIGHT * dpr);
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cw, ch);
    const buf = new Uint32Array(img.data.buffer);
    const bg = rgbaU32(getComputedStyle(canvas).getPropertyValue('--panel').trim() || '#ffffff');
    buf.fill(bg);
    const v = view.current;
    const sc = fit.s * v.k * dpr;
    const ox = (W / 2 + v.tx) * dpr - fit.cx * sc;
    const oy = (HEIGHT / 2 + v.ty) * dpr - fit.cy * sc;
    const r = Math.max(1, Math.round(1.2 * dpr * Math.min(3, Math.max(1, Math.sqrt(v.k)))));
    const sel = selSet;
    const dim = rgbaU32('#c8c8c8');
    const coords = shown.coords;
    // Two passes when a selection exists: dimmed points first, selected on top.
    for (let pass = sel ? 0 : 1; pass < 2; pass++) {
      for (let i = 0; i < shown.n; i++) {
        if (sel && (pass === 0) === (sel[i] === 1)) continue;
        const px = Math.round(coords[2 * i]! * sc + ox);
        const py = Math.round(coords[2 * i + 1]! * sc + oy);
        if (px < 0 || py < 0 || px + r > cw || py + r > ch) continue;
        const c = pass === 0 ? dim : palette32[classOf[i]!]!;
        let o = py * cw + px;
        for (let dy = 0; dy < r; dy++, o += cw) for (let dx = 0; dx < r; dx++) buf[o + dx] = c;
      }
    }
    ctx.putImageData(img, 0, 0);
    window.__semidMapFrames = (window.__semidMapFrames ?? 0) + 1;
    window.__semidMapDrawMs = performance.now() - t0;
  }, [shown, W, fit, classOf, palette32, selSet]);
  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);
  useEffect(() => {
    schedule();
  }, [schedule]);
  useEffect(() => {
    view.current = { k: 1, tx: 0, ty: 0 };
    setSelection(null);
  }, [projId, syntheticN]);

  // Hover hit-testing with a quadtree in data space.
  const tree = useMemo<Quadtree<number> | null>(() => {
    if (!shown) return null;
    const c = shown.coords;
    return quadtree<number>()
      .x((i) => c[2 * i]!)
      .y((i) => c[2 * i + 1]!)
      .addAll(Array.from({ length: shown.n }, (_, i) => i));
  }, [shown]);
  const [tip, setTip] = useState<TooltipState | null>(null);
  const drag = useRef<{ mode: 'pan' | 'box'; x: number; y: number; tx: number; ty: number } | null>(null);
  const [box, setBox] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);

  const categoryPath = (i: number): string => {
    if (!shown) return '';
    const parts: string[] = [];
    for (let l = 0; l < shown.depth; l++) {
      const c = shown.catLevels[i * shown.depth + l]!;
      if (c >= 0) parts.push(shown.catNames[String(c)] ?? `#${c}`);
    }
    return parts.join(' > ');
  };
  const tokensOf = (i: number): number[] | undefined => (shown?.tokens ? Array.from(shown.tokens.data.subarray(i * shown.tokens.layers, (i + 1) * shown.tokens.layers)) : undefined);

  const local = (e: { clientX: number; clientY: number }): [number, number] => {
    const r = canvasRef.current!.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const onWheel = (e: globalThis.WheelEvent): void => {
    e.preventDefault();
    const [sx, sy] = local(e);
    const v = view.current;
    const f = Math.exp(-e.deltaY * 0.0015);
    const k = Math.min(200, Math.max(0.2, v.k * f));
    const g = k / v.k;
    // Keep the point under the cursor fixed.
    v.tx = sx - W / 2 - (sx - W / 2 - v.tx) * g;
    v.ty = sy - HEIGHT / 2 - (sy - HEIGHT / 2 - v.ty) * g;
    v.k = k;
    schedule();
  };
  const wheelRef = useRef(onWheel);
  wheelRef.current = onWheel;
  const hasCanvas = shown != null;
  useEffect(() => {
    const c = canvasRef.current;
    if (!c) return;
    // React's onWheel is passive, so it cannot stop the page from scrolling while the map zooms.
    const h = (e: globalThis.WheelEvent): void => wheelRef.current(e);
    c.addEventListener('wheel', h, { passive: false });
    return () => c.removeEventListener('wheel', h);
  }, [hasCanvas]);
  const onDown = (e: MouseEvent): void => {
    const [sx, sy] = local(e);
    drag.current = { mode: e.shiftKey || query.tool === 'box' ? 'box' : 'pan', x: sx, y: sy, tx: view.current.tx, ty: view.current.ty };
    setTip(null);
  };
  const onMove = (e: MouseEvent): void => {
    const [sx, sy] = local(e);
    const d = drag.current;
    if (d?.mode === 'pan') {
      view.current.tx = d.tx + sx - d.x;
      view.current.ty = d.ty + sy - d.y;
      schedule();
      return;
    }
    if (d?.mode === 'box') {
      setBox({ x0: Math.min(d.x, sx), y0: Math.min(d.y, sy), x1: Math.max(d.x, sx), y1: Math.max(d.y, sy) });
      return;
    }
    if (!tree || !shown) return;
    const [dx, dy] = toData(sx, sy);
    const i = tree.find(dx, dy, 6 / (fit.s * view.current.k));
    if (i === undefined) setTip(null);
    else {
      const toks = tokensOf(i);
      setTip({ x: e.clientX, y: e.clientY, content: `${shown.titles[i] ?? ''}\n${categoryPath(i)}${toks ? `\n${prefixLabel(toks)}` : ''}` });
    }
  };
  const onUp = (): void => {
    const d = drag.current;
    drag.current = null;
    if (d?.mode === 'box' && box && shown) {
      const [ax, ay] = toData(box.x0, box.y0);
      const [bx, by] = toData(box.x1, box.y1);
      const out: number[] = [];
      for (let i = 0; i < shown.n; i++) {
        const x = shown.coords[2 * i]!;
        const y = shown.coords[2 * i + 1]!;
        if (x >= ax && x <= bx && y >= ay && y <= by) out.push(i);
      }
      setSelection(out);
      setBox(null);
    }
  };

  const selectedItems: ItemBrief[] = useMemo(
    () => (selection && shown ? selection.slice(0, 5000).map((i) => ({ idx: i, extId: String(i), title: shown.titles[i] ?? '', category: categoryPath(i), tokens: tokensOf(i) })) : []),
    [selection, shown],
  );

  if (!syntheticN && datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;

  const depth = shown?.depth ?? 0;
  const colorOptions = [
    ...Array.from({ length: depth }, (_, l) => ({ value: `cat:${l + 1}`, label: `category level ${l + 1}` })),
    ...(shown?.tokens ? Array.from({ length: shown.tokens.layers }, (_, l) => ({ value: `tok:${l}`, label: `token at layer ${l + 1}` })) : []),
  ];
  const running = job && (job.status === 'running' || job.status === 'queued');

  return (
    <div className="stack" data-testid="map-view">
      <div className="view-controls">
        {!syntheticN && (
          <Select
            label="Projection"
            value={projId}
            testId="map-projection"
            placeholder={projections.data?.length ? 'choose…' : 'none yet'}
            options={(projections.data ?? []).map((p) => ({ value: p.id, label: `#${p.id} ${p.method} of ${p.source} (${new Date(p.createdAt).toLocaleString()})` }))}
            onChange={(id) => setQuery({ ...query, proj: id })}
          />
        )}
        <Select label="Colour by" value={color} options={colorOptions} onChange={(c) => setQuery({ ...query, color: c })} testId="map-color" />
        {!syntheticN && (
          <RunSelect runs={runs} value={colorRun} label="Tokens of run" onChange={(id) => setQuery({ ...query, run: id, color: 'tok:0' })} testId="map-run" />
        )}
        <label className="field">
          <span>
            <input type="checkbox" checked={query.tool === 'box'} onChange={(e) => setQuery({ ...query, tool: e.target.checked ? 'box' : undefined })} data-testid="map-box-tool" /> box select
          </span>
        </label>
        <button type="button" onClick={() => ((view.current = { k: 1, tx: 0, ty: 0 }), schedule())}>
          Reset view
        </button>
      </div>
      {!syntheticN && (
        <div className="panel">
          <div className="row">
            <strong>Compute t-SNE</strong>
            <Select
              label="of"
              value={tsneSource}
              testId="map-source"
              options={[{ value: 0, label: 'item embeddings' }, ...encoderRuns.map((r) => ({ value: r.id, label: `encoder outputs of #${r.id} ${r.name}` }))]}
              onChange={setTsneSource}
            />
            <label className="field">
              perplexity
              <input type="number" min={2} max={100} value={params.perplexity} onChange={(e) => setParams({ ...params, perplexity: Number(e.target.value) || 30 })} />
            </label>
            <label className="field">
              iterations
              <input type="number" min={50} max={5000} step={50} value={params.iterations} data-testid="map-iterations" onChange={(e) => setParams({ ...params, iterations: Number(e.target.value) || 1000 })} />
            </label>
            <label className="field">
              seed
              <input type="number" value={params.seed} onChange={(e) => setParams({ ...params, seed: Number(e.target.value) || 0 })} />
            </label>
            <button type="button" className="primary" onClick={startTsne} disabled={!!running} data-testid="map-compute">
              Compute t-SNE
            </button>
            {running && job && (
              <div style={{ flex: 1, minWidth: 280 }}>
                <ProgressBar
                  done={job.progress?.done ?? 0}
                  total={job.progress?.total ?? 0}
                  phase={`${job.progress?.phase ?? 'starting'}${preview ? ` · preview at iteration ${preview.iteration}` : ''}`}
                  onCancel={() => {
                    setCancelling(true);
                    api.runs.cancel({ runId: job.id }).catch((e: unknown) => setJobError(e));
                  }}
                  cancelling={cancelling}
                />
              </div>
            )}
            {job && !running && job.status !== 'succeeded' && <span className="muted">t-SNE run #{job.id} {job.status}{job.error ? `: ${job.error}` : ''}</span>}
          </div>
          {jobError ? <ErrorBox error={jobError} /> : null}
        </div>
      )}
      {proj.error ? <ErrorBox error={proj.error} /> : null}
      {!shown ? (
        projections.data && projections.data.length === 0 && !preview ? (
          <EmptyState title="No projection yet">
            Press “Compute t-SNE” (needs embeddings: <code>semid embed --dataset {datasetId}</code>), or run it as a job with <code>runs.start kind project</code>.
          </EmptyState>
        ) : (
          <div className="muted">Loading projection…</div>
        )
      ) : (
        <>
          <div className="map-wrap" ref={wrapRef}>
            <canvas
              ref={canvasRef}
              style={{ width: W, height: HEIGHT }}
              data-testid="map-canvas"
              aria-label={`Embedding map of ${shown.n} items; drag to pan, wheel to zoom, shift-drag to select a box`}
              onMouseDown={onDown}
              onMouseMove={onMove}
              onMouseUp={onUp}
              onMouseLeave={() => {
                setTip(null);
                if (drag.current?.mode === 'pan') drag.current = null;
              }}
            />
            {box && (
              <div
                style={{ position: 'absolute', left: box.x0, top: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, border: '1px dashed var(--fg)', background: 'rgba(47,111,223,0.1)', pointerEvents: 'none' }}
              />
            )}
            <FloatingTooltip tip={tip} />
          </div>
          <div className="map-legend" data-testid="map-legend">
            {legend.map((l) => (
              <span key={l.label}>
                <span className="swatch" style={{ background: l.color }} />
                {l.label} <span className="muted">({l.count.toLocaleString()})</span>
              </span>
            ))}
          </div>
          <div className="muted" style={{ fontSize: 11 }}>
            {shown.n.toLocaleString()} points · drag to pan · wheel to zoom · shift-drag (or “box select”) to select · x/y are t-SNE coordinates (unitless)
          </div>
        </>
      )}
      {selection && (
        <div className="panel" data-testid="map-selection">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <div className="chart-title">{selection.length.toLocaleString()} items in the box</div>
            <button type="button" onClick={() => setSelection(null)}>
              Clear selection
            </button>
          </div>
          <ItemTable items={selectedItems} csvName="map-selection.csv" testId="map-items" />
        </div>
      )}
    </div>
  );
}
