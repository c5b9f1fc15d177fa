import { type ReactNode, useEffect, useState } from 'react';
import type { DatasetOverview, ItemRecord } from '../../../shared/types';
import { DataTable, EmptyState, ErrorBox, ProgressBar, fmtWhen, type Column } from '../components';
import { Histogram } from '../charts/Histogram';
import { useApp } from '../context';
import { useAsync, useRunProgress } from '../hooks';
import { navigate } from '../router';

function Stat({ label, value, sub, id }: { label: string; value: number | string; sub?: string; id: string }): ReactNode {
  return (
    <div className="card" data-testid={`stat-${id}`}>
      <div className="label">{label}</div>
      <div className="value">{typeof value === 'number' ? value.toLocaleString('en-US') : value}</div>
      {sub && <div className="sub">{sub}</div>}
    </div>
  );
}

const TOP_COLUMNS: Column<DatasetOverview['topCategories'][number]>[] = [
  { key: 'level', header: 'Level', value: (c) => c.level, align: 'right', width: 64 },
  { key: 'name', header: 'Category', value: (c) => c.name, ellipsis: true, width: '28%' },
  { key: 'items', header: 'Items', value: (c) => c.items, align: 'right', width: 84 },
  { key: 'path', header: 'Path', value: (c) => c.path, ellipsis: true },
];

/** Rows before "Show more": the page itself scrolls, so the table grows instead of scrolling inside it. */
const TOP_PAGE = 15;

const ITEM_COLUMNS: Column<ItemRecord>[] = [
  { key: 'idx', header: 'idx', value: (i) => i.idx, align: 'right' },
  { key: 'extId', header: 'Item id', value: (i) => i.extId },
  { key: 'title', header: 'Title', value: (i) => i.title, wrap: true },
  { key: 'brand', header: 'Brand', value: (i) => i.brand },
  { key: 'cat', header: 'Categories', value: (i) => i.categories.join(' > '), wrap: true },
];

const PAGE = 100;

