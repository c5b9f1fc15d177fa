/**
 * TF-IDF of catalog items as a sparse CSR matrix (rows = items, columns = vocabulary features).
 * Features are words of title + brand + category names, plus one feature per brand and per category-tree node
 * (its full path), weighted by field so that category information matters: two items in the same leaf share
 * that node feature even when their titles share no word.
 */
import type { ItemRecord } from '../../shared/types';
import { tokenize } from './tokenize';

export interface TfidfOptions {
  /** Weight of title words (default 1). */
  titleWeight?: number;
  /** Weight of each category node feature (default 1.5) and of category-name words (default 0.5). */
  categoryNodeWeight?: number;
  categoryWordWeight?: number;
  /** Weight of the brand feature (default 1) and brand words (default 0.5). */
  brandWeight?: number;
  /** Weight of description words; 0 (default) leaves the description out. */
  textWeight?: number;
  /** Features seen in fewer items are dropped (default 2: a word in one item says nothing about similarity). */
  minDf?: number;
  /** Keep at most this many features, the most frequent (default 100,000). */
  maxFeatures?: number;
}

export interface SparseMatrix {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

export interface TfidfModel {
  /** Feature → column. Node features are "\u0001c:" + path, brand features "\u0001b:" + brand. */
  vocab: Map<string, number>;
  idf: Float32Array;
  options: Required<TfidfOptions>;
}

export const DEFAULT_TFIDF: Required<TfidfOptions> = {
  titleWeight: 1,
  categoryNodeWeight: 1.5,
  categoryWordWeight: 0.5,
  brandWeight: 1,
  textWeight: 0,
  minDf: 2,
  maxFeatures: 100_000,
};

/**
 * Weighted raw features of one item: feature → Σ over fields of fieldWeight · (1 + ln count) (sublinear tf per
 * field, so a word repeated in a title does not drown the category features).
 */
export function itemFeatures(
  item: Pick<ItemRecord, 'title' | 'brand' | 'categories' | 'text'>,
  o: Required<TfidfOptions>,
): Map<string, number> {
  const f = new Map<string, number>();
  const counts = new Map<string, number>();
  const flush = (w: number): void => {
    for (const [tok, c] of counts) f.set(tok, (f.get(tok) ?? 0) + w * (1 + Math.log(c)));
    counts.clear();
  };
  const count = (tok: string): void => {
    counts.set(tok, (counts.get(tok) ?? 0) + 1);
  };
  const toks: string[] = [];
  for (const t of tokenize(item.title, toks)) count(t);
  flush(o.titleWeight);
  if (item.brand) {
    const b = item.brand.normalize('NFKC').toLowerCase().trim();
    if (b) f.set('\u0001b:' + b, o.brandWeight);
    toks.length = 0;
    for (const t of tokenize(item.brand, toks)) count(t);
    flush(o.brandWeight * 0.5);
  }
  let path = '';
  toks.length = 0;
  for (let l = 0; l < item.categories.length; l++) {
    const name = item.categories[l]!;
    path = l === 0 ? name : path + ' > ' + name;
    f.set('\u0001c:' + path.toLowerCase(), o.categoryNodeWeight);
    tokenize(name, toks);
  }
  for (const t of toks) count(t);
  flush(o.categoryWordWeight);
  if (o.textWeight > 0 && item.text) {
    toks.length = 0;
    for (const t of tokenize(item.text, toks)) count(t);
    flush(o.textWeight);
  }
  return f;
}

/**
 * Text-only features (a search query, or any free text): the same words an item title would give.
 * Returns column → weight before idf.
 */
export function textFeatures(text: string, model: TfidfModel): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tokenize(text)) {
    const c = model.vocab.get(t);
    if (c != null) out.set(c, (out.get(c) ?? 0) + 1);
  }
  for (const [c, k] of out) out.set(c, model.options.titleWeight * (1 + Math.log(k)));
  return out;
}

/**
 * Fits the vocabulary and smoothed idf ln((1 + n) / (1 + df)) + 1 (the scikit-learn TfidfVectorizer recipe with
 * sublinear_tf) on `features` (one map per item) and returns the weighted, row-L2-normalised CSR matrix.
 */
