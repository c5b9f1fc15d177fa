/**
 * Collision inspector: groups of items sharing a whole semantic ID before de-collision (the builder's IDs, which
 * suffix/sinkhorn builds keep with the run) and after (the IDs as stored), side by side (views.collisions). Each
 * before-group says where its items went: how many distinct final IDs they hold, how many were moved and how many
 * still share an ID. Selecting a group lists its items with both IDs, so one can judge whether the colliding items
 * are near-duplicates (harmless) or unrelated products squeezed into one bucket. Data strings are React text only.
 */
import { type ReactNode, useMemo } from 'react';
import type { CollisionGroup, CollisionGroupBefore, CollisionItem, CollisionReport, CollisionsResult } from '../../../../shared/api/views';
import { DataTable, type Column, EmptyState, ErrorBox } from '../../components/index';
import { useAsync } from '../../hooks';
import type { ViewProps } from '../registry';
import { prefixLabel, RunSelect, tokenLabel, useIdRuns } from './common';

type Side = 'before' | 'after';
const keyOf = (g: CollisionGroup): string => g.key.join('.');

export default function CollisionsView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs, error: runsError } = useIdRuns(datasetId);
  const runId = query.run ? Number(query.run) : (runs[0]?.id ?? null);
  const res = useAsync<CollisionsResult | null>(() => (runId == null ? Promise.resolve(null) : api.views.collisions({ runId, limit: 300 })), [api, runId]);
  const byIdx = useMemo(() => new Map((res.data?.items ?? []).map((it) => [it.idx, it])), [res.data]);
  const picked = query.group && (query.side === 'before' || query.side === 'after') ? { side: query.side as Side, key: query.group } : null;
  const pick = (side: Side, g: CollisionGroup): void => setQuery({ ...query, run: runId, side, group: keyOf(g) });

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  if (runs.length === 0)
    return (
      <EmptyState title="No semantic-ID runs for this dataset">
        Build IDs with <code>semid build --dataset {datasetId} --method rqkmeans --collisions sinkhorn</code> to see collisions before and after.
      </EmptyState>
    );
  const d = res.data && res.data.runId === runId ? res.data : null;
  const groups: CollisionGroup[] = d && picked ? ((picked.side === 'after' ? d.after.top : d.before?.top) ?? []) : [];
  const pickedGroup = picked ? groups.find((g) => keyOf(g) === picked.key) : undefined;
  const pickedItems = pickedGroup ? pickedGroup.items.map((i) => byIdx.get(i)).filter((x): x is CollisionItem => !!x) : [];

  return (
    <div className="stack" data-testid="collisions-view">
      <div className="view-controls">
        <RunSelect runs={runs} value={runId} onChange={(id) => setQuery({ run: id })} testId="collisions-run" />
        {d && (
          <span className="muted" style={{ fontSize: 12, paddingBottom: 4 }} data-testid="collisions-summary">
            mode <strong>{d.collisionMode}</strong> · {d.layers} layers stored
            {d.beforeLayers != null && d.beforeLayers !== d.layers ? ` (${d.beforeLayers} before de-collision)` : ''}
            {d.moved != null && d.collisionMode !== 'none' ? ` · ${d.moved.toLocaleString()} items moved` : ''}
          </span>
        )}
      </div>
      {res.error ? <ErrorBox error={res.error} /> : null}
      {!d ? (
        res.error ? null : <div className="muted">Loading…</div>
      ) : (
        <>
          <div className="view-grid" style={{ gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)' }}>
            <ReportPanel
              side="before"
              title={`Before de-collision${d.beforeLayers != null ? ` (${d.beforeLayers} layers)` : ''}`}
              note={d.beforeNote}
              r={d.before}
              active={picked?.side === 'before' ? picked.key : null}
              onPick={(g) => pick('before', g)}
              testId="collisions-before"
            />
            <ReportPanel
              side="after"
              title={`After ${d.collisionMode === 'none' ? '(no de-collision)' : `${d.collisionMode} de-collision`} (${d.layers} layers)`}
              note="IDs as stored for the run"
              r={d.after}
              active={picked?.side === 'after' ? picked.key : null}
              onPick={(g) => pick('after', g)}
              testId="collisions-after"
            />
          </div>
          {picked && pickedGroup && (
            <GroupPanel side={picked.side} mode={d.collisionMode} group={pickedGroup} items={pickedItems} beforeLayers={d.beforeSource === 'same' ? null : d.beforeLayers} />
          )}
        </>
      )}
    </div>
  );
}

/** Group sizes → bars; past 12 distinct sizes the largest ones are folded into one "≥ s" bar. */
function SizeHistogram({ hist, testId }: { hist: CollisionReport['sizeHistogram']; testId: string }): ReactNode {
  const rows = hist.length <= 12 ? hist.map((h) => ({ label: `${h.size} items`, groups: h.groups })) : [
    ...hist.slice(0, 11).map((h) => ({ label: `${h.size} items`, groups: h.groups })),
    { label: `≥ ${hist[11]!.size} items`, groups: hist.slice(11).reduce((a, h) => a + h.groups, 0) },
  ];
  const max = Math.max(1, ...rows.map((r) => r.groups));
  return (
    <div style={{ marginBottom: 10 }} data-testid={testId}>
      <div className="muted" style={{ fontSize: 11, display: 'flex', justifyContent: 'space-between' }}>
        <span>group size</span>
        <span>number of groups</span>
      </div>
      {rows.map((h) => (
        <div className="bar-row" key={h.label}>
          <span>{h.label}</span>
          <div className="bar-bg">
            <div className="bar-fg" style={{ width: `${(100 * h.groups) / max}%` }} />
          </div>
          <span className="num">{h.groups.toLocaleString()}</span>
        </div>
      ))}
    </div>
  );
}

