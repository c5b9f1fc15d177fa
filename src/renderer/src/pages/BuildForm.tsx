import { type ReactNode, useState } from 'react';
import type { CollisionMode, IdMethod } from '../../../shared/types';
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

/** Starts a 'build' run: runs.start({kind: 'build', datasetId, params: {method, layers, codebook, seed, collisions, epochs?}}). */
export function BuildForm({ datasetId: initial, onStarted }: { datasetId: number | null; onStarted?: (runId: number) => void }): ReactNode {
  const { api, datasets } = useApp();
  const [datasetId, setDatasetId] = useState<number | null>(initial);
  const [method, setMethod] = useState<Exclude<IdMethod, 'imported'>>('rqkmeans');
  const [layers, setLayers] = useState(3);
  const [codebook, setCodebook] = useState(256);
  const [seed, setSeed] = useState(42);
  const [epochs, setEpochs] = useState(20);
  const [collisions, setCollisions] = useState<CollisionMode>('suffix');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ds = datasets.find((d) => d.id === datasetId);

  const start = (): void => {
    if (datasetId == null) return;
    setError(null);
    setBusy(true);
    const params: Record<string, unknown> = { method, layers, codebook, seed, collisions };
    if (TRAINED.has(method)) params.epochs = epochs;
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
