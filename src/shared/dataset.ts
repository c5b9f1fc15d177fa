/**
 * A parsed, validated dataset on its way into the database: what every importer produces and what
 * `writeDataset` (src/node/db/datasets.ts) stores in one transaction. It crosses the job boundary as a structured
 * clone (the import child parses, the host writes), so interactions are parallel typed arrays, not row objects:
 * Beauty's 198,502 interactions are 4 small buffers instead of 200k objects.
 */
import type { DatasetFormat, QueryKind, Split } from './types';

export interface ImportedItem {
  /** The id in the source files (unique inside the dataset). */
  extId: string;
  title: string;
  /** Longer text (description, bullet points); '' when the source has none. */
  text: string;
  brand: string;
  /** Category path from the root, e.g. ["Industrial & Scientific", "Lab & Scientific Products"]; [] when unknown. */
  categories: string[];
}

export interface ImportedQuery {
  extId: string;
  kind: QueryKind;
  /** The query text for search data; '' for users. */
  text: string;
  /** Query-level split (search data); null for users, whose split is per interaction (leave-last-out). */
  split: Split | null;
}

/** Split codes used in `ImportedInteractions.split`. */
export const SPLITS: readonly Split[] = ['train', 'valid', 'test'];
export const SPLIT_CODE: Readonly<Record<Split, number>> = { train: 0, valid: 1, test: 2 };

/**
 * Interactions as parallel arrays of equal length, sorted by query then pos.
 * `pos` is the 0-based order inside the query's sequence.
 */
export interface ImportedInteractions {
  query: Int32Array;
  item: Int32Array;
  pos: Int32Array;
  /** Unix seconds, or null when the source has no time. */
  ts: Float64Array | null;
  /** Per-interaction label (e.g. ESCI "E"/"S"), or null when the source has none. */
  label: (string | null)[] | null;
  /** SPLIT_CODE per interaction. */
  split: Uint8Array;
}

/** An ID table shipped with the dataset (e.g. lcrec's optional `<name>.index.json`), attached as an imported run. */
export interface ImportedIdTable {
  name: string;
  source: string;
  layers: number;
  codebookSizes: number[];
  /** codes[i * layers + l], item idx order. */
  codes: Int32Array;
}

export interface ImportedDataset {
  name: string;
  format: DatasetFormat;
  /** Where it came from (paths), shown to the user. */
  source: string;
  queryKind: QueryKind;
  items: ImportedItem[];
  queries: ImportedQuery[];
  interactions: ImportedInteractions;
  /** Import options that shaped the result (separator, mapping, label policy, ...), stored with the dataset. */
  config: Record<string, unknown>;
  idTables?: ImportedIdTable[];
}

/** The counts a finished import reports (CLI --json, job result). */
export interface ImportSummary {
  ok: true;
  datasetId: number;
  name: string;
  items: number;
  queries: number;
  interactions: number;
  splits: Record<Split, number>;
  categoryDepth: number;
  categoryLevelCounts: number[];
  idRuns: number[];
  ms: number;
}
