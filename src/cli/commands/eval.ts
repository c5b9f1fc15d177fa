/**
 * `semid eval --retriever R` / `semid eval --baseline dense|popularity|bm25 --dataset D --task T`: Recall@K and
 * NDCG@K (K = 5, 10, 20) on the test split as an 'eval' job; retrievers also report the beam-order metrics, the
 * recall-vs-candidates curve and the share of beams that were invalid before the trie.
 */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { findDataset } from '../../node/db/datasets';
import { getRunResult, requireRun } from '../../node/db/runs';
import type { EvaluationReport } from '../../shared/api/retrieval';
import { numOption as num, runJob, withHost } from '../jobs';

const f = (x: number | undefined): string => (x == null ? '-' : x.toFixed(4));

export function formatEvaluation(r: EvaluationReport): string {
  const lines = [
    `${r.system === 'retriever' ? `retriever (run ${r.retrieverRunId}, IDs of run ${r.idsRunId}: ${r.idsMethod}, beam ${r.beam})` : `baseline ${r.system}`} — ${r.task}, ${r.split} split, ${r.metrics.queries} queries`,
    `            R@5     R@10    R@20    N@5     N@10    N@20`,
  ];
  const row = (label: string, m: EvaluationReport['metrics']): string =>
    `${label.padEnd(10)}  ${['@5', '@10', '@20'].map((k) => f(m.recall[k])).join('  ')}  ${['@5', '@10', '@20'].map((k) => f(m.ndcg[k])).join('  ')}`;
  lines.push(row(r.system === 'retriever' ? 'ranker' : r.system, r.metrics));
  if (r.beamOrder) lines.push(row('beam order', r.beamOrder));
  if (r.curve) {
    lines.push('', 'recall vs candidates (top-b buckets → ranker):');
    for (const c of r.curve) lines.push(`  b=${String(c.buckets).padStart(3)}  candidates ${c.candidates.toFixed(1).padStart(7)}  R@10 ${f(c.recall10)}  in candidates ${f(c.candidateRecall)}`);
  }
  if (r.invalidBeforeTrie != null)
    lines.push('', `beams invalid before the trie: ${(r.invalidBeforeTrie * 100).toFixed(1)}% of expansions (${((r.invalidBeforeTrieFinal ?? 0) * 100).toFixed(1)}% at the last layer); after: ${((r.invalidAfterTrie ?? 0) * 100).toFixed(1)}%`);
  lines.push(`${r.msPerQuery.toFixed(2)} ms per query`);
  return lines.join('\n');
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Recall/NDCG@5/10/20 of a trained retriever or a baseline (bm25, dense, popularity) on the test split',
  usage: 'semid eval --retriever R [--beam B] [--json]  |  semid eval --baseline dense|popularity|bm25 --dataset D --task T [--json]',
  details: [
    'R is a train-retriever run or a uri build (URI trains its retriever while building).',
    'Baselines: bm25 over item text (search task only), dense = exact inner product with item embeddings (query = its',
    'text embedding for search, the history mean for general, a recency-weighted history mean for sequential),',
    'popularity = train (+ valid) interaction counts. All use the same examples and metrics as the retriever.',
  ].join('\n'),
  options: {
    retriever: { type: 'string', description: 'retriever run', valueName: 'R' },
    baseline: { type: 'string', description: 'bm25 | dense | popularity', valueName: 'NAME' },
    dataset: { type: 'string', description: 'dataset id or name (baselines)', valueName: 'D' },
    task: { type: 'string', description: 'search | general | sequential (baselines)', valueName: 'T' },
    beam: { type: 'string', description: 'beam size', valueName: 'B', default: '20' },
    split: { type: 'string', description: 'test | valid', valueName: 'S', default: 'test' },
    limit: { type: 'string', description: 'evaluate the first N queries only', valueName: 'N' },
    embedding: { type: 'string', description: 'embedding name (default: the latest)', valueName: 'NAME' },
  },
  json: true,
  async run(args, ctx) {
    const a = args.values;
    const retrieverRunId = num(a.retriever, 'retriever');
    const params: Record<string, unknown> = {
      beam: num(a.beam, 'beam') ?? 20,
      split: a.split ?? 'test',
      ...(a.limit !== undefined ? { limit: num(a.limit, 'limit') } : {}),
      ...(typeof a.embedding === 'string' ? { embedding: a.embedding } : {}),
    };
    let datasetId: number;
    let label: string;
    const db = openDb(ctx.dbPath);
    try {
      if (retrieverRunId !== undefined) {
        const r = requireRun(db, retrieverRunId);
        datasetId = r.datasetId ?? -1;
        params.retrieverRunId = retrieverRunId;
        label = `eval retriever ${retrieverRunId}`;
      } else {
        if (typeof a.baseline !== 'string') throw new Error('give --retriever R or --baseline NAME');
        if (typeof a.dataset !== 'string' || typeof a.task !== 'string') throw new Error('a baseline needs --dataset and --task');
        datasetId = findDataset(db, a.dataset).id;
        Object.assign(params, { baseline: a.baseline, datasetId, task: a.task });
        label = `eval ${a.baseline} ${a.task}`;
      }
    } finally {
      db.close();
    }
    const run = await withHost(ctx.dbPath, (host) =>
      runJob(host, ctx, 'eval', {
        ...(datasetId > 0 ? { datasetId } : {}),
        params,
        name: label,
        method: retrieverRunId !== undefined ? 'retriever' : String(a.baseline),
      }),
    );
    if (run.status !== 'succeeded') throw new Error(`eval run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    const db2 = openDb(ctx.dbPath);
    try {
      const report = getRunResult(db2, run.id) as unknown as EvaluationReport;
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, runId: run.id, report }));
      else ctx.out(formatEvaluation(report));
    } finally {
      db2.close();
    }
    return 0;
  },
};
