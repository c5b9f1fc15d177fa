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
export function fitTfidf(features: Map<string, number>[], opts: TfidfOptions = {}): { model: TfidfModel; matrix: SparseMatrix } {
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
