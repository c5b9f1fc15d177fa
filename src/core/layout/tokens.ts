/**
 * Token and prefix helpers shared by the layouts. Tokens print as in the papers (CAT-ID² Table 8, Fig. 6):
 * layer 0 token 31 → `<a_31>`, so a prefix reads `<a_31><b_229>`.
 */

/** `<a_31>` for layer 0, token 31; layers past 'z' fall back to `<l26_3>`. */
export function tokenLabel(layer: number, token: number): string {
  const letter = layer < 26 ? String.fromCharCode(97 + layer) : `l${layer}`;
  return `<${letter}_${token}>`;
}

export function prefixLabel(prefix: ArrayLike<number>): string {
  let s = '';
  for (let l = 0; l < prefix.length; l++) s += tokenLabel(l, prefix[l]!);
  return s;
}

/** Length of the common prefix of items a and b over the first `upTo` layers of a row-major code table. */
export function sharedPrefixLength(codes: Int32Array, layers: number, a: number, b: number, upTo = layers): number {
  const oa = a * layers;
  const ob = b * layers;
  let l = 0;
  while (l < upTo && codes[oa + l] === codes[ob + l]) l++;
  return l;
}

/**
 * Dense ids of the prefix groups at length `len`: group[i] = g such that items i and j have the same first `len`
 * tokens iff group[i] = group[j]. Ids are numbered in order of first appearance (deterministic).
 */
export function prefixGroups(codes: Int32Array, layers: number, len: number, items?: ArrayLike<number>): Int32Array {
  const n = items ? items.length : codes.length / layers;
  const out = new Int32Array(n);
  const ids = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const i = items ? items[k]! : k;
    const key = codes.subarray(i * layers, i * layers + len).join(',');
    let g = ids.get(key);
    if (g === undefined) {
      g = ids.size;
      ids.set(key, g);
    }
    out[k] = g;
  }
  return out;
}

/** Rounds for golden snapshots and JSON payloads (2 decimals keeps layouts pixel-exact at any zoom we draw). */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
export const round4 = (x: number): number => Math.round(x * 10000) / 10000;
