/**
 * The only bridge between the sandboxed renderer and the backend: one method per API_METHODS entry, each an
 * `ipcRenderer.invoke` on its own channel (validated again in main), plus the event subscription. No ipcRenderer,
 * no generic send is exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel, type ApiEvent, type ClientApi } from '../shared/api/index';
import type { ApiEnvelope } from '../shared/api/envelope';

/** Errors cross the context bridge with their message only; InputError messages carry file:line and the field. */
function unwrap(env: ApiEnvelope): unknown {
  if (env.ok) return env.result;
  const e = new Error(env.error.message);
  e.name = env.error.name;
  throw e;
}

const domains = Object.fromEntries(
  Object.entries(API_METHODS).map(([domain, methods]) => [
    domain,
    Object.fromEntries(
      (methods as string[]).map((m) => [m, async (arg?: unknown) => unwrap((await ipcRenderer.invoke(ipcChannel(domain, m), arg)) as ApiEnvelope)]),
    ),
  ]),
);

const api = {
  ...domains,
  events: {
    onEvent(listener: (ev: ApiEvent) => void): () => void {
      const handler = (_e: IpcRendererEvent, ev: ApiEvent): void => listener(ev);
      ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
      return () => {
        ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
      };
    },
  },
} as unknown as ClientApi;

contextBridge.exposeInMainWorld('api', api);

export type PreloadApi = typeof api;
