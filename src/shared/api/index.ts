/**
 * The one typed API between the renderer and the backend. The Electron preload and the `semid serve` HTTP client
 * both build an object of this type from API_METHODS, so the renderer never sees a transport.
 * Every domain contributes an interface and a validator per method; handlers validate at the receiving edge.
 */
import type { RunRecord } from '../types';
import type { ChildMessage } from '../protocol';
import { type DatasetsApi, datasetsValidators } from './datasets';
import { type RunsApi, runsValidators } from './runs';
import { type SystemApi, systemValidators } from './system';
import { type ViewsApi, viewsValidators } from './views';
import { type RetrievalApi, retrievalValidators } from './retrieval';
import { type IdsApi, idsValidators } from './ids';

export interface Api {
  datasets: DatasetsApi;
  runs: RunsApi;
  system: SystemApi;
  views: ViewsApi;
  retrieval: RetrievalApi;
  ids: IdsApi;
}

export const API_VALIDATORS = {
  datasets: datasetsValidators,
  runs: runsValidators,
  system: systemValidators,
  views: viewsValidators,
  retrieval: retrievalValidators,
  ids: idsValidators,
} as const;

export type ApiDomain = keyof Api;

export const API_METHODS: { [D in ApiDomain]: (keyof Api[D] & string)[] } = Object.fromEntries(
  Object.entries(API_VALIDATORS).map(([d, vs]) => [d, Object.keys(vs)]),
) as { [D in ApiDomain]: (keyof Api[D] & string)[] };

/** Events pushed from backend to renderer. */
export type ApiEvent =
  | { type: 'run'; run: RunRecord }
  | { type: 'job'; runId: number; message: ChildMessage };

export interface ApiEvents {
  /** Subscribe to backend events; returns an unsubscribe function. */
  onEvent(listener: (ev: ApiEvent) => void): () => void;
}

/** What the renderer receives: the API plus the event channel. */
export type ClientApi = Api & { events: ApiEvents };

/** Electron IPC channel name of one API method. */
export const ipcChannel = (domain: string, method: string): string => `semid:${domain}.${method}`;
export const IPC_EVENT_CHANNEL = 'semid:event';
