/** Data hooks over the Api: load once, then stay live from backend events (no polling). */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiEvent, ClientApi } from '../../shared/api/index';
import type { RunRecord } from '../../shared/types';
import { getApi } from './api';

/** Loads an async value; `reload()` re-runs it. Errors are kept for an ErrorBox. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fnRef.current().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Subscribes to backend events for the component's lifetime. */
export function useApiEvents(listener: (ev: ApiEvent) => void, api: ClientApi = getApi()): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.events.onEvent((ev) => ref.current(ev)), [api]);
}

/** Applies a job progress message to a run record (progress arrives as job events between run-row updates). */
export function applyEvent(run: RunRecord, ev: ApiEvent): RunRecord {
  if (ev.type === 'run') return ev.run.id === run.id ? ev.run : run;
  if (ev.runId !== run.id) return run;
  const m = ev.message;
  if (m.type === 'progress') return { ...run, status: run.status === 'queued' ? 'running' : run.status, progress: { done: m.done, total: m.total, phase: m.phase } };
  if (m.type === 'backend') return { ...run, backend: m.backend };
  return run;
}

/** The run list for a filter, live. */
export function useRuns(filter: { datasetId?: number; kind?: string } = {}): { runs: RunRecord[]; error: unknown; reload: () => void } {
  const api = getApi();
  const { data, error, reload } = useAsync(() => api.runs.list(filter), [api, filter.datasetId, filter.kind]);
  const [runs, setRuns] = useState<RunRecord[]>([]);
  useEffect(() => {
    if (data) setRuns(data);
  }, [data]);
  useApiEvents((ev) => {
    if (ev.type === 'run') {
      const r = ev.run;
      if (filter.datasetId != null && r.datasetId !== filter.datasetId && r.kind !== 'import') return;
      if (filter.kind != null && r.kind !== filter.kind) return;
      setRuns((rs) => (rs.some((x) => x.id === r.id) ? rs.map((x) => (x.id === r.id ? r : x)) : [r, ...rs]));
    } else if (ev.message.type === 'progress' || ev.message.type === 'backend') {
      setRuns((rs) => rs.map((x) => applyEvent(x, ev)));
    }
  }, api);
  return { runs, error, reload };
}

/** One run, live: status, progress, backend. */
export function useRunProgress(runId: number | null): { run: RunRecord | null; error: unknown } {
  const api = getApi();
  const [run, setRun] = useState<RunRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setRun(null);
    setError(null);
    if (runId == null) return;
    let live = true;
    api.runs.get({ runId }).then(
      (r) => live && setRun((cur) => (cur && cur.id === r.id && cur.status !== 'queued' ? cur : r)),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, runId]);
  useApiEvents((ev) => {
    if (runId == null) return;
    if (ev.type === 'run' && ev.run.id === runId) setRun(ev.run);
    else if (ev.type === 'job' && ev.runId === runId) setRun((r) => (r ? applyEvent(r, ev) : r));
  }, api);
  return { run, error };
}

export const isActive = (r: RunRecord): boolean => r.status === 'queued' || r.status === 'running';
