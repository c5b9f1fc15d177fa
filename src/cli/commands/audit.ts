/** `semid audit RUN [RUN…]`: the ID-quality audit of one or more runs, as one table (runs as columns) or JSON. */
import type { Command } from '../command';
import { openDb } from '../../node/db/db';
import { auditOfRun } from '../../node/services/ids';
import type { AuditSummary } from '../../shared/api/ids';

const f = (x: number | null | undefined, d = 3): string => (x == null || !Number.isFinite(x) ? '-' : x.toFixed(d));

/** Rows of the comparison table: label + one cell per run. Pure, so tests can pin it. */
export function auditTableRows(audits: AuditSummary[]): string[][] {
  const maxL = Math.max(...audits.map((a) => a.report.ape.length));
  const rows: string[][] = [];
  const row = (label: string, cell: (a: AuditSummary) => string): void => {
    rows.push([label, ...audits.map(cell)]);
  };
  const per = (label: string, get: (a: AuditSummary) => (number | null)[] | undefined, d = 3): void => {
    for (let l = 0; l < maxL; l++) row(`${label} @${l + 1}`, (a) => f(get(a)?.[l], d));
  };
  const r = (a: AuditSummary): Record<string, unknown> => a.report;
  row('run', (a) => String(a.runId));
  row('method', (a) => a.method);
  row('layers x K', (a) => `${a.report.ape.length} x ${((r(a).codebookSizes as number[] | undefined) ?? []).join('/')}`);
  per('APE', (a) => a.report.ape);
  row('collision rate', (a) => f(a.report.collisionRate, 4));
  row('colliding items', (a) => String((r(a).collisions as { collidingItems?: number } | undefined)?.collidingItems ?? '-'));
  per('max bucket', (a) => a.report.maxBucket, 0);
  per('utilization', (a) => a.report.utilization);
  per('perplexity', (a) => a.report.perplexity, 1);
  per('dead codes', (a) => a.report.deadCodes, 0);
  per('category purity', (a) => a.report.categoryPurity);
  per('category NMI', (a) => a.report.categoryNmi);
  // Mean number of leading ID tokens two items share (pairs from one category leaf vs random pairs), not a fraction.
  row('shared prefix, same leaf', (a) => f(a.report.prefixAgreement.sameLeaf));
  row('shared prefix, random pair', (a) => f(a.report.prefixAgreement.random));
  return rows;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'ID-quality audit (APE, collisions, balance, category purity) of one or more runs',
  usage: 'semid audit <RUN> [RUN...] [--json]',
  details: [
    'Works on any run with a semantic-ID table: builds and imported tables (`semid import ids`).',
    'APE: URI (ICLR 2025) average partition entropy of each query\'s train positives over the prefix buckets, natural log.',
    'Category levels skip a constant root (e.g. "Beauty"); beyond the tree depth the deepest level is used.',
    'The report is stored with the run; a missing one is computed and stored.',
  ].join('\n'),
  options: {},
  json: true,
  async run(args, ctx) {
    const runIds = args.positionals.map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new Error(`"${s}" is not a run id`);
      return n;
    });
    if (runIds.length === 0) throw new Error('give at least one run id (see `semid runs`)');
    const db = openDb(ctx.dbPath);
    try {
      const audits = runIds.map((id) => auditOfRun(db, id));
      if (ctx.json) {
        ctx.out(JSON.stringify({ ok: true, runs: audits.map((a) => ({ runId: a.runId, method: a.method, name: a.name, datasetId: a.datasetId, ...a.report })) }));
      } else {
        ctx.out(formatTable(auditTableRows(audits)));
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
