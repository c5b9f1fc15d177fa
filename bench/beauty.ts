/**
 * Shared loader for the Beauty benchmarks of the ID builders and the audit: parses the shipped files with the real
 * P5 importer, builds DatasetArrays, and embeds the items with the built-in embedder (TF-IDF + randomized SVD,
 * 256-d, seed 1). Cached per process.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseImport } from '../src/node/importers/index';
import { datasetArraysFromImported, itemRecordsFromImported } from '../src/core/data/build';
import { embedItems } from '../src/core/embed/index';
import type { DatasetArrays } from '../src/core/data/arrays';
import type { ItemRecord } from '../src/shared/types';
import { drain } from '../src/core/util/generators';

export const SHARED_DATA = process.env.SEMID_SHARED_DATA ?? resolve(import.meta.dirname, '../../shared/data');
export const BEAUTY_DIR = resolve(SHARED_DATA, 'amazon14-beauty');
export const hasBeauty = existsSync(resolve(BEAUTY_DIR, 'sequential_data.txt'));

let cached: Promise<{ items: ItemRecord[]; arrays: DatasetArrays; embeddings: Float32Array; dim: number }> | undefined;

export function beautyWithEmbeddings(dim = 256): Promise<{ items: ItemRecord[]; arrays: DatasetArrays; embeddings: Float32Array; dim: number }> {
  cached ??= (async () => {
    const ds = await parseImport({ format: 'p5', paths: [BEAUTY_DIR] });
    const arrays = datasetArraysFromImported(ds);
    const items = itemRecordsFromImported(ds);
    const emb = await drain(embedItems(items, { dim, seed: 1 }));
    return { items, arrays, embeddings: emb.data, dim: emb.dim };
  })();
  return cached;
}
