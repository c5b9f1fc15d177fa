/**
 * Balanced assignment of items to tokens (URI §4.2 "Assignment", after Li et al. 2023): every token has a maximum
 * load (the average N/k, rounded up so that N items always fit). "The probability distribution of each item is sorted
 * in descending order, and tokens are selected sequentially. If the number of items in a selected token reaches the
 * maximum load, the next token is chosen." The paper leaves the order of items open; items are served most confident
 * first (by their top probability), so a confident item is never pushed out of its bucket by a hesitant one that
 * happens to come earlier in index order. O(n·k log k + n log n).
 * (src/core/kernels/balanced.ts has the quantizers' cost-based, regret-ordered variant used by balanced k-means.)
 */
export function uriBalancedAssign(probs: Float32Array, n: number, k: number, maxLoad = Math.ceil(n / k)): Int32Array {
  if (probs.length !== n * k) throw new Error(`uriBalancedAssign: probs has ${probs.length} values, expected ${n} x ${k}`);
  if (maxLoad * k < n) throw new Error(`uriBalancedAssign: max load ${maxLoad} x ${k} tokens cannot hold ${n} items`);
  const out = new Int32Array(n).fill(-1);
  const top = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, probs[i * k + j]!);
    top[i] = m;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => top[b]! - top[a]! || a - b);
  const load = new Int32Array(k);
  const tokens = Array.from({ length: k }, (_, j) => j);
  for (const i of order) {
    const o = i * k;
    tokens.sort((a, b) => probs[o + b]! - probs[o + a]! || a - b);
    for (const j of tokens) {
      if (load[j]! < maxLoad) {
        out[i] = j;
        load[j] = load[j]! + 1;
        break;
      }
    }
  }
  return out;
}

/**
 * Balanced assignment inside each group (URI assigns layer-l tokens among the items that share the same l-1 prefix,
 * so the max load is the group size over k). groupOf[i] is item i's group id (any non-negative integers).
 */
export function uriBalancedAssignGrouped(probs: Float32Array, n: number, k: number, groupOf: Int32Array): Int32Array {
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groupOf[i]!;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  const out = new Int32Array(n);
  for (const list of members.values()) {
    const sub = new Float32Array(list.length * k);
    list.forEach((i, r) => sub.set(probs.subarray(i * k, (i + 1) * k), r * k));
    const a = uriBalancedAssign(sub, list.length, k);
    list.forEach((i, r) => (out[i] = a[r]!));
  }
  return out;
}
