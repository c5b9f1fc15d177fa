/** The `retrieval` API domain: evaluations (retrievers and baselines), the query inspector and URI's case study. */
import type { RetrievalTask } from '../types';
import { v } from '../validate';

/** Recall@K / NDCG@K means, keys "@5", "@10", "@20". */
export interface MetricSet {
  queries: number;
  recall: Record<string, number>;
  ndcg: Record<string, number>;
}

/** One point of the recall-vs-candidates curve (URI Fig. 4): keep the top-`buckets` beams' buckets as candidates. */
export interface CandidateCurvePoint {
  buckets: number;
  /** Mean number of candidate items per query. */
  candidates: number;
  recall10: number;
  /** Share of relevant items inside the candidate set. */
  candidateRecall: number;
}

/** The report stored with an eval run (evaluation artifact). */
export interface EvaluationReport {
  task: RetrievalTask;
  split: 'test' | 'valid';
  /** 'retriever' = generative retriever (beam search + ranker); otherwise the baseline's name. */
  system: 'retriever' | 'bm25' | 'dense' | 'popularity';
  datasetId: number;
  /** The ID-table run the retriever was trained on (null for baselines). */
  idsRunId: number | null;
  idsMethod: string | null;
  retrieverRunId: number | null;
  beam: number | null;
  /** The headline metrics: ranker over the beam's candidates for retrievers, full ranking for baselines. */
  metrics: MetricSet;
  /** Retrievers only: items in beam order (TIGER-style generation order). */
  beamOrder?: MetricSet;
  curve?: CandidateCurvePoint[];
  /** Share of the unconstrained top-beam expansions outside the trie, and after the trie (always 0). */
  invalidBeforeTrie?: number;
  invalidBeforeTrieFinal?: number;
  invalidAfterTrie?: number;
  meanCandidates?: number;
  msPerQuery: number;
}

export interface EvaluationRecord {
  id: number;
  /** The eval run that produced it. */
  runId: number;
  runName: string;
  datasetId: number | null;
  createdAt: string;
  report: EvaluationReport;
}

export interface InspectedItem {
  idx: number;
  title: string;
  category: string;
  /** Is it one of the query's relevant (test) items? */
  hit: boolean;
}

/** Everything the query inspector draws for one query (URI Fig. 5-style, at inference time). */
export interface QueryInspection {
  retrieverRunId: number;
  idsRunId: number;
  task: RetrievalTask;
  queryIdx: number;
  /** The query text (search) or a description of the user. */
  queryLabel: string;
  /** The query's input: history items (general/sequential), most recent last. */
  history: InspectedItem[];
  relevant: InspectedItem[];
  layers: number;
  codebookSizes: number[];
  beam: number;
  /** Per ID layer (0-based, as tokenLabel): the next-token distribution at the best beam's prefix (top tokens, probabilities). */
  layerDistributions: { layer: number; prefix: number[]; tokens: { token: number; prob: number }[] }[];
  /** Final beams, best first: tokens, per-token probability, total log-prob, and the items of the leaf bucket. */
  beams: { rank: number; tokens: number[]; tokenProbs: number[]; logProb: number; bucket: InspectedItem[] }[];
  /** Ranker top-K over the union of the beams' buckets. */
  ranked: (InspectedItem & { rank: number; score: number; beamRank: number })[];
}

/** URI Fig. 5: token distributions of a few queries and their items over the epochs of layer-1 training. */
export interface UriCaseStudyView {
  runId: number;
  layer: number;
  k: number;
  queries: {
    queryIdx: number;
    items: { idx: number; title: string; category: string; assigned: number }[];
    epochs: { epoch: number; query: number[]; items: number[][] }[];
  }[];
}

export interface RetrievalApi {
  evaluations(arg: { runId?: number; datasetId?: number }): Promise<EvaluationRecord[]>;
  inspectQuery(arg: { retrieverRunId: number; queryIdx: number; beam?: number; topK?: number }): Promise<QueryInspection>;
  uriCaseStudy(arg: { runId: number }): Promise<UriCaseStudyView | null>;
}

const id = v.num({ int: true, min: 1 });

export const retrievalValidators = {
  evaluations: v.object({ runId: v.optional(id), datasetId: v.optional(id) }),
  inspectQuery: v.object({
    retrieverRunId: id,
    queryIdx: v.num({ int: true, min: 0 }),
    beam: v.optional(v.num({ int: true, min: 1, max: 200 })),
    topK: v.optional(v.num({ int: true, min: 1, max: 200 })),
  }),
  uriCaseStudy: v.object({ runId: id }),
} satisfies { [K in keyof RetrievalApi]: unknown };
