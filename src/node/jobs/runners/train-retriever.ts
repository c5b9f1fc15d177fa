/**
 * The 'train-retriever' job: trains the generative retriever (decoder + ranker, src/core/retrieval/train.ts) on the ID
 * table of any run (build or imported), for one task. Weights (with optimizer state) are checkpoint artifacts every
 * epoch; the last one is the trained retriever that `eval` and the query inspector load.
 * Also exports the loaders shared with the eval runner and the retrieval service.
 */
import type { Db } from '../../db/db';
import { requireSemanticIds } from '../../db/artifacts';
import { loadDatasetArrays, loadEmbeddings, loadItems, loadQueries } from '../../db/datasets';
import { latestCheckpoint, requireRun } from '../../db/runs';
import type { DatasetArrays } from '../../../core/data/arrays';
import { itemText } from '../../../core/retrieval/baselines';
import { foldInQueries } from '../../../core/retrieval/text';
import type { RetrieverInput, TrainRetrieverOptions } from '../../../core/retrieval/train';
import type { ItemRecord, RetrievalTask, RunRecord, SemanticIdTable } from '../../../shared/types';
import { v } from '../../../shared/validate';
import type { JobRunner } from '../types';

export const TASKS: RetrievalTask[] = ['search', 'general', 'sequential'];

export interface RetrievalData {
  data: DatasetArrays;
  embeddings: Float32Array;
  dim: number;
  embeddingName: string;
  items: ItemRecord[];
  /** Query text per query idx (empty strings for users). */
  queryTexts: string[];
  /** search: folded-in query embeddings (nQueries × dim). */
  queryEmbeddings?: Float32Array;
}

/** Loads everything a retrieval job needs from the (read-only) database. */
export function loadRetrievalData(db: Db, datasetId: number, task: RetrievalTask, embedding?: string): RetrievalData {
  const data = loadDatasetArrays(db, datasetId);
  const emb = loadEmbeddings(db, datasetId, embedding);
  if (emb.count !== data.nItems) throw new Error(`embeddings "${emb.name}" have ${emb.count} rows, the dataset has ${data.nItems} items`);
  const items = loadItems(db, datasetId);
  const queryTexts = loadQueries(db, datasetId).map((q) => q.text);
  let queryEmbeddings: Float32Array | undefined;
  if (task === 'search') {
    if (!queryTexts.some((t) => t.length > 0)) throw new Error(`dataset ${datasetId} has no query texts: the search task needs text queries (use general or sequential)`);
    queryEmbeddings = foldInQueries(queryTexts, items.map(itemText), emb.data, emb.dim);
  }
  return { data, embeddings: emb.data, dim: emb.dim, embeddingName: emb.name, items, queryTexts, ...(queryEmbeddings ? { queryEmbeddings } : {}) };
}

/** A trained retriever: a train-retriever run, or a `uri` build (URI trains its retriever while building). */
export interface RetrieverRef {
  run: RunRecord;
  idsRunId: number;
  task: RetrievalTask;
  table: SemanticIdTable;
  weights: Uint8Array;
  embedding?: string;
}

export function resolveRetriever(db: Db, runId: number): RetrieverRef {
  const run = requireRun(db, runId);
  let idsRunId: number;
  let task: RetrievalTask;
  let embedding: string | undefined;
  if (run.kind === 'train-retriever') {
    idsRunId = Number(run.config.idsRunId);
    task = run.config.task as RetrievalTask;
    embedding = typeof run.config.embedding === 'string' ? run.config.embedding : undefined;
  } else if (run.kind === 'build' && run.method === 'uri') {
    idsRunId = run.id;
    const extra = (run.config.extra ?? {}) as Record<string, unknown>;
    task = (extra.task as RetrievalTask | undefined) ?? 'general';
    embedding = typeof run.config.embedding === 'string' ? run.config.embedding : undefined;
  } else {
    throw new Error(`run ${runId} is a ${run.kind} (${run.method}) run, not a retriever: train one with \`semid train-retriever --run ${runId}\``);
  }
  if (run.status !== 'succeeded') throw new Error(`retriever run ${runId} has status ${run.status}`);
  const cp = latestCheckpoint(db, runId);
  if (!cp || cp.meta.kind !== 'retriever') throw new Error(`run ${runId} has no stored retriever weights`);
  return { run, idsRunId, task, table: requireSemanticIds(db, idsRunId), weights: cp.data, ...(embedding ? { embedding } : {}) };
}

