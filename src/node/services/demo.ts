/**
 * The first-run demo flow shared by `semid serve`, the Electron app and `datasets.demo`: generate the seeded demo
 * catalog as an import job (format 'demo'), then embed it, so a new user lands on a dataset that can build IDs.
 */
import { EMBED_METHOD } from '../../core/embed/index';
import { listDatasets } from '../db/datasets';
import { listRuns } from '../db/runs';
import type { ServiceContext } from './context';

export interface DemoFlow {
  importRunId: number;
  /** Resolves when the catalog is imported and embedded (rejects with the failing run's error). */
  done: Promise<{ datasetId: number; embedRunId: number }>;
}

export function startDemo(ctx: ServiceContext, opts: { seed?: number; name?: string } = {}): DemoFlow {
  const seed = opts.seed ?? 42;
  const name = opts.name ?? 'demo catalog';
  const importRunId = ctx.jobs.start('import', {
    params: { format: 'demo', name, paths: [], options: { seed } },
    name: `import ${name}`,
    method: 'demo',
  });
  const done = (async () => {
    const imported = await ctx.jobs.wait(importRunId);
    if (imported.status !== 'succeeded' || imported.datasetId == null) {
      throw new Error(`demo import (run ${importRunId}) ${imported.status}: ${imported.error ?? 'no dataset written'}`);
    }
    const embedRunId = ctx.jobs.start('embed', { datasetId: imported.datasetId, params: { dim: 256, seed }, method: EMBED_METHOD, name: `embed ${name}` });
    const embedded = await ctx.jobs.wait(embedRunId);
    if (embedded.status !== 'succeeded') throw new Error(`demo embedding (run ${embedRunId}) ${embedded.status}: ${embedded.error ?? ''}`);
    return { datasetId: imported.datasetId, embedRunId };
  })();
  // Callers that only start the flow (the UI button) must not leave an unhandled rejection behind.
  done.catch(() => undefined);
  return { importRunId, done };
}

/** On a fresh database (no datasets and no import ever attempted), start the demo flow; else do nothing. */
export function ensureDemo(ctx: ServiceContext): DemoFlow | null {
  if (listDatasets(ctx.db).length > 0) return null;
  if (listRuns(ctx.db, { kind: 'import' }).length > 0) return null;
  return startDemo(ctx);
}
