/**
 * Side-by-side DocID table (CAT-ID² Table 8): items grouped by their category path, the IDs of two or more runs in
 * columns, and per run the prefix each item shares with another item of its group (what the paper highlights in red
 * and blue). Plus the diff of two runs and the collision groups of one run.
 */
import { prefixLabel, round4 } from './tokens';
import type { CollisionGroup, CollisionReport, DiffLayerStats, DiffRow, DocIdGroup, DocIdRow, DocIdTable, RunDiff } from '../../shared/api/views';
export type { CollisionGroup, CollisionReport, DiffLayerStats, DiffRow, DocIdGroup, DocIdRow, DocIdTable, RunDiff };

export interface DocIdRunInput {
  runId: number;
  name: string;
  codes: Int32Array;
  layers: number;
}

export interface DocIdItemInput {
  idx: number;
  title: string;
  categories: string[];
}

export interface DocIdTableOptions {
  groupLevels?: number;
  /** Case-insensitive substring of the title. */
  search?: string;
  /** Groups smaller than this are left out (default 2: a lone item shares nothing). */
  minGroupSize?: number;
  maxGroups?: number;
  maxRowsPerGroup?: number;
}

/** Mean over item pairs of the shared-prefix length = Σ_l Σ_prefix-groups C(size, 2) / C(m, 2). */
function meanPairPrefix(codes: Int32Array, layers: number, members: number[]): { sum: number; pairs: number } {
  const m = members.length;
  const pairs = (m * (m - 1)) / 2;
  let sum = 0;
  for (let l = 1; l <= layers; l++) {
    const counts = new Map<string, number>();
    for (const i of members) {
      const key = codes.subarray(i * layers, i * layers + l).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const c of counts.values()) sum += (c * (c - 1)) / 2;
  }
  return { sum, pairs };
}

function lcp(codes: Int32Array, layers: number, a: number, b: number): number {
  let l = 0;
  while (l < layers && codes[a * layers + l] === codes[b * layers + l]) l++;
  return l;
}

export function docIdTable(items: DocIdItemInput[], runs: DocIdRunInput[], opts: DocIdTableOptions = {}): DocIdTable {
  const groupLevels = Math.max(1, opts.groupLevels ?? 3);
  const minGroupSize = opts.minGroupSize ?? 2;
  const maxGroups = opts.maxGroups ?? 100;
  const maxRows = opts.maxRowsPerGroup ?? 25;
  const needle = opts.search?.trim().toLowerCase() ?? '';
  for (const r of runs) {
    if (r.codes.length < items.length * r.layers) throw new Error(`run ${r.runId} has fewer IDs than the dataset has items`);
  }
  const matched = needle ? items.filter((it) => it.title.toLowerCase().includes(needle)) : items;
  const byKey = new Map<string, DocIdItemInput[]>();
  for (const it of matched) {
    const key = it.categories.length ? it.categories.slice(0, groupLevels).join(' > ') : '(no category)';
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = []));
    g.push(it);
  }
  const totalSum = runs.map(() => 0);
  let totalPairs = 0;
  const groups: DocIdGroup[] = [];
  for (const [key, members] of byKey) {
    if (members.length < minGroupSize) continue;
    const idxs = members.map((m) => m.idx);
    const shared = members.map(() => runs.map(() => 0));
    const commonPrefix: number[] = [];
    const meanPair: number[] = [];
    runs.forEach((r, ri) => {
      // Max LCP with any other member = max LCP with a neighbour in lexicographic order.
      const order = idxs.map((_, k) => k).sort((a, b) => {
        for (let l = 0; l < r.layers; l++) {
          const d = r.codes[idxs[a]! * r.layers + l]! - r.codes[idxs[b]! * r.layers + l]!;
          if (d) return d;
        }
        return a - b;
      });
      let common = r.layers;
      for (let k = 0; k < order.length; k++) {
        const here = idxs[order[k]!]!;
        const prev = k > 0 ? lcp(r.codes, r.layers, here, idxs[order[k - 1]!]!) : 0;
        const next = k + 1 < order.length ? lcp(r.codes, r.layers, here, idxs[order[k + 1]!]!) : 0;
        shared[order[k]!]![ri] = Math.max(prev, next);
        if (k > 0) common = Math.min(common, prev);
      }
      commonPrefix.push(members.length > 1 ? common : 0);
      const mp = meanPairPrefix(r.codes, r.layers, idxs);
      meanPair.push(mp.pairs ? round4(mp.sum / mp.pairs) : 0);
      totalSum[ri]! += mp.sum;
      if (ri === 0) totalPairs += mp.pairs;
    });
    groups.push({
      key,
      size: members.length,
      commonPrefix,
      meanPairPrefix: meanPair,
      rows: members.slice(0, maxRows).map((it, k) => ({
        idx: it.idx,
        title: it.title,
        ids: runs.map((r) => Array.from(r.codes.subarray(it.idx * r.layers, (it.idx + 1) * r.layers))),
        shared: shared[k]!,
      })),
    });
  }
  groups.sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    runs: runs.map((r) => ({ runId: r.runId, name: r.name, layers: r.layers })),
    groupLevels,
    matchedItems: matched.length,
    totalGroups: groups.length,
    meanPairPrefix: totalSum.map((s) => (totalPairs ? round4(s / totalPairs) : 0)),
    groups: groups.slice(0, maxGroups),
  };
}

