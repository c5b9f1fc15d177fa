/** Small deterministic inputs for the layout tests, and a direct reader of Scientific + a shipped ID table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/util/random';
import { SHARED_DATA } from '../helpers/paths';

export interface LayoutFixture {
  titles: string[];
  categories: string[][];
  /** depth × n category node ids as DatasetArrays.categoryLevels; names[id] = node name. */
  categoryLevels: Int32Array;
  depth: number;
  names: string[];
  codes: Int32Array;
  layers: number;
}

/** Derives categoryLevels (ids unique across levels, in first-seen order) from category paths. */
export function categoryArrays(categories: string[][]): { categoryLevels: Int32Array; depth: number; names: string[] } {
  const depth = Math.max(0, ...categories.map((c) => c.length));
  const ids = new Map<string, number>();
  const names: string[] = [];
  const cl = new Int32Array(categories.length * depth).fill(-1);
  categories.forEach((path, i) => {
    for (let l = 0; l < path.length; l++) {
      const key = path.slice(0, l + 1).join('\u0000');
      let id = ids.get(key);
      if (id === undefined) {
        id = names.length;
        ids.set(key, id);
        names.push(path[l]!);
      }
      cl[i * depth + l] = id;
    }
  });
  return { categoryLevels: cl, depth, names };
}

/** 60 items in a 3-level tree; IDs (3 layers, K = 8) follow the category with noise so purity is high but < 1. */
export function synthetic(): LayoutFixture {
  const rng = new Rng(7);
  const tops = ['Lab', 'Tools', 'Safety'];
  const mids = ['Glass', 'Meters', 'Tape'];
  const nouns = ['beaker', 'flask', 'pipette', 'meter', 'probe', 'tape', 'glove', 'mask', 'goggles', 'drill'];
  const titles: string[] = [];
  const categories: string[][] = [];
  const n = 60;
  const layers = 3;
  const codes = new Int32Array(n * layers);
  for (let i = 0; i < n; i++) {
    const t = rng.int(3);
    const m = rng.int(3);
    const path = ['Root', tops[t]!, `${tops[t]} ${mids[m]}`];
    categories.push(i % 13 === 0 ? path.slice(0, 2) : path);
    titles.push(`${nouns[(t * 3 + m) % nouns.length]} ${nouns[rng.int(nouns.length)]} model ${i} for the lab`);
    codes[i * layers] = rng.next() < 0.85 ? t : rng.int(8);
    codes[i * layers + 1] = rng.next() < 0.7 ? m + 3 : rng.int(8);
    codes[i * layers + 2] = rng.int(8);
  }
  return { titles, categories, ...categoryArrays(categories), codes, layers };
}

const SCI = join(SHARED_DATA, 'amazon18-scientific');

/** Scientific items (idx = numeric id) with the shipped `<method>.index.json` as a code table. */
export function scientificWithIndex(method = 'rqvae_native'): LayoutFixture & { codebookSizes: number[] } {
  const items = JSON.parse(readFileSync(join(SCI, 'Scientific.item.json'), 'utf8')) as Record<string, { title?: string; categories?: string }>;
  const index = JSON.parse(readFileSync(join(SCI, 'indexes', `${method}.index.json`), 'utf8')) as Record<string, string[]>;
  const n = Object.keys(items).length;
  const layers = Object.values(index)[0]!.length;
  const titles: string[] = [];
  const categories: string[][] = [];
  const codes = new Int32Array(n * layers);
  const sizes = new Array<number>(layers).fill(0);
  for (let i = 0; i < n; i++) {
    const it = items[String(i)]!;
    titles.push(it.title ?? '');
    categories.push(it.categories ? it.categories.split(/,(?! )/).filter((s) => s.length) : []);
    index[String(i)]!.forEach((tok, l) => {
      const v = Number(/_(\d+)>/.exec(tok)![1]);
      codes[i * layers + l] = v;
      sizes[l] = Math.max(sizes[l]!, v + 1);
    });
  }
  return { titles, categories, ...categoryArrays(categories), codes, layers, codebookSizes: sizes };
}
