/**
 * Trie-constrained beam search over semantic-ID tokens. The model is a callback that returns next-token log-probs for
 * a batch of prefixes, so the kernel is testable without tfjs and the same code drives the tfjs decoder, the URI
 * indexer and the query inspector. Beams of many queries are expanded together so the model sees one large batch per
 * step (a decoder call costs about the same for 20 rows as for 2,000 on wasm).
 */
import { throwIfAborted } from '../../shared/errors';
import { type IdTrie, trieHas } from './trie';

export interface BeamStepRows {
  /** Query index (0..nQueries) of each row. */
  query: Int32Array;
  /** prefixes[r * t .. (r + 1) * t): the tokens generated so far for row r (empty at t = 0). */
  prefixes: Int32Array;
  /** Number of tokens already generated = the layer whose token is asked for. */
  t: number;
  count: number;
}

/** Returns count × codebookSizes[t] next-token log-probabilities, row-major. */
export type StepLogProbs = (rows: BeamStepRows) => Promise<Float32Array> | Float32Array;

export interface BeamResult {
  /** ids[b * layers + l] of the b-th best beam. */
  ids: Int32Array;
  /** Sum of log-probs of each beam, descending. */
  scores: Float64Array;
  /** Trie leaf node of each beam. */
  leaves: Int32Array;
  /** Per step: log-probs of the chosen token of each final beam (for the inspector), beams × layers. */
  tokenLogProbs: Float32Array;
}

export interface BeamStats {
  /** Over every query and step: share of the unconstrained top-`beam` expansions whose prefix is not in the trie. */
  invalidBeforeTrie: number;
  /** Share of invalid expansions at the last step only (invalid full IDs the free decoder would have produced). */
  invalidBeforeTrieFinal: number;
  /** Share of returned beams whose ID is not in the trie: 0 by construction, checked anyway. */
  invalidAfterTrie: number;
}

/** A fixed-capacity min-heap keeping the `cap` largest scores seen, with two integer payloads. */
class TopK {
  readonly score: Float64Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  size = 0;
  constructor(readonly cap: number) {
    this.score = new Float64Array(cap);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
  }
  reset(): void {
    this.size = 0;
  }
  /** Lower bound to beat once full. */
  get min(): number {
    return this.size < this.cap ? -Infinity : this.score[0]!;
  }
  push(s: number, a: number, b: number): void {
    if (this.size < this.cap) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.score[p]! <= s) break;
        this.move(i, p);
        i = p;
      }
      this.set(i, s, a, b);
    } else if (s > this.score[0]!) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.size) break;
        const r = l + 1;
        const c = r < this.size && this.score[r]! < this.score[l]! ? r : l;
        if (this.score[c]! >= s) break;
        this.move(i, c);
        i = c;
      }
      this.set(i, s, a, b);
    }
  }
  /** Indices into the heap arrays, best first (ties: smaller a, then smaller b first, for determinism). */
  sortedOrder(): number[] {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((x, y) => this.score[y]! - this.score[x]! || this.a[x]! - this.a[y]! || this.b[x]! - this.b[y]!);
    return idx;
  }
  private move(to: number, from: number): void {
    this.score[to] = this.score[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
  }
  private set(i: number, s: number, a: number, b: number): void {
    this.score[i] = s;
    this.a[i] = a;
    this.b[i] = b;
  }
}

/**
 * Beam search for nQueries queries at once. At step t every live beam of every query is one row of the model call;
 * only children of the beam's trie node are expanded, so every beam is a valid prefix and every final beam a valid
 * ID. With `trackInvalid`, also counts how many of the unconstrained top-`beam` expansions would have left the trie.
 */
