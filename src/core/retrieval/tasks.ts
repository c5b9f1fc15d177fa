/**
 * The three retrieval tasks as example sets over DatasetArrays:
 * - `search`: a text query → its relevant items (the query vector comes from its text; no history);
 * - `general`: a user → held-out items; the user is represented by their history (train, plus valid at test time),
 *   and the history is excluded from the ranking (items a user already has are not recommended again);
 * - `sequential`: the last ≤ H items (default 20, as URI/TIGER) → the next item, leave-last-out; train examples are
 *   every prefix of the train sequence, valid = the second-to-last item, test = the last one.
 */
import type { RetrievalTask } from '../../shared/types';
import { type Csr, type DatasetArrays, csrRow } from '../data/arrays';

export const DEFAULT_HISTORY = 20;

export interface TaskExamples {
  task: RetrievalTask;
  n: number;
  /** Dataset query idx of each example. */
  query: Int32Array;
  /** hist[e * H .. (e + 1) * H): history items, left-padded with -1, most recent last (H = 0 for search). */
  hist: Int32Array;
  H: number;
  /** Relevant items of each example (exactly one for training pairs). */
  relevant: Csr;
  /** Whether the history should be excluded from the ranking (general recommendation). */
  excludeHistory: boolean;
}

function pushHistory(out: number[], items: ArrayLike<number>, H: number): void {
  const n = Math.min(H, items.length);
  for (let p = 0; p < H - n; p++) out.push(-1);
  for (let p = items.length - n; p < items.length; p++) out.push(items[p]!);
}

function finish(task: RetrievalTask, query: number[], hist: number[], H: number, rel: number[][]): TaskExamples {
  const ptr = new Int32Array(rel.length + 1);
  rel.forEach((r, e) => (ptr[e + 1] = ptr[e]! + r.length));
  return {
    task,
    n: query.length,
    query: Int32Array.from(query),
    hist: Int32Array.from(hist),
    H,
    relevant: { ptr, items: Int32Array.from(rel.flat()) },
    excludeHistory: task === 'general',
  };
}

/** Training pairs (one relevant item per example). */
export function trainExamples(data: DatasetArrays, task: RetrievalTask, H = DEFAULT_HISTORY): TaskExamples {
  const query: number[] = [];
  const hist: number[] = [];
  const rel: number[][] = [];
  const h = task === 'search' ? 0 : H;
  for (let q = 0; q < data.nQueries; q++) {
    const seq = csrRow(data.train, q);
    if (task === 'search') {
      for (const it of seq) (query.push(q), rel.push([it]));
    } else if (task === 'sequential') {
      for (let t = 1; t < seq.length; t++) {
        query.push(q);
        pushHistory(hist, seq.subarray(0, t), h);
        rel.push([seq[t]!]);
      }
    } else {
      if (seq.length < 2) continue;
      for (let t = 0; t < seq.length; t++) {
        query.push(q);
        const others = [...seq.subarray(0, t), ...seq.subarray(t + 1)];
        pushHistory(hist, others, h);
        rel.push([seq[t]!]);
      }
    }
  }
  return finish(task, query, hist, h, rel);
}

/** Evaluation queries of a split: every query with at least one relevant item there. */
export function evalExamples(data: DatasetArrays, task: RetrievalTask, split: 'valid' | 'test', H = DEFAULT_HISTORY): TaskExamples {
  const target: Csr = split === 'test' ? data.test : data.valid;
  const query: number[] = [];
  const hist: number[] = [];
  const rel: number[][] = [];
  const h = task === 'search' ? 0 : H;
  for (let q = 0; q < data.nQueries; q++) {
    const r = csrRow(target, q);
    if (r.length === 0) continue;
    query.push(q);
    if (h > 0) {
      const known = split === 'test' ? [...csrRow(data.train, q), ...csrRow(data.valid, q)] : [...csrRow(data.train, q)];
      pushHistory(hist, known, h);
    }
    rel.push([...new Set(r)]);
  }
  return finish(task, query, hist, h, rel);
}

/** A subset of examples (by example index), e.g. a sample for per-epoch validation. */
export function subsetExamples(ex: TaskExamples, idx: ArrayLike<number>): TaskExamples {
  const query: number[] = [];
  const hist: number[] = [];
  const rel: number[][] = [];
  for (let j = 0; j < idx.length; j++) {
    const e = idx[j]!;
    query.push(ex.query[e]!);
    for (let p = 0; p < ex.H; p++) hist.push(ex.hist[e * ex.H + p]!);
    rel.push([...csrRow(ex.relevant, e)]);
  }
  const out = finish(ex.task, query, hist, ex.H, rel);
  out.excludeHistory = ex.excludeHistory;
  return out;
}

/** The history items of example e (no padding). */
export function historyOf(ex: TaskExamples, e: number): Int32Array {
  const row = ex.hist.subarray(e * ex.H, (e + 1) * ex.H);
  let s = 0;
  while (s < row.length && row[s]! < 0) s++;
  return row.subarray(s);
}

/** The positive item of each training example in rows (trainExamples gives every example exactly one). */
export function positivesOf(ex: TaskExamples, rows: ArrayLike<number>): Int32Array {
  return Int32Array.from(rows as ArrayLike<number>, (e) => ex.relevant.items[ex.relevant.ptr[e]!]!);
}
