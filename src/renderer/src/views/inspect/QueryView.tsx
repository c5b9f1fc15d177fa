/**
 * Query inspector (URI Fig. 5): pick a trained retriever and a query/user, see the beam's next-token distribution
 * per layer, the final beams with their buckets, and the ranker's top-K with the relevant items marked. For URI
 * builds, the saved per-epoch token distributions of a few queries and their items (the paper's case study).
 * Both come from the retrieval domain (retrieval helper); when it is absent the view says which command to run.
 */
import { type ReactNode, useState } from 'react';
import type { QueryInspection, UriCaseStudyView } from '../../../../shared/api/retrieval';
import { optionalMethod } from '../../api';
import { EmptyState, ErrorBox, FloatingTooltip, type TooltipState } from '../../components/index';
import { useAsync, useRuns } from '../../hooks';
import type { ViewProps } from '../registry';
import { fmt, prefixLabel, RunSelect, tokenLabel } from './common';

export default function QueryView({ api, datasetId, query, setQuery }: ViewProps): ReactNode {
  const { runs } = useRuns(datasetId == null ? {} : { datasetId });
  const retrievers = runs.filter((r) => r.kind === 'train-retriever' && r.status === 'succeeded');
  const uriRuns = runs.filter((r) => r.kind === 'build' && r.method === 'uri' && r.status === 'succeeded');
  const inspect = optionalMethod<{ retrieverRunId: number; queryIdx: number; beam?: number; topK?: number }, QueryInspection>(api, 'retrieval', 'inspectQuery');
  const caseStudy = optionalMethod<{ runId: number }, UriCaseStudyView | null>(api, 'retrieval', 'uriCaseStudy');
  const retrieverId = query.retriever ? Number(query.retriever) : (retrievers[0]?.id ?? null);
  const queryIdx = query.q != null ? Number(query.q) : 0;
  const [qInput, setQInput] = useState(String(queryIdx));
  const uriRunId = query.uri ? Number(query.uri) : (uriRuns[0]?.id ?? null);

  const res = useAsync<QueryInspection | null>(
    () => (!inspect || retrieverId == null || query.q == null ? Promise.resolve(null) : inspect({ retrieverRunId: retrieverId, queryIdx, topK: 20 })),
    [api, retrieverId, query.q],
  );
  const cs = useAsync<UriCaseStudyView | null>(() => (!caseStudy || uriRunId == null ? Promise.resolve(null) : caseStudy({ runId: uriRunId })), [api, uriRunId]);

  if (datasetId == null) return <EmptyState title="No dataset selected">Import a dataset first.</EmptyState>;
  if (!inspect)
    return (
      <EmptyState title="The retrieval backend is not available in this build">
        The query inspector needs the <code>retrieval</code> API (generative retriever); train one with <code>semid train-retriever --run RUN --task sequential</code>.
      </EmptyState>
    );

  return (
    <div className="stack" data-testid="query-view">
      {retrievers.length === 0 ? (
        <EmptyState title="No trained retriever for this dataset">
          Train one on an ID run: <code>semid train-retriever --run RUN --task sequential</code>, then come back.
        </EmptyState>
      ) : (
        <>
          <div className="view-controls">
            <RunSelect runs={retrievers} value={retrieverId} label="Retriever" onChange={(id) => setQuery({ ...query, retriever: id })} testId="query-retriever" />
            <form
              className="field"
              onSubmit={(e) => {
                e.preventDefault();
                setQuery({ ...query, q: Math.max(0, Number(qInput) || 0) });
              }}
            >
              Query / user index
              <span className="row" style={{ gap: 6 }}>
                <input type="number" min={0} value={qInput} onChange={(e) => setQInput(e.target.value)} data-testid="query-idx" />
                <button type="submit" className="primary">
                  Inspect
                </button>
              </span>
            </form>
          </div>
          {res.error ? <ErrorBox error={res.error} /> : null}
          {res.data ? <Inspection q={res.data} /> : query.q == null ? <EmptyState title="Pick a query">Enter a query or user index and press Inspect.</EmptyState> : <div className="muted">Running beam search…</div>}
        </>
      )}
      <div className="panel">
        <div className="chart-title">URI case study: token distributions over the epochs (URI Fig. 5)</div>
        {uriRuns.length === 0 ? (
          <EmptyState title="No URI build for this dataset">
            Build one with <code>semid build --dataset {datasetId} --method uri</code>; it saves the per-epoch distributions of a few queries.
          </EmptyState>
        ) : (
          <>
            <RunSelect runs={uriRuns} value={uriRunId} label="URI run" onChange={(id) => setQuery({ ...query, uri: id })} />
            {cs.error ? <ErrorBox error={cs.error} /> : null}
            {cs.data ? <CaseStudy c={cs.data} /> : cs.loading ? <div className="muted">Loading…</div> : <EmptyState title="This run saved no case study" />}
          </>
        )}
      </div>
    </div>
  );
}

