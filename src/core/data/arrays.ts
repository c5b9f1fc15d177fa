/**
 * A dataset as flat typed arrays: what every algorithm in src/core consumes. Loaded from SQLite by
 * src/node/db/datasets.ts (loadDatasetArrays) and built directly by tests and the demo generator.
 * Item i is the dataset's item idx i; query q is the query/user idx q.
 */
export interface DatasetArrays {
  nItems: number;
  nQueries: number;
  /** Category tree depth kept here (levels 1..depth). */
  depth: number;
  /**
   * categoryLevels[i * depth + l] = id of item i's category node at level l+1 (ids are dataset-wide category node
   * ids, unique across levels), or -1 when the item's path is shorter than l+1 or unknown.
   */
  categoryLevels: Int32Array;
  /** Interactions per split in CSR form, each query's items in sequence order (pos ascending). */
  train: Csr;
  valid: Csr;
  test: Csr;
}

/** Compressed sparse rows: row q holds items[ptr[q] .. ptr[q+1]). ptr has nQueries + 1 entries. */
export interface Csr {
  ptr: Int32Array;
  items: Int32Array;
}

export function csrRow(csr: Csr, q: number): Int32Array {
  return csr.items.subarray(csr.ptr[q]!, csr.ptr[q + 1]!);
}

/** Builds a CSR from parallel (query, item) arrays already sorted by query then position. */
export function csrFromSorted(nQueries: number, query: Int32Array, item: Int32Array): Csr {
  const ptr = new Int32Array(nQueries + 1);
  for (let k = 0; k < query.length; k++) ptr[query[k]! + 1] = ptr[query[k]! + 1]! + 1;
  for (let q = 0; q < nQueries; q++) ptr[q + 1] = ptr[q + 1]! + ptr[q]!;
  return { ptr, items: item.slice() };
}
