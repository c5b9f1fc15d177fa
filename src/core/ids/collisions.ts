/**
 * Collision handling, applied by the build runner after any builder: two items collide when their full IDs are equal.
 *
 * - `none`: leave the table, report the collisions.
 * - `suffix` (TIGER / GRID): append one token numbering the items of each identical-ID group 0, 1, 2, ... in item
 *   order; the extra layer's codebook size is the largest group.
 * - `sinkhorn` (LC-Rec / CAT-ID²; `sinkhornDecollide`): inside every prefix group (items sharing the first L-1
 *   tokens) that holds a collision, each last-layer code keeps its `cap` closest items (cap = ceil(m / K) for a group
 *   of m items, i.e. 1 whenever m ≤ K), and the other items are moved by entropic OT with uniform item mass and code
 *   mass proportional to each code's free slots, then rounded to a hard assignment that respects the slots. So the
 *   result has zero collisions whenever every prefix group has at most K items, and otherwise at most `cap` items
 *   per ID. Costs are the builder's `lastLayerDistances` when it provides them, else the squared embedding distance
 *   to the centroid of each code's members inside the prefix group (codes with no member get the row's mean cost,
 *   i.e. no preference).
 */
import { prefixBuckets } from '../kernels/ape';
import { roundPlan, sinkhorn } from '../kernels/sinkhorn';
import type { CollisionMode } from '../../shared/types';
import type { BuildResult } from './types';

export interface CollisionStats {
  /** Items whose full ID is shared with at least one other item. */
  collidingItems: number;
  /** Identical-ID groups with ≥ 2 items. */
  collidingGroups: number;
  /** Largest identical-ID group. */
  maxGroup: number;
  distinctIds: number;
  /** collidingItems / items. */
  rate: number;
}

export function collisionStats(codes: Int32Array, nItems: number, layers: number, codebookSizes: number[]): CollisionStats {
  if (nItems === 0) return { collidingItems: 0, collidingGroups: 0, maxGroup: 0, distinctIds: 0, rate: 0 };
  const { ids, counts } = prefixBuckets(codes, nItems, layers, codebookSizes);
  const full = ids[layers - 1]!;
  const size = new Int32Array(counts[layers - 1]!);
  for (let i = 0; i < nItems; i++) size[full[i]!]!++;
  let collidingItems = 0;
  let collidingGroups = 0;
  let maxGroup = 0;
  for (const s of size) {
    if (s > 1) (collidingItems += s), collidingGroups++;
    if (s > maxGroup) maxGroup = s;
  }
  return { collidingItems, collidingGroups, maxGroup, distinctIds: size.length, rate: collidingItems / nItems };
}

export interface CollisionOutcome {
  result: BuildResult;
  before: CollisionStats;
  after: CollisionStats;
  /** Items whose last token changed (sinkhorn) or that got a non-zero suffix (suffix). */
  moved: number;
  ms: number;
}

/** The suffix strategy: one extra token per item. */
export function suffixDecollide(r: BuildResult, nItems: number): BuildResult {
  const L = r.layers;
  const { ids, counts } = prefixBuckets(r.codes, nItems, L, r.codebookSizes);
  const full = ids[L - 1]!;
  const seen = new Int32Array(counts[L - 1]!);
  const codes = new Int32Array(nItems * (L + 1));
  let maxGroup = 1;
  for (let i = 0; i < nItems; i++) {
    codes.set(r.codes.subarray(i * L, (i + 1) * L), i * (L + 1));
    const s = seen[full[i]!]!++;
    codes[i * (L + 1) + L] = s;
    if (s + 1 > maxGroup) maxGroup = s + 1;
  }
  return { ...r, codes, layers: L + 1, codebookSizes: [...r.codebookSizes, maxGroup], lastLayerDistances: undefined };
}

