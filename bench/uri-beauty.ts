/**
 * URI on Beauty (general recommendation: user → held-out items, URI's Beauty setting, L = 2, k = 32): the index's APE
 * beside random / hkmeans / rqvae with the same L and k (URI Table 2), and the retrieval of URI and its two ablations
 * (w/o adaptive weight, w/o hard negatives; URI Table 4) on the test split, beside the paper's numbers.
 *
 *   npx tsx bench/uri-beauty.ts [--epochs 2] [--retriever-epochs 2] [--max-examples 50000] [--rqvae-epochs 50] [--limit 0]
 *                               [--variants uri,noaw,printed] [--index-only] [--no-baselines] [--out uri-beauty.json]
 *
 * Variants: `uri` (defaults), `noaw` (w/o adaptive weight), `printed` (layers > 1 trained with the loss as printed:
 * batch-wide balance, logit scale 1, cross-entropy weight 1, per-parent assignment; see src/core/uri/index.ts).
 * `--index-only` builds the indexes and skips the rankers and the dense / popularity baselines; `--no-baselines` skips dense / popularity / random /
 * hkmeans / rqvae. Every index row shows its prefixes in use and largest leaf (APE needs a balanced index, URI §3).
 *
 * "w/o hard negatives" only changes the ranker (URI §4.3), so it reuses the adaptive-weight index and decoder and
 * trains the ranker phase again from the same checkpoint with random negatives only. Writes
 * bench/results/<--out>. Not a *.bench.ts: it trains several models (tens of minutes on two CPU cores).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BEAUTY_DIR, beautyWithEmbeddings, hasBeauty } from './beauty';
import { ID_BUILDERS } from '../src/core/ids/registry';
import { auditIds } from '../src/core/audit/index';
import { prefixBuckets } from '../src/core/kernels/ape';
import { drain } from '../src/core/util/generators';
import { evaluateBaseline } from '../src/core/retrieval/baselines';
import { evalExamples, subsetExamples } from '../src/core/retrieval/tasks';
import { evaluateRetriever, loadRetriever, trainRetriever } from '../src/core/retrieval/train';
import type { MetricsSummary } from '../src/core/retrieval/metrics';
import { configureForBackend } from '../src/core/models/tfops';
import { initTf } from '../src/node/tf';
import type { JobEvent } from '../src/shared/protocol';
import type { IdMethod } from '../src/shared/types';

/** URI (ICLR 2025) Table 2 (APE, Beauty, k = 32) and Tables 1 / 4 (Beauty, general recommendation). */
const PAPER_APE: Record<string, number> = { random: 1.134, hkmeans: 1.106, rqvae: 1.11, uri: 1.04 };
const PAPER_RECALL: Record<string, { r10: number; n10?: number; r20?: number; n20?: number }> = {
  uri: { r10: 0.0157, n10: 0.0067, r20: 0.0294, n20: 0.0097 },
  'uri w/o adaptive weight': { r10: 0.0122 },
  'uri w/o hard negatives': { r10: 0.0143 },
};

const { values: a } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    'retriever-epochs': { type: 'string', default: '2' },
    'max-examples': { type: 'string', default: '50000' },
    'rqvae-epochs': { type: 'string', default: '50' },
    limit: { type: 'string', default: '0' },
    variants: { type: 'string', default: 'uri,noaw' },
    'index-only': { type: 'boolean', default: false },
    'no-baselines': { type: 'boolean', default: false },
    out: { type: 'string', default: 'uri-beauty.json' },
  },
});

interface Row {
  name: string;
  ape?: number[];
  /** Leaf prefixes in use, the largest leaf, and the leaf-size perplexity. */
  leaves?: [number, number, number];
  paperApe?: number;
  m?: MetricsSummary;
  seconds: number;
  note?: string;
}

