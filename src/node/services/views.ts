/**
 * The `views` domain service: loads a run's ID table and its dataset's items/categories, calls the pure layout
 * functions in src/core/layout and returns JSON-plain results (typed arrays as base64).
 *
 * Per-dataset inputs (items, category levels, the title corpus statistics for word weights) are cached for the two
 * most recent datasets: building the corpus statistics of Beauty's 12,101 titles takes longer than any one view
 * request, and datasets are immutable once written (the key includes created_at, so a re-used id is a new entry).
 */
import {
  categoryCodebookSankey,
  categoryMix,
  collisionGroups,
  corpusStats,
  type CorpusStats,
  diffRuns,
  docIdTable,
  prefixLabel,
  prefixMembers,
  prefixTree,
  prefixWordWeights,
  sankeySelectItems,
  type SankeyInput,
  type SankeyOptions,
} from '../../core/layout/index';
import { collisionFates, movedByDecollision } from '../../core/ids/collisions';
import type { CollisionItem, CollisionsResult, DashboardRun, ItemBrief, ProjectionData, SankeyRequest, ViewsApi } from '../../shared/api/views';
import type { ItemRecord, SemanticIdTable } from '../../shared/types';
import { listProjections, loadProjection, loadSemanticIds, requireSemanticIds } from '../db/artifacts';
import { getDataset, listCategories, loadDatasetArrays, loadItems } from '../db/datasets';
import type { Db } from '../db/db';
import { getAudit, getRunData, listEvaluations, listRuns, requireRun } from '../db/runs';
import { CODES_BEFORE_COLLISIONS_KEY, decodePreCollisionCodes, type PreCollisionCodes } from '../jobs/runners/precollision';
import { SNAPSHOT_KEY } from '../jobs/runners/project';
import type { ServiceContext } from './context';
import { toBase64 } from '../base64';

interface DatasetCache {
  key: string;
  items: ItemRecord[];
  titles: string[];
  categoryLevels: Int32Array;
  depth: number;
  names: Map<number, string>;
  paths: Map<number, string>;
  stats: CorpusStats | null;
}


export { CODES_BEFORE_COLLISIONS_KEY };

