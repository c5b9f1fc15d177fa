import type { ApiEvent } from '../../shared/api/index';

/**
 * What the renderer receives of a host event. Artifacts carry typed arrays (an embeddings matrix is 4 MB for 4k
 * items) that the UI never draws from the event: it reloads from the API. So artifacts travel as a summary only,
 * which also keeps the events JSON-safe for the WebSocket.
 */
export function eventForClient(ev: ApiEvent): ApiEvent {
  if (ev.type === 'job' && ev.message.type === 'artifact') {
    const a = ev.message.artifact;
    const summary = { kind: a.kind, ...('runId' in a ? { runId: a.runId } : {}), ...('datasetId' in a ? { datasetId: a.datasetId } : {}) };
    return { ...ev, message: { ...ev.message, artifact: summary as unknown as typeof a } };
  }
  return ev;
}
