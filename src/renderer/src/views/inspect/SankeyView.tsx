/**
 * Category → codebook Sankey (CAT-ID² Fig. 3). The layout comes from views.sankey (src/core/layout/sankey.ts);
 * this component draws it, lets the user pick run / subtree / level / top-N / layers, and lists the items behind a
 * clicked node or link.
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type { ItemBrief, SankeyNodeOut, SankeyResult } from '../../../../shared/api/views';
import type { CategoryNode } from '../../../../shared/types';
import { EmptyState, ErrorBox, FloatingTooltip, Select, type TooltipState } from '../../components/index';
import { useAsync } from '../../hooks';
import type { ViewProps } from '../registry';
import { fmt, ItemTable, OTHER_COLOR, PALETTE, RunSelect, useElementWidth, useIdRuns } from './common';

const LAYER_COLORS = ['var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-6)', 'var(--chart-5)', 'var(--chart-1)'];

export default function SankeyView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs, error: runsError } = useIdRuns(datasetId);
  const runId = query.run ? Number(query.run) : (runs[0]?.id ?? null);
  const subtree = query.subtree ? Number(query.subtree) : undefined;
  const level = query.level ? Number(query.level) : undefined;
  const top = Number(query.top ?? 10);
  const maxTokens = Number(query.tokens ?? 24);
  const layers = query.layers ? query.layers.split(',').map(Number) : undefined;
  const [ref, width] = useElementWidth();
  const w = Math.max(640, Math.floor((width - 30) / 40) * 40);
  const [tip, setTip] = useState<TooltipState | null>(null);
  const [selection, setSelection] = useState<{ node?: string; link?: [string, string]; label: string } | null>(null);
  const [items, setItems] = useState<{ total: number; items: ItemBrief[] } | null>(null);
  const [itemsError, setItemsError] = useState<unknown>(null);

  const cats = useAsync<CategoryNode[]>(() => (datasetId == null ? Promise.resolve([]) : api.datasets.categories({ datasetId })), [api, datasetId]);
  const req = runId == null ? null : { runId, subtree, categoryLevel: level, topCategories: top, maxTokens, layers, width: w, height: 560 };
  const layout = useAsync<SankeyResult | null>(() => (req ? api.views.sankey(req) : Promise.resolve(null)), [api, JSON.stringify(req)]);

  useEffect(() => {
    setSelection(null);
    setItems(null);
  }, [runId, subtree, level, top, maxTokens, query.layers]);

  useEffect(() => {
    if (!selection || !req) return;
    let live = true;
    setItemsError(null);
    api.views.sankeyItems({ ...req, node: selection.node, link: selection.link, limit: 1000 }).then(
      (r) => live && setItems(r),
      (e: unknown) => live && setItemsError(e),
    );
    return () => {
      live = false;
    };
  }, [selection]);

  const data = layout.data;
  const catIndex = useMemo(() => {
    const m = new Map<string, number>();
    data?.nodes.filter((n) => n.column === 0 && n.kind === 'category').forEach((n, k) => m.set(n.id, k));
    return m;
  }, [data]);
  const colorOf = (n: SankeyNodeOut): string => {
    if (n.kind === 'other') return OTHER_COLOR;
    if (n.column === 0) return PALETTE[(catIndex.get(n.id) ?? 0) % PALETTE.length]!;
    return LAYER_COLORS[(n.layer ?? 0) % LAYER_COLORS.length]!;
  };
  const nodeById = useMemo(() => new Map(data?.nodes.map((n) => [n.id, n]) ?? []), [data]);

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset (Datasets → Import) or run <code>semid demo</code>.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  if (runs.length === 0)
    return (
      <EmptyState title="No semantic-ID runs for this dataset">
        Build IDs (Runs → Build IDs, or <code>semid build --dataset {datasetId} --method rqkmeans</code>) or import a table with <code>semid import ids</code>.
      </EmptyState>
    );

  const levelOptions = Array.from({ length: data?.categoryDepth ?? 0 }, (_, l) => ({ value: l + 1, label: `level ${l + 1}` }));
  const subtreeOptions = (cats.data ?? [])
    .filter((c) => c.level <= 3 && c.items >= 5)
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((c) => ({ value: c.id, label: `${'  '.repeat(c.level - 1)}${c.name} (${c.items})` }));
  const allLayers = Array.from({ length: data?.runLayers ?? 0 }, (_, l) => l);
  const shownLayers = layers ?? allLayers;
  const toggleLayer = (l: number): void => {
    const next = shownLayers.includes(l) ? shownLayers.filter((x) => x !== l) : [...shownLayers, l].sort((a, b) => a - b);
    if (next.length) setQuery({ ...query, layers: next.join(',') });
  };

  return (
    <div className="stack" data-testid="sankey-view">
      <div className="view-controls">
        <RunSelect runs={runs} value={runId} onChange={(id) => setQuery({ ...query, run: id })} testId="sankey-run" />
        <Select
          label="Category subtree"
          value={subtree ?? 0}
          testId="sankey-subtree"
          options={[{ value: 0, label: 'whole catalogue' }, ...subtreeOptions]}
          onChange={(v) => setQuery({ ...query, subtree: v || undefined, level: undefined })}
        />
        <Select label="Category level" value={data?.categoryLevel ?? level ?? null} options={levelOptions} onChange={(v) => setQuery({ ...query, level: v })} testId="sankey-level" />
        <label className="field">
          Top categories
          <input type="number" min={1} max={100} value={top} data-testid="sankey-top" onChange={(e) => setQuery({ ...query, top: Math.max(1, Number(e.target.value) || 10) })} />
        </label>
        <label className="field">
          Token nodes per layer
          <input type="number" min={2} max={512} value={maxTokens} data-testid="sankey-tokens" onChange={(e) => setQuery({ ...query, tokens: Math.max(2, Number(e.target.value) || 24) })} />
        </label>
        <fieldset className="field" style={{ border: 'none', padding: 0, margin: 0 }}>
          <legend>Layers</legend>
          <div className="row" style={{ gap: 8 }}>
            {allLayers.map((l) => (
              <label key={l}>
                <input type="checkbox" checked={shownLayers.includes(l)} onChange={() => toggleLayer(l)} data-testid={`sankey-layer-${l}`} /> {l + 1}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      {layout.error ? <ErrorBox error={layout.error} /> : null}
      <div className="panel" ref={ref}>
        {!data ? (
          <div className="muted">{layout.loading ? 'Computing layout…' : ''}</div>
        ) : data.items === 0 ? (
          <EmptyState title="No items under this subtree" />
        ) : (
          <svg className="chart" width={data.width} height={data.height + 24} role="img" aria-label="Category to codebook Sankey diagram" data-testid="sankey-svg">
            <g transform="translate(0,20)">
              {data.columns.map((c, k) => (
                <text key={k} className="col-label" x={c.x + 7} y={-6} textAnchor="middle">
                  {c.label}
                </text>
              ))}
              <g>
                {data.links.map((l, k) => {
                  const mx = (l.sx + l.tx) / 2;
                  const src = nodeById.get(l.source);
                  const selected = selection?.link?.[0] === l.source && selection.link[1] === l.target;
                  return (
                    <path
                      key={k}
                      className={`sankey-link${selected ? ' selected' : ''}`}
                      d={`M${l.sx},${l.y0}C${mx},${l.y0} ${mx},${l.y1} ${l.tx},${l.y1}`}
                      stroke={src ? colorOf(src) : OTHER_COLOR}
                      strokeWidth={Math.max(1, l.width)}
                      data-testid="sankey-link"
                      onMouseMove={(e) =>
                        setTip({
                          x: e.clientX,
                          y: e.clientY,
                          content: `${nodeById.get(l.source)?.label ?? l.source} → ${nodeById.get(l.target)?.label ?? l.target}\n${l.value} items`,
                        })
                      }
                      onMouseLeave={() => setTip(null)}
                      onClick={() => setSelection({ link: [l.source, l.target], label: `${nodeById.get(l.source)?.label} → ${nodeById.get(l.target)?.label}` })}
                    />
                  );
                })}
              </g>
              {data.nodes.map((n) => {
                const labelLeft = n.column === 0;
                const selected = selection?.node === n.id;
                return (
                  <g
                    key={n.id}
                    className={`sankey-node${selected ? ' selected' : ''}`}
                    data-testid="sankey-node"
                    data-column={n.column}
                    data-node-id={n.id}
                    tabIndex={0}
                    role="button"
                    aria-label={`${n.label}: ${n.value} items`}
                    onClick={() => setSelection({ node: n.id, label: n.label })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') setSelection({ node: n.id, label: n.label });
                    }}
                    onMouseMove={(e) =>
                      setTip({ x: e.clientX, y: e.clientY, content: `${n.label}\n${n.value} items (${fmt((100 * n.value) / data.items, 1)}%)${n.members > 1 ? `\n${n.members} folded` : ''}` })
                    }
                    onMouseLeave={() => setTip(null)}
                  >
                    <rect x={n.x0} y={n.y0} width={n.x1 - n.x0} height={Math.max(1, n.y1 - n.y0)} fill={colorOf(n)} />
                    {(n.y1 - n.y0 >= 9 || n.column === 0) && (
                      <text
                        className="sankey-label"
                        x={labelLeft ? n.x0 - 4 : n.x1 + 4}
                        y={(n.y0 + n.y1) / 2}
                        dy="0.35em"
                        textAnchor={labelLeft ? 'end' : 'start'}
                      >
                        {truncate(n.label, labelLeft ? 24 : 20)}
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
          </svg>
        )}
        <FloatingTooltip tip={tip} />
      </div>
      {data && (
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <div className="panel">
            <div className="chart-title">Per-layer purity against category level {data.categoryLevel}</div>
            <table className="purity-table" data-testid="sankey-purity">
              <thead>
                <tr>
                  <th style={{ textAlign: 'left' }}>layer</th>
                  <th title="Σ over tokens of the largest category count / items">token purity</th>
                  <th title="Same, with the whole prefix up to this layer as the bucket">prefix purity</th>
                  <th>used tokens</th>
                  <th>nodes drawn</th>
                </tr>
              </thead>
              <tbody>
                {data.purity.map((p) => (
                  <tr key={p.layer}>
                    <td style={{ textAlign: 'left' }}>{p.layer + 1}</td>
                    <td>{fmt(p.tokenPurity)}</td>
                    <td>{fmt(p.prefixPurity)}</td>
                    <td>{p.usedTokens}</td>
                    <td>{p.shownTokens}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="muted" style={{ fontSize: 11, marginTop: 6 }}>
              {data.items.toLocaleString()} items · tokens beyond the {maxTokens - 1} largest per layer are folded into “other”.
            </div>
          </div>
        </div>
      )}
      {selection && (
        <div className="panel" data-testid="sankey-selection">
          <div className="chart-title">
            {selection.label}
            {items ? ` — ${items.total.toLocaleString()} items` : ''}
          </div>
          {itemsError ? <ErrorBox error={itemsError} /> : null}
          {items && <ItemTable items={items.items} csvName={`sankey-run${runId}-selection.csv`} testId="sankey-items" />}
        </div>
      )}
    </div>
  );
}

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