export function fitTfidf(
  features: Map<string, number>[],
  opts: TfidfOptions = {},
): { model: TfidfModel; matrix: SparseMatrix } {
  const o = { ...DEFAULT_TFIDF, ...opts };
  const n = features.length;
  const df = new Map<string, number>();
  for (const f of features) for (const k of f.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const kept = [...df.entries()].filter(([, d]) => d >= o.minDf);
  // Most frequent first, ties by name: a deterministic column order independent of Map internals.
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (kept.length > o.maxFeatures) kept.length = o.maxFeatures;
  const vocab = new Map<string, number>();
  const idf = new Float32Array(kept.length);
  kept.forEach(([tok, d], c) => {
    vocab.set(tok, c);
    idf[c] = Math.log((1 + n) / (1 + d)) + 1;
  });
  const model: TfidfModel = { vocab, idf, options: o };
  return { model, matrix: transformFeatures(features, model) };
}

/** Applies a fitted model to feature maps (rows L2-normalised; empty rows stay zero). */
export function transformFeatures(features: Map<string, number>[], model: TfidfModel): SparseMatrix {
  const n = features.length;
  const ptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (const k of features[i]!.keys()) if (model.vocab.has(k)) nnz++;
    ptr[i + 1] = nnz;
  }
  const idx = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  const row: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (const [k, w] of features[i]!) {
      const c = model.vocab.get(k);
      if (c != null) row.push([c, w * model.idf[c]!]);
    }
    row.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, x] of row) norm += x * x;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    let p = ptr[i]!;
    for (const [c, x] of row) {
      idx[p] = c;
      val[p++] = x * inv;
    }
  }
  return { rows: n, cols: model.vocab.size, ptr, idx, val };
}

/**
 * The features of many items, interned: item i has features ids[ptr[i] .. ptr[i + 1]) with weights w (the same
 * feature → weight map as `itemFeatures`, summed over fields in the same order, so the values are identical).
 * Replaces one Map per item plus a second Map lookup per feature in `fitTfidf` (features + TF-IDF of 100k synthetic
 * items: 3.65 s → 1.37 s on a first run, ~0.5 s warm), and caches the category and brand features, which items
 * share (Beauty: 245 category paths and 2,077 brands for 12,101 items).
 */
export class FeatureTable {
  /** Feature strings by id (node features "\u0001c:" + path, brand features "\u0001b:" + brand). */
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();
  rows = 0;
  ptr = new Int32Array(1025);
  ids = new Int32Array(1024);
  w = new Float64Array(1024);
  df = new Int32Array(1024);
  // Per-item accumulator (stamp = item number + 1 when touched) and per-field token counts.
  private acc = new Float64Array(1024);
  private stamp = new Int32Array(1024);
  private cnt = new Int32Array(1024);
  private cntStamp = new Int32Array(1024);
  private fieldNo = 0;
  private readonly touched: number[] = [];
  private readonly fieldIds: number[] = [];
  private readonly fieldCounts: number[] = [];
  private readonly toks: string[] = [];
  private readonly categoryCache = new Map<string, { nodes: number[]; words: number[]; counts: number[] }>();
  private readonly brandCache = new Map<string, { feature: number; words: number[]; counts: number[] }>();

  constructor(readonly options: Required<TfidfOptions>) {}

  private id(name: string): number {
    let id = this.byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
      if (id >= this.acc.length) {
        const grow = <T extends Float64Array | Int32Array>(a: T): T => {
          const b = new (a.constructor as new (n: number) => T)(a.length * 2);
          b.set(a);
          return b;
        };
        this.acc = grow(this.acc);
        this.stamp = grow(this.stamp);
        this.cnt = grow(this.cnt);
        this.cntStamp = grow(this.cntStamp);
        this.df = grow(this.df);
      }
    }
    return id;
  }

  /** Counts the tokens of one field: returns the distinct ids (first-seen order) with their counts in `counts`. */
  private countField(toks: string[], ids: number[], counts: number[]): void {
    const f = ++this.fieldNo;
    ids.length = 0;
    for (const t of toks) {
      const id = this.id(t);
      if (this.cntStamp[id] !== f) {
        this.cntStamp[id] = f;
        this.cnt[id] = 0;
        ids.push(id);
      }
      this.cnt[id]!++;
    }
    counts.length = 0;
    for (const id of ids) counts.push(this.cnt[id]!);
  }

  private put(id: number, x: number, set: boolean): void {
    const s = this.rows + 1;
    if (this.stamp[id] !== s) {
      this.stamp[id] = s;
      this.acc[id] = x;
      this.touched.push(id);
    } else this.acc[id] = set ? x : this.acc[id]! + x;
  }

  private addField(ids: number[], counts: number[], weight: number): void {
    for (let t = 0; t < ids.length; t++) this.put(ids[t]!, weight * (1 + Math.log(counts[t]!)), false);
  }

  /** Appends one item's features. */
  add(item: Pick<ItemRecord, 'title' | 'brand' | 'categories' | 'text'>): void {
    const o = this.options;
    const toks = this.toks;
    const ids = this.fieldIds;
    const counts = this.fieldCounts;
    this.touched.length = 0;
    toks.length = 0;
    tokenize(item.title, toks);
    this.countField(toks, ids, counts);
    this.addField(ids, counts, o.titleWeight);
    if (item.brand) {
      let b = this.brandCache.get(item.brand);
      if (!b) {
        const name = item.brand.normalize('NFKC').toLowerCase().trim();
        const words: number[] = [];
        const wc: number[] = [];
        this.countField(tokenize(item.brand), words, wc);
        b = { feature: name ? this.id('\u0001b:' + name) : -1, words, counts: wc };
        this.brandCache.set(item.brand, b);
      }
      if (b.feature >= 0) this.put(b.feature, o.brandWeight, true);
      this.addField(b.words, b.counts, o.brandWeight * 0.5);
    }
    const cats = item.categories;
    if (cats.length) {
      const key = cats.length === 1 ? cats[0]! : cats.join('\u0002');
      let c = this.categoryCache.get(key);
      if (!c) {
        const nodes: number[] = [];
        let path = '';
        const ct: string[] = [];
        for (let l = 0; l < cats.length; l++) {
          path = l === 0 ? cats[l]! : path + ' > ' + cats[l]!;
          nodes.push(this.id('\u0001c:' + path.toLowerCase()));
          tokenize(cats[l]!, ct);
        }
        const words: number[] = [];
        const wc: number[] = [];
        this.countField(ct, words, wc);
        c = { nodes, words, counts: wc };
        this.categoryCache.set(key, c);
      }
      for (const id of c.nodes) this.put(id, o.categoryNodeWeight, true);
      this.addField(c.words, c.counts, o.categoryWordWeight);
    }
    if (o.textWeight > 0 && item.text) {
      toks.length = 0;
      tokenize(item.text, toks);
      this.countField(toks, ids, counts);
      this.addField(ids, counts, o.textWeight);
    }
    // Append the row.
    const start = this.ptr[this.rows]!;
    const end = start + this.touched.length;
    if (end > this.ids.length) {
      let cap = this.ids.length * 2;
      while (cap < end) cap *= 2;
      const ni = new Int32Array(cap);
      ni.set(this.ids);
      this.ids = ni;
      const nw = new Float64Array(cap);
      nw.set(this.w);
      this.w = nw;
    }
    for (let t = 0; t < this.touched.length; t++) {
      const id = this.touched[t]!;
      this.ids[start + t] = id;
      this.w[start + t] = this.acc[id]!;
      this.df[id]!++;
    }
    this.rows++;
    if (this.rows + 1 >= this.ptr.length) {
      const np = new Int32Array(this.ptr.length * 2);
      np.set(this.ptr);
      this.ptr = np;
    }
    this.ptr[this.rows] = end;
  }

  /** Item i's features as a Map, as `itemFeatures` returns them (for tests and tools). */
  featureMap(i: number): Map<string, number> {
    const m = new Map<string, number>();
    for (let p = this.ptr[i]!; p < this.ptr[i + 1]!; p++) m.set(this.names[this.ids[p]!]!, this.w[p]!);
    return m;
  }
}

