/**
 * URI Table 2 on our Beauty embeddings: APE (natural log, leaf level of a 2-layer index) of random, k-means
 * (hierarchical, DSI style) and residual k-means IDs, plus rqvae / catid2 / uri when their builders are registered,
 * at K = 16 / 32 / 64, printed beside the paper's numbers. IDs are built with collisions = none, as in the paper.
 *
 *   npx tsx bench/ape-table.ts            (all methods)
 *   npx tsx bench/ape-table.ts --fast     (skip the tfjs-trained methods)
 *
 * Also a bench module (default export) for `semid bench`.
 */
import { auditIds } from '../src/core/audit/index';
import { ID_BUILDERS, TF_METHODS } from '../src/core/ids/registry';
import { drain } from '../src/core/util/generators';
import type { IdMethod } from '../src/shared/types';
import { beautyWithEmbeddings, hasBeauty } from './beauty';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

/** URI (ICLR 2025) Table 2, Beauty. */
export const URI_TABLE2_BEAUTY: Record<number, Record<string, number>> = {
  16: { Random: 1.127, 'K-means': 1.08, 'VQ-VAE': 1.088, 'RQ-VAE': 1.075, URI: 0.988 },
  32: { Random: 1.134, 'K-means': 1.106, 'VQ-VAE': 1.112, 'RQ-VAE': 1.11, URI: 1.04 },
  64: { Random: 1.135, 'K-means': 1.125, 'VQ-VAE': 1.128, 'RQ-VAE': 1.126, URI: 1.107 },
};

export interface ApeCell {
  k: number;
  method: IdMethod;
  ape1: number;
  ape2: number;
  maxBucket1: number;
  ms: number;
}

export async function apeTable(opts: { fast?: boolean; ks?: number[]; log?: (s: string) => void } = {}): Promise<ApeCell[]> {
  const { arrays, embeddings, dim } = await beautyWithEmbeddings(256);
  const methods = (['random', 'hkmeans', 'rqkmeans', 'rqvae', 'catid2', 'uri'] as IdMethod[]).filter(
    (m) => ID_BUILDERS[m] && !(opts.fast && TF_METHODS.includes(m)),
  );
  if (methods.some((m) => TF_METHODS.includes(m))) {
    const { initTf } = await import('../src/node/tf');
    const tf = await initTf();
    opts.log?.(`tfjs backend: ${tf.backend}`);
  }
  const cells: ApeCell[] = [];
  for (const k of opts.ks ?? [16, 32, 64]) {
    for (const method of methods) {
      const t0 = Date.now();
      const r = await drain(
        ID_BUILDERS[method]!({ data: arrays, embeddings, dim }, { layers: 2, codebook: k, seed: 1, collisions: 'none' }, { signal: new AbortController().signal, runId: 0 }),
      );
      const ms = Date.now() - t0;
      const a = auditIds(r, arrays);
      cells.push({ k, method, ape1: a.ape[0]!, ape2: a.ape[1]!, maxBucket1: a.maxBucket[0]!, ms });
      opts.log?.(`K=${k} ${method}: APE ${a.ape[1]!.toFixed(3)} (layer 1 ${a.ape[0]!.toFixed(3)}), ${ms} ms`);
    }
  }
  return cells;
}

export function formatApeTable(cells: ApeCell[]): string {
  const methods = [...new Set(cells.map((c) => c.method))];
  const paperCols = ['Random', 'K-means', 'VQ-VAE', 'RQ-VAE', 'URI'];
  const lines = [
    `| k | ${methods.map((m) => `ours ${m}`).join(' | ')} | ${paperCols.map((c) => `paper ${c}`).join(' | ')} |`,
    `|---|${methods.map(() => '---').join('|')}|${paperCols.map(() => '---').join('|')}|`,
  ];
  for (const k of [...new Set(cells.map((c) => c.k))]) {
    const ours = methods.map((m) => cells.find((c) => c.k === k && c.method === m)?.ape2.toFixed(3) ?? '-');
    const paper = paperCols.map((c) => URI_TABLE2_BEAUTY[k]?.[c]?.toFixed(3) ?? '-');
    lines.push(`| ${k} | ${ours.join(' | ')} | ${paper.join(' | ')} |`);
  }
  return lines.join('\n');
}

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'ape-table: Beauty data missing', value: 0, unit: '-' });
    return;
  }
  const cells = await apeTable({ fast: true });
  for (const c of cells) {
    const paper = URI_TABLE2_BEAUTY[c.k]?.[c.method === 'random' ? 'Random' : c.method === 'hkmeans' ? 'K-means' : 'RQ-VAE'];
    report({ name: `APE Beauty L=2 K=${c.k} ${c.method}`, value: c.ape2, unit: 'nats', note: `paper ${paper ?? '-'}; build ${c.ms} ms` });
  }
}

if (process.argv[1] && /ape-table\.ts$/.test(process.argv[1])) {
  const fast = process.argv.includes('--fast');
  apeTable({ fast, log: (s) => process.stderr.write(s + '\n') }).then(
    (cells) => process.stdout.write(formatApeTable(cells) + '\n'),
    (e: unknown) => {
      process.stderr.write(String(e) + '\n');
      process.exitCode = 1;
    },
  );
}
