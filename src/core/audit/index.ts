/**
 * The ID-quality audit: model-independent measures of a semantic-ID table against the dataset, computed right after
 * construction (or on an imported table). Every per-layer array is indexed by layer l = 0..L-1 and, unless said
 * otherwise, measures the partition by the PREFIX of length l+1 (items share a bucket iff their first l+1 tokens are
 * equal), which is what a generative retriever decodes step by step.
 */
import type { DatasetArrays } from '../data/arrays';
import { averagePartitionEntropy, prefixBuckets } from '../kernels/ape';
import { categoryAtLevel, informativeLevels } from '../ids/categories';
import { collisionStats, type CollisionStats } from '../ids/collisions';
import { Rng } from '../util/random';

export interface IdTableLike {
  codes: Int32Array;
  layers: number;
  codebookSizes: number[];
}

export interface AuditReport {
  items: number;
  layers: number;
  codebookSizes: number[];
  /** APE (URI §3, natural log) of the prefix partition of length l+1; see averagePartitionEntropy for the reading. */
  ape: number[];
  /** Queries averaged in APE (those with ≥ 1 train positive). */
  apeQueries: number;
  /** Share of items whose full ID is shared with another item. */
  collisionRate: number;
  collisions: CollisionStats;
  /** Distinct prefixes of length l+1. */
  buckets: number[];
  /** Largest prefix bucket of length l+1 (the last one = largest identical-ID group). */
  maxBucket: number[];
  /** Per-layer TOKEN usage: distinct tokens used at layer l / codebook size. */
  utilization: number[];
  /** exp(entropy) of the token distribution at layer l (equals K for a perfectly uniform layer). */
  perplexity: number[];
  /** Codebook entries never used at layer l. */
  deadCodes: number[];
  /**
   * Purity of the prefix partition l+1 against category level l+1, counted over the informative category levels
   * (a constant root level such as "Industrial & Scientific" is skipped; see src/core/ids/categories.ts); beyond the
   * dataset's depth the deepest level is used. Items without a category at that level are left out. null when the
   * dataset has no categories.
   */
  categoryPurity: (number | null)[];
  /** NMI (arithmetic normalisation 2I/(H(B)+H(C)), as sklearn's default) of the same pair of partitions. */
  categoryNmi: (number | null)[];
  /** The absolute (1-based, root = 1) tree level each layer was compared with; 0 = none. */
  categoryLevelUsed: number[];
  /**
   * Mean shared-prefix length (0..L tokens) of item pairs in the same leaf category (deepest known node) vs uniformly
   * random distinct item pairs; 20,000 pairs each, sampled with Rng(20251122) so reports are reproducible.
   */
  prefixAgreement: { sameLeaf: number; random: number; pairs: number };
  ms: number;
}

const PAIRS = 20_000;
const PAIR_SEED = 20251122;

function purityAndNmi(bucket: Int32Array, nBuckets: number, labels: Int32Array): { purity: number; nmi: number } | null {
  const n = bucket.length;
  let maxLabel = 0;
  let labelled = 0;
  for (let i = 0; i < n; i++) if (labels[i]! >= 0) (labelled++, (maxLabel = Math.max(maxLabel, labels[i]!)));
  if (labelled === 0) return null;
  const stride = maxLabel + 1;
  const joint = new Map<number, number>();
  const nb = new Float64Array(nBuckets);
  const nc = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    const key = bucket[i]! * stride + c;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    nb[bucket[i]!]!++;
    nc.set(c, (nc.get(c) ?? 0) + 1);
  }
  const best = new Float64Array(nBuckets);
  let mi = 0;
  for (const [key, cnt] of joint) {
    const b = Math.floor(key / stride);
    const c = key - b * stride;
    if (cnt > best[b]!) best[b] = cnt;
    mi += (cnt / labelled) * Math.log((cnt * labelled) / (nb[b]! * nc.get(c)!));
  }
  let purity = 0;
  for (const v of best) purity += v;
  let hb = 0;
  for (const v of nb) if (v > 0) hb -= (v / labelled) * Math.log(v / labelled);
  let hc = 0;
  for (const v of nc.values()) hc -= (v / labelled) * Math.log(v / labelled);
  const nmi = hb + hc === 0 ? 1 : Math.max(0, (2 * mi) / (hb + hc));
  return { purity: purity / labelled, nmi };
}

function sharedPrefix(codes: Int32Array, L: number, i: number, j: number): number {
  let s = 0;
  while (s < L && codes[i * L + s] === codes[j * L + s]) s++;
  return s;
}

