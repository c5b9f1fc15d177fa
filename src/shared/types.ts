/** Domain records shared by every runtime (core, node services, renderer). Plain JSON-able data. */

export type DatasetFormat = 'lcrec' | 'p5' | 'csv' | 'jsonl' | 'esci' | 'demo';

/** What a query is in this dataset: a user (recommendation) or a text search query. */
export type QueryKind = 'user' | 'query';

export type Split = 'train' | 'valid' | 'test';

export type RetrievalTask = 'search' | 'general' | 'sequential';

export interface DatasetSummary {
  id: number;
  name: string;
  format: DatasetFormat;
  source: string;
  queryKind: QueryKind;
  createdAt: string;
  items: number;
  queries: number;
  interactions: number;
  /** Interactions per split. */
  splits: Record<Split, number>;
  /** Max depth of the category tree (root = level 1). */
  categoryDepth: number;
  /** Number of distinct category nodes per level, index 0 = level 1. */
  categoryLevelCounts: number[];
  embeddings: EmbeddingSummary[];
}

export interface DatasetOverview extends DatasetSummary {
  /** Histogram of interactions per query/user: bucket lower bounds and counts. */
  interactionsPerQuery: { min: number; max: number; mean: number; median: number; histogram: HistogramBin[] };
  interactionsPerItem: { min: number; max: number; mean: number; median: number; histogram: HistogramBin[] };
  /** Top categories per level with item counts. */
  topCategories: { level: number; name: string; path: string; items: number }[];
  itemsWithoutCategory: number;
}

export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

export interface ItemRecord {
  /** Dense 0-based index inside the dataset; every array keyed by item uses this order. */
  idx: number;
  /** The id in the source files. */
  extId: string;
  title: string;
  text: string;
  brand: string;
  /** Category path from the root, e.g. ["Beauty","Makeup","Nails"]. Empty when unknown. */
  categories: string[];
}

export interface CategoryNode {
  id: number;
  parentId: number | null;
  /** 1 = root level (e.g. "Beauty"). */
  level: number;
  name: string;
  /** Full path joined by " > ". */
  path: string;
  /** Items whose path passes through this node. */
  items: number;
}

export interface EmbeddingSummary {
  id: number;
  datasetId: number;
  name: string;
  method: string;
  dim: number;
  count: number;
  createdAt: string;
}

export type RunKind = 'import' | 'embed' | 'build' | 'train-retriever' | 'eval' | 'project' | 'audit';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** ID construction methods. */
export type IdMethod = 'random' | 'hkmeans' | 'rqkmeans' | 'rqvae' | 'catid2' | 'uri' | 'category-prefix' | 'imported';

export type CollisionMode = 'none' | 'suffix' | 'sinkhorn';

/** URI build options (BuildOptions.extra): what the balanced assignment ranks tokens by, and its max load. */
export const URI_ASSIGN_SCORES = ['queries', 'item', 'both'] as const;
export type UriAssignScore = (typeof URI_ASSIGN_SCORES)[number];
export const URI_ASSIGNMENTS = ['token', 'parent'] as const;
export type UriAssignment = (typeof URI_ASSIGNMENTS)[number];

export type TfBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'none';

export interface RunRecord {
  id: number;
  datasetId: number | null;
  kind: RunKind;
  /** For builds, the IdMethod; for other kinds a short label. */
  method: string;
  name: string;
  config: Record<string, unknown>;
  status: RunStatus;
  backend: TfBackendName | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  error: string | null;
  parentRunId: number | null;
  /** Wall time per phase in ms. */
  timings: Record<string, number>;
  /** Last progress seen, for listing without replaying events. */
  progress: { done: number; total: number; phase: string } | null;
}

/** A semantic-ID table: codes[i * layers + l] is item i's token at layer l (0-based, < codebookSizes[l]). */
export interface SemanticIdTable {
  runId: number;
  datasetId: number;
  layers: number;
  codebookSizes: number[];
  items: number;
  codes: Int32Array;
  collisionMode: CollisionMode;
}
