import { type ReactNode, useState } from 'react';
import type { RunRecord } from '../../../shared/types';
import { DataTable, EmptyState, ErrorBox, ProgressBar, StatusPill, fmtDuration, fmtWhen, type Column } from '../components';
import { useApp } from '../context';
import { isActive, useRuns } from '../hooks';
import { navigate, useRoute } from '../router';
import { BuildForm } from './BuildForm';

export function runDuration(r: RunRecord, now = Date.now()): number | null {
  if (!r.startedAt) return null;
  const end = r.finishedAt ? Date.parse(r.finishedAt) : now;
  return end - Date.parse(r.startedAt);
}

export function RunsPage(): ReactNode {
  const { api, datasets, datasetId } = useApp();
  const route = useRoute();
  const [onlyCurrent, setOnlyCurrent] = useState(route.query.dataset != null);
  const filterId = onlyCurrent ? (Number(route.query.dataset) || datasetId) ?? undefined : undefined;
  const { runs, error } = useRuns(filterId != null ? { datasetId: filterId } : {});
  const [showBuild, setShowBuild] = useState(route.query.build === '1');
  const dsName = (id: number | null): string => (id == null ? '' : (datasets.find((d) => d.id === id)?.name ?? `#${id}`));

  const columns: Column<RunRecord>[] = [
    { key: 'id', header: '#', value: (r) => r.id, align: 'right' },
    { key: 'name', header: 'Name', value: (r) => r.name },
    { key: 'kind', header: 'Kind', value: (r) => r.kind },
    { key: 'method', header: 'Method', value: (r) => r.method },
    { key: 'dataset', header: 'Dataset', value: (r) => dsName(r.datasetId) },
    { key: 'status', header: 'Status', value: (r) => r.status, render: (r) => <StatusPill status={r.status} /> },
    {
      key: 'progress',
      header: 'Progress',
      value: (r) => (r.progress && r.progress.total > 0 ? r.progress.done / r.progress.total : null),
      render: (r) =>
        isActive(r) ? (
          <div style={{ minWidth: 220 }}>
            <ProgressBar done={r.progress?.done ?? 0} total={r.progress?.total ?? 0} phase={r.progress?.phase} onCancel={() => void api.runs.cancel({ runId: r.id })} />
          </div>
        ) : r.progress ? (
          <span className="muted">{r.progress.phase}</span>
        ) : null,
    },
    { key: 'backend', header: 'Backend', value: (r) => r.backend ?? '' },
    { key: 'started', header: 'Started', value: (r) => r.startedAt ?? r.createdAt, render: (r) => fmtWhen(r.startedAt ?? r.createdAt) },
    { key: 'duration', header: 'Duration', value: (r) => runDuration(r), render: (r) => fmtDuration(runDuration(r)), align: 'right' },
  ];

  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>Runs</h1>
        <label className="row" style={{ gap: 4 }}>
          <input type="checkbox" checked={onlyCurrent} onChange={(e) => setOnlyCurrent(e.target.checked)} /> only the current dataset
        </label>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setShowBuild((s) => !s)} aria-expanded={showBuild} data-testid="toggle-build">
          {showBuild ? 'Hide build form' : 'Build IDs…'}
        </button>
      </div>
      {showBuild && <BuildForm datasetId={filterId ?? datasetId} />}
      {error != null && <ErrorBox error={error} />}
      {runs.length === 0 ? (
        <EmptyState title="No runs yet">
          Runs appear here as jobs start: imports, embeddings, ID builds, retriever training. Start with <b>Build IDs…</b>{' '}
          once a dataset has embeddings, or run <code>npx semid build --dataset D --method rqkmeans</code>.
        </EmptyState>
      ) : (
        <DataTable testId="runs-table" columns={columns} rows={runs} rowKey={(r) => r.id} onActivate={(r) => navigate(['runs', r.id])} csvName="runs" initialSort={{ key: 'id', dir: 'desc' }} />
      )}
    </div>
  );
}
