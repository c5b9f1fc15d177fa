/**
 * Query-side projection for the `search` task: the built-in embedder is fitted on item text only (TF-IDF → SVD), so a
 * query is "folded in" through the items: every term gets the idf-weighted mean embedding of the items that contain
 * it, and a query is the L2-normalised idf-weighted sum of its terms' vectors. This is LSI fold-in (q·V) computed
 * through the item side, without needing the SVD's term basis from the embedder.
 */
import { tokenize } from '../embed/tokenize';

export function foldInQueries(queryTexts: string[], itemTexts: string[], emb: Float32Array, dim: number): Float32Array {
  const termVec = new Map<string, Float32Array>();
  const df = new Map<string, number>();
  itemTexts.forEach((text, i) => {
    for (const t of new Set(tokenize(text))) {
      let v = termVec.get(t);
      if (!v) termVec.set(t, (v = new Float32Array(dim)));
      for (let d = 0; d < dim; d++) v[d] = v[d]! + emb[i * dim + d]!;
      df.set(t, (df.get(t) ?? 0) + 1);
    }
  });
  const n = itemTexts.length;
  const out = new Float32Array(queryTexts.length * dim);
  queryTexts.forEach((text, q) => {
    const o = q * dim;
    for (const t of new Set(tokenize(text))) {
      const v = termVec.get(t);
      if (!v) continue;
      const c = df.get(t)!;
      const w = Math.log(1 + n / c) / c;
      for (let d = 0; d < dim; d++) out[o + d] = out[o + d]! + w * v[d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += out[o + d]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) out[o + d] = out[o + d]! / norm;
  });
  return out;
}
