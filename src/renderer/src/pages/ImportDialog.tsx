import { type ReactNode, useEffect, useState } from 'react';
import type { ImportRequest } from '../../../shared/api/datasets';
import type { ErrorInfo } from '../../../shared/errors';
import type { DatasetFormat } from '../../../shared/types';
import { Dialog, ErrorBox, ProgressBar, Select } from '../components';
import { useApiEvents, useRunProgress } from '../hooks';
import { useApp } from '../context';

const FORMATS: { value: Exclude<DatasetFormat, 'demo'>; label: string; hint: string }[] = [
  { value: 'lcrec', label: 'LC-Rec JSON (name.item.json + name.inter.json)', hint: 'a folder holding <name>.item.json and <name>.inter.json, e.g. amazon18-scientific' },
  { value: 'p5', label: 'P5 sequences (sequential_data.txt + items table)', hint: 'a folder with sequential_data.txt and an items TSV/CSV, e.g. amazon14-beauty' },
  { value: 'csv', label: 'CSV catalog + interactions', hint: 'items CSV and interactions CSV (column mapping in options)' },
  { value: 'jsonl', label: 'JSONL catalog + interactions', hint: 'items JSONL and interactions JSONL (column mapping in options)' },
  { value: 'esci', label: 'Amazon ESCI parquet pair', hint: 'the examples and products parquet files' },
];

/** Import flow: format + paths + options → Start → live progress with Cancel → the overview, or a readable error. */
export function ImportDialog({ onClose, onDone }: { onClose: () => void; onDone: (datasetId: number) => void }): ReactNode {
  const { api } = useApp();
  const [format, setFormat] = useState<Exclude<DatasetFormat, 'demo'>>('lcrec');
  const [paths, setPaths] = useState('');
  const [name, setName] = useState('');
  const [sep, setSep] = useState('');
  const [optionsJson, setOptionsJson] = useState('');
  const [runId, setRunId] = useState<number | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [jobError, setJobError] = useState<ErrorInfo | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const { run } = useRunProgress(runId);

  useApiEvents((ev) => {
    if (ev.type === 'job' && ev.runId === runId && ev.message.type === 'error') setJobError(ev.message.error);
  }, api);
  // The run may finish before its first event reaches us: react to the merged run state, not to one event.
  const doneId = run?.status === 'succeeded' ? run.datasetId : null;
  useEffect(() => {
    if (doneId != null) onDone(doneId);
    // (onDone is a fresh closure each render: keyed on the dataset id only.)
  }, [doneId]);

  const start = async (): Promise<void> => {
    setStartError(null);
    setJobError(null);
    setCancelling(false);
    try {
      const options: Record<string, unknown> = optionsJson.trim() ? (JSON.parse(optionsJson) as Record<string, unknown>) : {};
      if (sep.trim()) options.sep = sep.trim();
      const req: ImportRequest = {
        format,
        paths: paths
          .split('\n')
          .map((p) => p.trim())
          .filter(Boolean),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(Object.keys(options).length ? { options } : {}),
      };
      if (req.paths.length === 0) throw new Error('enter at least one file or folder path (on the machine running the backend)');
      const r = await api.datasets.import(req);
      setRunId(r.runId);
    } catch (e) {
      setStartError(e);
    }
  };

  const running = run != null && (run.status === 'queued' || run.status === 'running');
  const failed = run != null && (run.status === 'failed' || run.status === 'interrupted');
  const hint = FORMATS.find((f) => f.value === format)?.hint;

  return (
    <Dialog
      title="Import a dataset"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            {running ? 'Hide' : 'Close'}
          </button>
          <button type="button" className="primary" onClick={() => void start()} disabled={running} data-testid="import-start">
            {failed || run?.status === 'cancelled' ? 'Retry' : 'Start import'}
          </button>
        </>
      }
    >
      <div className="stack">
        <Select label="Format" testId="import-format" value={format} options={FORMATS} onChange={setFormat} />
        <label className="field">
          Paths (one per line; files or a folder on the backend machine)
          <textarea
            data-testid="import-paths"
            rows={3}
            value={paths}
            placeholder="/data/amazon18-scientific"
            onChange={(e) => setPaths(e.target.value)}
            spellCheck={false}
          />
          <span className="muted">{hint}</span>
        </label>
        <div className="form-grid">
          <label className="field">
            Name (optional)
            <input data-testid="import-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="from the folder name" />
          </label>
          <label className="field">
            Category separator regex (optional)
            <input value={sep} onChange={(e) => setSep(e.target.value)} placeholder="importer default" className="mono" />
          </label>
        </div>
        <label className="field">
          More options as JSON (optional: column mapping, locale…)
          <input value={optionsJson} onChange={(e) => setOptionsJson(e.target.value)} placeholder='{"locale": "us"}' className="mono" />
        </label>
        {run && (
          <div data-testid="import-status">
            {running && (
              <ProgressBar
                done={run.progress?.done ?? 0}
                total={run.progress?.total ?? 0}
                phase={run.progress?.phase ?? run.status}
                cancelling={cancelling}
                onCancel={() => {
                  setCancelling(true);
                  api.runs.cancel({ runId: run.id }).catch((e: unknown) => setStartError(e));
                }}
              />
            )}
            {run.status === 'cancelled' && <div className="muted">Import cancelled; nothing was written.</div>}
            {run.status === 'succeeded' && <div>Imported. Opening the overview…</div>}
            {failed && <ErrorBox title="Import failed; nothing was written" error={jobError ?? { name: 'Error', message: run.error ?? 'failed' }} />}
          </div>
        )}
        {startError != null && <ErrorBox error={startError} title="Could not start the import" onDismiss={() => setStartError(null)} />}
      </div>
    </Dialog>
  );
}
