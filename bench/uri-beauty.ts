/**
 * URI on Beauty (general recommendation: user → held-out items, URI's Beauty setting, L = 2, k = 32): the index's APE
 * beside random / hkmeans / rqvae with the same L and k (URI Table 2), and the retrieval of URI and its two ablations
 * (w/o adaptive weight, w/o hard negatives; URI Table 4) on the test split, beside the paper's numbers.
 *
 *   npx tsx bench/uri-beauty.ts [--epochs 2] [--retriever-epochs 2] [--max-examples 50000] [--rqvae-epochs 50] [--limit 0]
 *
 * "w/o hard negatives" only changes the ranker (URI §4.3), so it reuses the adaptive-weight index and decoder and
 * trains the ranker phase again from the same checkpoint with random negatives only. Writes
 * bench/results/uri-beauty.json. Not a *.bench.ts: it trains several models (tens of minutes on two CPU cores).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BEAUTY_DIR, beautyWithEmbeddings, hasBeauty } from './beauty';
import { ID_BUILDERS } from '../src/core/ids/registry';
import { auditIds } from '../src/core/audit/index';
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
  },
});

interface Row {
  name: string;
  ape?: number[];
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

  for (const m of ['dense', 'popularity'] as const) {
    const t = Date.now();
    rows.push({ name: m, m: evaluateBaseline(m, { data: b.arrays, examples: test, embeddings: b.embeddings, dim: b.dim }), seconds: (Date.now() - t) / 1000 });
  }
  for (const [m, e] of [['random', undefined], ['hkmeans', undefined], ['rqvae', Number(a['rqvae-epochs'])]] as const) {
    const t = Date.now();
    const table = await drain(ID_BUILDERS[m as IdMethod]!(input, { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs: e }, ctx));
    rows.push({ name: m, ape: auditIds(table, b.arrays).ape, paperApe: PAPER_APE[m], seconds: (Date.now() - t) / 1000, note: e ? `${e} epochs` : undefined });
    log(`${m}: APE ${rows.at(-1)!.ape!.map((x) => x.toFixed(3)).join(' / ')}`);
  }

  const uriVariant = async (name: string, adaptiveWeight: boolean): Promise<{ table: { codes: Int32Array; layers: number; codebookSizes: number[] }; ckpt: Uint8Array }> => {
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
        { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs, extra: { task: 'general', adaptiveWeight, retrieverEpochs: 0, maxExamplesPerEpoch: maxEx } },
        ctx,
      ),
      onEvent,
    );
    if (!ckpt) throw new Error('uri build stored no decoder checkpoint');
    rows.push({ name: `${name} (index)`, ape: auditIds(table, b.arrays).ape, paperApe: adaptiveWeight ? PAPER_APE.uri : undefined, seconds: (Date.now() - t) / 1000, note: `${epochs} epochs/layer x ${maxEx || 'all'} pairs` });
    log(`${name}: APE ${rows.at(-1)!.ape!.map((x) => x.toFixed(3)).join(' / ')}`);
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

  const full = await uriVariant('uri', true);
  await rankerPhase('uri', full, true);
  await rankerPhase('uri w/o hard negatives', full, false);
  const noAw = await uriVariant('uri w/o adaptive weight', false);
  await rankerPhase('uri w/o adaptive weight', noAw, true);

  const f = (x: number | undefined): string => (x == null || Number.isNaN(x) ? '-' : x.toFixed(4));
  const lines = [
    `Beauty general recommendation (train items → test item), ${test.n} test users, L 2, k 32, tfjs ${backend}; ours | paper (URI Tables 1, 2, 4)`,
    '| system | APE@1 | APE@2 | paper APE | R@10 | N@10 | R@20 | N@20 | paper R@10 | time | note |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const p = PAPER_RECALL[r.name];
      return `| ${r.name} | ${r.ape ? r.ape[0]!.toFixed(3) : '-'} | ${r.ape ? r.ape[1]!.toFixed(3) : '-'} | ${r.paperApe?.toFixed(3) ?? '-'} | ${f(r.m?.recall['@10'])} | ${f(r.m?.ndcg['@10'])} | ${f(r.m?.recall['@20'])} | ${f(r.m?.ndcg['@20'])} | ${p ? p.r10.toFixed(4) : '-'} | ${r.seconds.toFixed(0)} s | ${r.note ?? ''} |`;
    }),
  ];
  console.log(lines.join('\n'));
  mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(resolve(import.meta.dirname, 'results/uri-beauty.json'), JSON.stringify({ at: new Date().toISOString(), args: a, backend, rows }, null, 2));
}

await main();
