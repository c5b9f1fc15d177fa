/**
 * The contract every semantic-ID builder implements (random, hkmeans, rqkmeans, rqvae, catid2, uri,
 * category-prefix). A builder is an async generator: it yields progress/metrics/checkpoint events, honours the
 * AbortSignal between steps, and returns the ID table. The build job runner (src/node/jobs) and the tests consume
 * the same generator.
 */
import type { JobEvent } from '../../shared/protocol';
import type { CollisionMode } from '../../shared/types';
import type { DatasetArrays } from '../data/arrays';

export interface BuildInput {
  data: DatasetArrays;
  /** Item embeddings, nItems x dim, row-major, L2-normalised by the built-in embedder. */
  embeddings: Float32Array;
  dim: number;
}

export interface BuildOptions {
  layers: number;
  /** Codebook size K of every layer. */
  codebook: number;
  seed: number;
  collisions: CollisionMode;
  epochs?: number;
  /** Method-specific options (loss weights, balanced flag, ablation switches, ...). */
  extra?: Record<string, unknown>;
}

/** A checkpoint a builder can resume from: opaque bytes plus where it stopped. */
export interface BuildCheckpoint {
  step: number;
  epoch: number;
  meta: Record<string, unknown>;
  data: Uint8Array;
}

export interface BuildContext {
  signal: AbortSignal;
  /** The last checkpoint of an interrupted run of the same config, when resuming. */
  resume?: BuildCheckpoint;
  /** Run id, to stamp on checkpoint artifacts. */
  runId: number;
}

export interface BuildResult {
  /** codes[i * layers + l]; layers includes the suffix layer when collisions = 'suffix'. */
  codes: Int32Array;
  layers: number;
  codebookSizes: number[];
  /** Anything worth keeping with the run (final losses, collision counts before de-collision, ...). */
  summary: Record<string, unknown>;
  /**
   * Optional: squared distance of each item to each code of the LAST layer (nItems x codebookSizes[layers-1],
   * row-major; Infinity where a code does not exist for the item's prefix). The sinkhorn collision handler
   * (src/core/ids/collisions.ts) re-assigns colliding items over these; without it, it falls back to embedding
   * distances to the per-code centroids of each prefix group.
   */
  lastLayerDistances?: Float32Array;
  /**
   * Optional: the trained model's encoder output z per item (nItems x dim), for rqvae / catid2. The build runner
   * keeps it with the run so the embedding map can draw a t-SNE of the latent space (CAT-ID² Fig. 4).
   */
  encoderOutputs?: { dim: number; data: Float32Array };
}

export type IdBuilder = (
  input: BuildInput,
  opts: BuildOptions,
  ctx: BuildContext,
) => AsyncGenerator<JobEvent, BuildResult, void>;
