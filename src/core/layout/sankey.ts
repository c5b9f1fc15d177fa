/**
 * Category → codebook Sankey (CAT-ID² Fig. 3): one column of category nodes at a chosen level, then one column of
 * tokens per chosen ID layer. Node size = items, link width = items that take both nodes. A 256-entry codebook would
 * give 256 slivers per column, so each token column keeps its `maxTokens - 1` largest tokens and folds the tail into
 * one "other" node (same for categories beyond `topCategories`).
 *
 * Layout is data: this file returns positioned nodes and links (d3-sankey's layout is DOM-free); React only draws.
 */
import { sankey as d3Sankey, type SankeyGraph } from 'd3-sankey';
import { round2, round4, tokenLabel } from './tokens';
import type { LayerPurity, SankeyLayout, SankeyLinkOut, SankeyNodeKind, SankeyNodeOut } from '../../shared/api/views';
export type { LayerPurity, SankeyLayout, SankeyLinkOut, SankeyNodeKind, SankeyNodeOut };

export interface SankeyInput {
  /** codes[i * layers + l]. */
  codes: Int32Array;
  layers: number;
  /** DatasetArrays.categoryLevels (n × depth, -1 = none). */
  categoryLevels: Int32Array;
  depth: number;
  /** Category node id → display name. */
  categoryName: (id: number) => string;
}

export interface SankeyOptions {
  /** Category node id: only items under it are drawn. */
  subtree?: number;
  /**
   * 1-based category level drawn on the left. Default: the level below the subtree, or the first level where the
   * items fall into more than one category (Scientific's level 1 is a single root).
   */
  categoryLevel?: number;
  /** Categories kept as their own node (largest first); default 10 as in CAT-ID² Fig. 3. */
  topCategories?: number;
  /** 0-based ID layers to draw, default all. */
  layers?: number[];
  /** Token nodes per layer column including the "other" node; default 24. */
  maxTokens?: number;
  width?: number;
  height?: number;
  nodeWidth?: number;
  nodePadding?: number;
}

interface Resolved {
  members: Int32Array;
  level: number;
  layers: number[];
  /** keys[c][k] = node id of member k in column c. */
  keys: string[][];
  nodeMeta: Map<string, { label: string; kind: SankeyNodeKind; column: number; layer: number | null; ref: number | null; members: number }>;
  purity: LayerPurity[];
}

const OTHER_CATEGORY = 'c:other';
const NO_CATEGORY = 'c:none';

