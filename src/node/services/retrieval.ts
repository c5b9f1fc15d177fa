/** The `retrieval` domain service: stored evaluations, the query inspector (runs the retriever once) and URI's case study. */
import type {
  EvaluationRecord,
  EvaluationReport,
  InspectedItem,
  QueryInspection,
  RetrievalApi,
  UriCaseStudyView,
} from '../../shared/api/retrieval';
import type { ItemRecord } from '../../shared/types';
import { csrRow } from '../../core/data/arrays';
import { beamSearchBatch, candidatesOf } from '../../core/retrieval/beam';
import { topK } from '../../core/retrieval/metrics';
import { evalExamples, historyOf, subsetExamples } from '../../core/retrieval/tasks';
import { buildTrie } from '../../core/retrieval/trie';
import type { UriCaseStudy } from '../../core/uri/index';
import type { Db } from '../db/db';
import { loadItems } from '../db/datasets';
import { getRunData, requireRun } from '../db/runs';
import { loadRetrievalData, resolveRetriever, retrieverInput } from '../jobs/runners/train-retriever';
import type { ServiceContext } from './context';

interface EvalRow {
  id: number;
  run_id: number;
  task: string;
  report_json: string;
  created_at: string;
  name: string;
  dataset_id: number | null;
}

export function listEvaluationRecords(db: Db, filter: { runId?: number; datasetId?: number }): EvaluationRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.runId != null) {
    where.push('e.run_id = ?');
    args.push(filter.runId);
  }
  if (filter.datasetId != null) {
    where.push('r.dataset_id = ?');
    args.push(filter.datasetId);
  }
  const rows = db
    .prepare(
      `SELECT e.id, e.run_id, e.task, e.report_json, e.created_at, r.name, r.dataset_id
       FROM evaluations e JOIN runs r ON r.id = e.run_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.id`,
    )
    .all(...args) as EvalRow[];
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    runName: r.name,
    datasetId: r.dataset_id,
    createdAt: r.created_at,
    report: JSON.parse(r.report_json) as EvaluationReport,
  }));
}

const describe = (it: ItemRecord, hit: boolean): InspectedItem => ({ idx: it.idx, title: it.title, category: it.categories.join(' > '), hit });

