/**
 * A job runner: the Node-side wrapper that loads a job's inputs (read-only database), calls the pure generator in
 * src/core, and re-yields its events. The same runner runs inside a forked child (CLI, serve, tests), an Electron
 * utility process (app), or in-process in unit tests.
 */
import type { Db } from '../db/db';
import type { JobEvent, JobKind } from '../../shared/protocol';
import type { TfBackendName } from '../../shared/types';

export interface JobRunnerContext {
  /** Read-only connection: children never write. */
  db: Db;
  dbPath: string;
  runId: number;
  signal: AbortSignal;
  /** Set by the child once it has initialised tfjs (only for jobs that need it). */
  reportBackend(backend: TfBackendName): void;
}

export interface JobRunner<P = Record<string, unknown>> {
  kind: JobKind;
  /** Validates raw params at the edge; throws a PayloadError/InputError naming the field. */
  parse(params: Record<string, unknown>): P;
  run(params: P, ctx: JobRunnerContext): AsyncGenerator<JobEvent, Record<string, unknown>, void>;
}
