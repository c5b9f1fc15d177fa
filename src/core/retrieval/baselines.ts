/**
 * Non-generative baselines evaluated on exactly the same examples and metrics as the generative retriever:
 * BM25 over item text (search), exact dense inner product over item embeddings (every task), and popularity.
 */
import { throwIfAborted } from '../../shared/errors';
import { tokenize } from '../embed/tokenize';
import type { ItemRecord } from '../../shared/types';
import { type DatasetArrays, csrRow } from '../data/arrays';
import { MetricsAccumulator, type MetricsSummary, topK } from './metrics';
import { type TaskExamples, historyOf } from './tasks';

/** Item text indexed by BM25 and the query fold-in: title, brand, category path and description. */
export function itemText(it: ItemRecord): string {
  return [it.title, it.brand, it.categories.join(' '), it.text].filter(Boolean).join(' ');
}

/** Okapi BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))) over an inverted index. */
export class Bm25Index {
  private readonly vocab = new Map<string, number>();
  private readonly postPtr: Int32Array;
  private readonly postDoc: Int32Array;
  private readonly postTf: Float32Array;
  private readonly idf: Float32Array;
  private readonly docLen: Float32Array;
  private readonly avgLen: number;
  constructor(
    texts: string[],
    readonly k1 = 1.2,
    readonly b = 0.75,
  ) {
    const n = texts.length;
    this.docLen = new Float32Array(n);
    const docs: Map<number, number>[] = [];
    texts.forEach((text, d) => {
      const toks = tokenize(text);
      this.docLen[d] = toks.length;
      const tf = new Map<number, number>();
      for (const t of toks) {
        let id = this.vocab.get(t);
        if (id === undefined) this.vocab.set(t, (id = this.vocab.size));
        tf.set(id, (tf.get(id) ?? 0) + 1);
      }
      docs.push(tf);
    });
    const V = this.vocab.size;
    const df = new Int32Array(V);
    for (const tf of docs) for (const id of tf.keys()) df[id] = df[id]! + 1;
    this.postPtr = new Int32Array(V + 1);
    for (let v = 0; v < V; v++) this.postPtr[v + 1] = this.postPtr[v]! + df[v]!;
    this.postDoc = new Int32Array(this.postPtr[V]!);
    this.postTf = new Float32Array(this.postPtr[V]!);
    const fill = this.postPtr.slice(0, V);
    docs.forEach((tf, d) => {
      for (const [id, c] of tf) {
        const p = fill[id]!++;
        this.postDoc[p] = d;
        this.postTf[p] = c;
      }
    });
    this.idf = Float32Array.from(df, (x) => Math.log(1 + (n - x + 0.5) / (x + 0.5)));
    let tot = 0;
    for (const l of this.docLen) tot += l;
    this.avgLen = n ? tot / n : 0;
  }

  get size(): number {
    return this.docLen.length;
  }

  /** BM25 scores of every item for a query text. */
  score(query: string, out = new Float32Array(this.size)): Float32Array {
    out.fill(0);
    for (const t of new Set(tokenize(query))) {
      const id = this.vocab.get(t);
      if (id === undefined) continue;
      const idf = this.idf[id]!;
      for (let p = this.postPtr[id]!; p < this.postPtr[id + 1]!; p++) {
        const d = this.postDoc[p]!;
        const tf = this.postTf[p]!;
        const norm = this.k1 * (1 - this.b + (this.b * this.docLen[d]!) / (this.avgLen || 1));
        out[d] = out[d]! + (idf * tf * (this.k1 + 1)) / (tf + norm);
      }
    }
    return out;
  }
}

/**
 * Query vector for the dense baseline without training: search = the query's own text embedding (given); general =
 * mean of the history embeddings; sequential = recency-weighted mean (weight 0.7^age, so the last item counts most,
 * as next-item behaviour in Amazon data is dominated by the most recent purchase).
 */
export function historyVector(ex: TaskExamples, e: number, emb: Float32Array, dim: number, out = new Float32Array(dim)): Float32Array {
  out.fill(0);
  const h = historyOf(ex, e);
  const decay = ex.task === 'sequential' ? 0.7 : 1;
  let w = 1;
  for (let p = h.length - 1; p >= 0; p--, w *= decay) {
    const it = h[p]!;
    for (let d = 0; d < dim; d++) out[d] = out[d]! + w * emb[it * dim + d]!;
  }
  return out;
}

/** Scores of every item = inner product with the query vector. */
export function denseScores(qv: Float32Array, emb: Float32Array, dim: number, out: Float32Array): Float32Array {
  const n = emb.length / dim;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * dim;
    for (let d = 0; d < dim; d++) s += qv[d]! * emb[o + d]!;
    out[i] = s;
  }
  return out;
}

/** Interaction counts per item in the train split (plus valid when evaluating on test: those are known then). */
export function popularity(data: DatasetArrays, includeValid: boolean): Float32Array {
  const c = new Float32Array(data.nItems);
  for (const it of data.train.items) c[it] = c[it]! + 1;
  if (includeValid) for (const it of data.valid.items) c[it] = c[it]! + 1;
  return c;
}

export type BaselineName = 'bm25' | 'dense' | 'popularity';

export interface BaselineInputs {
  data: DatasetArrays;
  examples: TaskExamples;
  embeddings?: Float32Array;
  dim?: number;
  /** search: query text per dataset query idx (bm25) and/or query embeddings nQueries × dim (dense). */
  queryText?: string[];
  queryEmbeddings?: Float32Array;
  items?: ItemRecord[];
  maxK?: number;
  signal?: AbortSignal;
}

/** Ranks every item for every example with one baseline and returns the metric means. */
export function evaluateBaseline(name: BaselineName, inp: BaselineInputs): MetricsSummary {
  const { data, examples: ex } = inp;
  const maxK = inp.maxK ?? 20;
  const acc = new MetricsAccumulator();
  const scores = new Float32Array(data.nItems);
  const pop = name === 'popularity' ? popularity(data, true) : null;
  let bm25: Bm25Index | null = null;
  if (name === 'bm25') {
    if (ex.task !== 'search') throw new Error('the bm25 baseline needs text queries (task search)');
    if (!inp.items || !inp.queryText) throw new Error('the bm25 baseline needs item records and query texts');
    bm25 = new Bm25Index(inp.items.map(itemText));
  }
  const dim = inp.dim ?? 0;
  const qv = new Float32Array(dim);
  for (let e = 0; e < ex.n; e++) {
    if ((e & 1023) === 0) throwIfAborted(inp.signal);
    const q = ex.query[e]!;
    switch (name) {
      case 'popularity':
        scores.set(pop!);
        break;
      case 'bm25':
        bm25!.score(inp.queryText![q] ?? '', scores);
        break;
      case 'dense': {
        if (!inp.embeddings || !dim) throw new Error('the dense baseline needs item embeddings');
        if (ex.task === 'search') {
          if (!inp.queryEmbeddings) throw new Error('the dense baseline on search needs query embeddings');
          qv.set(inp.queryEmbeddings.subarray(q * dim, (q + 1) * dim));
        } else historyVector(ex, e, inp.embeddings, dim, qv);
        denseScores(qv, inp.embeddings, dim, scores);
        break;
      }
    }
    const exclude = ex.excludeHistory ? new Set(historyOf(ex, e)) : undefined;
    acc.add(topK(scores, maxK, exclude), new Set(csrRow(ex.relevant, e)));
  }
  return acc.summary();
}
