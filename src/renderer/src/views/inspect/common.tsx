/**
 * Pieces shared by the inspection and comparison views: the run picker (runs that have a semantic-ID table), the
 * item list under a selection, token formatting and categorical palettes. Data strings are rendered as React text.
 */
import { type ReactNode, useCallback, useMemo, useRef, useState } from 'react';
import type { ItemBrief } from '../../../../shared/api/views';
import type { RunRecord } from '../../../../shared/types';
import { DataTable, type Column, Select } from '../../components/index';
import { useRuns } from '../../hooks';
import { prefixLabel, tokenLabel } from '../../../../core/layout/tokens';
import './views.css';

export { prefixLabel, tokenLabel };

/** Runs of the dataset that carry a semantic-ID table (finished builds and imported tables), newest first. */
export function useIdRuns(datasetId: number | null): { runs: RunRecord[]; error: unknown } {
  const { runs, error } = useRuns(datasetId == null ? {} : { datasetId });
  const idRuns = useMemo(() => runs.filter((r) => r.kind === 'build' && r.status === 'succeeded' && (datasetId == null || r.datasetId === datasetId)), [runs, datasetId]);
  return { runs: idRuns, error };
}

export const runLabel = (r: RunRecord): string => `#${r.id} ${r.name || r.method}${r.name && !r.name.includes(r.method) ? ` (${r.method})` : ''}`;

export function RunSelect(props: { runs: RunRecord[]; value: number | null; onChange: (id: number) => void; label?: string; testId?: string; exclude?: number[] }): ReactNode {
  return (
    <Select
      label={props.label ?? 'Run'}
      value={props.value}
      testId={props.testId}
      placeholder="choose a run…"
      options={props.runs.filter((r) => !props.exclude?.includes(r.id)).map((r) => ({ value: r.id, label: runLabel(r) }))}
      onChange={props.onChange}
    />
  );
}

/** A sortable, exportable list of items (title, category, ID). */
export function ItemTable({ items, csvName, caption, testId, maxHeight = 360 }: { items: ItemBrief[]; csvName: string; caption?: ReactNode; testId?: string; maxHeight?: number }): ReactNode {
  const columns: Column<ItemBrief>[] = [
    { key: 'idx', header: '#', value: (r) => r.idx, align: 'right' },
    { key: 'extId', header: 'item id', value: (r) => r.extId },
    { key: 'title', header: 'title', value: (r) => r.title, wrap: true },
    { key: 'category', header: 'category', value: (r) => r.category, wrap: true },
    { key: 'id', header: 'semantic ID', value: (r) => (r.tokens ? prefixLabel(r.tokens) : ''), render: (r) => <code className="sid">{r.tokens ? prefixLabel(r.tokens) : ''}</code> },
  ];
  return <DataTable columns={columns} rows={items} rowKey={(r) => r.idx} csvName={csvName} caption={caption} testId={testId} maxHeight={maxHeight} pageSize={200} />;
}

/**
 * 20 categorical colours (d3 category10 + its light companions, Tableau 20 order) that stay distinguishable on light
 * and dark backgrounds; beyond 20 classes colours repeat and the legend says so.
 */
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];
export const OTHER_COLOR = '#9aa0a8';

/** Renders a token sequence with the first `shared` tokens highlighted (the shared prefix of CAT-ID² Table 8). */
export function SidCell({ tokens, shared, tone = 'a' }: { tokens: number[]; shared: number; tone?: 'a' | 'b' }): ReactNode {
  return (
    <code className="sid">
      {tokens.map((t, l) => (
        <span key={l} className={l < shared ? `shared shared-${tone}` : undefined}>
          {tokenLabel(l, t)}
        </span>
      ))}
    </code>
  );
}

export const fmt = (v: number | null | undefined, digits = 3): string => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/**
 * Width of an element that may mount late (after data loads): a callback ref attaches the ResizeObserver whenever
 * the element appears, unlike a ref read once in an effect.
 */
export function useElementWidth(initial = 960): [(el: HTMLElement | null) => void, number] {
  const [w, setW] = useState(initial);
  const ro = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    ro.current?.disconnect();
    ro.current = null;
    if (!el) return;
    setW(Math.floor(el.getBoundingClientRect().width) || initial);
    ro.current = new ResizeObserver((entries) => {
      const cw = entries[0]?.contentRect.width;
      if (cw) setW((old) => (Math.abs(cw - old) > 1 ? Math.floor(cw) : old));
    });
    ro.current.observe(el);
  }, [initial]);
  return [ref, w];
}
