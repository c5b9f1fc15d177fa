/** The `ids` API domain: the ID-quality audit and the semantic-ID table of a run. */
import type { IdMethod } from '../types';
import { v } from '../validate';

/** The audit report of one run (shape: AuditReport in src/core/audit/index.ts, kept JSON-plain here). */
export interface AuditSummary {
  runId: number;
  method: string;
  name: string;
  datasetId: number;
  report: Record<string, unknown> & {
    ape: number[];
    collisionRate: number;
    maxBucket: number[];
    utilization: number[];
    perplexity: number[];
    deadCodes: number[];
    categoryPurity: (number | null)[];
    categoryNmi: (number | null)[];
    prefixAgreement: { sameLeaf: number; random: number; pairs: number };
  };
}

export interface IdTableRow {
  idx: number;
  extId: string;
  title: string;
  /** Category path joined by " > ". */
  category: string;
  tokens: number[];
  /** Items sharing this full ID (1 = unique). */
  groupSize: number;
}

export interface IdsApi {
  /** The stored audit of a run (computed on the fly and stored when missing, e.g. for an imported table). */
  audit(arg: { runId: number }): Promise<AuditSummary>;
  /** Audits of several runs, in the given order, for side-by-side comparison. */
  compareAudits(arg: { runIds: number[] }): Promise<AuditSummary[]>;
  /** A page of items with their ID tokens. */
  table(arg: { runId: number; offset?: number; limit?: number }): Promise<{
    runId: number;
    method: IdMethod | string;
    layers: number;
    codebookSizes: number[];
    total: number;
    rows: IdTableRow[];
  }>;
}

const runId = v.num({ int: true, min: 1 });

export const idsValidators = {
  audit: v.object({ runId }),
  compareAudits: v.object({ runIds: v.array(runId, { max: 64 }) }),
  table: v.object({
    runId,
    offset: v.optional(v.num({ int: true, min: 0 })),
    limit: v.optional(v.num({ int: true, min: 1, max: 5000 })),
  }),
} satisfies { [K in keyof IdsApi]: unknown };
