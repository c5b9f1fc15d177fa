/**
 * The CLI's view of jobs: one progress follower and one "start and wait" used by every command that runs a job
 * (embed, demo, build, train-retriever, eval, runs resume), so they all draw the same bar and cancel the same way.
 */
import type { CliContext } from './command';
import type { ApiEvent } from '../shared/api/index';
import type { JobKind } from '../shared/protocol';
import type { RunRecord } from '../shared/types';
import { openDb } from '../node/db/db';
import { nodeForkAdapter } from '../node/jobs/adapter';
import { JobHost, type StartOptions } from '../node/jobs/host';

/** A one-line progress bar: `[#####.....]  50% phase 5/10`. */
export function progressBar(phase: string, done: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const fill = Math.round(frac * width);
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${phase} ${done}/${total}`;
}

export interface FollowOptions {
  /** Prefix of each line (default `run N`). */
  label?: (runId: number) => string;
  /** Called with each metrics event (e.g. per-epoch losses); the bar line is ended first on a TTY. */
  onMetrics?: (runId: number, values: Record<string, number>) => void;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

/**
 * Follows every job of `host` on stderr (a `\r`-redrawn bar on a TTY, a line every 2 s otherwise, so CI logs stay
 * short) and turns the first Ctrl-C into a polite cancel of the running jobs (a second one exits at once).
 * With `--json` the bar is not drawn (stdout stays one JSON object; stderr keeps warnings). Returns a disposer.
 */
export function followJobs(host: JobHost, ctx: CliContext, opts: FollowOptions = {}): () => void {
  const label = opts.label ?? ((id: number) => `run ${id}`);
  const tty = Boolean(process.stderr.isTTY) && !ctx.json;
  let lastPrint = 0;
  let drawn = false;
  const endLine = (): void => {
    if (drawn && tty) process.stderr.write('\n');
    drawn = false;
  };
  const off = host.onEvent((ev: ApiEvent) => {
    if (ev.type === 'run') {
      if (FINISHED.has(ev.run.status)) endLine();
      return;
    }
    const m = ev.message;
    if (m.type === 'progress') {
      if (ctx.json) return;
      const line = `${label(ev.runId)} ${progressBar(m.phase, m.done, m.total)}`;
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastPrint > 2000 || m.done === m.total) {
        lastPrint = Date.now();
        ctx.err(line);
      }
    } else if (m.type === 'metrics') {
      endLine();
      opts.onMetrics?.(ev.runId, m.values);
    } else if (m.type === 'log' && m.level !== 'info') {
      endLine();
      ctx.err(`${label(ev.runId)} ${m.level}: ${m.message}`);
    }
  });
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ctx.err('\ncancelling (press Ctrl-C again to quit at once)…');
    for (const id of host.activeRuns()) host.cancel(id);
  };
  process.on('SIGINT', onSigint);
  return () => {
    off();
    process.off('SIGINT', onSigint);
  };
}

/** Starts one job (or resumes run `resume`) and waits for it, following its progress. */
export async function runJob(
  host: JobHost,
  ctx: CliContext,
  kind: JobKind,
  opts: StartOptions,
  follow: FollowOptions & { resume?: number } = {},
): Promise<RunRecord> {
  const stop = followJobs(host, ctx, follow);
  try {
    let runId: number;
    if (follow.resume !== undefined) {
      runId = follow.resume;
      host.resume(runId);
    } else runId = host.start(kind, opts);
    return await host.wait(runId);
  } finally {
    stop();
  }
}

/** Parses a numeric CLI option (`--name`), naming the option when the value is not a number. */
export function numOption(s: unknown, name: string, integer = true): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (typeof s !== 'string' || s.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} expects ${integer ? 'an integer' : 'a number'}, got "${String(s)}"`);
  }
  return n;
}

/** Opens the database and a JobHost for the duration of `fn`, closing both afterwards. */
export async function withHost<T>(dbPath: string, fn: (host: JobHost) => Promise<T>): Promise<T> {
  const db = openDb(dbPath);
  const host = new JobHost({ db, dbPath, adapter: nodeForkAdapter });
  try {
    return await fn(host);
  } finally {
    host.dispose();
    db.close();
  }
}
