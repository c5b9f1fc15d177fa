import type { CategoryNode, DatasetFormat, DatasetOverview, DatasetSummary, ItemRecord } from '../types';
import { v } from '../validate';

export interface ImportRequest {
  format: DatasetFormat;
  /** Dataset name; defaults to the source folder/file name. */
  name?: string;
  /** Files or folder on the machine running the backend. */
  paths: string[];
  /** Format-specific options (category separator regex, column mapping, ...). */
  options?: Record<string, unknown>;
}

export interface DatasetsApi {
  list(): Promise<DatasetSummary[]>;
  overview(arg: { datasetId: number }): Promise<DatasetOverview>;
  categories(arg: { datasetId: number }): Promise<CategoryNode[]>;
  items(arg: { datasetId: number; offset?: number; limit?: number; search?: string }): Promise<{ total: number; items: ItemRecord[] }>;
  /** Starts an import job; returns its run id. Progress arrives as run events. */
  import(arg: ImportRequest): Promise<{ runId: number }>;
  /** Generates the seeded demo catalog (and embeds it) as a dataset; returns the run id of the job. */
  demo(arg: { seed?: number; name?: string }): Promise<{ runId: number }>;
  remove(arg: { datasetId: number }): Promise<void>;
}

const datasetId = v.num({ int: true, min: 1 });

export const datasetsValidators = {
  list: v.none(),
  overview: v.object({ datasetId }),
  categories: v.object({ datasetId }),
  items: v.object({
    datasetId,
    offset: v.optional(v.num({ int: true, min: 0 })),
    limit: v.optional(v.num({ int: true, min: 1, max: 5000 })),
    search: v.optional(v.str({ max: 500 })),
  }),
  import: v.object({
    format: v.literal<DatasetFormat>('lcrec', 'p5', 'csv', 'jsonl', 'esci', 'demo'),
    name: v.optional(v.str({ max: 200 })),
    paths: v.array(v.str({ max: 4096 }), { max: 16 }),
    options: v.optional(v.record()),
  }),
  demo: v.object({ seed: v.optional(v.num({ int: true })), name: v.optional(v.str({ max: 200 })) }),
  remove: v.object({ datasetId }),
} satisfies { [K in keyof DatasetsApi]: unknown };