function ProbBars({ tokens, layer, width = 300 }: { tokens: { token: number; prob: number }[]; layer: number; width?: number }): ReactNode {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const top = tokens.slice(0, 12);
  const max = Math.max(1e-9, ...top.map((t) => t.prob));
  const rowH = 16;
  return (
    <>
    <svg className="chart" width={width} height={top.length * rowH + 18} role="img" aria-label={`Next-token probabilities at layer ${layer + 1}`}>
      <text x={0} y={11} className="col-label">
        probability
      </text>
      {top.map((t, k) => (
        <g key={t.token} transform={`translate(0,${18 + k * rowH})`} onMouseMove={(e) => setTip({ x: e.clientX, y: e.clientY, content: `${tokenLabel(layer, t.token)}: p = ${t.prob.toFixed(4)}` })} onMouseLeave={() => setTip(null)}>
          <text x={0} y={11} className="sankey-label" style={{ fontFamily: 'var(--mono)' }}>
            {tokenLabel(layer, t.token)}
          </text>
          <rect x={70} y={2} width={((width - 120) * t.prob) / max} height={rowH - 5} fill="var(--chart-1)" />
          <text x={width - 4} y={11} textAnchor="end" className="sankey-label">
            {t.prob.toFixed(3)}
          </text>
        </g>
      ))}
    </svg>
    <FloatingTooltip tip={tip} />
    </>
  );
}