export async function beamSearchBatch(
  step: StepLogProbs,
  nQueries: number,
  trie: IdTrie,
  beam: number,
  opts: { trackInvalid?: boolean; signal?: AbortSignal } = {},
): Promise<{ results: BeamResult[]; stats: BeamStats }> {
  const L = trie.layers;
  // Live beams per query: node, score, prefix tokens, per-step log-probs.
  let nodes: Int32Array[] = Array.from({ length: nQueries }, () => Int32Array.of(0));
  let scores: Float64Array[] = Array.from({ length: nQueries }, () => Float64Array.of(0));
  let prefixes: Int32Array[] = Array.from({ length: nQueries }, () => new Int32Array(0));
  let stepLp: Float32Array[] = Array.from({ length: nQueries }, () => new Float32Array(0));
  const heap = new TopK(beam);
  const free = new TopK(beam);
  let invalid = 0;
  let considered = 0;
  let invalidFinal = 0;
  let consideredFinal = 0;
  for (let t = 0; t < L; t++) {
    throwIfAborted(opts.signal);
    const K = trie.codebookSizes[t]!;
    let rows = 0;
    for (let q = 0; q < nQueries; q++) rows += nodes[q]!.length;
    const query = new Int32Array(rows);
    const pre = new Int32Array(rows * t);
    let r = 0;
    for (let q = 0; q < nQueries; q++) {
      for (let b = 0; b < nodes[q]!.length; b++, r++) {
        query[r] = q;
        pre.set(prefixes[q]!.subarray(b * t, (b + 1) * t), r * t);
      }
    }
    const lp = await step({ query, prefixes: pre, t, count: rows });
    if (lp.length !== rows * K) throw new Error(`beam search step ${t}: model returned ${lp.length} values, expected ${rows} x ${K}`);
    const nextNodes: Int32Array[] = [];
    const nextScores: Float64Array[] = [];
    const nextPrefixes: Int32Array[] = [];
    const nextStepLp: Float32Array[] = [];
    r = 0;
    for (let q = 0; q < nQueries; q++) {
      heap.reset();
      free.reset();
      const qNodes = nodes[q]!;
      const qScores = scores[q]!;
      for (let b = 0; b < qNodes.length; b++, r++) {
        const node = qNodes[b]!;
        const base = qScores[b]!;
        const off = r * K;
        for (let j = trie.childPtr[node]!; j < trie.childPtr[node + 1]!; j++) {
          const s = base + lp[off + trie.childToken[j]!]!;
          if (s > heap.min) heap.push(s, b, j);
        }
        if (opts.trackInvalid) {
          // Unconstrained expansion over every token, checked against the trie below.
          for (let tok = 0; tok < K; tok++) {
            const s = base + lp[off + tok]!;
            if (s > free.min) free.push(s, b, tok);
          }
        }
      }
      if (opts.trackInvalid) {
        for (let i = 0; i < free.size; i++) {
          const node = qNodes[free.a[i]!]!;
          const tok = free.b[i]!;
          let valid = false;
          for (let j = trie.childPtr[node]!; j < trie.childPtr[node + 1]!; j++) {
            if (trie.childToken[j] === tok) {
              valid = true;
              break;
            }
          }
          if (!valid) {
            invalid++;
            if (t === L - 1) invalidFinal++;
          }
        }
        considered += free.size;
        if (t === L - 1) consideredFinal += free.size;
      }
      const order = heap.sortedOrder();
      const nb = order.length;
      const nn = new Int32Array(nb);
      const ns = new Float64Array(nb);
      const np = new Int32Array(nb * (t + 1));
      const nl = new Float32Array(nb * (t + 1));
      const qPre = prefixes[q]!;
      const qLp = stepLp[q]!;
      for (let i = 0; i < nb; i++) {
        const h = order[i]!;
        const b = heap.a[h]!;
        const j = heap.b[h]!;
        nn[i] = trie.childNode[j]!;
        ns[i] = heap.score[h]!;
        np.set(qPre.subarray(b * t, (b + 1) * t), i * (t + 1));
        np[i * (t + 1) + t] = trie.childToken[j]!;
        nl.set(qLp.subarray(b * t, (b + 1) * t), i * (t + 1));
        nl[i * (t + 1) + t] = ns[i]! - qScores[b]!;
      }
      nextNodes.push(nn);
      nextScores.push(ns);
      nextPrefixes.push(np);
      nextStepLp.push(nl);
    }
    nodes = nextNodes;
    scores = nextScores;
    prefixes = nextPrefixes;
    stepLp = nextStepLp;
  }
  let bad = 0;
  let total = 0;
  const results: BeamResult[] = [];
  for (let q = 0; q < nQueries; q++) {
    const ids = prefixes[q]!;
    const nb = nodes[q]!.length;
    for (let b = 0; b < nb; b++) {
      total++;
      if (!trieHas(trie, ids.subarray(b * L, (b + 1) * L))) bad++;
    }
    results.push({ ids, scores: scores[q]!, leaves: nodes[q]!, tokenLogProbs: stepLp[q]! });
  }
  return {
    results,
    stats: {
      invalidBeforeTrie: considered ? invalid / considered : 0,
      invalidBeforeTrieFinal: consideredFinal ? invalidFinal / consideredFinal : 0,
      invalidAfterTrie: total ? bad / total : 0,
    },
  };
}