/** Per-group fallback costs: squared distance of each item to the centroid of each last-layer code's members. */
function centroidCosts(members: number[], lastTok: Int32Array, K: number, emb: Float32Array, dim: number): Float32Array {
  const sums = new Float64Array(K * dim);
  const cnt = new Int32Array(K);
  for (const i of members) {
    const j = lastTok[i]!;
    cnt[j]!++;
    for (let t = 0; t < dim; t++) sums[j * dim + t]! += emb[i * dim + t]!;
  }
  const cost = new Float32Array(members.length * K);
  members.forEach((i, r) => {
    let total = 0;
    let defined = 0;
    for (let j = 0; j < K; j++) {
      if (cnt[j] === 0) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) {
        const diff = emb[i * dim + t]! - sums[j * dim + t]! / cnt[j]!;
        d += diff * diff;
      }
      cost[r * K + j] = d;
      total += d;
      defined++;
    }
    const mean = defined ? total / defined : 0;
    for (let j = 0; j < K; j++) if (cnt[j] === 0) cost[r * K + j] = mean;
  });
  return cost;
}

/**
 * The sinkhorn strategy (see the file comment). `eps` is the entropic regularisation relative to the group's max
 * cost (default 0.05: small enough that the rounded plan mostly follows the cost order, large enough to converge in
 * < 200 iterations).
 */
export function sinkhornDecollide(
  r: BuildResult,
  nItems: number,
  emb: Float32Array | null,
  dim: number,
  opts: { eps?: number } = {},
): { result: BuildResult; moved: number } {
  const L = r.layers;
  const K = r.codebookSizes[L - 1]!;
  const codes = r.codes.slice();
  const lastTok = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) lastTok[i] = codes[i * L + L - 1]!;
  const { ids } = prefixBuckets(codes, nItems, L, r.codebookSizes);
  const full = ids[L - 1]!;
  const prefix = L > 1 ? ids[L - 2]! : new Int32Array(nItems);
  const fullSize = new Map<number, number>();
  for (let i = 0; i < nItems; i++) fullSize.set(full[i]!, (fullSize.get(full[i]!) ?? 0) + 1);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < nItems; i++) {
    const g = prefix[i]!;
    let m = groups.get(g);
    if (!m) groups.set(g, (m = []));
    m.push(i);
  }
  let moved = 0;
  for (const members of groups.values()) {
    if (!members.some((i) => fullSize.get(full[i]!)! > 1)) continue;
    const m = members.length;
    const cap = Math.max(1, Math.ceil(m / K));
    let cost: Float32Array;
    if (r.lastLayerDistances) {
      cost = new Float32Array(m * K);
      members.forEach((i, row) => cost.set(r.lastLayerDistances!.subarray(i * K, (i + 1) * K), row * K));
    } else if (emb) {
      cost = centroidCosts(members, lastTok, K, emb, dim);
    } else {
      cost = new Float32Array(m * K).fill(1);
    }
    // Non-finite costs (codes that do not exist under this prefix) become twice the row's largest finite cost.
    for (let row = 0; row < m; row++) {
      let mx = 0;
      for (let j = 0; j < K; j++) if (Number.isFinite(cost[row * K + j]!)) mx = Math.max(mx, cost[row * K + j]!);
      for (let j = 0; j < K; j++) if (!Number.isFinite(cost[row * K + j]!)) cost[row * K + j] = 2 * mx + 1e-6;
    }
    // Each code keeps its `cap` closest current members.
    const byCode = new Map<number, number[]>();
    members.forEach((i, row) => {
      const j = lastTok[i]!;
      let l = byCode.get(j);
      if (!l) byCode.set(j, (l = []));
      l.push(row);
    });
    const slots = new Int32Array(K).fill(cap);
    const movers: number[] = [];
    for (const [j, rows] of byCode) {
      rows.sort((a, b) => cost[a * K + j]! - cost[b * K + j]! || a - b);
      rows.slice(cap).forEach((row) => movers.push(row));
      slots[j] = cap - Math.min(cap, rows.length);
    }
    if (movers.length === 0) continue;
    movers.sort((a, b) => a - b);
    const M = movers.length;
    const sub = new Float32Array(M * K);
    movers.forEach((row, t) => sub.set(cost.subarray(row * K, (row + 1) * K), t * K));
    let totalSlots = 0;
    for (let j = 0; j < K; j++) totalSlots += slots[j]!;
    const b = new Float64Array(K);
    for (let j = 0; j < K; j++) b[j] = slots[j]! / totalSlots;
    const { plan } = sinkhorn(sub, M, K, { eps: opts.eps ?? 0.05, b });
    const to = roundPlan(plan, M, K, slots, sub);
    movers.forEach((row, t) => {
      const i = members[row]!;
      if (to[t]! >= 0 && to[t] !== lastTok[i]) {
        codes[i * L + L - 1] = to[t]!;
        moved++;
      }
    });
  }
  return { result: { ...r, codes }, moved };
}

