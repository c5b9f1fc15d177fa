/**
 * JobHost: the lifecycle of job processes and the only writer of their runs. One child process per run; the host
 * creates the run row, forks, moves the status queued → running → succeeded | failed | cancelled | interrupted,
 * persists metrics, logs, progress (throttled) and artifacts (sink.ts), cancels politely then kills after
 * CANCEL_GRACE_MS, and records why a child died (exit code / signal). On construction it marks runs whose heartbeat
 * went stale (their host died) as interrupted; `resume` re-starts such a run under the same id, and runners pick up
 * their latest checkpoint.
 */
import { randomUUID } from 'node:crypto';
import type { ApiEvent } from '../../shared/api/index';
import { CANCEL_GRACE_MS, type ChildMessage, HEARTBEAT_STALE_MS, type JobKind } from '../../shared/protocol';
import type { RunRecord, RunStatus } from '../../shared/types';
import type { Db } from '../db/db';
import {
  addLog,
  addMetrics,
  createRun,
  finishRun,
  getRun,
  heartbeat,
  interruptStaleRuns,
  markRunning,
  requeueRun,
  requireRun,
  setRunBackend,
  setRunProgress,
} from '../db/runs';
import type { ChildAdapter, ChildHandle } from './adapter';
import { persistArtifact } from './sink';

export interface JobHostOptions {
  db: Db;
  dbPath: string;
  adapter: ChildAdapter;
  /** Jobs running at once; more are queued (default 4). */
  maxConcurrent?: number;
  /** Progress rows written per second per run at most (default 4); every event still reaches listeners. */
  progressWritesPerSecond?: number;
}

export interface StartOptions {
  datasetId?: number;
  params: Record<string, unknown>;
  name?: string;
  method?: string;
}

/**
 * A readable name for a run started without one (the app's forms, the API): what it is and what it was built on,
 * so run pickers say "retriever (sequential) on #3" rather than "train-retriever train-retriever".
 */
export function defaultRunName(kind: JobKind, p: Record<string, unknown>): string | undefined {
  const s = (x: unknown): string => String(x);
  if (kind === 'build' && typeof p.method === 'string') {
    const collisions = typeof p.collisions === 'string' && p.collisions !== 'none' ? ` ${p.collisions}` : '';
    return `${p.method} L${s(p.layers)} K${s(p.codebook)}${collisions}`;
  }
  if (kind === 'train-retriever' && p.idsRunId != null) return `retriever (${s(p.task)}) on #${s(p.idsRunId)}`;
  if (kind === 'eval') {
    if (p.retrieverRunId != null) return `eval of #${s(p.retrieverRunId)}`;
    if (typeof p.baseline === 'string') return `eval ${p.baseline} (${s(p.task)})`;
  }
  return undefined;
}

type Terminal = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled' | 'interrupted'>;

interface Active {
  runId: number;
  jobId: string;
  kind: JobKind;
  params: Record<string, unknown>;
  child: ChildHandle | null;
  cancelRequested: boolean;
  killTimer: NodeJS.Timeout | null;
  /** Final status decided by a child message, applied when the process exits (or at once). */
  outcome: { status: Terminal; error?: string | null; result?: Record<string, unknown> } | null;
  lastProgressWrite: number;
  pendingProgress: { done: number; total: number; phase: string } | null;
  phase: string | null;
  phaseStart: number;
  timings: Record<string, number>;
  startedAt: number;
  finished: boolean;
  /** Whether the child ever spoke: a process that dies silently never started its job (bad install, crash on load). */
  heard: boolean;
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

export class JobHost {
  private readonly db: Db;
  private readonly dbPath: string;
  private readonly adapter: ChildAdapter;
  private readonly maxConcurrent: number;
  private readonly progressIntervalMs: number;
  private readonly active = new Map<number, Active>();
  private readonly queue: number[] = [];
  private readonly listeners = new Set<(ev: ApiEvent) => void>();
  private readonly waiters = new Map<number, ((r: RunRecord) => void)[]>();
  private disposed = false;

  constructor(opts: JobHostOptions) {
    this.db = opts.db;
    this.dbPath = opts.dbPath;
    this.adapter = opts.adapter;
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 4);
    this.progressIntervalMs = 1000 / Math.max(0.1, opts.progressWritesPerSecond ?? 4);
    // Runs left 'running'/'queued' by a host that died (crash, kill, power loss) can never finish: interrupt them.
    for (const id of interruptStaleRuns(this.db, HEARTBEAT_STALE_MS)) this.emitRun(id);
  }

