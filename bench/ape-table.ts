/**
 * URI Table 2 on our Beauty embeddings: APE (natural log, leaf level of a 2-layer index) of random, k-means
 * (hierarchical, DSI style), RQ-VAE and CAT-ID² IDs at K = 16 / 32 / 64, printed in the paper's layout beside the
 * paper's numbers; then the shipped Beauty `.index.json` tables (sid-indexes/) audited, with their collision counts
 * checked against a direct count of the files. IDs are built with collisions = none, as in the paper.
 *
 *   npx tsx bench/ape-table.ts [--epochs 10] [--ks 16,32,64] [--methods random,hkmeans,rqvae,catid2] [--fast]
 *                              [--no-shipped] [--json FILE]
 *
 * URI's own column ("ours URI") is left empty here: the uri builder is measured by its own bench (issue 4).
 * Also a bench module (default export, the fast methods only) for `semid bench`.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditIds } from '../src/core/audit/index';
import { ID_BUILDERS, TF_METHODS } from '../src/core/ids/registry';
import { drain } from '../src/core/util/generators';
import { parseIdTable } from '../src/node/importers/ids';
import type { IdMethod } from '../src/shared/types';
import { BEAUTY_DIR, beautyWithEmbeddings, hasBeauty } from './beauty';

type Row = { name: string; value: number; unit: string; baseline?: number; note?: string };

/** URI (ICLR 2025) Table 2, Beauty. */
export const URI_TABLE2_BEAUTY: Record<number, Record<string, number>> = {
  16: { Random: 1.127, 'K-means': 1.08, 'VQ-VAE': 1.088, 'RQ-VAE': 1.075, URI: 0.988 },
  32: { Random: 1.134, 'K-means': 1.106, 'VQ-VAE': 1.112, 'RQ-VAE': 1.11, URI: 1.04 },
  64: { Random: 1.135, 'K-means': 1.125, 'VQ-VAE': 1.128, 'RQ-VAE': 1.126, URI: 1.107 },
};

/** The paper's column each of our methods is compared with (null: no paper column). */
const PAPER_COLUMN: Partial<Record<IdMethod, string>> = { random: 'Random', hkmeans: 'K-means', rqvae: 'RQ-VAE', uri: 'URI' };

export const DEFAULT_METHODS: IdMethod[] = ['random', 'hkmeans', 'rqvae', 'catid2'];

/**
 * Epochs of the tfjs-trained builders. 20 epochs of batch 1024 on Beauty = 240 steps; with 6 trained builds this keeps
 * the whole table under 40 min on the 2-core build machine (measured, docs/benchmarks.md).
 */
export const DEFAULT_EPOCHS = 20;

export interface ApeCell {
  k: number;
  method: IdMethod;
  ape1: number;
  ape2: number;
  maxBucket1: number;
  collisionRate: number;
  ms: number;
  epochs: number | null;
}

export interface ApeTableOptions {
  methods?: IdMethod[];
  ks?: number[];
  epochs?: number;
  seed?: number;
  log?: (s: string) => void;
}

export async function apeTable(opts: ApeTableOptions = {}): Promise<ApeCell[]> {
  const methods = opts.methods ?? DEFAULT_METHODS;
  for (const m of methods) if (!ID_BUILDERS[m]) throw new Error(`no builder registered for "${m}"`);
  const epochs = opts.epochs ?? DEFAULT_EPOCHS;
  const t0 = Date.now();
  const { arrays, embeddings, dim } = await beautyWithEmbeddings(256);
  opts.log?.(`Beauty: ${arrays.nItems} items, ${arrays.nQueries} users, ${dim}-d embeddings (${Date.now() - t0} ms)`);
  if (methods.some((m) => TF_METHODS.includes(m))) {
    const { initTf } = await import('../src/node/tf');
    const tf = await initTf();
    opts.log?.(`tfjs backend: ${tf.backend}`);
  }
  const cells: ApeCell[] = [];
  for (const k of opts.ks ?? [16, 32, 64]) {
    for (const method of methods) {
      const trained = TF_METHODS.includes(method);
      const tb = Date.now();
      const r = await drain(
        ID_BUILDERS[method]!(
          { data: arrays, embeddings, dim },
          { layers: 2, codebook: k, seed: opts.seed ?? 1, collisions: 'none', ...(trained ? { epochs } : {}) },
          { signal: new AbortController().signal, runId: 0 },
        ),
      );
      const ms = Date.now() - tb;
      const a = auditIds(r, arrays);
      cells.push({ k, method, ape1: a.ape[0]!, ape2: a.ape[1]!, maxBucket1: a.maxBucket[0]!, collisionRate: a.collisionRate, ms, epochs: trained ? epochs : null });
      opts.log?.(`K=${k} ${method}: APE ${a.ape[1]!.toFixed(3)} (layer 1 ${a.ape[0]!.toFixed(3)}), collision rate ${a.collisionRate.toFixed(3)}, ${(ms / 1000).toFixed(1)} s`);
    }
  }
  return cells;
}

