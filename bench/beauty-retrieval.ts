/**
 * Beauty `sequential` (leave-last-out, last ≤ 20 items → next item) retrieval table: the generative retriever trained
 * on the shipped `rqvae_native` IDs, our rqvae / catid2 (when registered) and uri, plus the dense and popularity
 * baselines, printed beside TIGER's published numbers (../shared/notes/reference-numbers.md).
 *
 *   npx tsx bench/beauty-retrieval.ts [--epochs 3] [--uri-epochs 2] [--build-epochs 30] [--max-examples 0] [--limit 0]
 *                                     [--methods rqvae_native,uri,...] [--uri-extra '{"assignment":"parent"}'] [--out beauty-retrieval.json]
 *
 * --max-examples caps the training pairs per epoch (a fresh sample each epoch), the same for every index, so the
 * retrievers get equal budgets. --build-epochs is the rqvae / catid2 training budget. Each finished row is written to
 * bench/results/beauty-retrieval.json at once, so a long run that is stopped keeps what it measured. Not a *.bench.ts: a full run trains several models (tens of minutes on
 * two CPU cores), so `npm run bench` does not start it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BEAUTY_DIR, beautyWithEmbeddings, hasBeauty } from './beauty';
import { parseIdTable } from '../src/node/importers/ids';
import { ID_BUILDERS } from '../src/core/ids/registry';
import { drain } from '../src/core/util/generators';
import { evaluateBaseline } from '../src/core/retrieval/baselines';
import { evalExamples, subsetExamples } from '../src/core/retrieval/tasks';
import { evaluateRetriever, trainRetriever } from '../src/core/retrieval/train';
import type { MetricsSummary } from '../src/core/retrieval/metrics';
import { configureForBackend } from '../src/core/models/tfops';
import { auditIds } from '../src/core/audit/index';
import { initTf } from '../src/node/tf';
import type { IdMethod } from '../src/shared/types';

const TIGER = { r5: 0.0454, n5: 0.0321, r10: 0.0648, n10: 0.0384 };

const { values: a } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    'uri-epochs': { type: 'string', default: '2' },
    'max-examples': { type: 'string', default: '0' },
    'build-epochs': { type: 'string', default: '30' },
    limit: { type: 'string', default: '0' },
    methods: { type: 'string', default: 'rqvae_native,rqvae,catid2,uri,dense,popularity' },
    /** JSON object of extra uri build options (src/core/uri/index.ts UriOptions), e.g. {"assignment":"parent"}. */
    'uri-extra': { type: 'string', default: '{}' },
    out: { type: 'string', default: 'beauty-retrieval.json' },
  },
});

interface Row {
  system: string;
  ids: string;
  r5: number;
  n5: number;
  r10: number;
  n10: number;
  beamOrderR10?: number;
  ape?: number[];
  trainSec?: number;
  note?: string;
}

const fromSummary = (m: MetricsSummary) => ({ r5: m.recall['@5']!, n5: m.ndcg['@5']!, r10: m.recall['@10']!, n10: m.ndcg['@10']! });

