/**
 * `semid runs`: lists runs (status, progress, backend, duration), and `semid runs cancel RUN` / `semid runs resume RUN`.
 * Cancel works across processes: the run's job process gets SIGTERM, which its child entry turns into the same polite
 * AbortSignal cancel the host uses; a run with no live process is marked cancelled directly.
 */
import type { Command } from '../command';
import type { RunRecord } from '../../shared/types';
import { openDb } from '../../node/db/db';
import { findDataset } from '../../node/db/datasets';
import { finishRun, listRuns, requireRun } from '../../node/db/runs';
import { JobHost } from '../../node/jobs/host';
import { nodeForkAdapter } from '../../node/jobs/adapter';
import { runJob } from '../jobs';

function duration(r: RunRecord): string {
  if (!r.startedAt) return '';
  const end = r.finishedAt ? Date.parse(r.finishedAt) : Date.now();
  const s = (end - Date.parse(r.startedAt)) / 1000;
  return s < 120 ? `${s.toFixed(1)}s` : `${(s / 60).toFixed(1)}m`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const runIdArg = (s: string | undefined): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a run id, got "${String(s)}"`);
  return n;
};

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List runs; cancel or resume one',
  usage: 'semid runs [--dataset D] [--kind K] [--json] | semid runs cancel RUN | semid runs resume RUN',
  details: 'resume re-starts an interrupted (or failed/cancelled) run under the same id from its last checkpoint.',
  options: {
    dataset: { type: 'string', description: 'only runs of this dataset (id or name)', valueName: 'D' },
    kind: { type: 'string', description: 'only runs of this kind (import, embed, build, ...)', valueName: 'K' },
  },
  json: true,
  async run(args, ctx) {
    const [sub, arg] = args.positionals;
    const db = openDb(ctx.dbPath);
    try {
      if (sub === 'cancel') {
        const runId = runIdArg(arg);
        const run = requireRun(db, runId);
        const pid = (db.prepare('SELECT pid FROM runs WHERE id = ?').get(runId) as { pid: number | null }).pid;
        let how: string;
        if (run.status !== 'running' && run.status !== 'queued') how = `already ${run.status}`;
        else if (pid && isAlive(pid)) {
          process.kill(pid, 'SIGTERM');
          how = 'cancel sent to its job process';
        } else {
          finishRun(db, runId, 'cancelled', { error: 'cancelled (no live job process)' });
          how = 'marked cancelled (no live job process)';
        }
        if (ctx.json) ctx.out(JSON.stringify({ ok: true, runId, action: how }));
        else ctx.out(`run ${runId}: ${how}`);
        return 0;
      }
      if (sub === 'resume') {
        const runId = runIdArg(arg);
        const host = new JobHost({ db, dbPath: ctx.dbPath, adapter: nodeForkAdapter });
        try {
          const run = await runJob(host, ctx, requireRun(db, runId).kind, { params: {} }, { resume: runId });
          if (ctx.json) ctx.out(JSON.stringify({ ok: run.status === 'succeeded', run }));
          else ctx.out(`run ${runId}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
          return run.status === 'succeeded' ? 0 : 1;
        } finally {
          host.dispose();
        }
      }
      if (sub !== undefined) throw new Error(`unknown subcommand "${sub}" (expected cancel or resume)`);
      const datasetId = typeof args.values.dataset === 'string' ? findDataset(db, args.values.dataset).id : undefined;
      const runs = listRuns(db, { datasetId, kind: typeof args.values.kind === 'string' ? args.values.kind : undefined });
      if (ctx.json) {
        ctx.out(JSON.stringify({ ok: true, runs }));
        return 0;
      }
      if (!runs.length) {
        const filtered = datasetId !== undefined || typeof args.values.kind === 'string';
        ctx.out(filtered ? 'no runs match --dataset / --kind (kinds: import, embed, build, train-retriever, eval, project, audit)' : 'no runs yet (try `semid demo`, `semid embed` or `semid build`)');
        return 0;
      }
      const rows = runs.map((r) => [
        String(r.id),
        r.kind,
        r.method,
        r.status,
        r.progress && r.status === 'running' ? `${r.progress.phase} ${Math.round((100 * r.progress.done) / Math.max(1, r.progress.total))}%` : '',
        r.backend ?? '',
        duration(r),
        r.name,
      ]);
      const head = ['id', 'kind', 'method', 'status', 'progress', 'backend', 'time', 'name'];
      const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
      ctx.out(head.map((h, c) => h.padEnd(widths[c]!)).join('  '));
      for (const row of rows) ctx.out(row.map((x, c) => x.padEnd(widths[c]!)).join('  '));
      return 0;
    } finally {
      db.close();
    }
  },
};
