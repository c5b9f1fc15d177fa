/**
 * A trie of the valid semantic IDs of an ID table, on flat typed arrays. Every node covers a contiguous range of the
 * items sorted by code, so a leaf's bucket (the items sharing one full ID) and any prefix's subtree are slices of
 * `items`, with no per-node allocation. Used to constrain beam search (every generated ID exists) and to find the
 * sibling buckets that give the ranker its hard negatives (URI §4.3).
 */
export interface IdTrie {
  layers: number;
  codebookSizes: number[];
  nNodes: number;
  /** depth[n]: 0 for the root, `layers` for leaves. */
  depth: Int32Array;
  /** Children of node n: childToken/childNode[childPtr[n] .. childPtr[n+1]), tokens ascending. */
  childPtr: Int32Array;
  childToken: Int32Array;
  childNode: Int32Array;
  parent: Int32Array;
  /** Items of the subtree of node n: items[start[n] .. end[n]). */
  start: Int32Array;
  end: Int32Array;
  /** Item indices sorted by code (stable: ties keep item order). */
  items: Int32Array;
  /** Leaf node of each item. */
  leafOfItem: Int32Array;
  /** Leaf node ids (depth = layers), in code order. */
  leaves: Int32Array;
}

/** Builds the trie of codes[i * layers + l]. Codes must be in [0, codebookSizes[l]). */
export function buildTrie(codes: Int32Array, layers: number, codebookSizes: number[]): IdTrie {
  const n = codes.length / layers;
  if (!Number.isInteger(n)) throw new Error(`buildTrie: ${codes.length} codes is not a multiple of ${layers} layers`);
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k]!;
    const size = codebookSizes[k % layers]!;
    if (c < 0 || c >= size) throw new Error(`buildTrie: item ${Math.floor(k / layers)} layer ${k % layers}: code ${c} not in [0, ${size})`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    for (let l = 0; l < layers; l++) {
      const d = codes[a * layers + l]! - codes[b * layers + l]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
  const items = Int32Array.from(order);
  // Nodes are created breadth-first per depth; at most n nodes per depth plus the root.
  const cap = 1 + n * layers;
  const depth = new Int32Array(cap);
  const parent = new Int32Array(cap).fill(-1);
  const start = new Int32Array(cap);
  const end = new Int32Array(cap);
  const token = new Int32Array(cap).fill(-1);
  let nNodes = 1;
  start[0] = 0;
  end[0] = n;
  let frontier = [0];
  const childLists: number[][] = [[]];
  for (let l = 0; l < layers; l++) {
    const next: number[] = [];
    for (const node of frontier) {
      let s = start[node]!;
      const e = end[node]!;
      while (s < e) {
        const tok = codes[items[s]! * layers + l]!;
        let t = s + 1;
        while (t < e && codes[items[t]! * layers + l]! === tok) t++;
        const child = nNodes++;
        depth[child] = l + 1;
        parent[child] = node;
        start[child] = s;
        end[child] = t;
        token[child] = tok;
        childLists[node]!.push(child);
        childLists[child] = [];
        next.push(child);
        s = t;
      }
    }
    frontier = next;
  }
  const childPtr = new Int32Array(nNodes + 1);
  for (let v = 0; v < nNodes; v++) childPtr[v + 1] = childPtr[v]! + childLists[v]!.length;
  const childToken = new Int32Array(childPtr[nNodes]!);
  const childNode = new Int32Array(childPtr[nNodes]!);
  for (let v = 0; v < nNodes; v++) {
    const list = childLists[v]!;
    for (let j = 0; j < list.length; j++) {
      childNode[childPtr[v]! + j] = list[j]!;
      childToken[childPtr[v]! + j] = token[list[j]!]!;
    }
  }
  const leafOfItem = new Int32Array(n);
  const leaves = Int32Array.from(frontier);
  for (const leaf of frontier) for (let s = start[leaf]!; s < end[leaf]!; s++) leafOfItem[items[s]!] = leaf;
  return {
    layers,
    codebookSizes: codebookSizes.slice(),
    nNodes,
    depth: depth.slice(0, nNodes),
    childPtr,
    childToken,
    childNode,
    parent: parent.slice(0, nNodes),
    start: start.slice(0, nNodes),
    end: end.slice(0, nNodes),
    items,
    leafOfItem,
    leaves,
  };
}

/** The child of `node` reached by `token`, or -1 (binary search: children are sorted by token). */
export function trieChild(trie: IdTrie, node: number, token: number): number {
  let lo = trie.childPtr[node]!;
  let hi = trie.childPtr[node + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = trie.childToken[mid]!;
    if (t === token) return trie.childNode[mid]!;
    if (t < token) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Node of a prefix (length ≤ layers), or -1 when no item has that prefix. */
export function trieNode(trie: IdTrie, prefix: ArrayLike<number>): number {
  let node = 0;
  for (let l = 0; l < prefix.length && node >= 0; l++) node = trieChild(trie, node, prefix[l]!);
  return node;
}

/** Whether a full ID exists in the table. */
export function trieHas(trie: IdTrie, id: ArrayLike<number>): boolean {
  return id.length === trie.layers && trieNode(trie, id) >= 0;
}

/** Items of the subtree of a node (a leaf's bucket when node is a leaf). A view, not a copy. */
export function trieItems(trie: IdTrie, node: number): Int32Array {
  return trie.items.subarray(trie.start[node]!, trie.end[node]!);
}

/** The token path from the root to a node. */
export function triePath(trie: IdTrie, node: number): number[] {
  const path: number[] = [];
  for (let v = node; v > 0; v = trie.parent[v]!) {
    const p = trie.parent[v]!;
    for (let j = trie.childPtr[p]!; j < trie.childPtr[p + 1]!; j++) {
      if (trie.childNode[j] === v) {
        path.push(trie.childToken[j]!);
        break;
      }
    }
  }
  return path.reverse();
}
