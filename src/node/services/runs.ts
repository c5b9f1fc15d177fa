import { EMBED_METHOD } from '../../core/embed/index';
import type { RunsApi } from '../../shared/api/runs';
import { deleteRun, getLogs, getMetrics, listRuns, requireRun } from '../db/runs';
import type { ServiceContext } from './context';

export function createRunsService(ctx: ServiceContext): RunsApi {
  const { db, jobs } = ctx;
  return {
    list: async (filter) => listRuns(db, filter),
    get: async ({ runId }) => requireRun(db, runId),
    start: async ({ kind, datasetId, params }) => {
      // The embed runner has one method (the built-in embedder): record its name, as `semid embed` and the demo do.
      const method = typeof params.method === 'string' ? params.method : kind === 'embed' ? EMBED_METHOD : kind;
      const name = typeof params.name === 'string' ? params.name : undefined;
      return { runId: jobs.start(kind, { datasetId, params, method, ...(name ? { name } : {}) }) };
    },
    cancel: async ({ runId }) => {
      const run = requireRun(db, runId);
      if (run.status === 'running' || run.status === 'queued') jobs.cancel(runId);
      return { status: requireRun(db, runId).status };
    },
    metrics: async ({ runId }) => getMetrics(db, requireRun(db, runId).id),
    logs: async ({ runId, limit }) => getLogs(db, requireRun(db, runId).id, limit),
    remove: async ({ runId }) => {
      const run = requireRun(db, runId);
      if (run.status === 'running' || run.status === 'queued') throw new Error(`run ${runId} is ${run.status}: cancel it first`);
      deleteRun(db, runId);
    },
  };
}
