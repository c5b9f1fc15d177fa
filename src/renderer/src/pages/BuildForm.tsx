import { type ReactNode, useState } from 'react';
import type { CollisionMode, IdMethod, UriAssignScore, UriAssignment } from '../../../shared/types';
import { ErrorBox, Select } from '../components';
import { useApp } from '../context';
import { navigate } from '../router';

const METHODS: { value: Exclude<IdMethod, 'imported'>; label: string }[] = [
  { value: 'rqkmeans', label: 'Residual k-means' },
  { value: 'hkmeans', label: 'Hierarchical k-means' },
  { value: 'rqvae', label: 'RQ-VAE (TIGER)' },
  { value: 'catid2', label: 'CAT-ID² (RQ-VAE + HCCL/CSCL/DisL)' },
  { value: 'uri', label: 'URI (unified indexer-retriever)' },
  { value: 'category-prefix', label: 'Category prefix (Hi-Gen style)' },
  { value: 'random', label: 'Random (APE baseline)' },
];
const TRAINED = new Set(['rqvae', 'catid2', 'uri']);

/** Starts a 'build' run: runs.start({kind: 'build', datasetId, params: {method, layers, codebook, seed, collisions, epochs?, extra?}}). */
export function BuildForm({ datasetId: initial, onStarted }: { datasetId: number | null; onStarted?: (runId: number) => void }): ReactNode {
  const { api, datasets } = useApp();
  const [datasetId, setDatasetId] = useState<number | null>(initial);
  const [method, setMethod] = useState<Exclude<IdMethod, 'imported'>>('rqkmeans');
  const [layers, setLayers] = useState(3);
  const [codebook, setCodebook] = useState(256);
  const [seed, setSeed] = useState(42);
  const [epochs, setEpochs] = useState(20);
  const [collisions, setCollisions] = useState<CollisionMode>('suffix');
  // URI options (BuildOptions.extra, src/core/uri/index.ts): the task, the Table 4 ablations, the assignment's cap.
  const [uriTask, setUriTask] = useState<'general' | 'sequential'>('general');
  const [uriAdaptive, setUriAdaptive] = useState(true);
  const [uriHardNegatives, setUriHardNegatives] = useState(true);
  const [uriAssignment, setUriAssignment] = useState<UriAssignment>('token');
  const [uriAssignScore, setUriAssignScore] = useState<UriAssignScore>('queries');
  const [uriMaxPairs, setUriMaxPairs] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ds = datasets.find((d) => d.id === datasetId);

  const start = (): void => {
    if (datasetId == null) return;
    setError(null);
    setBusy(true);
    const params: Record<string, unknown> = { method, layers, codebook, seed, collisions };
    if (TRAINED.has(method)) params.epochs = epochs;
    if (method === 'uri') {
      params.extra = { task: uriTask, adaptiveWeight: uriAdaptive, hardNegatives: uriHardNegatives, assignment: uriAssignment, assignScore: uriAssignScore, maxExamplesPerEpoch: uriMaxPairs };
    }
    void api.runs
      .start({ kind: 'build', datasetId, params })
      .then((r) => {
        onStarted?.(r.runId);
        navigate(['runs', r.runId]);
      }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <form
      className="panel stack"
      data-testid="build-form"
      onSubmit={(e) => {
        e.preventDefault();
        start();
      }}
    >
      <h3 style={{ margin: 0 }}>Build semantic IDs</h3>
      <div className="form-grid">
        <Select label="Dataset" value={datasetId} options={datasets.map((d) => ({ value: d.id, label: d.name }))} onChange={setDatasetId} />
        <Select label="Method" testId="build-method" value={method} options={METHODS} onChange={setMethod} />
        <label className="field">
          Layers (L)
          <input type="number" min={1} max={8} value={layers} onChange={(e) => setLayers(Number(e.target.value))} />
        </label>
        <label className="field">
          Codebook size (K)
          <input type="number" min={2} max={4096} value={codebook} onChange={(e) => setCodebook(Number(e.target.value))} />
        </label>
        <label className="field">
          Seed
          <input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value))} />
        </label>
        <Select
          label="Collisions"
          value={collisions}
          options={[
            { value: 'none', label: 'none (report them)' },
            { value: 'suffix', label: 'suffix token' },
            { value: 'sinkhorn', label: 'Sinkhorn re-assignment' },
          ]}
          onChange={setCollisions}
        />
        {TRAINED.has(method) && (
          <label className="field">
            Epochs
            <input type="number" min={1} max={10000} value={epochs} onChange={(e) => setEpochs(Number(e.target.value))} />
          </label>
        )}
        {method === 'uri' && (
          <>
            <Select
              label="Task"
              testId="uri-task"
              value={uriTask}
              options={[
                { value: 'general', label: 'general (user → items)' },
                { value: 'sequential', label: 'sequential (history → next)' },
              ]}
              onChange={setUriTask}
            />
            <Select
              label="Max load"
              testId="uri-assignment"
              value={uriAssignment}
              options={[
                { value: 'token', label: 'N/k per token' },
                { value: 'parent', label: 'per parent node' },
              ]}
              onChange={setUriAssignment}
            />
            <Select
              label="Assign by"
              testId="uri-assign-score"
              value={uriAssignScore}
              options={[
                { value: 'queries', label: "the item's queries (§4.1)" },
                { value: 'item', label: 'the item (§4.2)' },
                { value: 'both', label: 'both' },
              ]}
              onChange={setUriAssignScore}
            />
            <label className="field">
              Pairs per epoch (0 = all)
              <input type="number" min={0} data-testid="uri-max-pairs" value={uriMaxPairs} onChange={(e) => setUriMaxPairs(Math.max(0, Number(e.target.value)))} />
            </label>
            <div className="field" role="group" aria-label="URI loss and ranker switches">
              Switches (Table 4)
              <span className="row" style={{ gap: 10, minHeight: 28 }}>
                <label className="row" style={{ gap: 4 }} title="Eq. 10's adaptive balance weight; off = Eq. 7">
                  <input type="checkbox" data-testid="uri-adaptive" checked={uriAdaptive} onChange={(e) => setUriAdaptive(e.target.checked)} /> adaptive weight
                </label>
                <label className="row" style={{ gap: 4 }} title="one ranker negative from a sibling bucket of the positive's leaf (§4.3)">
                  <input type="checkbox" data-testid="uri-hard-negatives" checked={uriHardNegatives} onChange={(e) => setUriHardNegatives(e.target.checked)} /> hard negatives
                </label>
              </span>
            </div>
          </>
        )}
        <button type="submit" className="primary" disabled={busy || datasetId == null || (ds != null && ds.embeddings.length === 0 && method !== 'random')}>
          Start build
        </button>
      </div>
      {ds && ds.embeddings.length === 0 && method !== 'random' && (
        <div className="muted">This dataset has no embeddings yet: compute them on its overview page first.</div>
      )}
      {error != null && <ErrorBox error={error} title="Could not start the build" onDismiss={() => setError(null)} />}
    </form>
  );
}
