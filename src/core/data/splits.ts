/** Split protocols shared by every importer. */
import type { Split } from '../../shared/types';
import { SPLIT_CODE } from '../../shared/dataset';

/**
 * Leave-last-out (the TIGER / P5 / LC-Rec sequential protocol): in a sequence of n interactions the last is test,
 * the second-to-last valid, the rest train. Sequences shorter than 3 keep what they can: n = 2 gives train + test,
 * n = 1 train only (5-core data never has them).
 */
export function leaveLastOutCode(pos: number, n: number): number {
  if (n >= 2 && pos === n - 1) return SPLIT_CODE.test;
  if (n >= 3 && pos === n - 2) return SPLIT_CODE.valid;
  return SPLIT_CODE.train;
}

/** FNV-1a 32-bit: a stable, dependency-free hash for deterministic query-level splits. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Carves a validation split out of a query-level train split deterministically: a query is valid when the hash of
 * its id falls in the lowest `fraction` of the 32-bit range (ESCI ships only train/test).
 */
export function carveValid(queryId: string, split: Split, fraction: number): Split {
  if (split !== 'train') return split;
  return fnv1a(queryId) / 4294967296 < fraction ? 'valid' : 'train';
}

/** Accepts the usual spellings of split names in source files; null when unrecognised. */
export function normaliseSplit(s: string): Split | null {
  switch (s.trim().toLowerCase()) {
    case 'train':
    case 'training':
      return 'train';
    case 'valid':
    case 'val':
    case 'validation':
    case 'dev':
      return 'valid';
    case 'test':
    case 'testing':
      return 'test';
    default:
      return null;
  }
}
