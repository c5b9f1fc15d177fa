/** The 'audit' job: re-audits the ID table of an existing run (a build or an imported table). */
import { auditIds } from '../../../core/audit/index';
import { requireSemanticIds } from '../../db/artifacts';
import { loadDatasetArrays } from '../../db/datasets';
import { PayloadError, v } from '../../../shared/validate';
import type { JobRunner } from '../types';

export interface AuditParams {
  /** The run whose ID table is audited (the report is stored with that run). */
  targetRunId: number;
}

const parse = v.object({ targetRunId: v.optional(v.num({ int: true, min: 1 })), runId: v.optional(v.num({ int: true, min: 1 })) });

export const auditRunner: JobRunner<AuditParams> = {
  kind: 'audit',
  /** `targetRunId` (or `runId`, as the API's other methods call it) names the run to audit. */
  parse: (params) => {
    const p = parse(params, 'params');
    const targetRunId = p.targetRunId ?? p.runId;
    if (targetRunId == null) throw new PayloadError('params.targetRunId', 'the run to audit is required');
    return { targetRunId };
  },
  async *run(p, ctx) {
    const table = requireSemanticIds(ctx.db, p.targetRunId);
    yield { type: 'progress', phase: 'audit', done: 0, total: 1 };
    const data = loadDatasetArrays(ctx.db, table.datasetId);
    const report = auditIds(table, data);
    yield { type: 'artifact', artifact: { kind: 'audit', runId: p.targetRunId, report: report as unknown as Record<string, unknown> } };
    yield { type: 'progress', phase: 'audit', done: 1, total: 1 };
    return { targetRunId: p.targetRunId, ape: report.ape, collisionRate: report.collisionRate, ms: report.ms };
  },
};
