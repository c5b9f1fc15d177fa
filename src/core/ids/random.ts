/**
 * Random IDs, URI's "Random" baseline (Table 2): every layer independently deals a seeded permutation of the items
 * round-robin over K tokens, so each layer is perfectly balanced (bucket sizes differ by at most one) and carries no
 * semantics.
 */
import { throwIfAborted } from '../../shared/errors';
import { randomBalancedAssign } from '../kernels/balanced';
import { yieldToLoop } from '../util/generators';
import { Rng } from '../util/random';
import type { IdBuilder } from './types';

export const randomBuilder: IdBuilder = async function* (input, opts, ctx) {
  const n = input.data.nItems;
  const L = opts.layers;
  const K = opts.codebook;
  const rng = new Rng(opts.seed);
  const codes = new Int32Array(n * L);
  for (let l = 0; l < L; l++) {
    throwIfAborted(ctx.signal);
    const a = randomBalancedAssign(n, K, rng);
    for (let i = 0; i < n; i++) codes[i * L + l] = a[i]!;
    yield { type: 'progress', phase: 'random', done: l + 1, total: L };
    await yieldToLoop();
  }
  return { codes, layers: L, codebookSizes: Array<number>(L).fill(K), summary: {} };
};
