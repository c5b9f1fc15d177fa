import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type { RunLog } from '../../../shared/api/runs';
import type { ErrorInfo } from '../../../shared/errors';
import { optionalMethod } from '../api';
import { DataTable, EmptyState, ErrorBox, ProgressBar, StatusPill, fmtDuration, fmtWhen, type Column } from '../components';
import { LineChart, type Series } from '../charts/LineChart';
import { useApp } from '../context';
import { isActive, useApiEvents, useAsync, useRunProgress } from '../hooks';
import { navigate } from '../router';
import { runDuration } from './RunsPage';

type Metrics = Record<string, [number, number][]>;

/** Groups metric names into charts by prefix ("loss/recon", "loss/commit" → "loss"), so scales stay comparable. */
export function groupMetrics(m: Metrics): { title: string; series: Series[] }[] {
  const groups = new Map<string, Series[]>();
  for (const [name, points] of Object.entries(m)) {
    const key = name.includes('/') ? name.slice(0, name.indexOf('/')) : /loss/i.test(name) ? 'loss' : name;
    const list = groups.get(key) ?? [];
    list.push({ name, points });
    groups.set(key, list);
  }
  return [...groups.entries()].map(([title, series]) => ({ title, series }));
}

interface AuditRow {
  metric: string;
  values: (number | string | null)[];
}

/**
 * The audit report is rendered generically: per-layer arrays become rows with one column per layer, scalars go in a
 * key/value list. So the table follows whatever the ids helper's report holds (APE, purity, NMI, utilization...).
 */
export function auditRows(report: Record<string, unknown>): { layered: AuditRow[]; scalars: [string, string][]; layers: number } {
  const layered: AuditRow[] = [];
  const scalars: [string, string][] = [];
  let layers = 0;
  const visit = (prefix: string, v: unknown): void => {
    if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) {
      layered.push({ metric: prefix, values: v as (number | null)[] });
      layers = Math.max(layers, v.length);
    } else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
      scalars.push([prefix, typeof v === 'number' ? String(Number(v.toPrecision(5))) : String(v)]);
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(prefix ? `${prefix}.${k}` : k, x);
    }
  };
  visit('', report);
  return { layered, scalars, layers };
}