/** Beam search for one query; `stepLogProbs` receives only the prefixes. */
export async function beamSearch(
  stepLogProbs: (prefixes: Int32Array, count: number, t: number) => Promise<Float32Array> | Float32Array,
  trie: IdTrie,
  beam: number,
): Promise<BeamResult> {
  const { results } = await beamSearchBatch((rows) => stepLogProbs(rows.prefixes, rows.count, rows.t), 1, trie, beam);
  return results[0]!;
}

/** Exhaustive scoring of every valid ID (the reference for beam search): leaves sorted by summed log-prob. */
export async function exhaustiveScores(
  stepLogProbs: (prefixes: Int32Array, count: number, t: number) => Promise<Float32Array> | Float32Array,
  trie: IdTrie,
): Promise<{ leaves: Int32Array; scores: Float64Array }> {
  const L = trie.layers;
  const leaves = trie.leaves;
  const scores = new Float64Array(leaves.length);
  const ids = new Int32Array(leaves.length * L);
  // Reconstruct each leaf's path from the trie.
  for (let i = 0; i < leaves.length; i++) {
    let v = leaves[i]!;
    for (let l = L - 1; l >= 0; l--) {
      const p = trie.parent[v]!;
      for (let j = trie.childPtr[p]!; j < trie.childPtr[p + 1]!; j++) if (trie.childNode[j] === v) ids[i * L + l] = trie.childToken[j]!;
      v = p;
    }
  }
  for (let t = 0; t < L; t++) {
    const K = trie.codebookSizes[t]!;
    const pre = new Int32Array(leaves.length * t);
    for (let i = 0; i < leaves.length; i++) pre.set(ids.subarray(i * L, i * L + t), i * t);
    const lp = await stepLogProbs(pre, leaves.length, t);
    for (let i = 0; i < leaves.length; i++) scores[i] = scores[i]! + lp[i * K + ids[i * L + t]!]!;
  }
  const order = Array.from({ length: leaves.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { leaves: Int32Array.from(order, (i) => leaves[i]!), scores: Float64Array.from(order, (i) => scores[i]!) };
}

/** Union of the items of the top-b leaf buckets, in beam order (the candidate set of URI §4.4). */
export function candidatesOf(trie: IdTrie, leaves: Int32Array, b = leaves.length): Int32Array {
  let size = 0;
  const nb = Math.min(b, leaves.length);
  for (let i = 0; i < nb; i++) size += trie.end[leaves[i]!]! - trie.start[leaves[i]!]!;
  const out = new Int32Array(size);
  let o = 0;
  for (let i = 0; i < nb; i++) {
    const leaf = leaves[i]!;
    out.set(trie.items.subarray(trie.start[leaf]!, trie.end[leaf]!), o);
    o += trie.end[leaf]! - trie.start[leaf]!;
  }
  return out;
}