export function retrieverInput(rd: RetrievalData, table: SemanticIdTable, task: RetrievalTask): RetrieverInput {
  if (table.items !== rd.data.nItems) throw new Error(`the ID table has ${table.items} items, the dataset ${rd.data.nItems}`);
  return {
    data: rd.data,
    embeddings: rd.embeddings,
    dim: rd.dim,
    table: { codes: table.codes, layers: table.layers, codebookSizes: table.codebookSizes },
    task,
    ...(rd.queryEmbeddings ? { queryEmbeddings: rd.queryEmbeddings } : {}),
  };
}

export interface TrainRetrieverParams extends Partial<TrainRetrieverOptions> {
  idsRunId: number;
  task: RetrievalTask;
  embedding?: string;
}

const pos = (max: number, int = true) => v.optional(v.num({ int, min: int ? 1 : 0, max }));

export const parseTrainRetrieverParams = v.object({
  idsRunId: v.num({ int: true, min: 1 }),
  task: v.literal<RetrievalTask>(...TASKS),
  epochs: pos(10000),
  batch: pos(65536),
  lr: v.optional(v.num({ min: 1e-7, max: 1 })),
  seed: v.optional(v.num({ int: true })),
  d: pos(4096),
  blocks: pos(16),
  heads: pos(64),
  H: pos(200),
  negatives: v.optional(v.num({ int: true, min: 0, max: 1000 })),
  hardNegatives: v.optional(v.bool()),
  rankWeight: v.optional(v.num({ min: 0, max: 100 })),
  beam: pos(1000),
  validSample: v.optional(v.num({ int: true, min: 0, max: 1e7 })),
  maxExamplesPerEpoch: v.optional(v.num({ int: true, min: 0, max: 1e9 })),
  embedding: v.optional(v.str({ max: 200 })),
});

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}

export const trainRetrieverRunner: JobRunner<TrainRetrieverParams> = {
  kind: 'train-retriever',
  parse: (params) => {
    const p = parseTrainRetrieverParams(params, 'params');
    return defined(p) as TrainRetrieverParams;
  },
  async *run(p, ctx) {
    const t0 = Date.now();
    const ids = requireSemanticIds(ctx.db, p.idsRunId);
    const rd = loadRetrievalData(ctx.db, ids.datasetId, p.task, p.embedding);
    const { initTf } = await import('../../tf');
    const tf = await initTf();
    ctx.reportBackend(tf.backend);
    const { configureForBackend } = await import('../../../core/models/tfops');
    configureForBackend();
    yield { type: 'log', level: 'info', message: `tfjs backend: ${tf.backend}; ID table of run ${p.idsRunId}: ${ids.layers} layers (${ids.codebookSizes.join('/')})` };
    const resume = latestCheckpoint(ctx.db, ctx.runId);
    const { idsRunId: _i, task: _t, embedding: _e, ...opts } = p;
    // tfjs is loaded only by the jobs that train: this module is also imported by services that must start fast.
    const { TRAIN_DEFAULTS, trainRetriever } = await import('../../../core/retrieval/train');
    const trained = yield* trainRetriever(retrieverInput(rd, ids, p.task), opts, {
      signal: ctx.signal,
      runId: ctx.runId,
      ...(resume && resume.meta.kind === 'retriever' ? { resume } : {}),
    });
    trained.model.dispose();
    yield {
      type: 'artifact',
      artifact: { kind: 'run-data', runId: ctx.runId, key: 'retriever', value: { idsRunId: p.idsRunId, task: p.task, config: trained.config, embedding: rd.embeddingName } },
    };
    return {
      idsRunId: p.idsRunId,
      task: p.task,
      backend: tf.backend,
      embedding: rd.embeddingName,
      options: { ...TRAIN_DEFAULTS, ...opts },
      final: trained.summary,
      timings: { total: Date.now() - t0 },
    };
  },
};
