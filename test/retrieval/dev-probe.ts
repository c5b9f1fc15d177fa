import { useBackend } from '../models/backend';
import { scientificWithEmbeddings } from '../helpers/realData';
import { drain } from '../../src/core/util/generators';
import { uriBuilder } from '../../src/core/uri/index';
import { evaluateRetriever, trainRetriever } from '../../src/core/retrieval/train';
import { evalExamples } from '../../src/core/retrieval/tasks';
import { evaluateBaseline } from '../../src/core/retrieval/baselines';
import { auditIds } from '../../src/core/audit/index';

await useBackend('wasm');
let t = Date.now();
const sci = await scientificWithEmbeddings(256);
console.log('load+embed', Date.now() - t);
const task = (process.argv[2] ?? 'sequential') as 'sequential';
for (const b of ['dense', 'popularity'] as const) {
  t = Date.now();
  const ex = evalExamples(sci.arrays, task, 'test');
  console.log(b, JSON.stringify(evaluateBaseline(b, { data: sci.arrays, examples: ex, embeddings: sci.embeddings, dim: sci.dim })), Date.now() - t);
}
t = Date.now();
const ac = new AbortController();
const built = await drain(
  uriBuilder({ data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim }, { layers: 2, codebook: 32, seed: 1, collisions: 'none', epochs: 2, extra: { task, retrieverEpochs: 1, maxExamplesPerEpoch: 20000 } }, { signal: ac.signal, runId: 1 }),
  (ev) => { if (ev.type !== 'progress' && ev.type !== 'artifact') console.log(JSON.stringify(ev)); },
);
console.log('uri build ms', Date.now() - t);
const audit = auditIds({ codes: built.codes, layers: built.layers, codebookSizes: built.codebookSizes }, sci.arrays);
console.log('audit', JSON.stringify(audit).slice(0, 600));
t = Date.now();
const inp = { data: sci.arrays, embeddings: sci.embeddings, dim: sci.dim, table: built, task };
const tr = await drain(trainRetriever(inp, { epochs: 2, validSample: 300, maxExamplesPerEpoch: 20000 }, { signal: ac.signal, runId: 2 }), (ev) => { if (ev.type === 'metrics' || ev.type === 'log') console.log(JSON.stringify(ev)); });
console.log('train ms', Date.now() - t);
t = Date.now();
const ev = await evaluateRetriever(tr.model, inp, evalExamples(sci.arrays, task, 'test'), { beam: 20 });
console.log('eval', JSON.stringify(ev), Date.now() - t);