function Inspection({ q }: { q: QueryInspection }): ReactNode {
  return (
    <div className="stack" data-testid="query-inspection">
      <div className="panel">
        <div className="chart-title">{q.queryLabel}</div>
        <div className="muted" style={{ fontSize: 12 }}>
          task {q.task} · beam {q.beam} · {q.relevant.length} relevant item(s): {q.relevant.map((r) => r.title).join(' · ')}
        </div>
        {q.history.length > 0 && (
          <div style={{ fontSize: 12, marginTop: 6 }}>
            history (most recent last): {q.history.slice(-8).map((h) => h.title).join(' → ')}
          </div>
        )}
      </div>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        {q.layerDistributions.map((d) => (
          <div className="panel" key={d.layer}>
            <div className="chart-title">
              layer {d.layer + 1} after <code className="sid">{d.prefix.length ? prefixLabel(d.prefix) : '(start)'}</code>
            </div>
            <ProbBars tokens={d.tokens} layer={d.layer} />
          </div>
        ))}
      </div>
      <div className="panel">
        <div className="chart-title">Beams (best first) and their buckets</div>
        <table className="cmp-table" style={{ width: '100%' }}>
          <thead>
            <tr>
              <th>rank</th>
              <th style={{ textAlign: 'left' }}>ID</th>
              <th>token probabilities</th>
              <th>log p</th>
              <th style={{ textAlign: 'left' }}>bucket items (✓ = relevant)</th>
            </tr>
          </thead>
          <tbody>
            {q.beams.slice(0, 20).map((b) => (
              <tr key={b.rank}>
                <td>{b.rank}</td>
                <td style={{ textAlign: 'left' }}>
                  <code className="sid">{prefixLabel(b.tokens)}</code>
                </td>
                <td>{b.tokenProbs.map((p) => p.toFixed(2)).join(' · ')}</td>
                <td>{fmt(b.logProb, 2)}</td>
                <td style={{ textAlign: 'left' }}>
                  {b.bucket.slice(0, 4).map((it) => (
                    <div key={it.idx} className={it.hit ? 'hit' : undefined}>
                      {it.hit ? '✓ ' : ''}
                      {it.title}
                    </div>
                  ))}
                  {b.bucket.length > 4 && <span className="muted">+{b.bucket.length - 4} more</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="panel">
        <div className="chart-title">Ranker top-{q.ranked.length} over the candidates</div>
        <table className="cmp-table" style={{ width: '100%' }} data-testid="query-ranked">
          <thead>
            <tr>
              <th>rank</th>
              <th style={{ textAlign: 'left' }}>title</th>
              <th style={{ textAlign: 'left' }}>category</th>
              <th>score</th>
              <th>from beam</th>
              <th>hit</th>
            </tr>
          </thead>
          <tbody>
            {q.ranked.map((r) => (
              <tr key={r.idx}>
                <td>{r.rank}</td>
                <td style={{ textAlign: 'left' }}>{r.title}</td>
                <td style={{ textAlign: 'left' }}>{r.category}</td>
                <td>{fmt(r.score, 3)}</td>
                <td>{r.beamRank}</td>
                <td className={r.hit ? 'hit' : undefined}>{r.hit ? '✓' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Small multiples: one heat strip per epoch (rows) over the k tokens (columns), query first then its items. */
function CaseStudy({ c }: { c: UriCaseStudyView }): ReactNode {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const cell = Math.max(4, Math.min(14, Math.floor(420 / c.k)));
  return (
    <div className="stack">
      {c.queries.map((q) => {
        const rows = q.epochs.flatMap((e) => [
          { label: `epoch ${e.epoch} query`, dist: e.query },
          ...e.items.map((d, j) => ({ label: `epoch ${e.epoch} item ${q.items[j]?.idx ?? j}`, dist: d })),
        ]);
        return (
          <div key={q.queryIdx}>
            <div style={{ fontSize: 12, marginBottom: 4 }}>
              query {q.queryIdx}; items: {q.items.map((it) => `${it.title} → ${tokenLabel(c.layer, it.assigned)}`).join(' · ')}
            </div>
            <svg className="chart" width={150 + c.k * cell} height={rows.length * cell + 20} role="img" aria-label={`Token distributions of query ${q.queryIdx} over epochs`}>
              <text x={150} y={12} className="col-label">
                token 0 … {c.k - 1} at layer {c.layer + 1} (darker = more probable)
              </text>
              {rows.map((r, y) => (
                <g key={y} transform={`translate(0,${18 + y * cell})`}>
                  <text x={146} y={cell - 2} textAnchor="end" className="sankey-label" style={{ fontSize: Math.min(10, cell) }}>
                    {r.label}
                  </text>
                  {r.dist.map((p, t) => (
                    <rect
                      key={t}
                      x={150 + t * cell}
                      width={cell - 1}
                      height={cell - 1}
                      fill="var(--chart-1)"
                      fillOpacity={Math.min(1, 0.04 + p * 3)}
                      onMouseMove={(e) => setTip({ x: e.clientX, y: e.clientY, content: `${r.label}\n${tokenLabel(c.layer, t)}: ${p.toFixed(4)}` })}
                      onMouseLeave={() => setTip(null)}
                    />
                  ))}
                </g>
              ))}
            </svg>
          </div>
        );
      })}
      <FloatingTooltip tip={tip} />
    </div>
  );
}
