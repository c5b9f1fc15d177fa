/**
 * Importer dispatch: parse + validate files into an ImportedDataset (no database access), and `importDataset`, which
 * also writes it in one transaction (the CLI's in-process path; the job path writes through the host's sink).
 */
import type { ImportRequest } from '../../shared/api/datasets';
import type { ImportedDataset, ImportSummary } from '../../shared/dataset';
import { splitCounts } from '../../core/data/build';
import { buildCategoryTree } from '../../core/data/categories';
import { PayloadError } from '../../shared/validate';
import type { Db } from '../db/db';
import { writeDataset } from '../db/datasets';
import { listRuns } from '../db/runs';
import { parseLcrec } from './lcrec';
import { parseP5 } from './p5';
import { parseTabular } from './tabular';
import { parseEsci } from './esci';
import { noProgress, type Progress } from './types';
import { optNumber } from './options';

export type { Progress } from './types';

export async function parseImport(req: ImportRequest, opts: { onProgress?: Progress; signal?: AbortSignal } = {}): Promise<ImportedDataset> {
  const progress = opts.onProgress ?? noProgress;
  const options = req.options ?? {};
  if (req.paths.length === 0) throw new PayloadError('paths', 'give at least one file or folder');
  let ds: ImportedDataset;
  switch (req.format) {
    case 'lcrec':
      ds = await parseLcrec(req.paths, options, progress, opts.signal);
      break;
    case 'p5':
      ds = await parseP5(req.paths, options, progress, opts.signal);
      break;
    case 'csv':
    case 'jsonl':
      ds = await parseTabular(req.format, req.paths, options, progress, opts.signal);
      break;
    case 'esci':
      ds = await parseEsci(req.paths, options, progress, opts.signal);
      break;
    case 'demo':
      throw new PayloadError('format', 'the demo catalog is generated, not imported: use `semid demo`');
  }
  if (req.name) ds.name = req.name;
  const maxDepth = optNumber(options, 'maxDepth', { int: true, min: 1 });
  if (maxDepth != null) {
    for (const it of ds.items) if (it.categories.length > maxDepth) it.categories = it.categories.slice(0, maxDepth);
    ds.config.maxDepth = maxDepth;
  }
  return ds;
}

/** Counts of an ImportedDataset (before it has an id). */
export function describeImported(ds: ImportedDataset): Omit<ImportSummary, 'datasetId' | 'idRuns' | 'ms'> {
  const tree = buildCategoryTree(ds.items.map((i) => i.categories));
  return {
    ok: true,
    name: ds.name,
    items: ds.items.length,
    queries: ds.queries.length,
    interactions: ds.interactions.query.length,
    splits: splitCounts(ds.interactions),
    categoryDepth: tree.depth,
    categoryLevelCounts: tree.levelCounts,
  };
}

/** Parse + write in-process. Nothing is written when parsing or writing fails. */
export async function importDataset(db: Db, req: ImportRequest, onProgress?: Progress, signal?: AbortSignal): Promise<ImportSummary> {
  const t0 = performance.now();
  const ds = await parseImport(req, { onProgress, signal });
  onProgress?.('write', 0, 1);
  const datasetId = writeDataset(db, ds);
  onProgress?.('write', 1, 1);
  const idRuns = listRuns(db, { datasetId, kind: 'build' }).map((r) => r.id).reverse();
  return { ...describeImported(ds), datasetId, idRuns, ms: Math.round(performance.now() - t0) };
}
