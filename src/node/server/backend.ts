/**
 * One process's backend: the database (single writer), the job host, the services and, for `semid serve`, the HTTP
 * server. The CLI command, the browser tests and (minus HTTP) the Electron main process build it the same way.
 */
import { openDb, type Db } from '../db/db';
import { JobHost } from '../jobs/host';
import { nodeForkAdapter } from '../jobs/adapter';
import type { ChildAdapter } from '../jobs/adapter';
import { createServices, ensureDemo, type ServiceContext } from '../services/index';
import type { DemoFlow } from '../services/demo';
import type { Api } from '../../shared/api/index';
import { defaultRendererDir } from './paths';
import { startHttpServer, type RunningServer } from './http';

export interface Backend {
  db: Db;
  jobs: JobHost;
  api: Api;
  ctx: ServiceContext;
  /** Set when the demo flow was started because the database was empty. */
  demo: DemoFlow | null;
  dispose(): Promise<void>;
}

export function startBackend(opts: { dbPath: string; host: 'electron' | 'serve'; adapter?: ChildAdapter; demo?: boolean }): Backend {
  const db = openDb(opts.dbPath);
  const jobs = new JobHost({ db, dbPath: opts.dbPath, adapter: opts.adapter ?? nodeForkAdapter });
  const ctx: ServiceContext = { db, dbPath: opts.dbPath, jobs, host: opts.host };
  const api = createServices(ctx);
  const demo = opts.demo === false ? null : ensureDemo(ctx);
  return {
    db,
    jobs,
    api,
    ctx,
    demo,
    dispose: async () => {
      jobs.dispose();
      db.close();
    },
  };
}

export interface ServeOptions {
  dbPath: string;
  host?: string;
  port?: number;
  token?: string;
  rendererDir?: string;
  demo?: boolean;
  log?: (line: string) => void;
}

export interface Serving extends RunningServer {
  backend: Backend;
  rendererDir: string;
}

/** `semid serve` without the CLI: backend + HTTP server; close() stops the server, the jobs and the database. */
export async function serve(opts: ServeOptions): Promise<Serving> {
  const backend = startBackend({ dbPath: opts.dbPath, host: 'serve', demo: opts.demo });
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  try {
    const http = await startHttpServer({
      api: backend.api,
      onEvent: (l) => backend.jobs.onEvent(l),
      rendererDir,
      host: opts.host,
      port: opts.port,
      token: opts.token,
      log: opts.log,
    });
    return {
      ...http,
      backend,
      rendererDir,
      close: async () => {
        await http.close();
        await backend.dispose();
      },
    };
  } catch (e) {
    await backend.dispose();
    throw e;
  }
}