  /** Creates a run (status queued) and starts its job as soon as a slot is free. Returns the run id. */
  start(kind: JobKind, opts: StartOptions): number {
    if (this.disposed) throw new Error('the job host has been disposed');
    const datasetId = opts.datasetId ?? (typeof opts.params.datasetId === 'number' ? opts.params.datasetId : null);
    const params: Record<string, unknown> = datasetId != null ? { ...opts.params, datasetId } : { ...opts.params };
    const runId = createRun(this.db, {
      datasetId,
      kind,
      method: opts.method ?? (typeof params.method === 'string' ? params.method : kind),
      name: opts.name ?? defaultRunName(kind, params),
      config: params,
    });
    this.enqueue(runId, kind, params);
    return runId;
  }

  /** Re-starts an interrupted (or failed/cancelled) run under the same id; the runner resumes from its checkpoint. */
  resume(runId: number): void {
    if (this.disposed) throw new Error('the job host has been disposed');
    const run = requireRun(this.db, runId);
    if (this.active.has(runId)) throw new Error(`run ${runId} is already ${run.status}`);
    if (!TERMINAL.has(run.status) || run.status === 'succeeded') {
      throw new Error(`run ${runId} is ${run.status}: only interrupted, failed or cancelled runs can be resumed`);
    }
    if (run.kind === 'audit' && run.status !== 'interrupted') throw new Error(`run ${runId}: audits are re-run, not resumed`);
    requeueRun(this.db, runId);
    addLog(this.db, runId, 'info', `resumed after ${run.status}${run.error ? ` (${run.error})` : ''}`);
    this.enqueue(runId, run.kind as JobKind, run.config);
  }

  /**
   * Asks a run's job to stop: an AbortSignal inside the child (the generator throws CancelledError at its next
   * check), then a hard kill after CANCEL_GRACE_MS. A queued run is cancelled at once.
   */
  cancel(runId: number): void {
    const a = this.active.get(runId);
    if (!a) return;
    a.cancelRequested = true;
    if (!a.child) {
      const qi = this.queue.indexOf(runId);
      if (qi >= 0) this.queue.splice(qi, 1);
      this.finish(a, { status: 'cancelled', error: 'cancelled before it started' });
      return;
    }
    a.child.postMessage({ type: 'cancel', jobId: a.jobId });
    a.killTimer ??= setTimeout(() => a.child?.kill(), CANCEL_GRACE_MS);
  }

