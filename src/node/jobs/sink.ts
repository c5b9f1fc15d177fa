/**
 * Persists job artifacts in the host (the single writer). Each artifact is written in its own transaction the moment
 * it arrives, so a crash later in the job keeps what was already produced (checkpoints, in particular).
 */
import type { ImportedDataset } from '../../shared/dataset';
import type { Artifact } from '../../shared/protocol';
import type { Db } from '../db/db';
import { saveProjection, saveSemanticIds } from '../db/artifacts';
import { saveEmbeddings, writeDataset } from '../db/datasets';
import { requireRun, saveAudit, saveCheckpoint, saveEvaluation, setRunData, setRunDataset } from '../db/runs';

/** What persisting an artifact produced (row ids), for the run's log and the job result. */
export type SinkResult = { kind: Artifact['kind']; id?: number };

export function persistArtifact(db: Db, runId: number, a: Artifact): SinkResult {
  switch (a.kind) {
    case 'embeddings': {
      const id = saveEmbeddings(db, { datasetId: a.datasetId, name: a.name, method: a.method, dim: a.dim, data: a.data, config: a.config });
      return { kind: a.kind, id };
    }
    case 'semantic-ids': {
      const run = requireRun(db, a.runId);
      if (run.datasetId == null) throw new Error(`run ${a.runId} has no dataset: cannot store its semantic-ID table`);
      saveSemanticIds(db, {
        runId: a.runId,
        datasetId: run.datasetId,
        layers: a.layers,
        codebookSizes: a.codebookSizes,
        codes: a.codes,
        collisionMode: a.collisionMode,
      });
      return { kind: a.kind };
    }
    case 'checkpoint':
      saveCheckpoint(db, a.runId, { step: a.step, epoch: a.epoch, meta: a.meta, data: a.data });
      return { kind: a.kind };
    case 'audit':
      saveAudit(db, a.runId, a.report);
      return { kind: a.kind };
    case 'evaluation':
      return { kind: a.kind, id: saveEvaluation(db, a.runId, a.task, a.report) };
    case 'projection':
      return {
        kind: a.kind,
        id: saveProjection(db, { datasetId: a.datasetId, runId: a.runId, source: a.source, method: a.method, params: a.params, coords: a.coords }),
      };
    case 'run-data':
      setRunData(db, a.runId, a.key, a.value);
      return { kind: a.kind };
    case 'dataset': {
      // writeDataset is one transaction; linking the run to it is a second, tiny one.
      const id = writeDataset(db, a.dataset as ImportedDataset);
      setRunDataset(db, runId, id);
      return { kind: a.kind, id };
    }
  }
}
