/** The `ids` domain service: audits (stored with the run, computed when missing) and paged ID tables. */
import type { AuditSummary, IdsApi } from '../../shared/api/ids';
import { auditIds } from '../../core/audit/index';
import { prefixBuckets } from '../../core/kernels/ape';
import { requireSemanticIds } from '../db/artifacts';
import { listItems, loadDatasetArrays } from '../db/datasets';
import { getAudit, requireRun, saveAudit } from '../db/runs';
import type { Db } from '../db/db';
import type { ServiceContext } from './context';

/** The audit of a run: the stored report, else computed now and stored (single writer: this is the host). */
export function auditOfRun(db: Db, runId: number): AuditSummary {
  const run = requireRun(db, runId);
  let report = getAudit(db, runId);
  if (!report) {
    const table = requireSemanticIds(db, runId);
    report = auditIds(table, loadDatasetArrays(db, table.datasetId)) as unknown as Record<string, unknown>;
    saveAudit(db, runId, report);
  }
  return { runId, method: run.method, name: run.name, datasetId: run.datasetId ?? -1, report: report as AuditSummary['report'] };
}

export function createIdsService(ctx: ServiceContext): IdsApi {
  const { db } = ctx;
  return {
    audit: async ({ runId }) => auditOfRun(db, runId),
    compareAudits: async ({ runIds }) => runIds.map((id) => auditOfRun(db, id)),
    table: async ({ runId, offset = 0, limit = 100 }) => {
      const run = requireRun(db, runId);
      const t = requireSemanticIds(db, runId);
      const { ids, counts } = prefixBuckets(t.codes, t.items, t.layers, t.codebookSizes);
      const full = ids[t.layers - 1]!;
      const size = new Int32Array(counts[t.layers - 1]!);
      for (const b of full) size[b]!++;
      const page = listItems(db, t.datasetId, { offset, limit });
      return {
        runId,
        method: run.method,
        layers: t.layers,
        codebookSizes: t.codebookSizes,
        total: t.items,
        rows: page.items.map((it) => ({
          idx: it.idx,
          extId: it.extId,
          title: it.title,
          category: it.categories.join(' > '),
          tokens: Array.from(t.codes.subarray(it.idx * t.layers, (it.idx + 1) * t.layers)),
          groupSize: size[full[it.idx]!]!,
        })),
      };
    },
  };
}
