import { type ReactNode, useState } from 'react';
import type { DatasetSummary } from '../../../shared/types';
import { DataTable, EmptyState, ErrorBox, ProgressBar, fmtWhen, type Column } from '../components';
import { useApp } from '../context';
import { useRunProgress } from '../hooks';
import { navigate } from '../router';
import { ImportDialog } from './ImportDialog';

const COLUMNS: Column<DatasetSummary>[] = [
  { key: 'id', header: '#', value: (d) => d.id, align: 'right' },
  { key: 'name', header: 'Name', value: (d) => d.name },
  { key: 'format', header: 'Format', value: (d) => d.format },
  { key: 'items', header: 'Items', value: (d) => d.items, align: 'right' },
  { key: 'queries', header: 'Users / queries', value: (d) => d.queries, align: 'right' },
  { key: 'interactions', header: 'Interactions', value: (d) => d.interactions, align: 'right' },
  { key: 'depth', header: 'Category depth', value: (d) => d.categoryDepth, align: 'right' },
  { key: 'emb', header: 'Embeddings', value: (d) => d.embeddings.map((e) => `${e.name} (${e.dim})`).join(', ') },
  { key: 'created', header: 'Created', value: (d) => d.createdAt, render: (d) => fmtWhen(d.createdAt) },
];

export function DatasetsPage(): ReactNode {
  const { api, datasets, datasetsError, setDatasetId } = useApp();
  const [importing, setImporting] = useState(false);
  const [demoRun, setDemoRun] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const demo = useRunProgress(demoRun);

  const open = (id: number): void => {
    setDatasetId(id);
    navigate(['datasets', id]);
  };
  const startDemo = (): void => {
    setError(null);
    api.datasets.demo({}).then((r) => setDemoRun(r.runId), setError);
  };

  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>Datasets</h1>
        <span className="spacer" />
        <button type="button" onClick={startDemo} disabled={demo.run?.status === 'running'}>
          Create demo catalog
        </button>
        <button type="button" className="primary" onClick={() => setImporting(true)} data-testid="open-import">
          Import dataset…
        </button>
      </div>
      {demo.run && (demo.run.status === 'running' || demo.run.status === 'queued') && (
        <ProgressBar done={demo.run.progress?.done ?? 0} total={demo.run.progress?.total ?? 0} phase={demo.run.progress?.phase ?? 'demo'} />
      )}
      {error != null && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {datasetsError == null && datasets.length === 0 ? (
        <EmptyState
          title="No datasets yet"
          actions={
            <>
              <button type="button" className="primary" onClick={() => setImporting(true)}>
                Import dataset…
              </button>
              <button type="button" onClick={startDemo}>
                Create demo catalog
              </button>
            </>
          }
        >
          Import a catalog with interactions (LC-Rec JSON, P5, CSV, JSONL or ESCI parquet), or generate the seeded demo
          catalog to look around. From a terminal: <code>npx semid import lcrec /path/to/folder</code>.
        </EmptyState>
      ) : (
        <DataTable
          testId="datasets-table"
          columns={COLUMNS}
          rows={datasets}
          rowKey={(d) => d.id}
          onActivate={(d) => open(d.id)}
          csvName="datasets"
          caption="Click a dataset (or select it and press Enter) to open its overview."
        />
      )}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onDone={(id) => {
            setImporting(false);
            open(id);
          }}
        />
      )}
    </div>
  );
}