function ReportPanel(props: {
  side: Side;
  title: string;
  note: string;
  r: CollisionReport | CollisionsResult['before'];
  active: string | null;
  onPick: (g: CollisionGroup) => void;
  testId: string;
}): ReactNode {
  const { side, title, note, r, active, onPick, testId } = props;
  const columns: Column<CollisionGroup>[] = [
    { key: 'id', header: 'shared ID', value: (g) => prefixLabel(g.key), render: (g) => <code className="sid">{prefixLabel(g.key)}</code> },
    { key: 'size', header: 'items', value: (g) => g.items.length, align: 'right' },
  ];
  if (side === 'before') {
    const fate = (g: CollisionGroup): CollisionGroupBefore => g as CollisionGroupBefore;
    columns.push(
      { key: 'final', header: 'final IDs', value: (g) => fate(g).finalIds, align: 'right', title: 'distinct IDs its items hold after de-collision' },
      { key: 'moved', header: 'moved', value: (g) => fate(g).moved, align: 'right', title: 'items whose ID was changed by de-collision' },
      { key: 'still', header: 'still shared', value: (g) => fate(g).stillShared, align: 'right', title: 'items whose final ID is still shared with another item' },
    );
  }
  return (
    <div className="panel" data-testid={testId} style={{ minWidth: 0 }}>
      <div className="chart-title">{title}</div>
      <div className="muted" style={{ fontSize: 11, marginBottom: 8 }}>
        {note}
      </div>
      {!r ? (
        <EmptyState title="Not available">
          Rebuild with <code>--collisions suffix</code> or <code>--collisions sinkhorn</code>: the build keeps its IDs from before de-collision.
        </EmptyState>
      ) : (
        <>
          <div className="stat-grid">
            <div className="card">
              <div className="muted">colliding groups</div>
              <strong data-testid={`${testId}-groups`}>{r.groups.toLocaleString()}</strong>
            </div>
            <div className="card">
              <div className="muted">items in a collision</div>
              <strong data-testid={`${testId}-items`}>{r.collidingItems.toLocaleString()}</strong>
            </div>
            <div className="card">
              <div className="muted">largest group</div>
              <strong>{r.groups ? r.maxGroup.toLocaleString() : '–'}</strong>
            </div>
          </div>
          {r.groups === 0 ? (
            <div className="muted" data-testid={`${testId}-none`} style={{ fontSize: 12 }}>
              Every item has an ID of its own: no two items share all {r.length} tokens.
            </div>
          ) : (
            <>
              <SizeHistogram hist={r.sizeHistogram} testId={`${testId}-hist`} />
              <DataTable
                columns={columns}
                rows={r.top as CollisionGroup[]}
                rowKey={keyOf}
                activeKey={active}
                onActivate={onPick}
                csvName={`${testId}`}
                maxHeight={300}
                caption={r.top.length < r.groups ? `largest ${r.top.length} of ${r.groups.toLocaleString()} groups; click one to list its items` : 'click a group to list its items'}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}

function GroupPanel({ side, mode, group, items, beforeLayers }: { side: Side; mode: string; group: CollisionGroup; items: CollisionItem[]; beforeLayers: number | null }): ReactNode {
  const fate = side === 'before' ? (group as CollisionGroupBefore) : null;
  const columns: Column<CollisionItem>[] = [
    { key: 'idx', header: '#', value: (r) => r.idx, align: 'right' },
    { key: 'extId', header: 'item id', value: (r) => r.extId },
    { key: 'title', header: 'title', value: (r) => r.title, wrap: true },
    { key: 'category', header: 'category', value: (r) => r.category, wrap: true },
  ];
  if (beforeLayers != null)
    columns.push({ key: 'before', header: 'ID before', value: (r) => (r.before ? prefixLabel(r.before) : ''), render: (r) => <code className="sid">{r.before ? prefixLabel(r.before) : ''}</code> });
  columns.push(
    {
      key: 'final',
      header: 'final ID',
      value: (r) => prefixLabel(r.tokens),
      // Tokens that de-collision changed (or a non-zero suffix) in bold.
      render: (r) => (
        <code className="sid">
          {r.tokens.map((t, l) => {
            const changed = r.before ? (l < r.before.length ? r.before[l] !== t : t !== 0) : false;
            return changed ? <strong key={l}>{tokenLabel(l, t)}</strong> : <span key={l}>{tokenLabel(l, t)}</span>;
          })}
        </code>
      ),
    },
    {
      key: 'fate',
      header: 'outcome',
      value: (r) => [beforeLayers != null ? (r.moved ? 'moved' : 'kept its ID') : null, r.finalGroupSize > 1 ? `final ID shared with ${r.finalGroupSize - 1} other item${r.finalGroupSize > 2 ? 's' : ''}` : 'unique final ID'].filter(Boolean).join(', '),
    },
  );
  return (
    <div className="panel" data-testid="collisions-group">
      <div className="chart-title">
        <code className="sid">{prefixLabel(group.key)}</code> ({side === 'before' ? 'before de-collision' : mode === 'none' ? 'as stored' : 'after de-collision'}) — {group.items.length} items
      </div>
      {fate && (
        <div className="muted" style={{ fontSize: 12, marginBottom: 6 }} data-testid="collisions-fate">
          after de-collision: {fate.finalIds} distinct final {fate.finalIds === 1 ? 'ID' : 'IDs'}, {fate.moved} moved, {fate.stillShared} still sharing an ID
        </div>
      )}
      <DataTable columns={columns} rows={items} rowKey={(r) => r.idx} csvName={`collision-${side}-${group.key.join('-')}`} maxHeight={360} pageSize={200} testId="collisions-group-items" />
    </div>
  );
}