/** CSV rows (header first) of a DocID table: one row per shown item, one ID column per run. */
export function docIdCsvRows(t: DocIdTable): string[][] {
  const header = ['group', 'item_idx', 'title', ...t.runs.flatMap((r) => [`${r.name} id`, `${r.name} shared_prefix`])];
  const rows = t.groups.flatMap((g) =>
    g.rows.map((row) => [g.key, String(row.idx), row.title, ...row.ids.flatMap((ids, ri) => [prefixLabel(ids), String(row.shared[ri])])]),
  );
  return [header, ...rows];
}

/**
 * RFC 4180 CSV. A cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula
 * (titles are user data).
 */
export function toCsv(rows: (string | number)[][]): string {
  const cell = (v: string | number): string => {
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Diff of two runs

const c2 = (x: number): number => (x * (x - 1)) / 2;

export function diffRuns(a: { codes: Int32Array; layers: number }, b: { codes: Int32Array; layers: number }, opts: { limit?: number } = {}): RunDiff {
  const n = a.codes.length / a.layers;
  if (b.codes.length / b.layers !== n) throw new Error(`runs cover different item counts (${n} vs ${b.codes.length / b.layers})`);
  const limit = opts.limit ?? 500;
  const minL = Math.min(a.layers, b.layers);
  const layers: DiffLayerStats[] = [];
  for (let len = 1; len <= minL; len++) {
    const ka = new Map<string, number>();
    const kb = new Map<string, number>();
    const kab = new Map<string, number>();
    let identical = 0;
    for (let i = 0; i < n; i++) {
      const pa = a.codes.subarray(i * a.layers, i * a.layers + len).join(',');
      const pb = b.codes.subarray(i * b.layers, i * b.layers + len).join(',');
      if (pa === pb) identical++;
      ka.set(pa, (ka.get(pa) ?? 0) + 1);
      kb.set(pb, (kb.get(pb) ?? 0) + 1);
      const k = `${pa}|${pb}`;
      kab.set(k, (kab.get(k) ?? 0) + 1);
    }
    let sa = 0;
    let sb = 0;
    let sab = 0;
    for (const v of ka.values()) sa += c2(v);
    for (const v of kb.values()) sb += c2(v);
    for (const v of kab.values()) sab += c2(v);
    const expected = c2(n) ? (sa * sb) / c2(n) : 0;
    const maxIndex = (sa + sb) / 2;
    layers.push({
      length: len,
      identical: round4(identical / n),
      pairAgreementAB: round4(sa ? sab / sa : 1),
      pairAgreementBA: round4(sb ? sab / sb : 1),
      ari: round4(maxIndex - expected === 0 ? 1 : (sab - expected) / (maxIndex - expected)),
    });
  }
  const rows: DiffRow[] = [];
  let differing = 0;
  for (let i = 0; i < n; i++) {
    let first = -1;
    const maxL = Math.max(a.layers, b.layers);
    for (let l = 0; l < maxL; l++) {
      if (l >= a.layers || l >= b.layers || a.codes[i * a.layers + l] !== b.codes[i * b.layers + l]) {
        first = l;
        break;
      }
    }
    if (first < 0) continue;
    differing++;
    rows.push({
      idx: i,
      firstDiff: first,
      a: Array.from(a.codes.subarray(i * a.layers, (i + 1) * a.layers)),
      b: Array.from(b.codes.subarray(i * b.layers, (i + 1) * b.layers)),
    });
  }
  rows.sort((x, y) => x.firstDiff - y.firstDiff || x.idx - y.idx);
  return { items: n, differing, layers, rows: rows.slice(0, limit) };
}

// ---------------------------------------------------------------------------------------------------------------
// Collisions

export function collisionGroups(codes: Int32Array, layers: number, opts: { length?: number; limit?: number } = {}): CollisionReport {
  const len = Math.min(layers, opts.length ?? layers);
  const limit = opts.limit ?? 200;
  const n = codes.length / layers;
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = codes.subarray(i * layers, i * layers + len).join(',');
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = []));
    g.push(i);
  }
  const groups: CollisionGroup[] = [];
  const hist = new Map<number, number>();
  let colliding = 0;
  for (const [k, items] of byKey) {
    if (items.length < 2) continue;
    colliding += items.length;
    hist.set(items.length, (hist.get(items.length) ?? 0) + 1);
    groups.push({ key: k.split(',').map(Number), items });
  }
  groups.sort((x, y) => y.items.length - x.items.length || cmpKey(x.key, y.key));
  return {
    length: len,
    groups: groups.length,
    collidingItems: colliding,
    maxGroup: groups[0]?.items.length ?? 1,
    sizeHistogram: [...hist.entries()].sort((x, y) => x[0] - y[0]).map(([size, g]) => ({ size, groups: g })),
    top: groups.slice(0, limit),
  };
}

function cmpKey(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
