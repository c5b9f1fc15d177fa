/**
 * Benchmark harness: `semid bench [name...]` / `npm run bench` / `npx tsx bench/run.ts [name...]`.
 * Runs each bench/<name>.bench.ts (all, or those named) in turn. A bench exports
 *   default async function (report: (row: {name, value, unit, baseline?, note?}) => void)
 * and runs its baseline side by side in the same process, so the ratio compares like with like on this machine.
 * Prints a table and writes bench/results/latest.json (plus a timestamped copy).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  note?: string;
}

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; model: string; node: string; loadavg: number[] };
  results: (BenchRow & { bench: string; ratio?: number })[];
  failed: { bench: string; error: string }[];
  ms: number;
}

const BENCH_DIR = import.meta.dirname;

export function listBenches(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();
}

/** value / baseline, oriented so that > 1 means "ours is better" for rates (…/s) and for times (lower is better). */
export function ratio(row: BenchRow): number | undefined {
  if (row.baseline == null || !Number.isFinite(row.baseline) || row.baseline === 0 || row.value === 0) return undefined;
  const lowerIsBetter = /^(ms|s|sec|seconds|min|bytes|MB|GB)$/i.test(row.unit);
  return lowerIsBetter ? row.baseline / row.value : row.value / row.baseline;
}

const fmt = (x: number | undefined): string =>
  x == null ? '' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3);

export function formatTable(rows: BenchReport['results']): string {
  const table = [['bench', 'measure', 'value', 'unit', 'baseline', 'ratio', 'note']];
  for (const r of rows) table.push([r.bench, r.name, fmt(r.value), r.unit, fmt(r.baseline), r.ratio ? `${r.ratio.toFixed(2)}x` : '', r.note ?? '']);
  const w = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((x, c) => (c === 2 || c === 4 || c === 5 ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join('  ')).join('\n');
}

export async function runBenches(
  names: string[] = [],
  io: { log(s: string): void; out(s: string): void } = { log: (s) => console.error(s), out: (s) => console.log(s) },
): Promise<BenchReport> {
  const all = listBenches();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new Error(`unknown bench(es): ${unknown.join(', ')} (available: ${all.join(', ')})`);
  const chosen = names.length ? names : all;
  const t0 = Date.now();
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadavg: loadavg() },
    results: [],
    failed: [],
    ms: 0,
  };
  for (const bench of chosen) {
    io.log(`bench ${bench}…`);
    const tb = Date.now();
    try {
      const mod = (await import(pathToFileURL(join(BENCH_DIR, `${bench}.bench.ts`)).href)) as { default: (report: (row: BenchRow) => void) => Promise<void> };
      await mod.default((row) => {
        const r = { bench, ...row, ratio: ratio(row) };
        report.results.push(r);
        io.log(`  ${row.name}: ${fmt(row.value)} ${row.unit}${row.baseline != null ? ` (baseline ${fmt(row.baseline)}${r.ratio ? `, ${r.ratio.toFixed(2)}x` : ''})` : ''}`);
      });
      io.log(`  (${((Date.now() - tb) / 1000).toFixed(1)} s)`);
    } catch (e) {
      report.failed.push({ bench, error: (e as Error).stack ?? String(e) });
      io.log(`  FAILED: ${(e as Error).message}`);
    }
  }
  report.ms = Date.now() - t0;
  const dir = resolve(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(report, null, 2);
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`), json);
  io.out(formatTable(report.results));
  if (report.failed.length) io.out(`\nfailed: ${report.failed.map((f) => f.bench).join(', ')}`);
  io.out(`\nwrote ${join(dir, 'latest.json')}`);
  return report;
}

// `npx tsx bench/run.ts [name...]`
if (process.argv[1] && /bench[\\/]run\.ts$/.test(process.argv[1])) {
  runBenches(process.argv.slice(2)).then(
    (r) => {
      process.exitCode = r.failed.length ? 1 : 0;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
