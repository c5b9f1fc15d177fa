import { basename } from 'node:path';
import type { DatasetsApi, ImportRequest } from '../../shared/api/datasets';
import {
  deleteDataset,
  getDataset,
  getDatasetOverview,
  listCategories,
  listDatasets,
  listItems,
} from '../db/datasets';
import { listRuns } from '../db/runs';
import type { ServiceContext } from './context';
import { startDemo } from './demo';

/** The name an import gets when the user gives none: the folder or file name without data-file suffixes. */
export function defaultImportName(req: ImportRequest): string {
  const first = req.paths[0] ?? req.format;
  return basename(first.replace(/[\\/]+$/, '')).replace(/\.(item\.json|inter\.json|json|jsonl|csv|tsv|txt|parquet)$/i, '') || req.format;
}

export function createDatasetsService(ctx: ServiceContext): DatasetsApi {
  const { db, jobs } = ctx;
  return {
    list: async () => listDatasets(db),
    overview: async ({ datasetId }) => getDatasetOverview(db, datasetId),
    categories: async ({ datasetId }) => listCategories(db, datasetId),
    items: async ({ datasetId, offset, limit, search }) => listItems(db, datasetId, { offset, limit, search }),
    import: async (req) => {
      const name = req.name ?? defaultImportName(req);
      const runId = jobs.start('import', {
        params: { ...req, name } as unknown as Record<string, unknown>,
        name: `import ${name}`,
        method: req.format,
      });
      return { runId };
    },
    demo: async (arg) => ({ runId: startDemo(ctx, arg).importRunId }),
    remove: async ({ datasetId }) => {
      getDataset(db, datasetId); // throws a clear not-found error
      const active = listRuns(db, { datasetId }).filter((r) => r.status === 'running' || r.status === 'queued');
      if (active.length > 0) {
        throw new Error(`dataset ${datasetId} has ${active.length} running job(s) (run ${active.map((r) => r.id).join(', ')}): cancel them first`);
      }
      deleteDataset(db, datasetId);
    },
  };
}
