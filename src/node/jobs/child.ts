/**
 * The job process entry. It receives one 'start' message, opens the database read-only, runs the runner of that
 * kind (RUNNERS) with an AbortController that a 'cancel' message aborts, forwards every event, sends heartbeats,
 * and ends with exactly one of 'done' | 'error' | 'cancelled' before exiting. It never writes the database.
 *
 * `runChild(port)` is transport-free so the Electron utility process (src/main/jobWorker.ts) reuses it with
 * `process.parentPort`; run as a forked Node child, this module wires itself to `process.send`.
 */
import { pathToFileURL } from 'node:url';
import { CancelledError, toErrorInfo } from '../../shared/errors';
import { type ChildMessage, HEARTBEAT_MS, type HostMessage } from '../../shared/protocol';
import { type Db, openDb } from '../db/db';
import { RUNNERS } from './runners/index';
import type { JobRunner, JobRunnerContext } from './types';

export interface ParentPort {
  postMessage(m: ChildMessage): void;
  onMessage(cb: (m: HostMessage) => void): void;
  /** Ends the process after the last message is flushed. */
  exit(code: number): void;
}

/** Starts listening for the host's messages; `cancel()` aborts the running job (used for SIGTERM). */
export function runChild(port: ParentPort): { cancel(): void } {
  let started = false;
  let controller: AbortController | null = null;
  let jobId = '';
  port.onMessage((m) => {
    if (m.type === 'cancel') {
      if (m.jobId === jobId) controller?.abort();
      return;
    }
    if (m.type === 'start' && !started) {
      started = true;
      jobId = m.jobId;
      controller = new AbortController();
      void runJob(port, m, controller).then((code) => port.exit(code));
    }
  });
  return { cancel: () => controller?.abort() };
}

async function runJob(port: ParentPort, m: Extract<HostMessage, { type: 'start' }>, controller: AbortController): Promise<number> {
  const { jobId } = m;
  const beat = setInterval(() => port.postMessage({ type: 'heartbeat', jobId, at: Date.now() }), HEARTBEAT_MS);
  port.postMessage({ type: 'heartbeat', jobId, at: Date.now() });
  let db: Db | null = null;
  try {
    const runner = (await testRunners())?.[m.kind] ?? RUNNERS[m.kind];
    if (!runner) throw new Error(`no job runner is registered for kind "${m.kind}"`);
    const params: unknown = runner.parse(m.params);
    if (m.dbPath !== ':memory:') db = openDb(m.dbPath, { readonly: true });
    const ctx: JobRunnerContext = {
      db: db as Db,
      dbPath: m.dbPath,
      runId: m.runId,
      signal: controller.signal,
      reportBackend: (backend) => port.postMessage({ type: 'backend', jobId, backend }),
    };
    const gen = runner.run(params, ctx);
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        port.postMessage({ type: 'done', jobId, result: r.value ?? {} });
        return 0;
      }
      port.postMessage({ jobId, ...r.value } as ChildMessage);
    }
  } catch (e) {
    // By name as well as by class: a runner loaded from outside this bundle (SEMID_TEST_RUNNERS, a plug-in) throws
    // its own copy of CancelledError, which instanceof does not recognise.
    const name = (e as Error | null)?.name;
    if (e instanceof CancelledError || (controller.signal.aborted && (name === 'AbortError' || name === 'CancelledError'))) {
      port.postMessage({ type: 'cancelled', jobId });
    } else {
      port.postMessage({ type: 'error', jobId, error: toErrorInfo(e) });
    }
    return 0;
  } finally {
    clearInterval(beat);
    db?.close();
    await disposeTf();
  }
}

/**
 * Tests of the job system need runners that loop, crash or pick a tfjs backend on demand: SEMID_TEST_RUNNERS names a
 * module exporting TEST_RUNNERS that take precedence over RUNNERS in this child only.
 */
async function testRunners(): Promise<Partial<Record<string, JobRunner<unknown>>> | null> {
  const path = process.env.SEMID_TEST_RUNNERS;
  if (!path) return null;
  const mod = (await import(pathToFileURL(path).href)) as { TEST_RUNNERS?: Partial<Record<string, JobRunner<unknown>>> };
  return mod.TEST_RUNNERS ?? null;
}

/** Frees tfjs memory if this job loaded tfjs (no import otherwise: most jobs never touch it). */
async function disposeTf(): Promise<void> {
  const { loadedTf } = await import('../tf');
  const tf = loadedTf();
  if (!tf) return;
  tf.disposeVariables();
}

// Forked Node child: wire to process.send / process.on('message').
if (process.env.SEMID_JOB_CHILD === '1' && typeof process.send === 'function') {
  const send = process.send.bind(process);
  const handle = runChild({
    postMessage: (msg) => {
      send(msg);
    },
    onMessage: (cb) => {
      process.on('message', (msg) => cb(msg as HostMessage));
    },
    exit: (code) => {
      // The last message must be flushed before exiting: send() with a callback, then disconnect.
      send({ type: 'heartbeat', jobId: '', at: Date.now() }, undefined, {}, () => {
        process.disconnect();
        process.exitCode = code;
        setTimeout(() => process.exit(code), 50).unref();
      });
    },
  });
  // `semid runs cancel` from another process: SIGTERM is a polite cancel, like the host's 'cancel' message.
  process.on('SIGTERM', () => handle.cancel());
  process.on('disconnect', () => {
    // The host died or disconnected us: nothing will receive our events, stop now.
    setTimeout(() => process.exit(0), 100).unref();
  });
}
