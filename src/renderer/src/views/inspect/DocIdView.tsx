/**
 * Side-by-side DocID table (CAT-ID² Table 8): items grouped by category path, the IDs of two or more runs in columns,
 * the prefix each item shares with another item of its group highlighted (red for the first run, blue for the
 * second, as in the paper); search by title; CSV export. Diff mode lists the items whose IDs differ between two runs
 * with prefix-agreement statistics per prefix length.
 */
import { type ReactNode, useState } from 'react';
import type { DiffRow, DocIdTable, RunDiff } from '../../../../shared/api/views';
import { docIdCsvRows } from '../../../../core/layout/docids';
import { DataTable, type Column, EmptyState, ErrorBox, Select, Tabs } from '../../components/index';
import { downloadText, toCsv } from '../../csv';
import { useAsync } from '../../hooks';
import type { ViewProps } from '../registry';
import { fmt, prefixLabel, runLabel, SidCell, useIdRuns } from './common';

export default function DocIdView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs, error: runsError } = useIdRuns(datasetId);
  const mode = query.mode === 'diff' ? 'diff' : 'table';
  const chosen = query.runs ? query.runs.split(',').map(Number).filter((id) => runs.some((r) => r.id === id)) : runs.slice(0, 2).map((r) => r.id);
  const [search, setSearch] = useState(query.q ?? '');
  const levels = query.levels ? Number(query.levels) : undefined;

  const table = useAsync<DocIdTable | null>(
    () => (mode !== 'table' || chosen.length === 0 ? Promise.resolve(null) : api.views.docIdTable({ runIds: chosen, search: query.q || undefined, groupLevels: levels, maxGroups: 60 })),
    [api, mode, chosen.join(','), query.q, levels],
  );
  const runA = query.a ? Number(query.a) : (chosen[0] ?? null);
  const runB = query.b ? Number(query.b) : (chosen[1] ?? runs.find((r) => r.id !== runA)?.id ?? null);
  const diff = useAsync<(RunDiff & { titles: Record<string, string> }) | null>(
    () => (mode !== 'diff' || runA == null || runB == null ? Promise.resolve(null) : api.views.diff({ runA, runB, limit: 2000 })),
    [api, mode, runA, runB],
  );

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (runsError) return <ErrorBox error={runsError} />;
  if (runs.length === 0)
    return (
      <EmptyState title="No semantic-ID runs for this dataset">
        Build two runs to compare, e.g. <code>semid build --dataset {datasetId} --method rqkmeans</code> and <code>--method category-prefix</code>.
      </EmptyState>
    );

  const toggleRun = (id: number): void => {
    const next = chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id].slice(-4);
    setQuery({ ...query, runs: next.join(',') });
  };

  return (
    <div className="stack" data-testid="docid-view">
      <Tabs
        tabs={[
          { id: 'table', label: 'Side by side' },
          { id: 'diff', label: 'Diff of two runs' },
        ]}
        active={mode}
        onChange={(m) => setQuery({ ...query, mode: m === 'diff' ? 'diff' : undefined })}
        label="DocID table mode"
      >
        {mode === 'table' ? (
          <>
            <div className="view-controls">
              <fieldset className="field" style={{ border: 'none', padding: 0, margin: 0 }}>
                <legend>Runs (up to 4)</legend>
                <div className="row" style={{ gap: 10 }}>
                  {runs.map((r) => (
                    <label key={r.id}>
                      <input type="checkbox" checked={chosen.includes(r.id)} onChange={() => toggleRun(r.id)} data-testid={`docid-run-${r.id}`} /> {runLabel(r)}
                    </label>
                  ))}
                </div>
              </fieldset>
              <form
                className="field"
                onSubmit={(e) => {
                  e.preventDefault();
                  setQuery({ ...query, q: search || undefined });
                }}
              >
                Search titles
                <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. pipette" data-testid="docid-search" />
              </form>
              <Select
                label="Group by category levels"
                value={table.data?.groupLevels ?? levels ?? 3}
                options={[1, 2, 3, 4, 5].map((l) => ({ value: l, label: `first ${l}` }))}
                onChange={(l) => setQuery({ ...query, levels: l })}
              />
              {table.data && (
                <button type="button" onClick={() => downloadText(`docids-${chosen.join('-')}.csv`, toCsv(docIdCsvRows(table.data!)), 'text/csv')} data-testid="docid-csv">
                  Export CSV
                </button>
              )}
            </div>
            {table.error ? <ErrorBox error={table.error} /> : null}
            {chosen.length === 0 ? (
              <EmptyState title="Pick at least one run" />
            ) : !table.data ? (
              <div className="muted">Loading…</div>
            ) : (
              <DocIdGroups t={table.data} />
            )}
          </>
        ) : (
          <>
            <div className="view-controls">
              <Select label="Run A" value={runA} options={runs.map((r) => ({ value: r.id, label: runLabel(r) }))} onChange={(id) => setQuery({ ...query, a: id })} testId="diff-a" />
              <Select label="Run B" value={runB} options={runs.map((r) => ({ value: r.id, label: runLabel(r) }))} onChange={(id) => setQuery({ ...query, b: id })} testId="diff-b" />
            </div>
            {diff.error ? <ErrorBox error={diff.error} /> : null}
            {runA == null || runB == null ? (
              <EmptyState title="Two runs are needed">Build or import a second ID table for this dataset.</EmptyState>
            ) : !diff.data ? (
              <div className="muted">Loading…</div>
            ) : (
              <DiffPanel d={diff.data} />
            )}
          </>
        )}
      </Tabs>
    </div>
  );
}

