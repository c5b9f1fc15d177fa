/** What every domain service is built from. Other helpers' services (views, retrieval, ids) take the same context. */
import type { ApiEvent } from '../../shared/api/index';
import type { JobKind } from '../../shared/protocol';
import type { RunRecord } from '../../shared/types';
import type { Db } from '../db/db';

/**
 * The part of the jobs helper's JobHost (src/node/jobs/host.ts) the services use. Declared structurally so the
 * services compile and can be unit-tested against a fake host; JobHost satisfies it.
 */
export interface JobControl {
  start(kind: JobKind, opts: { datasetId?: number; params: Record<string, unknown>; name?: string; method?: string }): number;
  cancel(runId: number): void;
  wait(runId: number): Promise<RunRecord>;
  onEvent(listener: (ev: ApiEvent) => void): () => void;
}

export interface ServiceContext {
  /** The single writer connection of this process (the host). */
  db: Db;
  dbPath: string;
  jobs: JobControl;
  host: 'electron' | 'serve';
}
