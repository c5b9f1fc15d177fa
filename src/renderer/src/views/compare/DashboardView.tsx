/**
 * Run dashboards (Compare section): ID-quality reports of several runs side by side, APE in the layout of URI
 * Table 2 (codebook size × method, with the paper's Beauty numbers beside ours), retrieval results in the layout of
 * CAT-ID² Table 2, the recall-vs-candidates curve of each evaluation, and live training curves of running jobs.
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type { AuditSummary } from '../../../../shared/api/ids';
import type { EvaluationRecord } from '../../../../shared/api/retrieval';
import type { DashboardRun } from '../../../../shared/api/views';
import type { RunRecord } from '../../../../shared/types';
import { optionalMethod } from '../../api';
import { LineChart, type Series } from '../../charts/LineChart';
import { EmptyState, ErrorBox, Select } from '../../components/index';
import { downloadText, toCsv } from '../../csv';
import { isActive, useAsync, useRuns } from '../../hooks';
import type { ViewProps } from '../registry';
import { fmt, runLabel, useIdRuns } from '../inspect/common';

/** URI Table 2, APE of two-layer indices on Beauty (lower is better); /work/shared/notes/reference-numbers.md. */
const URI_TABLE2_BEAUTY: Record<number, Record<string, number>> = {
  16: { Random: 1.127, 'K-means': 1.08, 'VQ-VAE': 1.088, 'RQ-VAE': 1.075, URI: 0.988 },
  32: { Random: 1.134, 'K-means': 1.106, 'VQ-VAE': 1.112, 'RQ-VAE': 1.11, URI: 1.04 },
  64: { Random: 1.135, 'K-means': 1.125, 'VQ-VAE': 1.128, 'RQ-VAE': 1.126, URI: 1.107 },
};
const PAPER_METHODS = ['Random', 'K-means', 'VQ-VAE', 'RQ-VAE', 'URI'];
const METHOD_COLUMN: Record<string, string> = { random: 'Random', hkmeans: 'K-means', rqkmeans: 'K-means (residual)', rqvae: 'RQ-VAE', uri: 'URI', catid2: 'CAT-ID²', 'category-prefix': 'Category prefix', imported: 'Imported' };

type Report = AuditSummary['report'];

interface MetricRow {
  label: string;
  get: (r: Report) => number | null | undefined;
  better: 'low' | 'high' | null;
  hint?: string;
}

function metricRows(maxLayers: number): MetricRow[] {
  const per = (label: string, key: keyof Report, better: MetricRow['better'], hint?: string): MetricRow[] =>
    Array.from({ length: maxLayers }, (_, l) => ({ label: `${label} L${l + 1}`, get: (r: Report) => (r[key] as (number | null)[] | undefined)?.[l], better, hint }));
  return [
    ...per('APE', 'ape', 'low', 'average partition entropy of a query’s positives over prefix buckets (URI); lower = positives concentrated'),
    { label: 'collision rate', get: (r) => r.collisionRate, better: 'low' },
    ...per('utilization', 'utilization', 'high'),
    ...per('perplexity', 'perplexity', 'high'),
    ...per('dead codes', 'deadCodes', 'low'),
    ...per('max bucket', 'maxBucket', 'low'),
    ...per('category purity', 'categoryPurity', 'high'),
    ...per('category NMI', 'categoryNmi', 'high'),
    { label: 'shared prefix, same leaf', get: (r) => r.prefixAgreement?.sameLeaf, better: 'high' },
    { label: 'shared prefix, random pair', get: (r) => r.prefixAgreement?.random, better: null },
  ];
}

