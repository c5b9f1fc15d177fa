/**
 * The `import` job: the child parses and validates the files (no database writes), reports progress, and hands the
 * whole ImportedDataset to the host as one `dataset` artifact; the host's sink calls writeDataset in one transaction.
 * `importDataset` (re-exported) is the same parse + write in-process, for the CLI.
 */
import type { ImportRequest } from '../../../shared/api/datasets';
import { datasetsValidators } from '../../../shared/api/datasets';
import type { JobEvent } from '../../../shared/protocol';
import type { ImportedDataset } from '../../../shared/dataset';
import type { JobRunner } from '../types';
import { describeImported, parseImport } from '../../importers/index';

export { importDataset, parseImport, describeImported } from '../../importers/index';

/** Progress is throttled to one event per phase change or per 100 ms: Beauty's parse reports ~40 steps. */
const PROGRESS_MS = 100;

export const importRunner: JobRunner<ImportRequest> = {
  kind: 'import',
  parse: (params) => datasetsValidators.import(params, 'params'),
  async *run(req, ctx): AsyncGenerator<JobEvent, Record<string, unknown>, void> {
    const queue: JobEvent[] = [];
    let wake: (() => void) | null = null;
    let lastPhase = '';
    let lastAt = 0;
    const onProgress = (phase: string, done: number, total: number): void => {
      const now = Date.now();
      if (phase === lastPhase && now - lastAt < PROGRESS_MS && done !== total) return;
      lastPhase = phase;
      lastAt = now;
      queue.push({ type: 'progress', phase, done, total });
      wake?.();
    };
    // Outcome kept in one object: the parser settles it from a callback the loop below cannot see into.
    const state: { finished: boolean; result?: ImportedDataset; error?: unknown } = { finished: false };
    const task = parseImport(req, { onProgress, signal: ctx.signal })
      .then(
        (r) => void (state.result = r),
        (e: unknown) => void (state.error = e ?? new Error('import failed')),
      )
      .finally(() => {
        state.finished = true;
        wake?.();
      });
    while (!state.finished || queue.length) {
      const ev = queue.shift();
      if (ev) {
        yield ev;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    await task;
    if (state.error !== undefined) throw state.error;
    const ds = state.result!;
    const summary = describeImported(ds);
    yield { type: 'log', level: 'info', message: `parsed ${summary.items} items, ${summary.queries} ${ds.queryKind}s, ${summary.interactions} interactions` };
    yield { type: 'artifact', artifact: { kind: 'dataset', dataset: ds } };
    return { ...summary };
  },
};