async function main(): Promise<void> {
  if (!hasBeauty) {
    console.log(`Beauty data not found at ${BEAUTY_DIR}: skipped`);
    return;
  }
  const { backend } = await initTf();
  configureForBackend();
  const epochs = Number(a.epochs);
  const retrieverEpochs = Number(a['retriever-epochs']);
  const maxEx = Number(a['max-examples']);
  const b = await beautyWithEmbeddings(256);
  const input = { data: b.arrays, embeddings: b.embeddings, dim: b.dim };
  const signal = new AbortController().signal;
  const ctx = { signal, runId: 0 };
  let test = evalExamples(b.arrays, 'general', 'test');
  const limit = Number(a.limit);
  if (limit > 0) test = subsetExamples(test, Int32Array.from({ length: Math.min(limit, test.n) }, (_, i) => i));
  const rows: Row[] = [];
  const log = (s: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

  const indexRow = (name: string, table: { codes: Int32Array; layers: number; codebookSizes: number[] }, t: number, extra: Partial<Row> = {}): Row => {
    const rep = auditIds(table, b.arrays);
    // Leaf-size perplexity exp(H(|leaf| / N)): 1,024 for a perfectly balanced L 2, k 32 index.
    const leafIds = prefixBuckets(table.codes, b.arrays.nItems, table.layers, table.codebookSizes);
    const size = new Int32Array(leafIds.counts.at(-1)!);
    for (const id of leafIds.ids.at(-1)!) size[id] = size[id]! + 1;
    let h = 0;
    for (const c of size) if (c > 0) h -= (c / b.arrays.nItems) * Math.log(c / b.arrays.nItems);
    const row: Row = { name, ape: rep.ape, leaves: [rep.buckets.at(-1)!, rep.maxBucket.at(-1)!, Math.exp(h)], seconds: (Date.now() - t) / 1000, ...extra };
    rows.push(row);
    log(`${name}: APE ${rep.ape.map((x) => x.toFixed(3)).join(' / ')}, ${row.leaves![0]} leaves, largest ${row.leaves![1]}, leaf perplexity ${row.leaves![2].toFixed(0)}`);
    return row;
  };
  if (!a['no-baselines']) {
    for (const m of a['index-only'] ? [] : (['dense', 'popularity'] as const)) {
      const t = Date.now();
      rows.push({ name: m, m: evaluateBaseline(m, { data: b.arrays, examples: test, embeddings: b.embeddings, dim: b.dim }), seconds: (Date.now() - t) / 1000 });
    }
    const baselines: [string, IdMethod, number | undefined, Record<string, unknown> | undefined][] = [
      ['random', 'random', undefined, undefined],
      ['hkmeans', 'hkmeans', undefined, undefined],
      ['hkmeans (balanced)', 'hkmeans', undefined, { balanced: true }],
      ['rqvae', 'rqvae', Number(a['rqvae-epochs']), undefined],
    ];
    for (const [name, m, e, extra] of baselines) {
      const t = Date.now();
      const table = await drain(ID_BUILDERS[m]!(input, { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs: e, extra }, ctx));
      indexRow(name, table, t, { paperApe: PAPER_APE[name], note: e ? `${e} epochs` : undefined });
    }
  }

  const uriVariant = async (name: string, variant: Record<string, unknown>): Promise<{ table: { codes: Int32Array; layers: number; codebookSizes: number[] }; ckpt: Uint8Array }> => {
    const t = Date.now();
    let ckpt: Uint8Array | null = null;
    const onEvent = (ev: JobEvent): void => {
      if (ev.type === 'artifact' && ev.artifact.kind === 'checkpoint') ckpt = ev.artifact.data;
      if (ev.type === 'metrics') log(`  ${name} ${JSON.stringify(Object.fromEntries(Object.entries(ev.values).map(([k, v]) => [k, Math.round(v * 1e4) / 1e4])))}`);
      if (ev.type === 'log') log(`  ${name}: ${ev.message}`);
    };
    const table = await drain(
      ID_BUILDERS.uri!(
        input,
        { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs, extra: { task: 'general', ...variant, retrieverEpochs: 0, maxExamplesPerEpoch: maxEx } },
        ctx,
      ),
      onEvent,
    );
    if (!ckpt) throw new Error('uri build stored no decoder checkpoint');
    indexRow(`${name} (index)`, table, t, { paperApe: name === 'uri' ? PAPER_APE.uri : undefined, note: `${epochs} epochs/layer x ${maxEx || 'all'} pairs` });
    return { table, ckpt: ckpt as Uint8Array };
  };
  const rankerPhase = async (name: string, idx: { table: { codes: Int32Array; layers: number; codebookSizes: number[] }; ckpt: Uint8Array }, hardNegatives: boolean): Promise<void> => {
    const t = Date.now();
    const model = loadRetriever(idx.ckpt);
    const inp = { ...input, table: idx.table, task: 'general' as const };
    const trained = await drain(
      trainRetriever(inp, { epochs: retrieverEpochs, batch: 256, seed: 1, hardNegatives, validSample: 0, maxExamplesPerEpoch: maxEx }, ctx, model),
      (ev) => {
        if (ev.type === 'metrics') log(`  ${name} ranker epoch ${ev.values.epoch}: loss ${ev.values.loss?.toFixed(3)} (${ev.values.stepsPerSec?.toFixed(2)} steps/s)`);
      },
    );
    const ev = await evaluateRetriever(trained.model, inp, test, { beam: 20 });
    trained.model.dispose();
    rows.push({ name, ape: auditIds(idx.table, b.arrays).ape, m: ev.ranker, seconds: (Date.now() - t) / 1000, note: `ranker ${retrieverEpochs} epochs, ${ev.meanCandidates.toFixed(0)} candidates` });
    log(`${name}: R@10 ${ev.ranker.recall['@10']!.toFixed(4)}`);
  };

  const variants = new Set(a.variants!.split(',').map((v) => v.trim()).filter(Boolean));
  for (const v of variants) if (!['uri', 'noaw', 'printed'].includes(v)) throw new Error(`--variants: unknown variant ${v} (expected uri, noaw, printed)`);
  const withRanker = !a['index-only'];
  if (variants.has('uri')) {
    const full = await uriVariant('uri', {});
    if (withRanker) {
      await rankerPhase('uri', full, true);
      await rankerPhase('uri w/o hard negatives', full, false);
    }
  }
  if (variants.has('noaw')) {
    const noAw = await uriVariant('uri w/o adaptive weight', { adaptiveWeight: false });
    if (withRanker) await rankerPhase('uri w/o adaptive weight', noAw, true);
  }
  if (variants.has('printed')) {
    const printed = await uriVariant('uri, layer 2 as printed', { parentBalance: false, deepLogitScale: 1, deepCeWeight: 1, assignment: 'parent' });
    if (withRanker) await rankerPhase('uri, layer 2 as printed', printed, true);
  }

  const f = (x: number | undefined): string => (x == null || Number.isNaN(x) ? '-' : x.toFixed(4));
  const lines = [
    `Beauty general recommendation (train items → test item), ${test.n} test users, L 2, k 32, tfjs ${backend}; ours | paper (URI Tables 1, 2, 4)`,
    '| system | APE@1 | APE@2 | paper APE | leaves (largest, perplexity) | R@10 | N@10 | R@20 | N@20 | paper R@10 | time | note |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const p = PAPER_RECALL[r.name];
      return `| ${r.name} | ${r.ape ? r.ape[0]!.toFixed(3) : '-'} | ${r.ape ? r.ape[1]!.toFixed(3) : '-'} | ${r.paperApe?.toFixed(3) ?? '-'} | ${r.leaves ? `${r.leaves[0]} (${r.leaves[1]}, ${r.leaves[2].toFixed(0)})` : '-'} | ${f(r.m?.recall['@10'])} | ${f(r.m?.ndcg['@10'])} | ${f(r.m?.recall['@20'])} | ${f(r.m?.ndcg['@20'])} | ${p ? p.r10.toFixed(4) : '-'} | ${r.seconds.toFixed(0)} s | ${r.note ?? ''} |`;
    }),
  ];
  console.log(lines.join('\n'));
  mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(resolve(import.meta.dirname, 'results', a.out!), JSON.stringify({ at: new Date().toISOString(), args: a, backend, rows }, null, 2));
}

await main();
