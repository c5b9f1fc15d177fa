/**
 * Where the real data lives. Tests read it from ../shared/data (or $SEMID_SHARED_DATA) and skip with a clear
 * message when it is absent; the project never copies it into its own tree.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHARED_DATA = process.env.SEMID_SHARED_DATA ?? resolve(import.meta.dirname, '../../../shared/data');
export const SCIENTIFIC_DIR = resolve(SHARED_DATA, 'amazon18-scientific');
export const BEAUTY_DIR = resolve(SHARED_DATA, 'amazon14-beauty');

export const hasScientific = existsSync(resolve(SCIENTIFIC_DIR, 'Scientific.item.json'));
export const hasBeauty = existsSync(resolve(BEAUTY_DIR, 'sequential_data.txt'));

if (!hasScientific) console.warn(`[semid tests] real data not found at ${SCIENTIFIC_DIR}: real-data tests are skipped`);
if (!hasBeauty) console.warn(`[semid tests] real data not found at ${BEAUTY_DIR}: Beauty tests are skipped`);

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