/** Deepest known category node of every item (-1 when none). */
function leafCategory(data: DatasetArrays): Int32Array {
  const out = new Int32Array(data.nItems).fill(-1);
  for (let i = 0; i < data.nItems; i++) {
    for (let l = data.depth - 1; l >= 0; l--) {
      const c = data.categoryLevels[i * data.depth + l]!;
      if (c >= 0) {
        out[i] = c;
        break;
      }
    }
  }
  return out;
}

function prefixAgreement(codes: Int32Array, L: number, data: DatasetArrays): AuditReport['prefixAgreement'] {
  const n = data.nItems;
  const rng = new Rng(PAIR_SEED);
  const leaf = leafCategory(data);
  const byLeaf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (leaf[i]! < 0) continue;
    let m = byLeaf.get(leaf[i]!);
    if (!m) byLeaf.set(leaf[i]!, (m = []));
    m.push(i);
  }
  const eligible: number[] = [];
  for (const m of byLeaf.values()) if (m.length >= 2) eligible.push(...m);
  eligible.sort((a, b) => a - b);
  let same = 0;
  let samePairs = 0;
  if (eligible.length > 0) {
    for (let p = 0; p < PAIRS; p++) {
      const i = eligible[rng.int(eligible.length)]!;
      const g = byLeaf.get(leaf[i]!)!;
      let j = g[rng.int(g.length - 1)]!;
      if (j === i) j = g[g.length - 1]!;
      same += sharedPrefix(codes, L, i, j);
      samePairs++;
    }
  }
  let rnd = 0;
  let rndPairs = 0;
  if (n >= 2) {
    for (let p = 0; p < PAIRS; p++) {
      const i = rng.int(n);
      let j = rng.int(n - 1);
      if (j >= i) j++;
      rnd += sharedPrefix(codes, L, i, j);
      rndPairs++;
    }
  }
  return { sameLeaf: samePairs ? same / samePairs : 0, random: rndPairs ? rnd / rndPairs : 0, pairs: PAIRS };
}

/** Audits one ID table against the dataset. Pure and deterministic. */
export function auditIds(table: IdTableLike, data: DatasetArrays): AuditReport {
  const t0 = Date.now();
  const { codes, layers: L, codebookSizes } = table;
  const n = data.nItems;
  if (codes.length !== n * L) throw new Error(`auditIds: table has ${codes.length} codes, expected ${n} items x ${L} layers`);
  const { ids, counts } = prefixBuckets(codes, n, L, codebookSizes);
  const ape: number[] = [];
  let apeQueries = 0;
  const maxBucket: number[] = [];
  for (let l = 0; l < L; l++) {
    const r = averagePartitionEntropy(ids[l]!, data.train, data.nQueries);
    ape.push(r.ape);
    apeQueries = r.queries;
    const size = new Int32Array(counts[l]!);
    let mx = 0;
    for (let i = 0; i < n; i++) mx = Math.max(mx, ++size[ids[l]![i]!]!);
    maxBucket.push(mx);
  }
  const utilization: number[] = [];
  const perplexity: number[] = [];
  const deadCodes: number[] = [];
  for (let l = 0; l < L; l++) {
    const K = codebookSizes[l]!;
    let maxTok = K;
    for (let i = 0; i < n; i++) maxTok = Math.max(maxTok, codes[i * L + l]! + 1);
    const cnt = new Int32Array(maxTok);
    for (let i = 0; i < n; i++) cnt[codes[i * L + l]!]!++;
    let used = 0;
    let h = 0;
    for (let j = 0; j < maxTok; j++) {
      if (cnt[j]! === 0) continue;
      used++;
      const p = cnt[j]! / n;
      h -= p * Math.log(p);
    }
    utilization.push(used / K);
    perplexity.push(Math.exp(h));
    deadCodes.push(Math.max(0, K - used));
  }
  const levels = informativeLevels(data);
  const categoryPurity: (number | null)[] = [];
  const categoryNmi: (number | null)[] = [];
  const categoryLevelUsed: number[] = [];
  for (let l = 0; l < L; l++) {
    const { labels, usedLevel } = categoryAtLevel(data, levels, l + 1);
    categoryLevelUsed.push(usedLevel);
    const r = usedLevel > 0 ? purityAndNmi(ids[l]!, counts[l]!, labels) : null;
    categoryPurity.push(r?.purity ?? null);
    categoryNmi.push(r?.nmi ?? null);
  }
  const collisions = collisionStats(codes, n, L, codebookSizes);
  return {
    items: n,
    layers: L,
    codebookSizes: [...codebookSizes],
    ape,
    apeQueries,
    collisionRate: collisions.rate,
    collisions,
    buckets: counts,
    maxBucket,
    utilization,
    perplexity,
    deadCodes,
    categoryPurity,
    categoryNmi,
    categoryLevelUsed,
    prefixAgreement: prefixAgreement(codes, L, data),
    ms: Date.now() - t0,
  };
}