/** Runs the retriever on one query and returns every intermediate the inspector draws. tfjs runs in this process. */
export async function inspectQuery(db: Db, arg: { retrieverRunId: number; queryIdx: number; beam?: number; topK?: number }): Promise<QueryInspection> {
  const ref = resolveRetriever(db, arg.retrieverRunId);
  const datasetId = ref.table.datasetId;
  const rd = loadRetrievalData(db, datasetId, ref.task, ref.embedding);
  const beam = arg.beam ?? 20;
  const k = arg.topK ?? 20;
  const { initTf } = await import('../tf');
  await initTf();
  const { configureForBackend } = await import('../../core/models/tfops');
  configureForBackend();
  // Loaded on demand: tfjs costs ~3 s of start-up that no other CLI command or view should pay.
  const { decoderStep, encodeQueries, itemRepresentations, loadRetriever } = await import('../../core/retrieval/train');
  const model = loadRetriever(ref.weights);
  try {
    const all = evalExamples(rd.data, ref.task, 'test', model.cfg.task === 'search' ? 0 : model.cfg.H);
    let e = -1;
    for (let j = 0; j < all.n; j++) if (all.query[j] === arg.queryIdx) e = j;
    if (e < 0) throw new Error(`query ${arg.queryIdx} has no test items in dataset ${datasetId}`);
    const ex = subsetExamples(all, [e]);
    const rel = new Set(csrRow(ex.relevant, 0));
    const items = rd.items;
    const trie = buildTrie(ref.table.codes, ref.table.layers, ref.table.codebookSizes);
    const inp = retrieverInput(rd, ref.table, ref.task);
    const cond = await encodeQueries(model, ex, [0], inp);
    const step = decoderStep(model, cond);
    const { results } = await beamSearchBatch(step, 1, trie, beam);
    const res = results[0]!;
    const L = ref.table.layers;
    // Per-layer next-token distribution along the best beam.
    const layerDistributions: QueryInspection['layerDistributions'] = [];
    for (let t = 0; t < L; t++) {
      const prefix = Array.from(res.ids.subarray(0, t));
      const lp = await step({ query: Int32Array.of(0), prefixes: Int32Array.from(prefix), t, count: 1 });
      const probs = Float32Array.from(lp, Math.exp);
      const top = topK(probs, Math.min(16, probs.length));
      layerDistributions.push({ layer: t, prefix, tokens: Array.from(top, (tok) => ({ token: tok, prob: probs[tok]! })) });
    }
    const beams: QueryInspection['beams'] = [];
    const beamOf = new Map<number, number>();
    for (let b = 0; b < res.leaves.length; b++) {
      const bucket = Array.from(candidatesOf(trie, res.leaves.subarray(b, b + 1)));
      for (const i of bucket) if (!beamOf.has(i)) beamOf.set(i, b + 1);
      beams.push({
        rank: b + 1,
        tokens: Array.from(res.ids.subarray(b * L, (b + 1) * L)),
        tokenProbs: Array.from(res.tokenLogProbs.subarray(b * L, (b + 1) * L), Math.exp),
        logProb: res.scores[b]!,
        bucket: bucket.slice(0, 50).map((i) => describe(items[i]!, rel.has(i))),
      });
    }
    const G = await itemRepresentations(model, rd.embeddings, rd.dim);
    const exclude = ex.excludeHistory ? new Set(historyOf(ex, 0)) : null;
    const cands = Array.from(candidatesOf(trie, res.leaves)).filter((i) => !exclude?.has(i));
    const d = model.cfg.d;
    const scores = Float32Array.from(cands, (i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += cond[j]! * G[i * d + j]!;
      return s;
    });
    const ranked = Array.from(topK(scores, k), (j, r) => ({
      ...describe(items[cands[j]!]!, rel.has(cands[j]!)),
      rank: r + 1,
      score: scores[j]!,
      beamRank: beamOf.get(cands[j]!) ?? -1,
    }));
    const query = rd.queryTexts[arg.queryIdx] ?? '';
    return {
      retrieverRunId: arg.retrieverRunId,
      idsRunId: ref.idsRunId,
      task: ref.task,
      queryIdx: arg.queryIdx,
      queryLabel: query || `user ${arg.queryIdx} (${csrRow(rd.data.train, arg.queryIdx).length} train interactions)`,
      history: Array.from(historyOf(ex, 0), (i) => describe(items[i]!, rel.has(i))),
      relevant: [...rel].map((i) => describe(items[i]!, true)),
      layers: L,
      codebookSizes: ref.table.codebookSizes,
      beam,
      layerDistributions,
      beams,
      ranked,
    };
  } finally {
    model.dispose();
  }
}

export function uriCaseStudy(db: Db, runId: number): UriCaseStudyView | null {
  const run = requireRun(db, runId);
  const cs = getRunData<UriCaseStudy>(db, runId, 'uriCaseStudy');
  if (!cs || run.datasetId == null) return null;
  const items = loadItems(db, run.datasetId);
  return {
    runId,
    layer: cs.layer,
    k: cs.k,
    queries: cs.queries.map((q) => ({
      queryIdx: q.queryIdx,
      items: q.items.map((i, j) => ({ idx: i, title: items[i]?.title ?? '', category: items[i]?.categories.join(' > ') ?? '', assigned: q.assigned[j]! })),
      epochs: q.epochs,
    })),
  };
}

export function createRetrievalService(ctx: ServiceContext): RetrievalApi {
  const { db } = ctx;
  return {
    evaluations: async (arg) => listEvaluationRecords(db, arg),
    inspectQuery: (arg) => inspectQuery(db, arg),
    uriCaseStudy: async ({ runId }) => uriCaseStudy(db, runId),
  };
}
