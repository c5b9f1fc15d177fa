import { type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { DatasetSummary } from '../../shared/types';
import { getApi, transportName } from './api';
import { AppContext, type AppState } from './context';
import { EmptyState, ErrorBox, Select } from './components';
import { useApiEvents, useAsync, useRuns, isActive } from './hooks';
import { formatHash, navigate, useRoute } from './router';
import { useTheme } from './theme';
import { VIEWS, type ViewEntry } from './views/registry';
import { DatasetsPage } from './pages/DatasetsPage';
import { DatasetOverviewPage } from './pages/DatasetOverviewPage';
import { RunsPage } from './pages/RunsPage';
import { RunDetailPage } from './pages/RunDetailPage';

const SECTIONS = [
  { id: 'datasets', title: 'Datasets' },
  { id: 'runs', title: 'Runs' },
  { id: 'compare', title: 'Compare' },
  { id: 'inspect', title: 'Inspect' },
] as const;

function SectionViews({ section, viewId, state }: { section: ViewEntry['section']; viewId: string | undefined; state: AppState }): ReactNode {
  const route = useRoute();
  const views = VIEWS.filter((v) => v.section === section);
  const current = views.find((v) => v.id === viewId) ?? views[0];
  if (!current) {
    return (
      <EmptyState title={`No ${section} views are installed in this build`}>
        Build IDs for a dataset on the Runs page; the {section} views appear here once they are registered in
        <code> src/renderer/src/views/registry.ts</code>.
      </EmptyState>
    );
  }
  const View = current.component;
  return (
    <div>
      <nav className="subnav" aria-label={`${section} views`}>
        {views.map((v) => (
          <a key={v.id} href={formatHash([section, v.id])} aria-current={v.id === current.id ? 'page' : undefined}>
            {v.title}
          </a>
        ))}
      </nav>
      <Suspense fallback={<div className="muted">loading view…</div>}>
        <View
          api={state.api}
          datasetId={state.datasetId}
          query={route.query}
          setQuery={(q) => navigate([section, current.id], q, true)}
        />
      </Suspense>
    </div>
  );
}

function StatusBar({ datasets }: { datasets: DatasetSummary[] }): ReactNode {
  const api = getApi();
  const info = useAsync(() => api.system.info(), [api]);
  const { runs } = useRuns();
  const active = runs.filter(isActive).length;
  return (
    <footer className="statusbar">
      <span>{transportName() === 'electron' ? 'desktop app' : 'semid serve'}</span>
      {info.data && <span title={info.data.tfBackend.note}>tfjs backend: {info.data.tfBackend.name}</span>}
      {info.data && <span title={info.data.dbPath}>db: {info.data.dbPath.split(/[\\/]/).pop()}</span>}
      <span>{datasets.length} datasets</span>
      <span>{active > 0 ? `${active} job${active > 1 ? 's' : ''} running` : 'idle'}</span>
      {info.error != null && <span style={{ color: 'var(--danger)' }}>backend unreachable</span>}
    </footer>
  );
}

export function App(): ReactNode {
  const api = getApi();
  const route = useRoute();
  const [theme, toggleTheme] = useTheme();
  const ds = useAsync(() => api.datasets.list(), [api]);
  const [datasetId, setDatasetIdRaw] = useState<number | null>(() => {
    const s = Number(localStorage.getItem('semid-dataset'));
    return Number.isInteger(s) && s > 0 ? s : null;
  });
  const datasets = useMemo(() => ds.data ?? [], [ds.data]);
  const setDatasetId = useCallback((id: number | null) => {
    setDatasetIdRaw(id);
    if (id == null) localStorage.removeItem('semid-dataset');
    else localStorage.setItem('semid-dataset', String(id));
  }, []);
  // Keep the selection valid: fall back to the newest dataset.
  useEffect(() => {
    if (!ds.data) return;
    if (datasetId == null || !ds.data.some((d) => d.id === datasetId)) setDatasetId(ds.data[0]?.id ?? null);
  }, [ds.data, datasetId, setDatasetId]);
  // A finished import, embed or removal changes the dataset list.
  useApiEvents((ev) => {
    if (ev.type === 'run' && (ev.run.kind === 'import' || ev.run.kind === 'embed') && !isActive(ev.run)) ds.reload();
  }, api);

  const state: AppState = { api, datasets, datasetsError: ds.error, datasetId, setDatasetId, reloadDatasets: ds.reload };
  const [section = 'datasets', id] = route.parts;

  let page: ReactNode;
  if (section === 'datasets' && id) page = <DatasetOverviewPage datasetId={Number(id)} />;
  else if (section === 'runs' && id) page = <RunDetailPage runId={Number(id)} />;
  else if (section === 'runs') page = <RunsPage />;
  else if (section === 'compare' || section === 'inspect') page = <SectionViews section={section} viewId={id} state={state} />;
  else page = <DatasetsPage />;

  return (
    <AppContext.Provider value={state}>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            SemID <span>Workbench</span>
          </div>
          <nav className="nav" aria-label="main">
            {SECTIONS.map((s) => (
              <a key={s.id} href={formatHash([s.id])} aria-current={section === s.id ? 'page' : undefined}>
                {s.title}
              </a>
            ))}
          </nav>
          <span className="spacer" />
          <Select
            testId="dataset-select"
            ariaLabel="current dataset"
            value={datasetId}
            placeholder={datasets.length ? 'dataset…' : 'no datasets'}
            options={datasets.map((d) => ({ value: d.id, label: `${d.name} (${d.items.toLocaleString()} items)` }))}
            onChange={setDatasetId}
          />
          <button type="button" onClick={toggleTheme} aria-label="toggle light/dark theme" title="Toggle light/dark">
            {theme === 'light' ? '☾ Dark' : '☀ Light'}
          </button>
        </header>
        <main className="main">
          {ds.error != null && <ErrorBox error={ds.error} title="Cannot reach the backend" />}
          {page}
        </main>
        <StatusBar datasets={datasets} />
      </div>
    </AppContext.Provider>
  );
}