function DocIdGroups({ t }: { t: DocIdTable }): ReactNode {
  return (
    <div data-testid="docid-groups">
      <div className="stat-grid">
        <div className="card">
          <div className="muted">items matched</div>
          <strong>{t.matchedItems.toLocaleString()}</strong>
        </div>
        <div className="card">
          <div className="muted">groups (≥ 2 items)</div>
          <strong>{t.totalGroups.toLocaleString()}</strong>
        </div>
        {t.runs.map((r, k) => (
          <div className="card" key={r.runId} title="Mean shared-prefix length over all pairs of items in the same group">
            <div className="muted">
              {r.name}: mean shared prefix in group
            </div>
            <strong className={k === 0 ? 'sid shared-a' : k === 1 ? 'sid shared-b' : 'sid'}>{fmt(t.meanPairPrefix[k], 2)}</strong> <span className="muted">of {r.layers}</span>
          </div>
        ))}
      </div>
      {t.groups.length === 0 && <EmptyState title="No group with two or more matching items" />}
      {t.groups.map((g) => (
        <div className="docid-group panel" key={g.key}>
          <h4>
            {g.key} <span className="muted">({g.size} items{g.rows.length < g.size ? `, first ${g.rows.length} shown` : ''})</span>
          </h4>
          <table className="cmp-table" style={{ width: '100%' }}>
            <thead>
              <tr>
                <th>title</th>
                {t.runs.map((r, k) => (
                  <th key={r.runId} style={{ textAlign: 'left' }}>
                    {r.name} <span className="muted">(common {g.commonPrefix[k]}, mean {fmt(g.meanPairPrefix[k], 2)})</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {g.rows.map((row) => (
                <tr key={row.idx} data-testid="docid-row">
                  <td style={{ textAlign: 'left', maxWidth: 520 }}>{row.title}</td>
                  {row.ids.map((ids, k) => (
                    <td key={k} style={{ textAlign: 'left' }}>
                      <SidCell tokens={ids} shared={row.shared[k]!} tone={k === 1 ? 'b' : 'a'} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function DiffPanel({ d }: { d: RunDiff & { titles: Record<string, string> } }): ReactNode {
  const columns: Column<DiffRow>[] = [
    { key: 'idx', header: '#', value: (r) => r.idx, align: 'right' },
    { key: 'title', header: 'title', value: (r) => d.titles[String(r.idx)] ?? '', wrap: true },
    { key: 'first', header: 'first differing layer', value: (r) => r.firstDiff + 1, align: 'right' },
    { key: 'a', header: 'ID in A', value: (r) => prefixLabel(r.a), render: (r) => <SidCell tokens={r.a} shared={r.firstDiff} tone="a" /> },
    { key: 'b', header: 'ID in B', value: (r) => prefixLabel(r.b), render: (r) => <SidCell tokens={r.b} shared={r.firstDiff} tone="b" /> },
  ];
  return (
    <div className="stack" data-testid="diff-panel">
      <div className="panel">
        <div className="chart-title">
          {d.differing.toLocaleString()} of {d.items.toLocaleString()} items have different IDs
        </div>
        <table className="cmp-table" data-testid="diff-stats">
          <thead>
            <tr>
              <th>prefix length</th>
              <th title="Share of items whose first tokens are identical (meaningful for two checkpoints or seeds of one method)">identical</th>
              <th title="Of item pairs sharing this prefix in A, the share that also share it in B">pairs kept A→B</th>
              <th title="Of item pairs sharing this prefix in B, the share that also share it in A">pairs kept B→A</th>
              <th title="Adjusted Rand index of the two partitions into prefix buckets (independent of token numbering)">ARI</th>
            </tr>
          </thead>
          <tbody>
            {d.layers.map((l) => (
              <tr key={l.length}>
                <td>{l.length}</td>
                <td>{fmt(l.identical)}</td>
                <td>{fmt(l.pairAgreementAB)}</td>
                <td>{fmt(l.pairAgreementBA)}</td>
                <td>{fmt(l.ari)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <DataTable columns={columns} rows={d.rows} rowKey={(r) => r.idx} csvName="docid-diff.csv" caption={`${d.rows.length} rows shown (earliest difference first)`} testId="diff-rows" maxHeight={480} />
    </div>
  );
}