function AuditReport({ runId }: { runId: number }): ReactNode {
  const { api } = useApp();
  const audit = optionalMethod<{ runId: number }, Record<string, unknown>>(api, 'ids', 'audit');
  const res = useAsync(() => (audit ? audit({ runId }) : Promise.resolve(null)), [runId, audit != null]);
  if (!audit) return null;
  if (res.error != null) return <ErrorBox error={res.error} title="ID-quality audit unavailable" />;
  if (!res.data) return <div className="muted">loading audit…</div>;
  const { layered, scalars, layers } = auditRows(res.data);
  const columns: Column<AuditRow>[] = [
    { key: 'metric', header: 'Metric', value: (r) => r.metric },
    ...Array.from({ length: layers }, (_, l) => ({
      key: `l${l}`,
      header: `Layer ${l + 1}`,
      value: (r: AuditRow) => r.values[l] ?? null,
      render: (r: AuditRow) => {
        const v = r.values[l];
        return typeof v === 'number' ? Number(v.toPrecision(4)).toLocaleString() : (v ?? '');
      },
      align: 'right' as const,
    })),
  ];
  return (
    <div className="stack" data-testid="audit-report">
      <h2>ID-quality audit</h2>
      {scalars.length > 0 && (
        <dl className="kv">
          {scalars.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {layered.length > 0 && <DataTable columns={columns} rows={layered} rowKey={(r) => r.metric} csvName={`audit-run-${runId}`} />}
    </div>
  );
}

export function RunDetailPage({ runId }: { runId: number }): ReactNode {
  const { api } = useApp();
  const { run, error } = useRunProgress(runId);
  const metricsRes = useAsync(() => api.runs.metrics({ runId }), [api, runId]);
  const logsRes = useAsync(() => api.runs.logs({ runId, limit: 500 }), [api, runId]);
  const [metrics, setMetrics] = useState<Metrics>({});
  const [logs, setLogs] = useState<RunLog[]>([]);
  const [jobError, setJobError] = useState<ErrorInfo | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => setMetrics(metricsRes.data ?? {}), [metricsRes.data]);
  useEffect(() => setLogs(logsRes.data ?? []), [logsRes.data]);

  useApiEvents((ev) => {
    if (ev.type === 'run' && ev.run.id === runId && !isActive(ev.run)) {
      metricsRes.reload();
      logsRes.reload();
      return;
    }
    if (ev.type !== 'job' || ev.runId !== runId) return;
    const m = ev.message;
    if (m.type === 'metrics') {
      setMetrics((cur) => {
        const next = { ...cur };
        for (const [k, v] of Object.entries(m.values)) next[k] = [...(next[k] ?? []), [m.step, v]];
        return next;
      });
    } else if (m.type === 'log') {
      setLogs((cur) => [...cur.slice(-999), { at: new Date().toISOString(), level: m.level, message: m.message }]);
    } else if (m.type === 'error') {
      setJobError(m.error);
    }
  }, api);

  const charts = useMemo(() => groupMetrics(metrics), [metrics]);
  if (error != null) return <ErrorBox error={error} title={`Run ${runId}`} />;
  if (!run) return <div className="muted">loading…</div>;
  const active = isActive(run);

  return (
    <div className="stack" data-testid="run-detail">
      <div className="row">
        <button type="button" className="link" onClick={() => navigate(['runs'])}>
          ‹ Runs
        </button>
        <h1 style={{ margin: 0 }}>
          Run #{run.id}: {run.name}
        </h1>
        <StatusPill status={run.status} />
        <span className="spacer" />
        {!active && (
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (!window.confirm(`Delete run #${run.id} and everything it produced?`)) return;
              api.runs.remove({ runId }).then(() => navigate(['runs']), setActionError);
            }}
          >
            Delete run
          </button>
        )}
      </div>
      {active && (
        <ProgressBar
          done={run.progress?.done ?? 0}
          total={run.progress?.total ?? 0}
          phase={run.progress?.phase ?? run.status}
          cancelling={cancelling}
          onCancel={() => {
            setCancelling(true);
            api.runs.cancel({ runId }).catch(setActionError);
          }}
        />
      )}
      {(run.status === 'failed' || run.status === 'interrupted') && (
        <ErrorBox title={run.status === 'interrupted' ? 'Interrupted' : 'Failed'} error={jobError ?? { name: 'Error', message: run.error ?? run.status }} />
      )}
      {actionError != null && <ErrorBox error={actionError} onDismiss={() => setActionError(null)} />}

      <div className="grid-2">
        <div className="panel">
          <h3>Run</h3>
          <dl className="kv">
            <dt>kind</dt>
            <dd>{run.kind}</dd>
            <dt>method</dt>
            <dd>{run.method}</dd>
            <dt>dataset</dt>
            <dd>{run.datasetId != null ? <a href={`#/datasets/${run.datasetId}`}>#{run.datasetId}</a> : '—'}</dd>
            <dt>backend</dt>
            <dd>{run.backend ?? '—'}</dd>
            <dt>created</dt>
            <dd>{fmtWhen(run.createdAt)}</dd>
            <dt>started</dt>
            <dd>{fmtWhen(run.startedAt)}</dd>
            <dt>finished</dt>
            <dd>{fmtWhen(run.finishedAt)}</dd>
            <dt>duration</dt>
            <dd>{fmtDuration(runDuration(run))}</dd>
            {Object.entries(run.timings).map(([k, ms]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>time: {k}</dt>
                <dd>{fmtDuration(ms)}</dd>
              </div>
            ))}
            {run.parentRunId != null && (
              <>
                <dt>parent run</dt>
                <dd>
                  <a href={`#/runs/${run.parentRunId}`}>#{run.parentRunId}</a>
                </dd>
              </>
            )}
          </dl>
        </div>
        <div className="panel">
          <h3>Config</h3>
          <pre className="pre" data-testid="run-config">
            {JSON.stringify(run.config, null, 2)}
          </pre>
        </div>
      </div>

      <h2>Metrics</h2>
      {charts.length === 0 ? (
        <EmptyState title={active ? 'Waiting for the first metrics…' : 'This run logged no metrics'}>
          Training jobs (rqvae, catid2, uri, retrievers) log losses as they go; the curves update live.
        </EmptyState>
      ) : (
        <div className="grid-2" data-testid="metric-charts">
          {charts.map((c) => (
            <div className="panel" key={c.title}>
              <h3>{c.title}</h3>
              <LineChart series={c.series} yLabel={c.title} />
            </div>
          ))}
        </div>
      )}

      {run.kind === 'build' && run.status === 'succeeded' && <AuditReport runId={runId} />}

      <h2>Logs</h2>
      {logs.length === 0 ? (
        <div className="muted">no log lines</div>
      ) : (
        <pre className="pre" data-testid="run-logs">
          {logs.map((l) => `${l.at.slice(11, 19)} ${l.level.padEnd(5)} ${l.message}`).join('\n')}
        </pre>
      )}
    </div>
  );
}