async function main(): Promise<void> {
  if (!hasBeauty) {
    console.log(`Beauty data not found at ${BEAUTY_DIR}: skipped`);
    return;
  }
  const { backend } = await initTf();
  configureForBackend();
  const epochs = Number(a.epochs);
  const uriEpochs = Number(a['uri-epochs']);
  const maxEx = Number(a['max-examples']);
  const limit = Number(a.limit);
  const methods = a.methods!.split(',');
  let uriExtra: Record<string, unknown>;
  try {
    uriExtra = JSON.parse(a['uri-extra']!) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--uri-extra: expected a JSON object, ${(e as Error).message}`);
  }
  const t0 = Date.now();
  const b = await beautyWithEmbeddings(256);
  console.error(`Beauty loaded + embedded in ${((Date.now() - t0) / 1000).toFixed(0)} s; tfjs ${backend}`);
  let test = evalExamples(b.arrays, 'sequential', 'test');
  if (limit > 0) test = subsetExamples(test, Int32Array.from({ length: Math.min(limit, test.n) }, (_, i) => i));
  const rows: Row[] = [];
  mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
  const save = (): void =>
    writeFileSync(resolve(import.meta.dirname, 'results', a.out!), JSON.stringify({ at: new Date().toISOString(), args: a, backend, testUsers: test.n, rows, tiger: TIGER }, null, 2));
  const signal = new AbortController().signal;
  const input = { data: b.arrays, embeddings: b.embeddings, dim: b.dim };
  for (const m of methods) {
    const ts = Date.now();
    if (m === 'dense' || m === 'popularity') {
      const s = evaluateBaseline(m, { data: b.arrays, examples: test, embeddings: b.embeddings, dim: b.dim });
      rows.push({ system: m, ids: '-', ...fromSummary(s) });
      save();
      console.error(`${m}: R@10 ${s.recall['@10']!.toFixed(4)}`);
      continue;
    }
    let table: { codes: Int32Array; layers: number; codebookSizes: number[] };
    if (m === 'rqvae_native') {
      const extIds = b.items.map((it) => it.extId);
      table = await parseIdTable(resolve(BEAUTY_DIR, 'sid-indexes/rqvae_native.index.json'), extIds, { codebook: 256 });
    } else {
      const builder = ID_BUILDERS[m as IdMethod];
      if (!builder) {
        rows.push({ system: 'retriever', ids: m, r5: NaN, n5: NaN, r10: NaN, n10: NaN, note: 'builder not registered' });
        continue;
      }
      const isUri = m === 'uri';
      table = await drain(
        builder(
          input,
          {
            layers: isUri ? 2 : 3,
            codebook: isUri ? 32 : 256,
            seed: 1,
            collisions: 'none',
            epochs: isUri ? uriEpochs : Number(a['build-epochs']),
            ...(isUri ? { extra: { ...uriExtra, task: 'sequential', retrieverEpochs: 0, maxExamplesPerEpoch: maxEx } } : {}),
          },
          { signal, runId: 0 },
        ),
      );
    }
    const ape = auditIds(table, b.arrays).ape;
    const buildSec = (Date.now() - ts) / 1000;
    const tt = Date.now();
    const inp = { ...input, table, task: 'sequential' as const };
    const trained = await drain(trainRetriever(inp, { epochs, maxExamplesPerEpoch: maxEx, validSample: 0, seed: 1 }, { signal, runId: 0 }), (ev) => {
      if (ev.type === 'metrics') console.error(`  ${m} epoch ${ev.values.epoch}: loss ${ev.values.loss?.toFixed(3)} (${ev.values.stepsPerSec?.toFixed(2)} steps/s)`);
    });
    const trainSec = (Date.now() - tt) / 1000;
    const ev = await evaluateRetriever(trained.model, inp, test, { beam: 20 });
    trained.model.dispose();
    rows.push({
      system: 'retriever',
      ids: `${m} (L${table.layers} K${table.codebookSizes[0]})`,
      ...fromSummary(ev.ranker),
      beamOrderR10: ev.beamOrder.recall['@10']!,
      ape,
      trainSec,
      note: `build ${buildSec.toFixed(0)} s, ${ev.meanCandidates.toFixed(0)} candidates, invalid before trie ${(ev.beamStats.invalidBeforeTrie * 100).toFixed(1)}%`,
    });
    save();
    console.error(`${m}: R@10 ${ev.ranker.recall['@10']!.toFixed(4)} (beam order ${ev.beamOrder.recall['@10']!.toFixed(4)})`);
  }
  const f = (x: number | undefined): string => (x == null || Number.isNaN(x) ? '   -  ' : x.toFixed(4));
  const lines = [
    `Beauty sequential, test = last item of ${test.n} users; retriever: ${epochs} epochs${maxEx ? ` x ${maxEx} pairs` : ''}, beam 20, tfjs ${backend}`,
    '| system | IDs | R@5 | N@5 | R@10 | N@10 | R@10 beam order | APE | note |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.system} | ${r.ids} | ${f(r.r5)} | ${f(r.n5)} | ${f(r.r10)} | ${f(r.n10)} | ${f(r.beamOrderR10)} | ${r.ape?.map((x) => x.toFixed(3)).join('/') ?? '-'} | ${r.note ?? ''} |`),
    `| TIGER (published) | RQ-VAE, Sentence-T5 | ${f(TIGER.r5)} | ${f(TIGER.n5)} | ${f(TIGER.r10)} | ${f(TIGER.n10)} | | | Rajput et al. 2023 |`,
  ];
  console.log(lines.join('\n'));
  save();
}

await main();
