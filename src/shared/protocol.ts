/**
 * The job protocol: one discriminated union for every long-running job (import, embed, build, train-retriever,
 * eval, project). The same messages flow over Electron's utilityProcess (app) and child_process.fork (CLI, serve,
 * tests); both are Node children exchanging structured-clone messages, so typed arrays travel without copies to JSON.
 *
 * The child is a pure compute process: it may open the database read-only, but every write (run status, metrics,
 * artifacts, checkpoints) happens in the host, which keeps one SQLite writer per database file.
 */
import type { ErrorInfo } from './errors';
import type { CollisionMode, RunKind, TfBackendName } from './types';

export type JobKind = Exclude<RunKind, 'audit'> | 'audit';

/** Host → child. */
export type HostMessage =
  | { type: 'start'; jobId: string; runId: number; kind: JobKind; dbPath: string; params: Record<string, unknown> }
  | { type: 'cancel'; jobId: string };

/** Artifacts are persisted by the host when they arrive (the child never writes). */
export type Artifact =
  | {
      kind: 'embeddings';
      datasetId: number;
      name: string;
      method: string;
      dim: number;
      count: number;
      data: Float32Array;
      config: Record<string, unknown>;
    }
  | {
      kind: 'semantic-ids';
      runId: number;
      layers: number;
      codebookSizes: number[];
      codes: Int32Array;
      collisionMode: CollisionMode;
    }
  | { kind: 'checkpoint'; runId: number; step: number; epoch: number; meta: Record<string, unknown>; data: Uint8Array }
  | { kind: 'audit'; runId: number; report: Record<string, unknown> }
  | { kind: 'evaluation'; runId: number; task: string; report: Record<string, unknown> }
  | {
      kind: 'projection';
      datasetId: number;
      runId: number | null;
      source: string;
      method: string;
      params: Record<string, unknown>;
      coords: Float32Array;
    }
  /** A generic JSON blob attached to a run (e.g. URI's per-epoch token distributions for the case study). */
  | { kind: 'run-data'; runId: number; key: string; value: unknown }
  /** A fully parsed and validated dataset, written by the host in one transaction. */
  | { kind: 'dataset'; dataset: unknown };

/** Events yielded by the async generators in src/core (and job runners in src/node). */
export type JobEvent =
  | { type: 'progress'; phase: string; done: number; total: number; message?: string }
  | { type: 'metrics'; step: number; values: Record<string, number> }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'artifact'; artifact: Artifact };

/** Child → host. */
export type ChildMessage =
  | ({ jobId: string } & JobEvent)
  | { type: 'heartbeat'; jobId: string; at: number }
  | { type: 'backend'; jobId: string; backend: TfBackendName }
  | { type: 'done'; jobId: string; result: Record<string, unknown> }
  | { type: 'error'; jobId: string; error: ErrorInfo }
  | { type: 'cancelled'; jobId: string };

/** Heartbeat period of a running child; a run whose heartbeat is older than HEARTBEAT_STALE_MS is interrupted. */
export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_STALE_MS = 10_000;
/** After a polite cancel, the host kills the child if it has not exited within this time. */
export const CANCEL_GRACE_MS = 2000;
