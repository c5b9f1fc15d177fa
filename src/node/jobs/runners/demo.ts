/**
 * The 'import' job for format 'demo': generates the seeded demo catalog (src/core/demo) instead of reading files,
 * and hands it to the host as a dataset artifact exactly like a file import. runners/index.ts routes
 * `{format: 'demo'}` here and every other format to the data importer's runner.
 */
import { generateDemoCatalog } from '../../../core/demo/index';
import { v } from '../../../shared/validate';
import type { JobRunner } from '../types';

export interface DemoParams {
  demo: true;
  name: string;
  seed: number;
  items?: number;
  users?: number;
}

const parseOptions = v.object({
  seed: v.optional(v.num({ int: true })),
  items: v.optional(v.num({ int: true, min: 10, max: 1_000_000 })),
  users: v.optional(v.num({ int: true, min: 1, max: 1_000_000 })),
});

export function parseDemoParams(raw: Record<string, unknown>): DemoParams {
  const o = parseOptions(raw.options ?? {}, 'params.options');
  const name = v.optional(v.str({ max: 200 }))(raw.name, 'params.name') ?? 'demo catalog';
  return { demo: true, name, seed: o.seed ?? 42, ...(o.items ? { items: o.items } : {}), ...(o.users ? { users: o.users } : {}) };
}

export const demoImportRunner: JobRunner<DemoParams> = {
  kind: 'import',
  parse: parseDemoParams,
   
  async *run(p) {
    yield { type: 'progress', phase: 'generate', done: 0, total: 1 };
    const dataset = generateDemoCatalog({ seed: p.seed, name: p.name, items: p.items, users: p.users });
    yield { type: 'progress', phase: 'generate', done: 1, total: 1 };
    yield { type: 'artifact', artifact: { kind: 'dataset', dataset } };
    return { name: p.name, seed: p.seed, items: dataset.items.length, queries: dataset.queries.length, interactions: dataset.interactions.item.length };
  },
};