  /** Resolves with the run record once the run is in a terminal state. */
  wait(runId: number): Promise<RunRecord> {
    const run = requireRun(this.db, runId);
    if (!this.active.has(runId) && TERMINAL.has(run.status)) return Promise.resolve(run);
    if (!this.active.has(runId)) return Promise.resolve(run); // not ours (another host runs it)
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  onEvent(listener: (ev: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run ids with a live or queued job in this host. */
  activeRuns(): number[] {
    return [...this.active.keys()];
  }

  /** Kills every child; their runs become 'interrupted' (resumable). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const a of [...this.active.values()]) {
      a.child?.kill();
      this.finish(a, { status: 'interrupted', error: 'the workbench closed while the job was running' });
    }
    this.queue.length = 0;
    this.listeners.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private enqueue(runId: number, kind: JobKind, params: Record<string, unknown>): void {
    const a: Active = {
      runId,
      jobId: randomUUID(),
      kind,
      params,
      child: null,
      cancelRequested: false,
      killTimer: null,
      outcome: null,
      lastProgressWrite: 0,
      pendingProgress: null,
      phase: null,
      phaseStart: Date.now(),
      timings: {},
      startedAt: Date.now(),
      finished: false,
      heard: false,
    };
    this.active.set(runId, a);
    this.queue.push(runId);
    this.emitRun(runId);
    this.pump();
  }

  private running(): number {
    let n = 0;
    for (const a of this.active.values()) if (a.child) n++;
    return n;
  }

  private pump(): void {
    while (!this.disposed && this.queue.length > 0 && this.running() < this.maxConcurrent) {
      const runId = this.queue.shift()!;
      const a = this.active.get(runId);
      if (a) this.launch(a);
    }
  }

  private launch(a: Active): void {
    let child: ChildHandle;
    try {
      child = this.adapter.fork();
    } catch (e) {
      this.finish(a, { status: 'failed', error: `could not start the job process: ${(e as Error).message}` });
      return;
    }
    a.child = child;
    a.startedAt = Date.now();
    a.phaseStart = a.startedAt;
    markRunning(this.db, a.runId, child.pid ?? null);
    this.emitRun(a.runId);
    child.onMessage((m) => this.onMessage(a, m));
    child.onExit((code, signal) => this.onExit(a, code, signal));
    child.postMessage({ type: 'start', jobId: a.jobId, runId: a.runId, kind: a.kind, dbPath: this.dbPath, params: a.params });
  }

  private onMessage(a: Active, m: ChildMessage): void {
    if (a.finished || m.jobId !== a.jobId) return;
    a.heard = true;
    try {
      this.handle(a, m);
    } catch (e) {
      // A write failed (e.g. the dataset name is taken): the run fails with that reason and the child is stopped.
      const message = (e as Error).message;
      addLog(this.db, a.runId, 'error', message);
      a.outcome ??= { status: 'failed', error: message };
      a.child?.postMessage({ type: 'cancel', jobId: a.jobId });
      a.killTimer ??= setTimeout(() => a.child?.kill(), CANCEL_GRACE_MS);
    }
    this.emit({ type: 'job', runId: a.runId, message: m });
  }

  private handle(a: Active, m: ChildMessage): void {
    const runId = a.runId;
    switch (m.type) {
      case 'heartbeat':
        heartbeat(this.db, runId);
        return;
      case 'backend':
        setRunBackend(this.db, runId, m.backend);
        this.emitRun(runId);
        return;
      case 'progress': {
        if (m.phase !== a.phase) {
          const now = Date.now();
          if (a.phase) a.timings[a.phase] = (a.timings[a.phase] ?? 0) + (now - a.phaseStart);
          a.phase = m.phase;
          a.phaseStart = now;
        }
        a.pendingProgress = { done: m.done, total: m.total, phase: m.phase };
        const now = Date.now();
        if (now - a.lastProgressWrite >= this.progressIntervalMs || m.done >= m.total) this.flushProgress(a, now);
        return;
      }
      case 'metrics':
        addMetrics(this.db, runId, m.step, m.values);
        return;
      case 'log':
        addLog(this.db, runId, m.level, m.message);
        return;
      case 'artifact':
        if (a.outcome) return; // the run already failed: keep nothing more from it
        persistArtifact(this.db, runId, m.artifact);
        return;
      case 'done':
        a.outcome ??= { status: 'succeeded', result: m.result };
        return;
      case 'error': {
        const where = m.error.name && m.error.name !== 'Error' ? `${m.error.name}: ` : '';
        a.outcome ??= { status: 'failed', error: `${where}${m.error.message}` };
        if (m.error.stack) addLog(this.db, runId, 'error', m.error.stack);
        return;
      }
      case 'cancelled':
        a.outcome ??= { status: 'cancelled' };
        return;
    }
  }

  private flushProgress(a: Active, now = Date.now()): void {
    if (!a.pendingProgress) return;
    setRunProgress(this.db, a.runId, a.pendingProgress);
    a.pendingProgress = null;
    a.lastProgressWrite = now;
  }

  private onExit(a: Active, code: number | null, signal: string | null): void {
    if (a.killTimer) clearTimeout(a.killTimer);
    if (a.finished) return;
    if (a.outcome) {
      this.finish(a, a.outcome);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
    if (a.cancelRequested) this.finish(a, { status: 'cancelled', error: `cancelled (the job process ${how} after the grace period)` });
    else if (!a.heard) this.finish(a, { status: 'failed', error: `the job process ${how} before starting the job (see its stderr)` });
    else this.finish(a, { status: 'interrupted', error: `the job process ${how} before finishing` });
  }

  private finish(a: Active, outcome: NonNullable<Active['outcome']>): void {
    if (a.finished) return;
    a.finished = true;
    if (a.killTimer) clearTimeout(a.killTimer);
    const now = Date.now();
    this.flushProgress(a, now);
    if (a.phase) a.timings[a.phase] = (a.timings[a.phase] ?? 0) + (now - a.phaseStart);
    if (a.child) a.timings.total = now - a.startedAt;
    const prev = getRun(this.db, a.runId);
    const timings = { ...(prev?.timings ?? {}), ...a.timings };
    finishRun(this.db, a.runId, outcome.status, { error: outcome.error ?? null, result: outcome.result, timings });
    this.active.delete(a.runId);
    const record = this.emitRun(a.runId);
    const ws = this.waiters.get(a.runId);
    this.waiters.delete(a.runId);
    if (record) for (const w of ws ?? []) w(record);
    this.pump();
  }

  private emitRun(runId: number): RunRecord | undefined {
    const run = getRun(this.db, runId);
    if (run) this.emit({ type: 'run', run });
    return run;
  }

  private emit(ev: ApiEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // a listener's failure must not break the job lifecycle
      }
    }
  }
}