function resolve(input: SankeyInput, opts: SankeyOptions): Resolved {
  const { codes, layers: L, categoryLevels: cl, depth } = input;
  const n = codes.length / L;
  if (cl.length !== n * depth) throw new Error(`sankey: categoryLevels has ${cl.length} entries, expected ${n} × ${depth}`);
  const layers = (opts.layers ?? Array.from({ length: L }, (_, l) => l)).filter((l) => l >= 0 && l < L);
  const shown = [...new Set(layers)].sort((a, b) => a - b);
  if (shown.length === 0) throw new Error(`sankey: no valid layer among ${JSON.stringify(opts.layers)} (run has ${L})`);
  const topCategories = Math.max(1, opts.topCategories ?? 10);
  const maxTokens = Math.max(2, opts.maxTokens ?? 24);

  // Subtree filter.
  let subtreeLevel = -1;
  const memberList: number[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.subtree == null) {
      memberList.push(i);
      continue;
    }
    for (let l = 0; l < depth; l++) {
      if (cl[i * depth + l] === opts.subtree) {
        memberList.push(i);
        subtreeLevel = l;
        break;
      }
    }
  }
  const members = Int32Array.from(memberList);

  // Category level (1-based) drawn on the left.
  let level = opts.categoryLevel ?? 0;
  if (!level) {
    if (subtreeLevel >= 0) level = Math.min(depth, subtreeLevel + 2);
    else {
      level = depth > 0 ? 1 : 0;
      for (let l = 0; l < depth; l++) {
        const seen = new Set<number>();
        for (const i of members) if (cl[i * depth + l]! >= 0) seen.add(cl[i * depth + l]!);
        level = l + 1;
        if (seen.size > 1) break;
      }
    }
  }
  level = Math.max(0, Math.min(depth, level));
  const catOf = (i: number): number => (level > 0 ? cl[i * depth + level - 1]! : -1);

  const nodeMeta: Resolved['nodeMeta'] = new Map();
  const keys: string[][] = [];

  // Category column: the largest topCategories categories, the rest folded into "other".
  const catCount = new Map<number, number>();
  for (const i of members) {
    const c = catOf(i);
    if (c >= 0) catCount.set(c, (catCount.get(c) ?? 0) + 1);
  }
  const catsRanked = [...catCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const keptCats = new Set(catsRanked.slice(0, topCategories).map(([c]) => c));
  const folded = catsRanked.length - keptCats.size;
  keys.push(
    Array.from(members, (i) => {
      const c = catOf(i);
      if (c < 0) return NO_CATEGORY;
      return keptCats.has(c) ? `c:${c}` : OTHER_CATEGORY;
    }),
  );
  for (const c of keptCats) nodeMeta.set(`c:${c}`, { label: input.categoryName(c), kind: 'category', column: 0, layer: null, ref: c, members: 1 });
  if (folded > 0)
    nodeMeta.set(OTHER_CATEGORY, { label: `other categories (${folded})`, kind: 'other', column: 0, layer: null, ref: null, members: folded });
  nodeMeta.set(NO_CATEGORY, { label: `no level-${level} category`, kind: 'other', column: 0, layer: null, ref: null, members: 1 });

  // Token columns with tail aggregation, plus purity per shown layer.
  const purity: LayerPurity[] = [];
  shown.forEach((layer, ci) => {
    const column = ci + 1;
    const count = new Map<number, number>();
    for (const i of members) {
      const t = codes[i * L + layer]!;
      count.set(t, (count.get(t) ?? 0) + 1);
    }
    const ranked = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const keep = ranked.length > maxTokens ? ranked.slice(0, maxTokens - 1) : ranked;
    const kept = new Set(keep.map(([t]) => t));
    const foldedTokens = ranked.length - kept.size;
    const other = `t${layer}:other`;
    keys.push(Array.from(members, (i) => {
      const t = codes[i * L + layer]!;
      return kept.has(t) ? `t${layer}:${t}` : other;
    }));
    for (const t of kept) nodeMeta.set(`t${layer}:${t}`, { label: tokenLabel(layer, t), kind: 'token', column, layer, ref: t, members: 1 });
    if (foldedTokens > 0)
      nodeMeta.set(other, { label: `other tokens (${foldedTokens})`, kind: 'other', column, layer, ref: null, members: foldedTokens });
    purity.push({
      layer,
      tokenPurity: round4(bucketPurity(members, catOf, (i) => String(codes[i * L + layer]))),
      prefixPurity: round4(bucketPurity(members, catOf, (i) => codes.subarray(i * L, i * L + layer + 1).join(','))),
      usedTokens: ranked.length,
      shownTokens: kept.size + (foldedTokens > 0 ? 1 : 0),
    });
  });
  return { members, level, layers: shown, keys, nodeMeta, purity };
}