function ItemsTable({ datasetId }: { datasetId: number }): ReactNode {
  const { api } = useApp();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(search.trim());
      setOffset(0);
    }, 250);
    return () => clearTimeout(t);
  }, [search]);
  const res = useAsync(
    () => api.datasets.items({ datasetId, offset, limit: PAGE, ...(query ? { search: query } : {}) }),
    [api, datasetId, offset, query],
  );
  const total = res.data?.total ?? 0;
  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="row">
        <input
          type="search"
          aria-label="search items"
          data-testid="items-search"
          placeholder="Search titles, brands, categories…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ minWidth: 320 }}
        />
        <span className="muted">
          {total.toLocaleString()} items{query ? ` matching “${query}”` : ''}
          {total > PAGE ? ` · showing ${offset + 1}–${Math.min(total, offset + PAGE)}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" disabled={offset === 0} onClick={() => setOffset((o) => Math.max(0, o - PAGE))}>
          ‹ Prev
        </button>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset((o) => o + PAGE)}>
          Next ›
        </button>
      </div>
      {res.error != null && <ErrorBox error={res.error} />}
      <DataTable testId="items-table" columns={ITEM_COLUMNS} rows={res.data?.items ?? []} rowKey={(i) => i.idx} csvName={`items-${datasetId}-page`} maxHeight={420} />
    </div>
  );
}

export function DatasetOverviewPage({ datasetId }: { datasetId: number }): ReactNode {
  const { api, setDatasetId, reloadDatasets } = useApp();
  const ov = useAsync(() => api.datasets.overview({ datasetId }), [api, datasetId]);
  const [embedRun, setEmbedRun] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const embed = useRunProgress(embedRun);
  useEffect(() => setDatasetId(datasetId), [datasetId, setDatasetId]);
  useEffect(() => {
    if (embed.run?.status === 'succeeded') ov.reload();
  }, [embed.run?.status, ov.reload]);

  if (ov.error != null) return <ErrorBox error={ov.error} title={`Dataset ${datasetId}`} />;
  const d = ov.data;
  if (!d) return <div className="muted">loading…</div>;
  const who = d.queryKind === 'user' ? 'users' : 'queries';
  const embedRunning = embed.run != null && (embed.run.status === 'running' || embed.run.status === 'queued');

  const remove = (): void => {
    if (!window.confirm(`Delete dataset “${d.name}” with its runs and ID tables? This cannot be undone.`)) return;
    api.datasets.remove({ datasetId }).then(() => {
      reloadDatasets();
      navigate(['datasets']);
    }, setError);
  };

  return (
    <div className="stack" data-testid="dataset-overview">
      <div className="row">
        <h1 style={{ margin: 0 }} data-testid="dataset-name">
          {d.name}
        </h1>
        <span className="muted">
          {d.format} · {d.source} · imported {fmtWhen(d.createdAt)}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => navigate(['runs'], { dataset: datasetId, build: 1 })} disabled={d.embeddings.length === 0} title={d.embeddings.length === 0 ? 'compute embeddings first' : ''}>
          Build IDs…
        </button>
        <button
          type="button"
          disabled={embedRunning}
          onClick={() => {
            setError(null);
            api.runs.start({ kind: 'embed', datasetId, params: { dim: 256 } }).then((r) => setEmbedRun(r.runId), setError);
          }}
        >
          Compute embeddings
        </button>
        <button type="button" className="danger" onClick={remove}>
          Delete
        </button>
      </div>
      {embedRunning && (
        <ProgressBar
          done={embed.run!.progress?.done ?? 0}
          total={embed.run!.progress?.total ?? 0}
          phase={`embedding · ${embed.run!.progress?.phase ?? ''}`}
          onCancel={() => void api.runs.cancel({ runId: embed.run!.id })}
        />
      )}
      {embed.run?.status === 'failed' && <ErrorBox error={{ name: 'Embedding failed', message: embed.run.error ?? '' }} />}
      {error != null && <ErrorBox error={error} onDismiss={() => setError(null)} />}

      <div className="cards">
        <Stat id="items" label="Items" value={d.items} sub={d.itemsWithoutCategory ? `${d.itemsWithoutCategory.toLocaleString('en-US')} without category` : undefined} />
        <Stat id="queries" label={who} value={d.queries} />
        <Stat id="interactions" label="Interactions" value={d.interactions} />
        <Stat id="train" label="Train" value={d.splits.train} />
        <Stat id="valid" label="Valid" value={d.splits.valid} />
        <Stat id="test" label="Test" value={d.splits.test} />
        <Stat id="depth" label="Category depth" value={d.categoryDepth} sub={d.categoryLevelCounts.map((c, i) => `L${i + 1}: ${c}`).join(' · ')} />
        <Stat id="nodes" label="Category nodes" value={d.categoryLevelCounts.reduce((a, b) => a + b, 0)} />
      </div>

      <div className="grid-2">
        <div className="panel">
          <h3>Interactions per {who === 'users' ? 'user' : 'query'}</h3>
          <div className="muted">
            min {d.interactionsPerQuery.min} · median {d.interactionsPerQuery.median} · mean {d.interactionsPerQuery.mean.toFixed(2)} · max{' '}
            {d.interactionsPerQuery.max}
          </div>
          <Histogram testId="hist-queries" bins={d.interactionsPerQuery.histogram} xLabel="interactions" yLabel={who} />
        </div>
        <div className="panel">
          <h3>Interactions per item</h3>
          <div className="muted">
            min {d.interactionsPerItem.min} · median {d.interactionsPerItem.median} · mean {d.interactionsPerItem.mean.toFixed(2)} · max{' '}
            {d.interactionsPerItem.max}
          </div>
          <Histogram testId="hist-items" bins={d.interactionsPerItem.histogram} xLabel="interactions" yLabel="items" />
        </div>
      </div>

      <div className="grid-2">
        <div className="panel">
          <h3>Category tree: nodes per level</h3>
          <Histogram
            bins={d.categoryLevelCounts.map((c, i) => ({ lo: i + 1, hi: i + 2, count: c }))}
            xLabel="level"
            yLabel="nodes"
            height={170}
          />
        </div>
        <div className="panel">
          <h3>Embeddings</h3>
          {d.embeddings.length === 0 ? (
            <EmptyState title="No embeddings yet">
              Click <b>Compute embeddings</b> (built-in TF-IDF + SVD, 256 dims) before building IDs, or run
              <code> npx semid embed --dataset {d.id}</code>.
            </EmptyState>
          ) : (
            <dl className="kv">
              {d.embeddings.map((e) => (
                <div key={e.id} style={{ display: 'contents' }}>
                  <dt>{e.name}</dt>
                  <dd>
                    {e.method} · {e.count.toLocaleString()} × {e.dim} · {fmtWhen(e.createdAt)}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      </div>

      <h2>Top categories</h2>
      <DataTable
        testId="top-categories"
        columns={TOP_COLUMNS}
        rows={d.topCategories}
        rowKey={(c) => `${c.level}:${c.path}`}
        csvName={`top-categories-${d.id}`}
        initialSort={{ key: 'items', dir: 'desc' }}
        pageSize={TOP_PAGE}
        fit
      />

      <h2>Items</h2>
      <ItemsTable datasetId={d.id} />
    </div>
  );
}
