/**
 * Collision inspector: groups of items sharing a whole semantic ID, before and after de-collision (views.collisions).
 * Selecting a group lists its items, so one can judge whether the colliding items are near-duplicates (harmless) or
 * unrelated products squeezed into one bucket.
 */
import { type ReactNode, useMemo, useState } from 'react';
import type { CollisionGroup, CollisionReport, CollisionsResult, ItemBrief } from '../../../../shared/api/views';
import { DataTable, type Column, EmptyState, ErrorBox } from '../../components/index';
import { useAsync } from '../../hooks';
import type { ViewProps } from '../registry';
import { ItemTable, prefixLabel, RunSelect, useIdRuns } from './common';

export default function CollisionsView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs, error: runsError } = useIdRuns(datasetId);
  const runId = query.run ? Number(query.run) : (runs[0]?.id ?? null);
  const res = useAsync<CollisionsResult | null>(() => (runId == null ? Promise.resolve(null) : api.views.collisions({ runId, limit: 300 })), [api, runId]);
  const [picked, setPicked] = useState<{ side: 'before' | 'after'; key: string } | null>(null);
  const byIdx = useMemo(() => new Map((res.data?.items ?? []).map((it) => [it.idx, it])), [res.data]);

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  if (runs.length === 0)
    return (
      <EmptyState title="No semantic-ID runs for this dataset">
        Build IDs with <code>semid build --dataset {datasetId} --method rqkmeans --collisions none</code> to see collisions.
      </EmptyState>
    );
  const d = res.data;
  const pickedGroup = d && picked ? (picked.side === 'after' ? d.after : d.before)?.top.find((g) => g.key.join('.') === picked.key) : undefined;
  const pickedItems: ItemBrief[] = pickedGroup ? pickedGroup.items.map((i) => byIdx.get(i)).filter((x): x is ItemBrief => !!x) : [];

  return (
    <div className="stack" data-testid="collisions-view">
      <div className="view-controls">
        <RunSelect runs={runs} value={runId} onChange={(id) => setQuery({ run: id })} testId="collisions-run" />
      </div>
      {res.error ? <ErrorBox error={res.error} /> : null}
      {!d ? (
        <div className="muted">Loading…</div>
      ) : (
        <>
          <div className="view-grid" style={{ gridTemplateColumns: '1fr 1fr' }}>
            <ReportPanel title={`Before de-collision`} note={d.beforeNote} r={d.before} onPick={(k) => setPicked({ side: 'before', key: k })} testId="collisions-before" />
            <ReportPanel title={`After (${d.collisionMode}, ${d.layers} layers)`} note="IDs as stored for the run" r={d.after} onPick={(k) => setPicked({ side: 'after', key: k })} testId="collisions-after" />
          </div>
          {pickedGroup && (
            <div className="panel" data-testid="collisions-group">
              <div className="chart-title">
                <code className="sid">{prefixLabel(pickedGroup.key)}</code> ({picked?.side}) — {pickedGroup.items.length} items
              </div>
              <ItemTable items={pickedItems} csvName={`collision-${pickedGroup.key.join('-')}.csv`} />
            </div>
          )}
        </>
      )}
    </div>
  );
}

function ReportPanel({ title, note, r, onPick, testId }: { title: string; note: string; r: CollisionReport | null; onPick: (key: string) => void; testId: string }): ReactNode {
  const columns: Column<CollisionGroup>[] = [
    { key: 'id', header: 'shared ID', value: (g) => prefixLabel(g.key), render: (g) => <code className="sid">{prefixLabel(g.key)}</code> },
    { key: 'size', header: 'items', value: (g) => g.items.length, align: 'right' },
  ];
  const maxGroups = r ? Math.max(1, ...r.sizeHistogram.map((h) => h.groups)) : 1;
  return (
    <div className="panel" data-testid={testId}>
      <div className="chart-title">{title}</div>
      <div className="muted" style={{ fontSize: 11, marginBottom: 8 }}>
        {note}
      </div>
      {!r ? (
        <EmptyState title="Not available">Rebuild with <code>--collisions suffix</code> or keep the run's pre-collision IDs to compare.</EmptyState>
      ) : (
        <>
          <div className="stat-grid">
            <div className="card">
              <div className="muted">colliding groups</div>
              <strong data-testid={`${testId}-groups`}>{r.groups.toLocaleString()}</strong>
            </div>
            <div className="card">
              <div className="muted">items in a collision</div>
              <strong>{r.collidingItems.toLocaleString()}</strong>
            </div>
            <div className="card">
              <div className="muted">largest group</div>
              <strong>{r.maxGroup}</strong>
            </div>
          </div>
          {r.sizeHistogram.length > 0 && (
            <div style={{ marginBottom: 8 }}>
              <div className="muted" style={{ fontSize: 11 }}>
                groups by size
              </div>
              {r.sizeHistogram.slice(0, 12).map((h) => (
                <div className="bar-row" key={h.size}>
                  <span>{h.size} items</span>
                  <div className="bar-bg">
                    <div className="bar-fg" style={{ width: `${(100 * h.groups) / maxGroups}%` }} />
                  </div>
                  <span className="num">{h.groups}</span>
                </div>
              ))}
            </div>
          )}
          {r.top.length > 0 && (
            <DataTable columns={columns} rows={r.top} rowKey={(g) => g.key.join('.')} onActivate={(g) => onPick(g.key.join('.'))} csvName={`${testId}.csv`} maxHeight={300} caption="click a group to list its items" />
          )}
        </>
      )}
    </div>
  );
}
