/**
 * `semid bench [name...]`: runs the benchmarks in bench/*.bench.ts (all, or those named), prints a table with each
 * result beside its baseline and the ratio, and writes bench/results/latest.json.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '../command';
import { packageRoot } from '../../node/server/paths';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Run benchmarks (bench/*.bench.ts) and write bench/results/latest.json',
  usage: 'semid bench [name...] [--json]',
  details: 'Example: semid bench embed   (embedding throughput, items/s, vs a baseline run side by side)',
  options: {},
  json: true,
  async run(args, ctx) {
    // The benches are TypeScript outside the CLI bundle: load them through tsx, by path.
    const { register } = await import('tsx/esm/api');
    register();
    const spec: string = pathToFileURL(join(packageRoot(), 'bench', 'run.ts')).href;
    const { runBenches } = (await import(spec)) as typeof import('../../../bench/run');
    const report = await runBenches(args.positionals, { log: ctx.err, out: ctx.json ? () => undefined : ctx.out });
    if (ctx.json) ctx.out(JSON.stringify({ ok: report.failed.length === 0, ...report }));
    return report.failed.length === 0 ? 0 : 1;
  },
};