export function createViewsService(ctx: ServiceContext): ViewsApi {
  const { db } = ctx;
  const cache: DatasetCache[] = [];

  const dataset = (id: number): DatasetCache => {
    const key = `${id}:${getDataset(db, id).createdAt}`;
    const hit = cache.find((c) => c.key === key);
    if (hit) return hit;
    const items = loadItems(db, id);
    const arrays = loadDatasetArrays(db, id);
    const cats = listCategories(db, id);
    const entry: DatasetCache = {
      key,
      items,
      titles: items.map((it) => it.title),
      categoryLevels: arrays.categoryLevels,
      depth: arrays.depth,
      names: new Map(cats.map((c) => [c.id, c.name])),
      paths: new Map(cats.map((c) => [c.id, c.path])),
      stats: null,
    };
    cache.unshift(entry);
    if (cache.length > 2) cache.pop();
    return entry;
  };

  const table = (runId: number): SemanticIdTable => requireSemanticIds(db, runId);

  const brief = (ds: DatasetCache, idx: number, t?: SemanticIdTable): ItemBrief => {
    const it = ds.items[idx]!;
    return {
      idx,
      extId: it.extId,
      title: it.title,
      category: it.categories.join(' > '),
      ...(t ? { tokens: Array.from(t.codes.subarray(idx * t.layers, (idx + 1) * t.layers)) } : {}),
    };
  };

  const sankeyArgs = (req: SankeyRequest): { t: SemanticIdTable; ds: DatasetCache; input: SankeyInput; opts: SankeyOptions } => {
    const t = table(req.runId);
    const ds = dataset(t.datasetId);
    const input: SankeyInput = {
      codes: t.codes,
      layers: t.layers,
      categoryLevels: ds.categoryLevels,
      depth: ds.depth,
      categoryName: (id) => ds.names.get(id) ?? `category ${id}`,
    };
    const opts: SankeyOptions = {
      subtree: req.subtree,
      categoryLevel: req.categoryLevel,
      topCategories: req.topCategories,
      layers: req.layers,
      maxTokens: req.maxTokens,
      width: req.width,
      height: req.height,
    };
    return { t, ds, input, opts };
  };

  return {
    sankey: async (req) => {
      const { t, ds, input, opts } = sankeyArgs(req);
      return {
        ...categoryCodebookSankey(input, opts),
        runId: req.runId,
        datasetId: t.datasetId,
        runLayers: t.layers,
        codebookSizes: t.codebookSizes,
        categoryDepth: ds.depth,
      };
    },

    sankeyItems: async (req) => {
      const { t, ds, input, opts } = sankeyArgs(req);
      const link = req.link && req.link.length === 2 ? ([req.link[0]!, req.link[1]!] as [string, string]) : undefined;
      const members = sankeySelectItems(input, opts, { node: req.node, link });
      const limit = req.limit ?? 500;
      return { total: members.length, items: Array.from(members.subarray(0, limit), (i) => brief(ds, i, t)) };
    },

    prefixTree: async ({ runId, prefix, depth }) => {
      const t = table(runId);
      return { runId, layers: t.layers, codebookSizes: t.codebookSizes, tree: prefixTree(t.codes, t.layers, { prefix, depth: depth ?? 1 }) };
    },

    prefixDetail: async ({ runId, prefix, limit }) => {
      const t = table(runId);
      if (prefix.length > t.layers) throw new Error(`prefix has ${prefix.length} tokens but run ${runId} has ${t.layers} layers`);
      const ds = dataset(t.datasetId);
      ds.stats ??= corpusStats(ds.titles);
      const members = prefixMembers(t.codes, t.layers, prefix);
      // Category mix at the first level where the prefix's items split (a single-root catalogue would show 100% root).
      let level = Math.min(1, ds.depth);
      for (let l = 1; l <= ds.depth; l++) {
        level = l;
        if (categoryMix(members, ds.categoryLevels, ds.depth, l).filter((m) => m.categoryId >= 0).length > 1) break;
      }
      const mix = categoryMix(members, ds.categoryLevels, ds.depth, level);
      return {
        runId,
        prefix,
        label: prefix.length ? prefixLabel(prefix) : '(root)',
        count: members.length,
        words: prefixWordWeights(ds.titles, members, ds.stats),
        categoryLevel: level,
        categories: mix.slice(0, 30).map((m) => ({ ...m, path: m.categoryId >= 0 ? (ds.paths.get(m.categoryId) ?? `category ${m.categoryId}`) : '(none)' })),
        items: Array.from(members.subarray(0, limit ?? 200), (i) => brief(ds, i, t)),
      };
    },

    projections: async ({ datasetId }) => listProjections(db, datasetId),

    projection: async ({ id, runId }) => {
      const p = loadProjection(db, id);
      if (!p) throw new Error(`projection ${id} does not exist`);
      const ds = dataset(p.datasetId);
      const n = p.coords.length / 2;
      let tokens: ProjectionData['tokens'] = null;
      if (runId != null) {
        const t = table(runId);
        if (t.datasetId !== p.datasetId) throw new Error(`run ${runId} belongs to dataset ${t.datasetId}, projection ${id} to dataset ${p.datasetId}`);
        tokens = { runId, layers: t.layers, data: toBase64(t.codes) };
      }
      return {
        id: p.id,
        datasetId: p.datasetId,
        runId: p.runId,
        source: p.source,
        method: p.method,
        params: p.params,
        createdAt: p.createdAt,
        n,
        coords: toBase64(p.coords),
        titles: ds.titles,
        categoryDepth: ds.depth,
        categoryLevels: toBase64(ds.categoryLevels),
        categoryNames: Object.fromEntries(ds.names),
        tokens,
      };
    },

    snapshot: async ({ runId }) => {
      const s = getRunData<{ iteration: number; kl: number; coords: string }>(db, runId, SNAPSHOT_KEY);
      return s ? { runId, ...s } : null;
    },

    docIdTable: async ({ runIds, search, groupLevels, maxGroups }) => {
      if (runIds.length === 0) throw new Error('docIdTable needs at least one run');
      const tables = runIds.map(table);
      const datasetId = tables[0]!.datasetId;
      for (const t of tables) if (t.datasetId !== datasetId) throw new Error(`runs ${runIds.join(', ')} belong to different datasets`);
      const ds = dataset(datasetId);
      return docIdTable(
        ds.items,
        tables.map((t) => ({ runId: t.runId, name: runName(db, t.runId), codes: t.codes, layers: t.layers })),
        { search, groupLevels: groupLevels ?? Math.min(3, Math.max(1, ds.depth)), maxGroups },
      );
    },

    diff: async ({ runA, runB, limit }) => {
      const a = table(runA);
      const b = table(runB);
      if (a.datasetId !== b.datasetId) throw new Error(`run ${runA} belongs to dataset ${a.datasetId}, run ${runB} to dataset ${b.datasetId}`);
      const ds = dataset(a.datasetId);
      const d = diffRuns(a, b, { limit });
      return { ...d, titles: Object.fromEntries(d.rows.map((r) => [String(r.idx), ds.titles[r.idx] ?? ''])) };
    },

    collisions: async ({ runId, limit }) => {
      const t = table(runId);
      const ds = dataset(t.datasetId);
      const lim = limit ?? 200;
      const allAfter = collisionGroups(t.codes, t.layers, { limit: t.items });
      const after = { ...allAfter, top: allAfter.top.slice(0, lim) };
      const finalSize = new Map(allAfter.top.map((g) => [g.key.join(','), g.items.length]));
      // The IDs before de-collision: kept by the build (suffix/sinkhorn), else derivable for suffix, else unknown.
      let pre: { codes: Int32Array; layers: number } | null = null;
      let beforeSource: CollisionsResult['beforeSource'];
      let beforeNote: string;
      const kept = getRunData<PreCollisionCodes>(db, runId, CODES_BEFORE_COLLISIONS_KEY);
      if (kept) {
        pre = decodePreCollisionCodes(kept);
        if (pre.codes.length / pre.layers !== t.items) throw new Error(`run ${runId}: ${pre.codes.length / pre.layers} items before de-collision, ${t.items} after`);
        beforeSource = 'stored';
        beforeNote = `IDs as the builder produced them (${pre.layers} layers), kept with the run before ${t.collisionMode} de-collision`;
      } else if (t.collisionMode === 'suffix' && t.layers > 1) {
        const L = t.layers - 1;
        const codes = new Int32Array(t.items * L);
        for (let i = 0; i < t.items; i++) codes.set(t.codes.subarray(i * t.layers, i * t.layers + L), i * L);
        pre = { codes, layers: L };
        beforeSource = 'suffix-prefix';
        beforeNote = `the first ${L} layers, i.e. the IDs without the disambiguation suffix`;
      } else if (t.collisionMode === 'none') {
        pre = { codes: t.codes, layers: t.layers };
        beforeSource = 'same';
        beforeNote = 'no de-collision was applied: before = after';
      } else {
        beforeSource = 'unknown';
        beforeNote = `this ${t.collisionMode} build predates keeping the IDs from before de-collision: rebuild to compare`;
      }
      let before: CollisionsResult['before'] = null;
      let moved: number | null = null;
      if (pre) {
        const rep = collisionGroups(pre.codes, pre.layers, { limit: t.items });
        const fates = collisionFates(pre, t, rep.top.map((g) => g.items));
        moved = fates.reduce((a, f) => a + f.moved, 0);
        before = { ...rep, top: rep.top.slice(0, lim).map((g, k) => ({ ...g, ...fates[k]! })) };
      }
      const shown = new Set<number>();
      for (const g of [...after.top, ...(before?.top ?? [])]) for (const i of g.items) shown.add(i);
      return {
        runId,
        collisionMode: t.collisionMode,
        layers: t.layers,
        after,
        before,
        beforeLayers: pre?.layers ?? null,
        beforeSource,
        beforeNote,
        moved,
        items: [...shown]
          .sort((x, y) => x - y)
          .map((i): CollisionItem => {
            const tokens = Array.from(t.codes.subarray(i * t.layers, (i + 1) * t.layers));
            const prev = pre ? Array.from(pre.codes.subarray(i * pre.layers, (i + 1) * pre.layers)) : undefined;
            return {
              ...brief(ds, i),
              tokens,
              ...(prev ? { before: prev } : {}),
              finalGroupSize: finalSize.get(tokens.join(',')) ?? 1,
              moved: pre ? movedByDecollision(pre, t, i) : false,
            };
          }),
      };
    },

    dashboard: async ({ runIds }) =>
      runIds.map((runId): DashboardRun => {
        const run = requireRun(db, runId);
        const t = loadSemanticIds(db, runId);
        const children = run.datasetId != null ? listRuns(db, { datasetId: run.datasetId }).filter((r) => r.parentRunId === runId) : [];
        const evaluations = [runId, ...children.map((c) => c.id)].flatMap((id) => listEvaluations(db, id));
        return { run, layers: t?.layers ?? null, codebookSizes: t?.codebookSizes ?? null, audit: getAudit(db, runId) ?? null, evaluations };
      }),
  };
}

function runName(db: Db, runId: number): string {
  const r = requireRun(db, runId);
  return r.name || `${r.method} #${runId}`;
}