/** Σ_bucket max_category count / items-with-category (1 = every bucket holds a single category). */
function bucketPurity(members: Int32Array, catOf: (i: number) => number, bucketOf: (i: number) => string): number {
  const counts = new Map<string, Map<number, number>>();
  let total = 0;
  for (const i of members) {
    const c = catOf(i);
    if (c < 0) continue;
    total++;
    const b = bucketOf(i);
    let m = counts.get(b);
    if (!m) counts.set(b, (m = new Map()));
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  if (total === 0) return 0;
  let sum = 0;
  for (const m of counts.values()) sum += Math.max(...m.values());
  return sum / total;
}

export function categoryCodebookSankey(input: SankeyInput, opts: SankeyOptions = {}): SankeyLayout {
  const width = opts.width ?? 960;
  const height = opts.height ?? 560;
  const r = resolve(input, opts);
  const nCols = r.keys.length;

  // Node values and links between consecutive columns.
  const value = new Map<string, number>();
  const linkValue = new Map<string, number>();
  for (let k = 0; k < r.members.length; k++) {
    for (let c = 0; c < nCols; c++) {
      const id = r.keys[c]![k]!;
      value.set(id, (value.get(id) ?? 0) + 1);
      if (c + 1 < nCols) {
        const lk = `${id}|${r.keys[c + 1]![k]!}`;
        linkValue.set(lk, (linkValue.get(lk) ?? 0) + 1);
      }
    }
  }

  // Order inside each column: the category column by size ("other" nodes last); each later column by the barycentre
  // of its incoming links (one sweep of crossing reduction), "other" last. Deterministic, unlike random restarts.
  const order = new Map<string, number>();
  const byColumn: string[][] = Array.from({ length: nCols }, () => []);
  for (const id of value.keys()) byColumn[r.nodeMeta.get(id)!.column]!.push(id);
  const isOther = (id: string): number => (r.nodeMeta.get(id)!.kind === 'other' ? 1 : 0);
  byColumn[0]!.sort((a, b) => isOther(a) - isOther(b) || value.get(b)! - value.get(a)! || a.localeCompare(b));
  byColumn[0]!.forEach((id, k) => order.set(id, k));
  const incoming = new Map<string, [string, number][]>();
  for (const [lk, v] of linkValue) {
    const [s, t] = lk.split('|') as [string, string];
    let arr = incoming.get(t);
    if (!arr) incoming.set(t, (arr = []));
    arr.push([s, v]);
  }
  for (let c = 1; c < nCols; c++) {
    const bary = new Map<string, number>();
    for (const id of byColumn[c]!) {
      let s = 0;
      let w = 0;
      for (const [src, v] of incoming.get(id) ?? []) {
        s += order.get(src)! * v;
        w += v;
      }
      bary.set(id, w ? s / w : 0);
    }
    byColumn[c]!.sort((a, b) => isOther(a) - isOther(b) || bary.get(a)! - bary.get(b)! || value.get(b)! - value.get(a)! || a.localeCompare(b));
    byColumn[c]!.forEach((id, k) => order.set(id, k));
  }

  interface N {
    id: string;
  }
  interface Lk {
    lid: string;
  }
  const graph: SankeyGraph<N, Lk> = {
    nodes: [...value.keys()].sort((a, b) => r.nodeMeta.get(a)!.column - r.nodeMeta.get(b)!.column || order.get(a)! - order.get(b)!).map((id) => ({ id })),
    links: [...linkValue.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([lk, v]) => {
        const [s, t] = lk.split('|') as [string, string];
        return { source: s, target: t, value: v, lid: lk };
      }),
  };
  const nodeWidth = opts.nodeWidth ?? 14;
  const labelRoom = 150;
  const layout = d3Sankey<N, Lk>()
    .nodeId((d) => d.id)
    .nodeWidth(nodeWidth)
    .nodePadding(opts.nodePadding ?? 6)
    .nodeAlign((node) => r.nodeMeta.get(node.id)!.column)
    .nodeSort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .linkSort(null)
    .extent([
      [labelRoom, 8],
      [width - labelRoom, height - 8],
    ]);
  const g = r.members.length ? layout(graph) : { nodes: [], links: [] };

  const nodes: SankeyNodeOut[] = g.nodes.map((d) => {
    const m = r.nodeMeta.get(d.id)!;
    return {
      id: d.id,
      label: m.label,
      kind: m.kind,
      column: m.column,
      layer: m.layer,
      ref: m.ref,
      members: m.members,
      value: d.value ?? 0,
      x0: round2(d.x0 ?? 0),
      x1: round2(d.x1 ?? 0),
      y0: round2(d.y0 ?? 0),
      y1: round2(d.y1 ?? 0),
    };
  });
  const links: SankeyLinkOut[] = g.links.map((d) => {
    const s = d.source as N & { x1?: number };
    const t = d.target as N & { x0?: number };
    return {
      source: s.id,
      target: t.id,
      value: d.value,
      width: round2(d.width ?? 0),
      y0: round2(d.y0 ?? 0),
      y1: round2(d.y1 ?? 0),
      sx: round2(s.x1 ?? 0),
      tx: round2(t.x0 ?? 0),
    };
  });
  const colX = (c: number): number => nodes.find((d) => d.column === c)?.x0 ?? 0;
  return {
    width,
    height,
    items: r.members.length,
    categoryLevel: r.level,
    columns: [
      { label: `category level ${r.level}`, layer: null, x: colX(0) },
      ...r.layers.map((l, k) => ({ label: `layer ${l + 1}`, layer: l, x: colX(k + 1) })),
    ],
    nodes,
    links,
    purity: r.purity,
  };
}

/** Items behind a Sankey node (`node`) or link (`link` = [source id, target id]), in item order. */
export function sankeySelectItems(input: SankeyInput, opts: SankeyOptions, sel: { node?: string; link?: [string, string] }): Int32Array {
  const r = resolve(input, opts);
  const out: number[] = [];
  const colOf = (id: string): number => r.nodeMeta.get(id)?.column ?? -1;
  if (sel.link) {
    const [s, t] = sel.link;
    const cs = colOf(s);
    const ct = colOf(t);
    if (cs < 0 || ct !== cs + 1) return new Int32Array(0);
    for (let k = 0; k < r.members.length; k++) if (r.keys[cs]![k] === s && r.keys[ct]![k] === t) out.push(r.members[k]!);
  } else if (sel.node) {
    const c = colOf(sel.node);
    if (c < 0) return new Int32Array(0);
    for (let k = 0; k < r.members.length; k++) if (r.keys[c]![k] === sel.node) out.push(r.members[k]!);
  }
  return Int32Array.from(out);
}
