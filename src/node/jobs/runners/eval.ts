/**
 * The 'eval' job: Recall/NDCG@5/10/20 on the test split for a trained retriever (beam search constrained by the trie,
 * then the ranker over the union of the top-b buckets; plus the recall-vs-candidates curve and the share of beams
 * that were invalid before the trie), or for a baseline (bm25 | dense | popularity) on the same examples.
 * Yields one `evaluation` artifact.
 */
import { evaluateBaseline, type BaselineName } from '../../../core/retrieval/baselines';
import { evalExamples, subsetExamples } from '../../../core/retrieval/tasks';
import { requireRun } from '../../db/runs';
import { evaluateRetriever, loadRetriever } from '../../../core/retrieval/train';
import type { EvaluationReport } from '../../../shared/api/retrieval';
import type { RetrievalTask } from '../../../shared/types';
import { v } from '../../../shared/validate';
import type { JobRunner } from '../types';
import { TASKS, loadRetrievalData, resolveRetriever, retrieverInput } from './train-retriever';

export interface EvalParams {
  retrieverRunId?: number;
  baseline?: BaselineName;
  datasetId?: number;
  task?: RetrievalTask;
  beam: number;
  split: 'test' | 'valid';
  embedding?: string;
  /** Evaluate on the first N queries only (0 = all). */
  limit: number;
}

export const parseEvalParams = v.object({
  retrieverRunId: v.optional(v.num({ int: true, min: 1 })),
  baseline: v.optional(v.literal<BaselineName>('bm25', 'dense', 'popularity')),
  datasetId: v.optional(v.num({ int: true, min: 1 })),
  task: v.optional(v.literal<RetrievalTask>(...TASKS)),
  beam: v.optional(v.num({ int: true, min: 1, max: 1000 })),
  split: v.optional(v.literal<'test' | 'valid'>('test', 'valid')),
  embedding: v.optional(v.str({ max: 200 })),
  limit: v.optional(v.num({ int: true, min: 0 })),
});

export const evalRunner: JobRunner<EvalParams> = {
  kind: 'eval',
  parse: (params) => {
    const p = parseEvalParams(params, 'params');
    if ((p.retrieverRunId == null) === (p.baseline == null)) throw new Error('eval: give exactly one of retrieverRunId or baseline');
    if (p.baseline != null && (p.datasetId == null || p.task == null)) throw new Error('eval: a baseline needs datasetId and task');
    return {
      ...(p.retrieverRunId != null ? { retrieverRunId: p.retrieverRunId } : {}),
      ...(p.baseline != null ? { baseline: p.baseline } : {}),
      ...(p.datasetId != null ? { datasetId: p.datasetId } : {}),
      ...(p.task != null ? { task: p.task } : {}),
      ...(p.embedding != null ? { embedding: p.embedding } : {}),
      beam: p.beam ?? 20,
      split: p.split ?? 'test',
      limit: p.limit ?? 0,
    };
  },
  async *run(p, ctx) {
    const t0 = Date.now();
    let report: EvaluationReport;
    if (p.baseline) {
      const task = p.task!;
      const rd = loadRetrievalData(ctx.db, p.datasetId!, task, p.embedding);
      let ex = evalExamples(rd.data, task, p.split);
      if (p.limit > 0 && ex.n > p.limit) ex = subsetExamples(ex, Int32Array.from({ length: p.limit }, (_, i) => i));
      yield { type: 'progress', phase: `${p.baseline} on ${ex.n} queries`, done: 0, total: ex.n };
      const metrics = evaluateBaseline(p.baseline, {
        data: rd.data,
        examples: ex,
        embeddings: rd.embeddings,
        dim: rd.dim,
        items: rd.items,
        queryText: rd.queryTexts,
        ...(rd.queryEmbeddings ? { queryEmbeddings: rd.queryEmbeddings } : {}),
        signal: ctx.signal,
      });
      report = {
        task,
        split: p.split,
        system: p.baseline,
        datasetId: p.datasetId!,
        idsRunId: null,
        idsMethod: null,
        retrieverRunId: null,
        beam: null,
        metrics,
        msPerQuery: (Date.now() - t0) / Math.max(1, ex.n),
      };
    } else {
      const ref = resolveRetriever(ctx.db, p.retrieverRunId!);
      const rd = loadRetrievalData(ctx.db, ref.table.datasetId, ref.task, p.embedding ?? ref.embedding);
      const { initTf } = await import('../../tf');
      const tf = await initTf();
      ctx.reportBackend(tf.backend);
      const { configureForBackend } = await import('../../../core/models/tfops');
      configureForBackend();
      const model = loadRetriever(ref.weights);
      try {
        let ex = evalExamples(rd.data, ref.task, p.split, model.cfg.task === 'search' ? 0 : model.cfg.H);
        if (p.limit > 0 && ex.n > p.limit) ex = subsetExamples(ex, Int32Array.from({ length: p.limit }, (_, i) => i));
        const progress: { done: number; total: number }[] = [];
        const ev = await evaluateRetriever(model, retrieverInput(rd, ref.table, ref.task), ex, {
          beam: p.beam,
          signal: ctx.signal,
          onProgress: (done, total) => progress.push({ done, total }),
        });
        for (const pr of progress.slice(-1)) yield { type: 'progress', phase: 'beam search', done: pr.done, total: pr.total };
        const idsRun = requireRun(ctx.db, ref.idsRunId);
        report = {
          task: ref.task,
          split: p.split,
          system: 'retriever',
          datasetId: ref.table.datasetId,
          idsRunId: ref.idsRunId,
          idsMethod: idsRun.method,
          retrieverRunId: ref.run.id,
          beam: p.beam,
          metrics: ev.ranker,
          beamOrder: ev.beamOrder,
          curve: ev.curve,
          invalidBeforeTrie: ev.beamStats.invalidBeforeTrie,
          invalidBeforeTrieFinal: ev.beamStats.invalidBeforeTrieFinal,
          invalidAfterTrie: ev.beamStats.invalidAfterTrie,
          meanCandidates: ev.meanCandidates,
          msPerQuery: ev.msPerQuery,
        };
      } finally {
        model.dispose();
      }
    }
    yield { type: 'artifact', artifact: { kind: 'evaluation', runId: ctx.runId, task: report.task, report: report as unknown as Record<string, unknown> } };
    yield {
      type: 'metrics',
      step: 0,
      values: Object.fromEntries([
        ...Object.entries(report.metrics.recall).map(([k, x]) => [`recall${k}`, x]),
        ...Object.entries(report.metrics.ndcg).map(([k, x]) => [`ndcg${k}`, x]),
      ]) as Record<string, number>,
    };
    return { ...report, timings: { total: Date.now() - t0 } } as unknown as Record<string, unknown>;
  },
};
