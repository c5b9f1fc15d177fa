import type { JobKind } from '../protocol';
import type { RunRecord, RunStatus } from '../types';
import { v } from '../validate';

export interface RunLog {
  at: string;
  level: string;
  message: string;
}

export interface RunsApi {
  list(arg: { datasetId?: number; kind?: string }): Promise<RunRecord[]>;
  get(arg: { runId: number }): Promise<RunRecord>;
  /** Starts a job of any kind with kind-specific params (validated by the job's own schema). */
  start(arg: { kind: JobKind; datasetId?: number; params: Record<string, unknown> }): Promise<{ runId: number }>;
  cancel(arg: { runId: number }): Promise<{ status: RunStatus }>;
  /** Metric series of a run: name → [step, value][]. */
  metrics(arg: { runId: number }): Promise<Record<string, [number, number][]>>;
  logs(arg: { runId: number; limit?: number }): Promise<RunLog[]>;
  remove(arg: { runId: number }): Promise<void>;
}

const runId = v.num({ int: true, min: 1 });

export const runsValidators = {
  list: v.object({
    datasetId: v.optional(v.num({ int: true, min: 1 })),
    kind: v.optional(v.str({ max: 40 })),
  }),
  get: v.object({ runId }),
  start: v.object({
    kind: v.literal<JobKind>('import', 'embed', 'build', 'train-retriever', 'eval', 'project', 'audit'),
    datasetId: v.optional(v.num({ int: true, min: 1 })),
    params: v.record(),
  }),
  cancel: v.object({ runId }),
  metrics: v.object({ runId }),
  logs: v.object({ runId, limit: v.optional(v.num({ int: true, min: 1, max: 10000 })) }),
  remove: v.object({ runId }),
} satisfies { [K in keyof RunsApi]: unknown };