const f3 = (x: number | undefined): string => (x == null ? '-' : x.toFixed(3));

/**
 * URI Table 2's layout: one row per k; per paper column "ours / paper"; methods without a paper column (catid2,
 * rqkmeans) follow as ours-only columns. "ours URI" stays empty (filled by the uri bench, issue 4) unless uri cells
 * are given.
 */
export function formatApeTable(cells: ApeCell[]): string {
  const methods = [...new Set(cells.map((c) => c.method))];
  const paperCols = ['Random', 'K-means', 'VQ-VAE', 'RQ-VAE', 'URI'];
  const ourFor = (col: string): IdMethod | undefined => methods.find((m) => PAPER_COLUMN[m] === col);
  const extra = methods.filter((m) => !PAPER_COLUMN[m]);
  const head = [...paperCols.map((c) => `${c} ours / paper`), ...extra.map((m) => `${m} ours`)];
  const lines = [`| k | ${head.join(' | ')} |`, `|---|${head.map(() => '---').join('|')}|`];
  for (const k of [...new Set(cells.map((c) => c.k))]) {
    const cell = (m: IdMethod | undefined): ApeCell | undefined => cells.find((c) => c.k === k && c.method === m);
    const paper = paperCols.map((col) => `${f3(cell(ourFor(col))?.ape2)} / ${f3(URI_TABLE2_BEAUTY[k]?.[col])}`);
    lines.push(`| ${k} | ${[...paper, ...extra.map((m) => f3(cell(m)?.ape2))].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The orderings URI's Table 2 shows and a faithful implementation must reproduce, checked per k. */
export function orderingChecks(cells: ApeCell[]): { check: string; k: number; holds: boolean; detail: string }[] {
  const out: { check: string; k: number; holds: boolean; detail: string }[] = [];
  for (const k of [...new Set(cells.map((c) => c.k))]) {
    const ape = (m: IdMethod): number | undefined => cells.find((c) => c.k === k && c.method === m)?.ape2;
    const cmp = (a: IdMethod, b: IdMethod): void => {
      const x = ape(a);
      const y = ape(b);
      if (x == null || y == null) return;
      out.push({ check: `${a} > ${b}`, k, holds: x > y, detail: `${f3(x)} vs ${f3(y)}` });
    };
    cmp('random', 'hkmeans');
    cmp('random', 'rqvae');
    cmp('rqvae', 'catid2');
  }
  return out;
}

export interface ShippedAudit {
  file: string;
  layers: number;
  codebookSizes: number[];
  ape: number[];
  collidingItems: number;
  collidingGroups: number;
  maxGroup: number;
  distinctIds: number;
  /** Counted straight from the file's JSON: items whose token list equals another item's. */
  directCollidingItems: number;
  directDistinctIds: number;
  matches: boolean;
}

/** Items sharing their token list with another item, and distinct token lists, counted from the raw JSON text. */
export function directCollisionCount(jsonText: string): { items: number; colliding: number; distinct: number } {
  const obj = JSON.parse(jsonText) as Record<string, string[]>;
  const groups = new Map<string, number>();
  for (const toks of Object.values(obj)) {
    const key = toks.join('');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  let colliding = 0;
  for (const c of groups.values()) if (c > 1) colliding += c;
  return { items: Object.keys(obj).length, colliding, distinct: groups.size };
}

export async function auditShippedTables(log?: (s: string) => void): Promise<ShippedAudit[]> {
  const { arrays, items } = await beautyWithEmbeddings(256);
  const dir = resolve(BEAUTY_DIR, 'sid-indexes');
  const out: ShippedAudit[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.index.json')).sort()) {
    const file = resolve(dir, name);
    const t = await parseIdTable(file, items.map((i) => i.extId));
    const a = auditIds({ codes: t.codes, layers: t.layers, codebookSizes: t.codebookSizes }, arrays);
    const direct = directCollisionCount(readFileSync(file, 'utf8'));
    const c = a.collisions;
    const matches = direct.items === arrays.nItems && direct.colliding === c.collidingItems && direct.distinct === c.distinctIds && t.collisions.collidingItems === direct.colliding && t.collisions.duplicates === arrays.nItems - direct.distinct;
    out.push({
      file: name,
      layers: t.layers,
      codebookSizes: t.codebookSizes,
      ape: a.ape,
      collidingItems: c.collidingItems,
      collidingGroups: c.collidingGroups,
      maxGroup: c.maxGroup,
      distinctIds: c.distinctIds,
      directCollidingItems: direct.colliding,
      directDistinctIds: direct.distinct,
      matches,
    });
    log?.(`${name}: audit ${c.collidingItems} colliding items / ${c.distinctIds} distinct; file ${direct.colliding} / ${direct.distinct}`);
  }
  return out;
}

export function formatShipped(rows: ShippedAudit[]): string {
  const lines = [
    '| table | L | K per layer | APE prefix 1 / 2 / … | colliding items (audit) | direct count of the file | distinct IDs (audit / file) | groups | max group | match |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.file} | ${r.layers} | ${r.codebookSizes.join('/')} | ${r.ape.map(f3).join(' / ')} | ${r.collidingItems} | ${r.directCollidingItems} | ` +
        `${r.distinctIds} / ${r.directDistinctIds} | ${r.collidingGroups} | ${r.maxGroup} | ${r.matches ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}

export default async function (report: (row: Row) => void): Promise<void> {
  if (!hasBeauty) {
    report({ name: 'ape-table: Beauty data missing', value: 0, unit: '-' });
    return;
  }
  const cells = await apeTable({ methods: ['random', 'hkmeans'] });
  for (const c of cells) {
    const col = PAPER_COLUMN[c.method];
    report({ name: `APE Beauty L=2 K=${c.k} ${c.method}`, value: c.ape2, unit: 'nats', note: `paper ${col ? f3(URI_TABLE2_BEAUTY[c.k]?.[col]) : '-'}; build ${c.ms} ms` });
  }
}

const HELP = `Usage: npx tsx bench/ape-table.ts [options]

URI Table 2 (APE of 2-layer indices, Beauty) for our builders beside the paper's numbers, then the audit of the
shipped Beauty .index.json tables with collision counts checked against a direct count of the files.

Options:
  --epochs E       epochs of the trained builders (rqvae, catid2; batch 1024), default ${DEFAULT_EPOCHS}
  --ks 16,32,64    codebook sizes (rows)
  --methods LIST   builders, default ${DEFAULT_METHODS.join(',')} (also rqkmeans, category-prefix; uri: see issue 4)
  --fast           only random,hkmeans (no tfjs training)
  --seed S         seed of every build, default 1
  --no-shipped     skip the shipped-table audit
  --json FILE      also write every cell and audit as JSON
`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (!hasBeauty) throw new Error(`Beauty data not found at ${BEAUTY_DIR}`);
  const log = (s: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  const methods = process.argv.includes('--fast') ? (['random', 'hkmeans'] as IdMethod[]) : (arg('--methods')?.split(',') as IdMethod[] | undefined);
  const ks = arg('--ks')?.split(',').map(Number);
  const epochs = arg('--epochs') != null ? Number(arg('--epochs')) : undefined;
  const seed = arg('--seed') != null ? Number(arg('--seed')) : undefined;
  const t0 = Date.now();
  const cells = await apeTable({ methods, ks, epochs, seed, log });
  const checks = orderingChecks(cells);
  const out: string[] = [
    `APE of two-layer indices on Beauty (natural log, leaf prefix; ours = built-in TF-IDF + SVD 256-d embeddings, ` +
      `seed ${seed ?? 1}, trained builders ${epochs ?? DEFAULT_EPOCHS} epochs of batch 1024; paper = URI Table 2)`,
    '',
    formatApeTable(cells),
    '',
    'Orderings (per k):',
    ...checks.map((c) => `- K=${c.k} ${c.check}: ${c.holds ? 'holds' : 'does NOT hold'} (${c.detail})`),
    '',
    'Build times: ' + cells.map((c) => `K=${c.k} ${c.method} ${(c.ms / 1000).toFixed(1)} s`).join(', '),
  ];
  let shipped: ShippedAudit[] = [];
  if (!process.argv.includes('--no-shipped')) {
    shipped = await auditShippedTables(log);
    out.push('', 'Shipped Beauty ID tables (sid-indexes/), audited:', '', formatShipped(shipped));
  }
  out.push('', `total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');
  const json = arg('--json');
  if (json) writeFileSync(json, JSON.stringify({ cells, checks, shipped }, null, 2));
  if (shipped.some((s) => !s.matches)) process.exitCode = 1;
}

if (process.argv[1] && /ape-table\.ts$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(String((e as Error).stack ?? e) + '\n');
    process.exitCode = 1;
  });
}
