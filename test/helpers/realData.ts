/**
 * Real datasets for tests, parsed through the real importers (no database) and cached per test process:
 * Scientific (4,344 items) is cheap enough for every test; Beauty (12,101 items, 198,502 interactions) costs ~1-3 s.
 */
import type { DatasetArrays } from '../../src/core/data/arrays';
import { datasetArraysFromImported, itemRecordsFromImported } from '../../src/core/data/build';
import { drain } from '../../src/core/util/generators';
import { embedItems } from '../../src/core/embed/index';
import type { ImportedDataset } from '../../src/shared/dataset';
import type { ItemRecord } from '../../src/shared/types';
import { parseImport } from '../../src/node/importers/index';
import { BEAUTY_DIR, SCIENTIFIC_DIR } from './paths';

export interface RealData {
  items: ItemRecord[];
  arrays: DatasetArrays;
  /** The parsed dataset (queries, ext ids, labels), for tests that need more than arrays. */
  dataset: ImportedDataset;
}

const cache = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) cache.set(key, (p = make()));
  return p;
}

async function load(format: 'lcrec' | 'p5', dir: string): Promise<RealData> {
  const dataset = await parseImport({ format, paths: [dir] });
  return { items: itemRecordsFromImported(dataset), arrays: datasetArraysFromImported(dataset), dataset };
}

/** Amazon 2018 Industrial & Scientific, LC-Rec format: 4,344 items, 8,317 users, leave-last-out. */
export const loadScientific = (): Promise<RealData> => once('scientific', () => load('lcrec', SCIENTIFIC_DIR));

/** Amazon 2014 Beauty, P5 split: 12,101 items, 22,363 users, leave-last-out. Item idx = P5 id - 1. */
export const loadBeauty = (): Promise<RealData> => once('beauty', () => load('p5', BEAUTY_DIR));

/** Scientific plus the built-in embedder's item embeddings (TF-IDF → randomized SVD, L2-normalised). */
export function scientificWithEmbeddings(dim = 256, seed = 0): Promise<RealData & { embeddings: Float32Array; dim: number }> {
  return once(`scientific-emb-${dim}-${seed}`, async () => {
    const sci = await loadScientific();
    const r = await drain(embedItems(sci.items, { dim, seed }));
    return { ...sci, embeddings: r.data, dim: r.dim };
  });
}
