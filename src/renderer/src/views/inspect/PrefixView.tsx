/**
 * Prefix tree + word cloud (CAT-ID² Fig. 6): browse a run's IDs as a tree of prefixes with item counts; the selected
 * prefix shows a word cloud of its titles weighted by TF-IDF against the whole catalogue (views.prefixDetail), its
 * category mix and its items. d3-cloud needs a canvas, so the placement runs here; words are drawn as SVG text.
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import cloud from 'd3-cloud';
import type { PrefixDetail, PrefixNode, WordWeight } from '../../../../shared/api/views';
import { EmptyState, ErrorBox, FloatingTooltip, type TooltipState } from '../../components/index';
import { useAsync } from '../../hooks';
import type { ViewProps } from '../registry';
import { fmt, ItemTable, PALETTE, prefixLabel, RunSelect, tokenLabel, useElementWidth, useIdRuns } from './common';

const keyOf = (p: number[]): string => p.join('.');
const parseKey = (s: string | undefined): number[] => (s ? s.split('.').filter(Boolean).map(Number) : []);

export default function PrefixView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs, error: runsError } = useIdRuns(datasetId);
  const runId = query.run ? Number(query.run) : (runs[0]?.id ?? null);
  const selected = parseKey(query.prefix);
  const [children, setChildren] = useState<Map<string, PrefixNode[]>>(new Map());
  const [open, setOpen] = useState<Set<string>>(new Set(['']));
  const [treeError, setTreeError] = useState<unknown>(null);

  useEffect(() => {
    setChildren(new Map());
    setOpen(new Set(['']));
  }, [runId]);

  const load = (prefix: number[]): void => {
    if (runId == null || children.has(keyOf(prefix))) return;
    api.views.prefixTree({ runId, prefix, depth: 1 }).then(
      (r) => setChildren((m) => new Map(m).set(keyOf(prefix), r.tree.children ?? [])),
      (e: unknown) => setTreeError(e),
    );
  };
  useEffect(() => {
    if (runId == null) return;
    // Root plus every ancestor of the selected prefix (so a reload re-opens the path).
    for (let l = 0; l <= selected.length; l++) load(selected.slice(0, l));
    setOpen((o) => new Set([...o, ...Array.from({ length: selected.length }, (_, l) => keyOf(selected.slice(0, l)))]));
  }, [runId, query.prefix, children.size === 0]);

  const detail = useAsync<PrefixDetail | null>(
    () => (runId == null || selected.length === 0 ? Promise.resolve(null) : api.views.prefixDetail({ runId, prefix: selected, limit: 500 })),
    [api, runId, query.prefix],
  );

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  if (runs.length === 0)
    return (
      <EmptyState title="No semantic-ID runs for this dataset">
        Build IDs with <code>semid build --dataset {datasetId} --method rqkmeans</code> (or Runs → Build IDs).
      </EmptyState>
    );

  const toggle = (p: number[]): void => {
    const k = keyOf(p);
    load(p);
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  };
  const renderLevel = (prefix: number[]): ReactNode => {
    const kids = children.get(keyOf(prefix));
    if (!kids) return <div className="muted">loading…</div>;
    return (
      <ul>
        {kids.map((c) => {
          const k = keyOf(c.prefix);
          const isOpen = open.has(k);
          const isSel = k === keyOf(selected);
          return (
            <li key={k}>
              {c.childCount > 0 ? (
                <button type="button" className="twist" aria-label={isOpen ? 'collapse' : 'expand'} aria-expanded={isOpen} onClick={() => toggle(c.prefix)}>
                  {isOpen ? '▾' : '▸'}
                </button>
              ) : (
                <span className="twist" />
              )}
              <button type="button" className={`node${isSel ? ' selected' : ''}`} data-testid="prefix-node" data-prefix={k} onClick={() => setQuery({ ...query, run: runId, prefix: k })}>
                {tokenLabel(c.prefix.length - 1, c.prefix[c.prefix.length - 1]!)}
              </button>
              <span className="count">
                {c.count.toLocaleString()} items{c.childCount > 0 ? ` · ${c.childCount} children` : ''}
              </span>
              {isOpen && c.childCount > 0 && renderLevel(c.prefix)}
            </li>
          );
        })}
      </ul>
    );
  };

  return (
    <div className="stack" data-testid="prefix-view">
      <div className="view-controls">
        <RunSelect runs={runs} value={runId} onChange={(id) => setQuery({ run: id })} testId="prefix-run" />
        {selected.length > 0 && (
          <button type="button" onClick={() => setQuery({ ...query, prefix: keyOf(selected.slice(0, -1)) || undefined })}>
            Up one layer
          </button>
        )}
      </div>
      {treeError ? <ErrorBox error={treeError} /> : null}
      <div className="view-grid" style={{ gridTemplateColumns: 'minmax(260px, 1fr) minmax(0, 2.4fr)' }}>
        <div className="panel tree" data-testid="prefix-tree">
          <div className="chart-title">Prefixes</div>
          {renderLevel([])}
        </div>
        <div className="stack">
          {selected.length === 0 ? (
            <EmptyState title="Pick a prefix">Select a prefix in the tree to see its word cloud, category mix and items.</EmptyState>
          ) : detail.error ? (
            <ErrorBox error={detail.error} />
          ) : !detail.data ? (
            <div className="muted">Loading {prefixLabel(selected)}…</div>
          ) : (
            <PrefixDetailPanel detail={detail.data} />
          )}
        </div>
      </div>
    </div>
  );
}

function PrefixDetailPanel({ detail }: { detail: PrefixDetail }): ReactNode {
  return (
    <>
      <div className="panel" data-testid="prefix-detail">
        <div className="chart-title">
          <code className="sid">{detail.label}</code> — {detail.count.toLocaleString()} items
        </div>
        {detail.words.length === 0 ? (
          <EmptyState title="No distinctive words">The titles under this prefix share no word that is rarer in the rest of the catalogue.</EmptyState>
        ) : (
          <WordCloud words={detail.words} seedKey={detail.label} />
        )}
      </div>
      <div className="panel">
        <div className="chart-title">Category mix (level {detail.categoryLevel})</div>
        {detail.categories.slice(0, 12).map((c) => (
          <div className="bar-row" key={c.categoryId} title={c.path}>
            <span>{c.path}</span>
            <div className="bar-bg">
              <div className="bar-fg" style={{ width: `${Math.max(1, c.share * 100)}%` }} />
            </div>
            <span className="num">{fmt(c.share * 100, 1)}%</span>
          </div>
        ))}
      </div>
      <div className="panel">
        <ItemTable items={detail.items} csvName={`prefix-${detail.prefix.join('-')}-items.csv`} caption={`${detail.items.length} of ${detail.count} items`} testId="prefix-items" />
      </div>
    </>
  );
}

interface Placed {
  text: string;
  size: number;
  x: number;
  y: number;
  rotate: number;
  weight: number;
  count: number;
}

/** Mulberry32: a tiny seeded PRNG so the same prefix always gets the same cloud. */
function seeded(seed: string): () => number {
  let a = 0;
  for (const ch of seed) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function WordCloud({ words, seedKey, height = 300 }: { words: WordWeight[]; seedKey: string; height?: number }): ReactNode {
  const [ref, width] = useElementWidth(600);
  const w = Math.max(300, width - 4);
  const [placed, setPlaced] = useState<Placed[]>([]);
  const [tip, setTip] = useState<TooltipState | null>(null);
  const maxW = useMemo(() => Math.max(...words.map((x) => x.weight)), [words]);
  useEffect(() => {
    const rnd = seeded(seedKey);
    const layout = cloud<{ text: string; size: number; weight: number; count: number; x?: number; y?: number; rotate?: number }>()
      .size([w, height])
      .words(words.map((x) => ({ text: x.word, size: 11 + 37 * Math.sqrt(x.weight / maxW), weight: x.weight, count: x.count })))
      .padding(2)
      .rotate(() => (rnd() < 0.2 ? 90 : 0))
      .font('system-ui, sans-serif')
      .fontSize((d) => d.size)
      .random(rnd)
      .on('end', (out) => setPlaced(out.map((d) => ({ text: d.text ?? '', size: d.size ?? 12, x: d.x ?? 0, y: d.y ?? 0, rotate: d.rotate ?? 0, weight: d.weight, count: d.count }))));
    layout.start();
    return () => {
      layout.stop();
    };
  }, [words, w, height, seedKey, maxW]);
  return (
    <div ref={ref}>
      <svg className="chart" width={w} height={height} role="img" aria-label="Word cloud of the prefix's titles" data-testid="word-cloud">
        <g transform={`translate(${w / 2},${height / 2})`}>
          {placed.map((d, k) => (
            <text
              key={d.text}
              textAnchor="middle"
              transform={`translate(${d.x},${d.y}) rotate(${d.rotate})`}
              style={{ fontSize: d.size, fontFamily: 'system-ui, sans-serif', fill: PALETTE[k % 10] }}
              onMouseMove={(e) => setTip({ x: e.clientX, y: e.clientY, content: `${d.text}\nin ${d.count} titles · weight ${d.weight.toFixed(3)}` })}
              onMouseLeave={() => setTip(null)}
            >
              {d.text}
            </text>
          ))}
        </g>
      </svg>
      <div className="legend">Word size ∝ √(TF-IDF against the whole catalogue); hover a word for its counts.</div>
      <FloatingTooltip tip={tip} />
    </div>
  );
}
