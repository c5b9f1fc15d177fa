/** Shared helpers for the RQ-VAE / CAT-ID² tests. */
import type { DatasetArrays } from '../../src/core/data/arrays';
import type { BuildCheckpoint, BuildInput, BuildOptions, BuildResult, IdBuilder } from '../../src/core/ids/types';
import { drain } from '../../src/core/util/generators';
import type { JobEvent } from '../../src/shared/protocol';

export interface Built {
  result: BuildResult;
  events: JobEvent[];
  checkpoints: BuildCheckpoint[];
  ms: number;
}

export async function build(
  builder: IdBuilder,
  input: BuildInput,
  opts: BuildOptions,
  resume?: BuildCheckpoint,
  signal: AbortSignal = new AbortController().signal,
): Promise<Built> {
  const events: JobEvent[] = [];
  const checkpoints: BuildCheckpoint[] = [];
  const t0 = performance.now();
  const result = await drain(builder(input, opts, { signal, resume, runId: 1 }), (ev) => {
    events.push(ev);
    if (ev.type === 'artifact' && ev.artifact.kind === 'checkpoint') {
      const { step, epoch, meta, data } = ev.artifact;
      checkpoints.push({ step, epoch, meta, data });
    }
  });
  return { result, events, checkpoints, ms: performance.now() - t0 };
}

/** Per-epoch metric values in order. */
export function epochMetrics(events: JobEvent[]): Record<string, number>[] {
  return events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
}

/**
 * Category purity of layer l's codes against category level lv (0-based): for each code, the share of its items
 * in its majority category, weighted by bucket size; items with unknown category at lv are left out.
 */
export function purity(codes: Int32Array, layers: number, l: number, data: DatasetArrays, lv: number): number {
  const byCode = new Map<number, Map<number, number>>();
  let known = 0;
  for (let i = 0; i < data.nItems; i++) {
    const c = data.categoryLevels[i * data.depth + lv]!;
    if (c < 0) continue;
    known++;
    const code = codes[i * layers + l]!;
    let m = byCode.get(code);
    if (!m) byCode.set(code, (m = new Map()));
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  let sum = 0;
  for (const m of byCode.values()) sum += Math.max(...m.values());
  return sum / known;
}

/** Share of items whose full ID is shared with another item. */
export function collisionRate(codes: Int32Array, layers: number, n: number): number {
  const counts = new Map<string, number>();
  const key = (i: number): string => Array.from(codes.subarray(i * layers, (i + 1) * layers)).join(',');
  for (let i = 0; i < n; i++) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  let shared = 0;
  for (let i = 0; i < n; i++) if (counts.get(key(i))! > 1) shared++;
  return shared / n;
}

/**
 * Runs a build and aborts it as soon as it reports the metrics of epoch `killAfterEpoch` (the work of that epoch is
 * then lost, as when the job process is killed), expecting the CancelledError; returns the checkpoints it emitted
 * before dying, the last of which is what `semid runs resume` restarts from.
 */
export async function buildKilledAfterEpoch(
  builder: IdBuilder,
  input: BuildInput,
  opts: BuildOptions,
  killAfterEpoch: number,
): Promise<BuildCheckpoint[]> {
  const ac = new AbortController();
  const checkpoints: BuildCheckpoint[] = [];
  const gen = builder(input, opts, { signal: ac.signal, runId: 1 });
  let error: unknown = null;
  try {
    for (;;) {
      const r = await gen.next();
      if (r.done) break;
      const ev = r.value;
      if (ev.type === 'artifact' && ev.artifact.kind === 'checkpoint') {
        const { step, epoch, meta, data } = ev.artifact;
        checkpoints.push({ step, epoch, meta, data });
      }
      if (ev.type === 'metrics' && ev.values.epoch === killAfterEpoch) ac.abort();
    }
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error) || error.name !== 'CancelledError') throw new Error(`expected the build to be cancelled, got ${String(error)}`);
  return checkpoints;
}