export default function DashboardView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs: idRuns, error: runsError } = useIdRuns(datasetId);
  const { runs: allRuns } = useRuns(datasetId == null ? {} : { datasetId });
  const chosen = query.runs ? query.runs.split(',').map(Number).filter((id) => idRuns.some((r) => r.id === id)) : idRuns.slice(0, 4).map((r) => r.id);
  const compareAudits = optionalMethod<{ runIds: number[] }, AuditSummary[]>(api, 'ids', 'compareAudits');
  const evaluationsFn = optionalMethod<{ datasetId?: number }, EvaluationRecord[]>(api, 'retrieval', 'evaluations');

  const dash = useAsync<DashboardRun[]>(() => (chosen.length ? api.views.dashboard({ runIds: chosen }) : Promise.resolve([])), [api, chosen.join(',')]);
  const audits = useAsync<(Report | null)[]>(async () => {
    if (!chosen.length) return [];
    if (compareAudits) return (await compareAudits({ runIds: chosen })).map((a) => a.report);
    return (await api.views.dashboard({ runIds: chosen })).map((d) => (d.audit as Report | null) ?? null);
  }, [api, chosen.join(',')]);
  const evals = useAsync<EvaluationRecord[] | null>(() => (evaluationsFn && datasetId != null ? evaluationsFn({ datasetId }) : Promise.resolve(null)), [api, datasetId]);

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  const toggle = (id: number): void => {
    const next = chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id];
    setQuery({ ...query, runs: next.join(',') });
  };
  const runsById = new Map(idRuns.map((r) => [r.id, r]));

  return (
    <div className="stack" data-testid="dashboard-view">
      {idRuns.length === 0 ? (
        <EmptyState title="No semantic-ID runs yet">
          Build IDs with <code>semid build --dataset {datasetId} --method rqkmeans</code> (or Runs → Build IDs) to compare their quality.
        </EmptyState>
      ) : (
        <>
          <div className="view-controls">
            <fieldset className="field" style={{ border: 'none', padding: 0, margin: 0 }}>
              <legend>Runs to compare</legend>
              <div className="row" style={{ gap: 10 }}>
                {idRuns.map((r) => (
                  <label key={r.id}>
                    <input type="checkbox" checked={chosen.includes(r.id)} onChange={() => toggle(r.id)} data-testid={`dash-run-${r.id}`} /> {runLabel(r)}
                  </label>
                ))}
              </div>
            </fieldset>
          </div>
          {audits.error ? <ErrorBox error={audits.error} title="Could not load the audits" /> : null}
          {dash.error ? <ErrorBox error={dash.error} /> : null}
          {audits.data && dash.data && <QualityTable runs={chosen.map((id) => runsById.get(id)!).filter(Boolean)} reports={audits.data} dash={dash.data} />}
          {audits.data && dash.data && <ApeTable runs={chosen.map((id) => runsById.get(id)!).filter(Boolean)} reports={audits.data} dash={dash.data} />}
        </>
      )}
      <RetrievalPanel evals={evals.data} error={evals.error} available={!!evaluationsFn} datasetId={datasetId} />
      <LiveCurves api={api} runs={allRuns} />
    </div>
  );
}