/**
 * `fitTfidf` on an interned FeatureTable: the same vocabulary order, idf and matrix, bit for bit, without a Map per
 * item. `minDf` / `maxFeatures` can differ from the table's options (the embedder refits tiny catalogs with minDf 1).
 */
export function fitTfidfTable(t: FeatureTable, opts: TfidfOptions = {}): { model: TfidfModel; matrix: SparseMatrix } {
  const o = { ...t.options, ...opts };
  const n = t.rows;
  const names = t.names;
  const df = t.df;
  const kept: number[] = [];
  for (let id = 0; id < names.length; id++) if (df[id]! >= o.minDf) kept.push(id);
  kept.sort((a, b) => df[b]! - df[a]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  if (kept.length > o.maxFeatures) kept.length = o.maxFeatures;
  const col = new Int32Array(names.length).fill(-1);
  const vocab = new Map<string, number>();
  const idf = new Float32Array(kept.length);
  kept.forEach((id, c) => {
    col[id] = c;
    vocab.set(names[id]!, c);
    idf[c] = Math.log((1 + n) / (1 + df[id]!)) + 1;
  });
  const ptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (let p = t.ptr[i]!; p < t.ptr[i + 1]!; p++) if (col[t.ids[p]!]! >= 0) nnz++;
    ptr[i + 1] = nnz;
  }
  const idx = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let rc = new Int32Array(256);
  let rx = new Float64Array(256);
  for (let i = 0; i < n; i++) {
    const len = ptr[i + 1]! - ptr[i]!;
    if (len > rc.length) {
      rc = new Int32Array(len * 2);
      rx = new Float64Array(len * 2);
    }
    let h = 0;
    for (let p = t.ptr[i]!; p < t.ptr[i + 1]!; p++) {
      const c = col[t.ids[p]!]!;
      if (c < 0) continue;
      const x = t.w[p]! * idf[c]!;
      // Insertion by column (rows have ~10-30 features).
      let j = h++;
      while (j > 0 && rc[j - 1]! > c) {
        rc[j] = rc[j - 1]!;
        rx[j] = rx[j - 1]!;
        j--;
      }
      rc[j] = c;
      rx[j] = x;
    }
    let norm = 0;
    for (let j = 0; j < h; j++) norm += rx[j]! * rx[j]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    let p = ptr[i]!;
    for (let j = 0; j < h; j++) {
      idx[p] = rc[j]!;
      val[p++] = rx[j]! * inv;
    }
  }
  return { model: { vocab, idf, options: o }, matrix: { rows: n, cols: kept.length, ptr, idx, val } };
}
