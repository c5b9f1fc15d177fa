/**
 * DatasetArrays straight from an ImportedDataset (no database): what the tests' real-data helper and the demo use.
 * `loadDatasetArrays` (src/node/db/datasets.ts) builds the same arrays from SQLite; a test pins the equivalence.
 */
import type { ImportedDataset, ImportedInteractions } from '../../shared/dataset';
import type { ItemRecord } from '../../shared/types';
import { type Csr, type DatasetArrays } from './arrays';
import { buildCategoryTree, type CategoryTree, categoryLevelsFromLeaves } from './categories';

/** Per-split CSRs from interactions sorted by query then pos (split codes 0/1/2). */
export function splitCsrs(nQueries: number, query: Int32Array, item: Int32Array, split: Uint8Array): [Csr, Csr, Csr] {
  const ptrs = [new Int32Array(nQueries + 1), new Int32Array(nQueries + 1), new Int32Array(nQueries + 1)] as const;
  for (let k = 0; k < query.length; k++) ptrs[split[k]!]![query[k]! + 1]!++;
  for (const ptr of ptrs) for (let q = 0; q < nQueries; q++) ptr[q + 1] = ptr[q + 1]! + ptr[q]!;
  const items = ptrs.map((p) => new Int32Array(p[nQueries]!));
  const fill = ptrs.map((p) => p.slice(0, nQueries));
  for (let k = 0; k < query.length; k++) {
    const s = split[k]!;
    items[s]![fill[s]![query[k]!]!++] = item[k]!;
  }
  return [0, 1, 2].map((s) => ({ ptr: ptrs[s]!, items: items[s]! })) as [Csr, Csr, Csr];
}

export function datasetArraysFromImported(ds: ImportedDataset, tree: CategoryTree = buildCategoryTree(ds.items.map((i) => i.categories))): DatasetArrays {
  const nItems = ds.items.length;
  const nQueries = ds.queries.length;
  const [train, valid, test] = splitCsrs(nQueries, ds.interactions.query, ds.interactions.item, ds.interactions.split);
  return {
    nItems,
    nQueries,
    depth: tree.depth,
    categoryLevels: categoryLevelsFromLeaves(tree.nodes, tree.leaf, tree.depth),
    train,
    valid,
    test,
  };
}

export function itemRecordsFromImported(ds: ImportedDataset): ItemRecord[] {
  return ds.items.map((it, idx) => ({ idx, extId: it.extId, title: it.title, text: it.text, brand: it.brand, categories: it.categories }));
}

/** Interactions per split code. */
export function splitCounts(inter: Pick<ImportedInteractions, 'split'>): { train: number; valid: number; test: number } {
  const c = [0, 0, 0];
  for (let k = 0; k < inter.split.length; k++) c[inter.split[k]!]!++;
  return { train: c[0]!, valid: c[1]!, test: c[2]! };
}

/**
 * Growable parallel arrays for importers: push one interaction at a time, then `finish()` sorts by (query, pos)
 * only if the input was not already in that order.
 */
export class InteractionBuilder {
  private n = 0;
  private q = new Int32Array(1024);
  private it = new Int32Array(1024);
  private p = new Int32Array(1024);
  private s = new Uint8Array(1024);
  private t: Float64Array | null = null;
  private labels: (string | null)[] | null = null;

  constructor(opts: { ts?: boolean; labels?: boolean } = {}) {
    if (opts.ts) this.t = new Float64Array(1024);
    if (opts.labels) this.labels = [];
  }

  get length(): number {
    return this.n;
  }

  push(query: number, item: number, pos: number, split: number, ts?: number | null, label?: string | null): void {
    if (this.n === this.q.length) this.grow();
    this.q[this.n] = query;
    this.it[this.n] = item;
    this.p[this.n] = pos;
    this.s[this.n] = split;
    if (this.t) this.t[this.n] = ts ?? Number.NaN;
    if (this.labels) this.labels.push(label ?? null);
    this.n++;
  }

  private grow(): void {
    const cap = this.q.length * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.q = g(this.q, (n) => new Int32Array(n));
    this.it = g(this.it, (n) => new Int32Array(n));
    this.p = g(this.p, (n) => new Int32Array(n));
    this.s = g(this.s, (n) => new Uint8Array(n));
    if (this.t) this.t = g(this.t, (n) => new Float64Array(n));
  }

  finish(): ImportedInteractions {
    const n = this.n;
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) {
      const dq = this.q[k]! - this.q[k - 1]!;
      if (dq < 0 || (dq === 0 && this.p[k]! <= this.p[k - 1]!)) sorted = false;
    }
    let order: Int32Array | null = null;
    if (!sorted) {
      const idx = Array.from({ length: n }, (_, k) => k);
      idx.sort((a, b) => this.q[a]! - this.q[b]! || this.p[a]! - this.p[b]!);
      order = Int32Array.from(idx);
    }
    const pick = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
      const out = a.slice(0, n) as T;
      if (order) for (let k = 0; k < n; k++) out[k] = a[order[k]!]!;
      return out;
    };
    return {
      query: pick(this.q),
      item: pick(this.it),
      pos: pick(this.p),
      split: pick(this.s),
      ts: this.t ? pick(this.t) : null,
      label: this.labels ? (order ? Array.from(order, (k) => this.labels![k]!) : this.labels.slice()) : null,
    };
  }
}
