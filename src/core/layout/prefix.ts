/**
 * Prefix tree of a semantic-ID table and the words that characterise a prefix (CAT-ID² Fig. 6: `<a_31>` covers
 * connectivity devices, `<a_31><b_229>` smart TVs). Word weights are computed here; the d3-cloud placement needs a
 * canvas and runs in the renderer only.
 */
import { prefixLabel, round4 } from './tokens';
import type { PrefixNode, WordWeight } from '../../shared/api/views';
export type { PrefixNode, WordWeight };

export interface PrefixTreeOptions {
  /** Start below this prefix (default root). */
  prefix?: number[];
  /** Layers expanded below the start (default 2). */
  depth?: number;
  /** Children kept per node, largest first (default 64); the rest are counted in childCount only. */
  maxChildren?: number;
}

/** The prefix tree below `opts.prefix`, `opts.depth` layers deep, children sorted by count desc then token. */
export function prefixTree(codes: Int32Array, layers: number, opts: PrefixTreeOptions = {}): PrefixNode {
  const start = opts.prefix ?? [];
  if (start.length > layers) throw new Error(`prefix has ${start.length} tokens but the run has ${layers} layers`);
  const depth = Math.max(0, Math.min(opts.depth ?? 2, layers - start.length));
  const maxChildren = opts.maxChildren ?? 64;
  const n = codes.length / layers;
  const members: number[] = [];
  outer: for (let i = 0; i < n; i++) {
    for (let l = 0; l < start.length; l++) if (codes[i * layers + l] !== start[l]) continue outer;
    members.push(i);
  }
  const build = (prefix: number[], items: number[], remaining: number): PrefixNode => {
    const node: PrefixNode = { prefix, label: prefix.length ? prefixLabel(prefix) : '(root)', count: items.length, childCount: 0 };
    const layer = prefix.length;
    if (layer >= layers) return node;
    const groups = new Map<number, number[]>();
    for (const i of items) {
      const t = codes[i * layers + layer]!;
      let g = groups.get(t);
      if (!g) groups.set(t, (g = []));
      g.push(i);
    }
    node.childCount = groups.size;
    if (remaining > 0) {
      node.children = [...groups.entries()]
        .sort((a, b) => b[1].length - a[1].length || a[0] - b[0])
        .slice(0, maxChildren)
        .map(([t, g]) => build([...prefix, t], g, remaining - 1));
    }
    return node;
  };
  return build([...start], members, depth);
}

/** Items whose ID starts with `prefix`, in item order. */
export function prefixMembers(codes: Int32Array, layers: number, prefix: number[]): Int32Array {
  const n = codes.length / layers;
  const out: number[] = [];
  outer: for (let i = 0; i < n; i++) {
    for (let l = 0; l < prefix.length; l++) if (codes[i * layers + l] !== prefix[l]) continue outer;
    out.push(i);
  }
  return Int32Array.from(out);
}

/** English function words plus catalog boilerplate that would otherwise top every cloud. */
const STOPWORDS = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or that the this to was were will with ' +
    'without your you our we they them their not no all any each per pcs pc pack set x inch inches ft mm cm lb oz ' +
    'ml new pk qty'
  ).split(' '),
);

/** Lower-cased words of a title: letters/digits runs, ≥ 2 chars, no stopwords, no pure numbers. */
export function titleWords(title: string): string[] {
  const out: string[] = [];
  for (const m of title.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)) {
    const w = m[0].replace(/['-]+$/, '');
    if (w.length < 2 || STOPWORDS.has(w) || /^[\d.,-]+$/.test(w)) continue;
    out.push(w);
  }
  return out;
}

export interface CorpusStats {
  /** Number of titles. */
  docs: number;
  /** Word → number of titles containing it. */
  df: Map<string, number>;
}

export function corpusStats(titles: string[]): CorpusStats {
  const df = new Map<string, number>();
  for (const t of titles) for (const w of new Set(titleWords(t))) df.set(w, (df.get(w) ?? 0) + 1);
  return { docs: titles.length, df };
}

/**
 * TF-IDF of a prefix's titles against the whole catalog: tf = share of the prefix's titles containing the word
 * (document frequency inside the prefix, so one title repeating a word does not dominate), idf = ln(N / df). A word
 * must occur in at least 2 of the prefix's titles when the prefix holds ≥ 5 items, so single-title noise stays out.
 */
export function prefixWordWeights(titles: string[], members: ArrayLike<number>, stats: CorpusStats, opts: { top?: number } = {}): WordWeight[] {
  const top = opts.top ?? 60;
  const m = members.length;
  if (m === 0) return [];
  const inPrefix = new Map<string, number>();
  for (let k = 0; k < m; k++) for (const w of new Set(titleWords(titles[members[k]!] ?? ''))) inPrefix.set(w, (inPrefix.get(w) ?? 0) + 1);
  const minCount = m >= 5 ? 2 : 1;
  const out: WordWeight[] = [];
  for (const [word, count] of inPrefix) {
    if (count < minCount) continue;
    const df = stats.df.get(word) ?? count;
    const weight = (count / m) * Math.log(stats.docs / df);
    if (weight > 0) out.push({ word, count, weight: round4(weight) });
  }
  out.sort((a, b) => b.weight - a.weight || b.count - a.count || (a.word < b.word ? -1 : 1));
  return out.slice(0, top);
}

export interface CategoryShare {
  categoryId: number;
  count: number;
  share: number;
}

/** Category mix of a set of items at a 1-based level (-1 = no category at that level), largest first. */
export function categoryMix(members: ArrayLike<number>, categoryLevels: Int32Array, depth: number, level: number): CategoryShare[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < members.length; k++) {
    const c = level >= 1 && level <= depth ? categoryLevels[members[k]! * depth + level - 1]! : -1;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([categoryId, count]) => ({ categoryId, count, share: round4(count / members.length) }));
}