function QualityTable({ runs, reports, dash }: { runs: RunRecord[]; reports: (Report | null)[]; dash: DashboardRun[] }): ReactNode {
  const maxLayers = Math.max(1, ...dash.map((d) => d.layers ?? 0));
  const rows = metricRows(maxLayers);
  const csv = (): void =>
    downloadText('id-quality.csv', toCsv([['metric', ...runs.map(runLabel)], ...rows.map((m) => [m.label, ...reports.map((r) => (r ? (m.get(r) ?? '') : ''))])]), 'text/csv');
  return (
    <div className="panel">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div className="chart-title">ID-quality reports side by side (best per row in bold)</div>
        <button type="button" onClick={csv}>
          Export CSV
        </button>
      </div>
      <div className="table-wrap" style={{ maxHeight: 520 }}>
        <table className="cmp-table" data-testid="dash-quality">
          <thead>
            <tr>
              <th>metric</th>
              {runs.map((r, k) => (
                <th key={r.id}>
                  {runLabel(r)}
                  <div className="muted" style={{ fontWeight: 400 }}>
                    {dash[k]?.codebookSizes ? `K = ${dash[k]!.codebookSizes!.join('/')}` : ''}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => {
              const vals = reports.map((r) => (r ? m.get(r) : null));
              const finite = vals.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
              if (finite.length === 0) return null;
              const best = m.better === 'low' ? Math.min(...finite) : m.better === 'high' ? Math.max(...finite) : NaN;
              return (
                <tr key={m.label} title={m.hint}>
                  <td>{m.label}</td>
                  {vals.map((x, k) => (
                    <td key={k} className={finite.length > 1 && x === best ? 'best' : undefined}>
                      {typeof x === 'number' ? fmt(x, Number.isInteger(x) || Math.abs(x) >= 100 ? 0 : 4) : '–'}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {reports.some((r) => r == null) && <div className="muted">Runs without a stored audit show “–”: run <code>semid audit RUN</code>.</div>}
    </div>
  );
}

function ApeTable({ runs, reports, dash }: { runs: RunRecord[]; reports: (Report | null)[]; dash: DashboardRun[] }): ReactNode {
  // Cell (k, method) = APE of the two-layer prefix (URI Table 2 uses L = 2 indices); several runs → the latest.
  const cells = new Map<string, number>();
  const ks = new Set<number>();
  const methods = new Set<string>();
  runs.forEach((r, i) => {
    const rep = reports[i];
    const k = dash[i]?.codebookSizes?.[0];
    const ape = rep?.ape?.[Math.min(1, (rep.ape?.length ?? 1) - 1)];
    if (k == null || ape == null) return;
    const col = METHOD_COLUMN[r.method] ?? r.method;
    ks.add(k);
    methods.add(col);
    if (!cells.has(`${k}|${col}`)) cells.set(`${k}|${col}`, ape);
  });
  if (ks.size === 0) return null;
  const cols = [...methods].sort();
  return (
    <div className="panel">
      <div className="chart-title">APE of two-layer prefixes, URI Table 2 layout (lower is better; paper rows: Beauty, their encoders)</div>
      <table className="cmp-table" data-testid="dash-ape">
        <thead>
          <tr>
            <th>k</th>
            {cols.map((c) => (
              <th key={c}>{c} (ours)</th>
            ))}
            {PAPER_METHODS.map((m) => (
              <th key={m} className="paper">
                {m} (paper)
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...ks].sort((a, b) => a - b).map((k) => {
            const vals = cols.map((c) => cells.get(`${k}|${c}`));
            const finite = vals.filter((x): x is number => x != null);
            const best = Math.min(...finite);
            return (
              <tr key={k}>
                <td>{k}</td>
                {vals.map((x, j) => (
                  <td key={j} className={x != null && finite.length > 1 && x === best ? 'best' : undefined}>
                    {fmt(x, 3)}
                  </td>
                ))}
                {PAPER_METHODS.map((m) => (
                  <td key={m} className="paper">
                    {fmt(URI_TABLE2_BEAUTY[k]?.[m], 3)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RetrievalPanel({ evals, error, available, datasetId }: { evals: EvaluationRecord[] | null | undefined; error: unknown; available: boolean; datasetId: number }): ReactNode {
  const [task, setTask] = useState<string | null>(null);
  const tasks = useMemo(() => [...new Set((evals ?? []).map((e) => e.report.task))], [evals]);
  const shownTask = task ?? tasks[0] ?? null;
  const rows = (evals ?? []).filter((e) => e.report.task === shownTask);
  const ks = ['@5', '@10', '@20'];
  const systemName = (e: EvaluationRecord): string =>
    e.report.system === 'retriever' ? `${METHOD_COLUMN[e.report.idsMethod ?? ''] ?? e.report.idsMethod ?? 'IDs'} (run ${e.report.idsRunId})` : e.report.system.toUpperCase();
  const curves: Series[] = rows.filter((e) => e.report.curve?.length).map((e) => ({ name: systemName(e), points: e.report.curve!.map((p) => [p.candidates, p.recall10] as [number, number]) }));
  return (
    <div className="panel">
      <div className="chart-title">Retrieval results (CAT-ID² Table 2 layout: Recall@K and NDCG@K on the test split)</div>
      {!available ? (
        <EmptyState title="The retrieval backend is not in this build">Evaluations come from <code>semid eval</code> (retrieval helper).</EmptyState>
      ) : error ? (
        <ErrorBox error={error} />
      ) : !evals || evals.length === 0 ? (
        <EmptyState title="No evaluations for this dataset yet">
          Train and evaluate: <code>semid train-retriever --run RUN --task sequential</code>, then <code>semid eval --retriever R</code>; baselines with{' '}
          <code>semid eval --baseline dense --dataset {datasetId} --task sequential</code>.
        </EmptyState>
      ) : (
        <>
          {tasks.length > 1 && <Select label="Task" value={shownTask} options={tasks.map((t) => ({ value: t, label: t }))} onChange={setTask} />}
          <table className="cmp-table" data-testid="dash-retrieval">
            <thead>
              <tr>
                <th>system</th>
                {ks.map((k) => (
                  <th key={`r${k}`}>Recall{k}</th>
                ))}
                {ks.map((k) => (
                  <th key={`n${k}`}>NDCG{k}</th>
                ))}
                <th>queries</th>
                <th>ms / query</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td>{systemName(e)}</td>
                  {ks.map((k) => (
                    <td key={`r${k}`}>{fmt(e.report.metrics.recall[k], 4)}</td>
                  ))}
                  {ks.map((k) => (
                    <td key={`n${k}`}>{fmt(e.report.metrics.ndcg[k], 4)}</td>
                  ))}
                  <td>{e.report.metrics.queries}</td>
                  <td>{fmt(e.report.msPerQuery, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="chart-title" style={{ marginTop: 12 }}>
            Recall@10 vs number of candidates (top-b beams’ buckets)
          </div>
          {curves.length ? <LineChart series={curves} xLabel="mean candidates per query" yLabel="Recall@10" testId="dash-curve" /> : <div className="muted">No evaluation recorded a candidate curve.</div>}
        </>
      )}
    </div>
  );
}

function LiveCurves({ api, runs }: { api: ViewProps['api']; runs: RunRecord[] }): ReactNode {
  const active = runs.filter((r) => isActive(r) && (r.kind === 'build' || r.kind === 'train-retriever' || r.kind === 'project'));
  const recent = runs.filter((r) => r.kind === 'build' || r.kind === 'train-retriever').slice(0, 12);
  const [picked, setPicked] = useState<number | null>(null);
  const runId = picked ?? active[0]?.id ?? null;
  const [metrics, setMetrics] = useState<Record<string, [number, number][]>>({});
  const live = runs.find((r) => r.id === runId);
  const running = live ? isActive(live) : false;
  useEffect(() => {
    setMetrics({});
    if (runId == null) return;
    let stop = false;
    const load = (): void => {
      api.runs.metrics({ runId }).then(
        (m) => !stop && setMetrics(m),
        () => undefined,
      );
    };
    load();
    // Metrics are written by the host as they arrive; poll only while the run is active.
    const t = running ? setInterval(load, 2000) : null;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [api, runId, running]);
  const series: Series[] = Object.entries(metrics).map(([name, points]) => ({ name, points }));
  return (
    <div className="panel">
      <div className="chart-title">Training curves {running ? '(live)' : ''}</div>
      <Select
        label="Run"
        value={runId}
        placeholder={active.length ? 'choose…' : 'no job is running'}
        options={[...active, ...recent.filter((r) => !active.includes(r))].map((r) => ({ value: r.id, label: `${runLabel(r)} · ${r.status}` }))}
        onChange={setPicked}
      />
      {runId == null ? (
        <EmptyState title="No training run">Start a build (e.g. <code>semid build --method rqvae</code>) and its loss curves appear here while it runs.</EmptyState>
      ) : series.length === 0 ? (
        <div className="muted">No metrics recorded for this run yet.</div>
      ) : (
        <LineChart series={series} xLabel="step" yLabel="value" logY={series.every((s) => s.points.every((p) => p[1] > 0))} testId="dash-live" />
      )}
    </div>
  );
}
