/**
 * The `views` API domain: positioned layouts and tables for the inspection views (Sankey, prefix tree + word cloud,
 * embedding map, DocID table, diff, collisions, run dashboards). Layouts are computed by the pure functions in
 * src/core/layout on the backend; the renderer only draws them. Everything is JSON-plain so it works over HTTP;
 * large numeric arrays travel as base64 of little-endian typed arrays (decode with decodeFloat32 / decodeInt32).
 */
import type { RunRecord } from '../types';
import { v } from '../validate';

// ---- layout results (produced by src/core/layout, which re-exports these types) ----------------------------------

export type SankeyNodeKind = 'category' | 'token' | 'other';

export interface SankeyNodeOut {
  id: string;
  label: string;
  kind: SankeyNodeKind;
  column: number;
  /** ID layer (0-based) of a token column; null for the category column. */
  layer: number | null;
  /** Token value or category node id; null for "other"/"none" nodes. */
  ref: number | null;
  /** Number of distinct tokens/categories folded into an "other" node (1 otherwise). */
  members: number;
  value: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface SankeyLinkOut {
  source: string;
  target: string;
  value: number;
  width: number;
  /** Centre y at the source and target ends; sx/tx = x of the source's right and the target's left edge. */
  y0: number;
  y1: number;
  sx: number;
  tx: number;
}

export interface LayerPurity {
  layer: number;
  /** Σ_token max_category n(token, category) / n over items that have a category at the drawn level. */
  tokenPurity: number;
  /** Same with the whole prefix up to this layer as the bucket. */
  prefixPurity: number;
  /** Distinct tokens used by the drawn items at this layer, and nodes drawn for them after tail aggregation. */
  usedTokens: number;
  shownTokens: number;
}

export interface SankeyLayout {
  width: number;
  height: number;
  /** Items drawn (after the subtree filter). */
  items: number;
  categoryLevel: number;
  columns: { label: string; layer: number | null; x: number }[];
  nodes: SankeyNodeOut[];
  links: SankeyLinkOut[];
  purity: LayerPurity[];
}

export interface PrefixNode {
  /** Tokens from layer 0; [] is the root. */
  prefix: number[];
  label: string;
  /** Items whose ID starts with this prefix. */
  count: number;
  /** Distinct children (next-layer tokens) under this prefix, whether or not expanded below. */
  childCount: number;
  children?: PrefixNode[];
}

export interface WordWeight {
  word: string;
  /** Titles under the prefix containing the word. */
  count: number;
  /** (count / prefix size) · ln(N / df): how much more common the word is under the prefix than in the catalog. */
  weight: number;
}

export interface DocIdRow {
  idx: number;
  title: string;
  /** Per run: the item's tokens. */
  ids: number[][];
  /** Per run: longest prefix this item shares with another item of its group (0 when none). */
  shared: number[];
}

export interface DocIdGroup {
  /** Category path truncated to groupLevels, joined by " > "; "(no category)" when unknown. */
  key: string;
  size: number;
  /** Per run: prefix length common to every item of the group. */
  commonPrefix: number[];
  /** Per run: mean shared-prefix length over all item pairs of the group. */
  meanPairPrefix: number[];
  rows: DocIdRow[];
}

export interface DocIdTable {
  runs: { runId: number; name: string; layers: number }[];
  groupLevels: number;
  /** Items matching the search. */
  matchedItems: number;
  /** Groups of at least minGroupSize items (before truncation to maxGroups). */
  totalGroups: number;
  /** Per run: mean shared-prefix length over all same-group pairs (pairs weighted equally). */
  meanPairPrefix: number[];
  groups: DocIdGroup[];
}

export interface DiffLayerStats {
  /** Prefix length 1..min(layers). */
  length: number;
  /** Share of items whose first `length` tokens are identical in both runs (meaningful for checkpoints/seeds). */
  identical: number;
  /** Of the item pairs sharing this prefix in A, the share that also share it in B (and the reverse). */
  pairAgreementAB: number;
  pairAgreementBA: number;
  /** Adjusted Rand index of the two partitions into prefix buckets (codebook-independent). */
  ari: number;
}

export interface DiffRow {
  idx: number;
  /** First layer (0-based) where the tokens differ. */
  firstDiff: number;
  a: number[];
  b: number[];
}

export interface RunDiff {
  items: number;
  /** Items whose full IDs differ. */
  differing: number;
  layers: DiffLayerStats[];
  rows: DiffRow[];
}

export interface CollisionGroup {
  key: number[];
  items: number[];
}

export interface CollisionReport {
  /** Prefix length compared (the full ID unless told otherwise). */
  length: number;
  groups: number;
  /** Items whose ID is shared with at least one other item. */
  collidingItems: number;
  maxGroup: number;
  /** Group size → number of groups. */
  sizeHistogram: { size: number; groups: number }[];
  /** Largest groups first (ties by key), truncated to `limit`. */
  top: CollisionGroup[];
}

// ---- API payloads ----------------------------------------------------------------------------------------------------

/** An item as listed under a selection. */
export interface ItemBrief {
  idx: number;
  extId: string;
  title: string;
  /** Category path joined by " > ". */
  category: string;
  /** The run's tokens for this item, when a run is involved. */
  tokens?: number[];
}

export interface SankeyRequest {
  runId: number;
  /** Category node id whose subtree is drawn. */
  subtree?: number;
  categoryLevel?: number;
  topCategories?: number;
  /** 0-based layers. */
  layers?: number[];
  maxTokens?: number;
  width?: number;
  height?: number;
}

export interface SankeyResult extends SankeyLayout {
  runId: number;
  datasetId: number;
  runLayers: number;
  codebookSizes: number[];
  /** Category levels the dataset has, for the level picker. */
  categoryDepth: number;
}

export interface PrefixDetail {
  runId: number;
  prefix: number[];
  label: string;
  count: number;
  words: WordWeight[];
  /** Category mix at the level below the common root (or level 1), largest first. */
  categories: { categoryId: number; path: string; count: number; share: number }[];
  categoryLevel: number;
  items: ItemBrief[];
}

export interface ProjectionSummary {
  id: number;
  datasetId: number;
  runId: number | null;
  source: string;
  method: string;
  params: Record<string, unknown>;
  createdAt: string;
}

export interface ProjectionData extends ProjectionSummary {
  n: number;
  /** base64 Float32 n × 2. */
  coords: string;
  titles: string[];
  categoryDepth: number;
  /** base64 Int32 n × depth: category node id per level (-1 none). */
  categoryLevels: string;
  /** Category node id → name. */
  categoryNames: Record<string, string>;
  /** The chosen run's tokens (base64 Int32 n × layers), for colouring by token. */
  tokens: { runId: number; layers: number; data: string } | null;
}

export interface TsneSnapshotData {
  runId: number;
  iteration: number;
  kl: number;
  /** base64 Float32 n × 2. */
  coords: string;
}

/** A group of items sharing an ID before de-collision, with where its items went (CollisionFate in src/core/ids). */
export interface CollisionGroupBefore extends CollisionGroup {
  /** Distinct final IDs its items hold after de-collision. */
  finalIds: number;
  /** Items whose final ID differs from this one (suffix mode: got a non-zero suffix). */
  moved: number;
  /** Items whose final ID is still shared with another item. */
  stillShared: number;
}

/** An item of a listed group: `tokens` is its final ID as stored, `before` its ID before de-collision (when known). */
export interface CollisionItem extends ItemBrief {
  tokens: number[];
  before?: number[];
  /** Items holding this item's final ID (1 = unique). */
  finalGroupSize: number;
  /** Its final ID differs from `before` (suffix mode: it got a non-zero suffix); false when `before` is unknown. */
  moved: boolean;
}

export interface CollisionsResult {
  runId: number;
  collisionMode: string;
  layers: number;
  /** Groups sharing the full ID as stored. */
  after: CollisionReport;
  /**
   * Groups before de-collision, when they can be known: the IDs a suffix/sinkhorn build kept (run data), else for
   * suffix mode the IDs without the suffix layer; for mode none the same as `after`.
   */
  before: (Omit<CollisionReport, 'top'> & { top: CollisionGroupBefore[] }) | null;
  /** Layers of the IDs before de-collision (null when unknown). */
  beforeLayers: number | null;
  /** Where `before` comes from. */
  beforeSource: 'stored' | 'suffix-prefix' | 'same' | 'unknown';
  beforeNote: string;
  /** Items moved by de-collision over all items (equals the build's `moved` when the pre-collision IDs were kept). */
  moved: number | null;
  /** Titles, categories and IDs of the items in the listed groups. */
  items: CollisionItem[];
}

export interface DashboardRun {
  run: RunRecord;
  layers: number | null;
  codebookSizes: number[] | null;
  audit: Record<string, unknown> | null;
  evaluations: { id: number; task: string; report: Record<string, unknown>; createdAt: string }[];
}

export interface ViewsApi {
  sankey(arg: SankeyRequest): Promise<SankeyResult>;
  /** Items behind a Sankey node (`node` id) or link (`link` = [source, target]). */
  sankeyItems(arg: SankeyRequest & { node?: string; link?: string[]; limit?: number }): Promise<{ total: number; items: ItemBrief[] }>;
  prefixTree(arg: { runId: number; prefix?: number[]; depth?: number }): Promise<{ runId: number; layers: number; codebookSizes: number[]; tree: PrefixNode }>;
  prefixDetail(arg: { runId: number; prefix: number[]; limit?: number }): Promise<PrefixDetail>;
  projections(arg: { datasetId: number }): Promise<ProjectionSummary[]>;
  projection(arg: { id: number; runId?: number }): Promise<ProjectionData>;
  /** Latest intermediate t-SNE coordinates of a running (or finished) project job, or null. */
  snapshot(arg: { runId: number }): Promise<TsneSnapshotData | null>;
  docIdTable(arg: { runIds: number[]; search?: string; groupLevels?: number; maxGroups?: number }): Promise<DocIdTable>;
  diff(arg: { runA: number; runB: number; limit?: number }): Promise<RunDiff & { titles: Record<string, string> }>;
  collisions(arg: { runId: number; limit?: number }): Promise<CollisionsResult>;
  /** Runs with their audits and evaluations, for the dashboards (metric curves come from runs.metrics). */
  dashboard(arg: { runIds: number[] }): Promise<DashboardRun[]>;
}

const id = v.num({ int: true, min: 1 });
const token = v.num({ int: true, min: 0 });
const sankeyShape = {
  runId: id,
  subtree: v.optional(v.num({ int: true, min: 0 })),
  categoryLevel: v.optional(v.num({ int: true, min: 1, max: 64 })),
  topCategories: v.optional(v.num({ int: true, min: 1, max: 500 })),
  layers: v.optional(v.array(v.num({ int: true, min: 0, max: 63 }), { max: 64 })),
  maxTokens: v.optional(v.num({ int: true, min: 2, max: 4096 })),
  width: v.optional(v.num({ min: 100, max: 10000 })),
  height: v.optional(v.num({ min: 100, max: 10000 })),
};

export const viewsValidators = {
  sankey: v.object(sankeyShape),
  sankeyItems: v.object({
    ...sankeyShape,
    node: v.optional(v.str({ max: 200 })),
    link: v.optional(v.array(v.str({ max: 200 }), { max: 2 })),
    limit: v.optional(v.num({ int: true, min: 1, max: 5000 })),
  }),
  prefixTree: v.object({ runId: id, prefix: v.optional(v.array(token, { max: 64 })), depth: v.optional(v.num({ int: true, min: 0, max: 8 })) }),
  prefixDetail: v.object({ runId: id, prefix: v.array(token, { max: 64 }), limit: v.optional(v.num({ int: true, min: 1, max: 5000 })) }),
  projections: v.object({ datasetId: id }),
  projection: v.object({ id, runId: v.optional(id) }),
  snapshot: v.object({ runId: id }),
  docIdTable: v.object({
    runIds: v.array(id, { max: 8 }),
    search: v.optional(v.str({ max: 500 })),
    groupLevels: v.optional(v.num({ int: true, min: 1, max: 16 })),
    maxGroups: v.optional(v.num({ int: true, min: 1, max: 2000 })),
  }),
  diff: v.object({ runA: id, runB: id, limit: v.optional(v.num({ int: true, min: 1, max: 20000 })) }),
  collisions: v.object({ runId: id, limit: v.optional(v.num({ int: true, min: 1, max: 5000 })) }),
  dashboard: v.object({ runIds: v.array(id, { max: 32 }) }),
} satisfies { [K in keyof ViewsApi]: unknown };

// ---- base64 typed arrays (atob exists in browsers and Node ≥ 16) --------------------------------------------------

function bytesOf(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function decodeFloat32(b64: string): Float32Array {
  const b = bytesOf(b64);
  return new Float32Array(b.buffer, 0, b.byteLength >> 2);
}

export function decodeInt32(b64: string): Int32Array {
  const b = bytesOf(b64);
  return new Int32Array(b.buffer, 0, b.byteLength >> 2);
}
