/**
 * The IDs a suffix/sinkhorn build produced before de-collision, kept as run data by the build runner and read by the
 * collision inspector (views.collisions). Its own module so the views service does not load the builder registry.
 */
import type { CollisionMode } from '../../../shared/types';
import { toBase64 } from '../../base64';

/** Run data key of the IDs as the builder produced them, before de-collision (a PreCollisionCodes value). */
export const CODES_BEFORE_COLLISIONS_KEY = 'codesBeforeCollisions';

/**
 * The stored pre-collision ID table: base64 of the little-endian Int32 codes (items × layers, item idx order). Run
 * data is JSON; base64 keeps Beauty's 12,101 × 3 table at ~190 KB, against ~450 KB as a JSON array of numbers.
 */
export interface PreCollisionCodes {
  layers: number;
  codebookSizes: number[];
  items: number;
  collisionMode: CollisionMode;
  data: string;
}

export function encodePreCollisionCodes(r: { codes: Int32Array; layers: number; codebookSizes: number[] }, mode: CollisionMode): PreCollisionCodes {
  const data = toBase64(r.codes);
  return { layers: r.layers, codebookSizes: [...r.codebookSizes], items: r.codes.length / r.layers, collisionMode: mode, data };
}

export function decodePreCollisionCodes(v: PreCollisionCodes): { layers: number; codebookSizes: number[]; codes: Int32Array } {
  const buf = Buffer.from(v.data, 'base64');
  const codes = new Int32Array(buf.byteLength / 4);
  new Uint8Array(codes.buffer).set(buf);
  if (codes.length !== v.items * v.layers) throw new Error(`stored pre-collision IDs: ${codes.length} codes for ${v.items} items × ${v.layers} layers`);
  return { layers: v.layers, codebookSizes: v.codebookSizes, codes };
}