/** Applies a collision mode and reports the collision counts before and after. */
export function applyCollisions(
  r: BuildResult,
  mode: CollisionMode,
  nItems: number,
  emb: Float32Array | null,
  dim: number,
  opts: { eps?: number } = {},
): CollisionOutcome {
  const t0 = Date.now();
  const before = collisionStats(r.codes, nItems, r.layers, r.codebookSizes);
  let result = r;
  let moved = 0;
  switch (mode) {
    case 'none':
      break;
    case 'suffix':
      result = suffixDecollide(r, nItems);
      moved = before.collidingItems - before.collidingGroups;
      break;
    case 'sinkhorn':
      if (before.collidingItems > 0) ({ result, moved } = sinkhornDecollide(r, nItems, emb, dim, opts));
      break;
  }
  const after = mode === 'none' ? before : collisionStats(result.codes, nItems, result.layers, result.codebookSizes);
  return { result, before, after, moved, ms: Date.now() - t0 };
}

/** Where the items of one pre-collision group ended up after de-collision. */
export interface CollisionFate {
  /** Distinct final IDs the group's items hold. */
  finalIds: number;
  /** Items whose final ID differs from the pre-collision one (for `suffix`: got a non-zero suffix), as `moved` counts. */
  moved: number;
  /** Items whose final ID is still shared with another item. */
  stillShared: number;
}

/**
 * For groups of item indices (e.g. the pre-collision groups of collisionGroups), how their items' final IDs compare
 * with the pre-collision ones. `after` may have more layers than `before` (the suffix strategy); the extra tokens
 * count as a change only when non-zero, matching `moved` of applyCollisions. Summed over every pre-collision group,
 * `moved` equals the build's `moved`.
 */
export function collisionFates(
  before: { codes: Int32Array; layers: number },
  after: { codes: Int32Array; layers: number },
  groups: readonly (readonly number[])[],
): CollisionFate[] {
  const La = after.layers;
  const Lb = before.layers;
  const n = after.codes.length / La;
  if (before.codes.length / Lb !== n) throw new Error(`collisionFates: ${before.codes.length / Lb} items before, ${n} after`);
  const key = (i: number): string => after.codes.subarray(i * La, (i + 1) * La).join(',');
  const size = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    size.set(k, (size.get(k) ?? 0) + 1);
  }
  return groups.map((items) => {
    const finals = new Set<string>();
    let moved = 0;
    let stillShared = 0;
    for (const i of items) {
      const k = key(i);
      finals.add(k);
      if (size.get(k)! > 1) stillShared++;
      if (movedByDecollision(before, after, i)) moved++;
    }
    return { finalIds: finals.size, moved, stillShared };
  });
}

/** Whether item i's final ID differs from its pre-collision one (extra suffix tokens count only when non-zero). */
export function movedByDecollision(before: { codes: Int32Array; layers: number }, after: { codes: Int32Array; layers: number }, i: number): boolean {
  const La = after.layers;
  const Lb = before.layers;
  for (let l = 0; l < La; l++) {
    const a = after.codes[i * La + l]!;
    if (l < Lb ? a !== before.codes[i * Lb + l] : a !== 0) return true;
  }
  return false;
}
