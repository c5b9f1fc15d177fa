/** The runs table and everything hanging off a run (metrics, logs, checkpoints, run data). Host-side writer only. */
import type { RunKind, RunRecord, RunStatus, TfBackendName } from '../../shared/types';
import { type Db, nowIso } from './db';

interface RunRow {
  id: number;
  dataset_id: number | null;
  kind: string;
  method: string;
  name: string;
  config_json: string;
  status: string;
  backend: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  error: string | null;
  parent_run_id: number | null;
  timings_json: string;
  progress_json: string | null;
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    kind: r.kind as RunKind,
    method: r.method,
    name: r.name,
    config: JSON.parse(r.config_json) as Record<string, unknown>,
    status: r.status as RunStatus,
    backend: r.backend as TfBackendName | null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
    error: r.error,
    parentRunId: r.parent_run_id,
    timings: JSON.parse(r.timings_json) as Record<string, number>,
    progress: r.progress_json ? (JSON.parse(r.progress_json) as RunRecord['progress']) : null,
  };
}

export interface NewRun {
  datasetId: number | null;
  kind: RunKind;
  method: string;
  name?: string;
  config?: Record<string, unknown>;
  status?: RunStatus;
  parentRunId?: number | null;
}

export function createRun(db: Db, r: NewRun): number {
  const now = nowIso();
  const status = r.status ?? 'queued';
  const info = db
    .prepare(
      `INSERT INTO runs (dataset_id, kind, method, name, config_json, status, created_at, started_at, finished_at, parent_run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      r.datasetId,
      r.kind,
      r.method,
      r.name ?? `${r.kind} ${r.method}`,
      JSON.stringify(r.config ?? {}),
      status,
      now,
      status === 'queued' ? null : now,
      status === 'succeeded' || status === 'failed' ? now : null,
      r.parentRunId ?? null,
    );
  return Number(info.lastInsertRowid);
}

export function getRun(db: Db, runId: number): RunRecord | undefined {
  const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
  return row && toRecord(row);
}

export function requireRun(db: Db, runId: number): RunRecord {
  const r = getRun(db, runId);
  if (!r) throw new Error(`run ${runId} does not exist`);
  return r;
}

export function listRuns(db: Db, filter: { datasetId?: number; kind?: string } = {}): RunRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.datasetId != null) {
    where.push('dataset_id = ?');
    args.push(filter.datasetId);
  }
  if (filter.kind != null) {
    where.push('kind = ?');
    args.push(filter.kind);
  }
  const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC`;
  return (db.prepare(sql).all(...args) as RunRow[]).map(toRecord);
}

export function markRunning(db: Db, runId: number, pid: number | null): void {
  const now = nowIso();
  db.prepare(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?), heartbeat_at = ?, pid = ? WHERE id = ?`).run(
    now,
    now,
    pid,
    runId,
  );
}

export function heartbeat(db: Db, runId: number): void {
  db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(nowIso(), runId);
}

export function setRunBackend(db: Db, runId: number, backend: TfBackendName): void {
  db.prepare('UPDATE runs SET backend = ? WHERE id = ?').run(backend, runId);
}

export function setRunProgress(db: Db, runId: number, progress: { done: number; total: number; phase: string }): void {
  db.prepare('UPDATE runs SET progress_json = ? WHERE id = ?').run(JSON.stringify(progress), runId);
}

export function finishRun(
  db: Db,
  runId: number,
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled' | 'interrupted'>,
  extra: { error?: string | null; result?: Record<string, unknown>; timings?: Record<string, number> } = {},
): void {
  db.prepare(
    `UPDATE runs SET status = ?, finished_at = ?, error = ?, result_json = COALESCE(?, result_json),
       timings_json = COALESCE(?, timings_json), pid = NULL WHERE id = ?`,
  ).run(
    status,
    nowIso(),
    extra.error ?? null,
    extra.result ? JSON.stringify(extra.result) : null,
    extra.timings ? JSON.stringify(extra.timings) : null,
    runId,
  );
}

export function getRunResult(db: Db, runId: number): Record<string, unknown> | null {
  const row = db.prepare('SELECT result_json FROM runs WHERE id = ?').get(runId) as { result_json: string | null } | undefined;
  return row?.result_json ? (JSON.parse(row.result_json) as Record<string, unknown>) : null;
}

/**
 * On start-up: a run still 'running' whose heartbeat is older than staleMs lost its process (crash, kill, power
 * loss). It becomes 'interrupted' so the user can resume it from its last checkpoint.
 */
export function interruptStaleRuns(db: Db, staleMs: number, now = Date.now()): number[] {
  const rows = db.prepare(`SELECT id, heartbeat_at, started_at FROM runs WHERE status IN ('running','queued')`).all() as {
    id: number;
    heartbeat_at: string | null;
    started_at: string | null;
  }[];
  const stale = rows.filter((r) => {
    const t = Date.parse(r.heartbeat_at ?? r.started_at ?? '');
    return !Number.isFinite(t) || now - t > staleMs;
  });
  const upd = db.prepare(
    `UPDATE runs SET status = 'interrupted', finished_at = ?, error = 'the job process stopped without finishing (heartbeat lost)', pid = NULL WHERE id = ?`,
  );
  db.transaction(() => stale.forEach((r) => upd.run(nowIso(), r.id)))();
  return stale.map((r) => r.id);
}

export function addMetrics(db: Db, runId: number, step: number, values: Record<string, number>): void {
  const ins = db.prepare('INSERT OR REPLACE INTO run_metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const [k, v] of Object.entries(values)) if (Number.isFinite(v)) ins.run(runId, step, k, v);
  })();
}

export function getMetrics(db: Db, runId: number): Record<string, [number, number][]> {
  const rows = db.prepare('SELECT step, name, value FROM run_metrics WHERE run_id = ? ORDER BY step').all(runId) as {
    step: number;
    name: string;
    value: number;
  }[];
  const out: Record<string, [number, number][]> = {};
  for (const r of rows) (out[r.name] ??= []).push([r.step, r.value]);
  return out;
}

export function addLog(db: Db, runId: number, level: string, message: string): void {
  db.prepare('INSERT INTO run_logs (run_id, at, level, message) VALUES (?, ?, ?, ?)').run(runId, nowIso(), level, message);
}

export function getLogs(db: Db, runId: number, limit = 1000): { at: string; level: string; message: string }[] {
  return db
    .prepare('SELECT at, level, message FROM run_logs WHERE run_id = ? ORDER BY rowid DESC LIMIT ?')
    .all(runId, limit)
    .reverse() as { at: string; level: string; message: string }[];
}

export function saveCheckpoint(
  db: Db,
  runId: number,
  cp: { step: number; epoch: number; meta: Record<string, unknown>; data: Uint8Array },
): void {
  // Keep only the latest two checkpoints per run: resume needs the last one; one spare guards a torn write.
  db.transaction(() => {
    db.prepare('INSERT INTO checkpoints (run_id, step, epoch, meta_json, data, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      runId,
      cp.step,
      cp.epoch,
      JSON.stringify(cp.meta),
      Buffer.from(cp.data.buffer, cp.data.byteOffset, cp.data.byteLength),
      nowIso(),
    );
    db.prepare(
      'DELETE FROM checkpoints WHERE run_id = ? AND id NOT IN (SELECT id FROM checkpoints WHERE run_id = ? ORDER BY id DESC LIMIT 2)',
    ).run(runId, runId);
  })();
}

export function latestCheckpoint(
  db: Db,
  runId: number,
): { step: number; epoch: number; meta: Record<string, unknown>; data: Uint8Array } | undefined {
  const row = db
    .prepare('SELECT step, epoch, meta_json, data FROM checkpoints WHERE run_id = ? ORDER BY id DESC LIMIT 1')
    .get(runId) as { step: number; epoch: number; meta_json: string; data: Buffer } | undefined;
  if (!row) return undefined;
  return {
    step: row.step,
    epoch: row.epoch,
    meta: JSON.parse(row.meta_json) as Record<string, unknown>,
    data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
  };
}

export function setRunData(db: Db, runId: number, key: string, value: unknown): void {
  db.prepare('INSERT OR REPLACE INTO run_data (run_id, key, value_json) VALUES (?, ?, ?)').run(runId, key, JSON.stringify(value));
}

export function getRunData<T = unknown>(db: Db, runId: number, key: string): T | undefined {
  const row = db.prepare('SELECT value_json FROM run_data WHERE run_id = ? AND key = ?').get(runId, key) as
    | { value_json: string }
    | undefined;
  return row ? (JSON.parse(row.value_json) as T) : undefined;
}

export function saveAudit(db: Db, runId: number, report: Record<string, unknown>): void {
  db.prepare('INSERT OR REPLACE INTO audits (run_id, report_json, created_at) VALUES (?, ?, ?)').run(
    runId,
    JSON.stringify(report),
    nowIso(),
  );
}

export function getAudit(db: Db, runId: number): Record<string, unknown> | undefined {
  const row = db.prepare('SELECT report_json FROM audits WHERE run_id = ?').get(runId) as { report_json: string } | undefined;
  return row ? (JSON.parse(row.report_json) as Record<string, unknown>) : undefined;
}

export function saveEvaluation(db: Db, runId: number, task: string, report: Record<string, unknown>): number {
  const info = db
    .prepare('INSERT INTO evaluations (run_id, task, report_json, created_at) VALUES (?, ?, ?, ?)')
    .run(runId, task, JSON.stringify(report), nowIso());
  return Number(info.lastInsertRowid);
}

export function listEvaluations(db: Db, runId: number): { id: number; task: string; report: Record<string, unknown>; createdAt: string }[] {
  return (
    db.prepare('SELECT id, task, report_json, created_at FROM evaluations WHERE run_id = ? ORDER BY id').all(runId) as {
      id: number;
      task: string;
      report_json: string;
      created_at: string;
    }[]
  ).map((r) => ({ id: r.id, task: r.task, report: JSON.parse(r.report_json) as Record<string, unknown>, createdAt: r.created_at }));
}

export function deleteRun(db: Db, runId: number): void {
  db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
}

/** Import runs learn their dataset only when the dataset has been written. */
export function setRunDataset(db: Db, runId: number, datasetId: number): void {
  db.prepare('UPDATE runs SET dataset_id = ? WHERE id = ?').run(datasetId, runId);
}

/** Re-queues an interrupted/failed/cancelled run so the host can resume it from its last checkpoint. */
export function requeueRun(db: Db, runId: number): void {
  db.prepare(`UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL WHERE id = ?`).run(runId);
}
