/**
 * The ID builders by method. One line per builder: the RQ-VAE helper adds `rqvae` / `catid2`, the retrieval
 * helper `uri`. `imported` has no builder (its table comes from `semid import ids`).
 */
import type { IdMethod } from '../../shared/types';
import { categoryPrefixBuilder } from './categoryPrefix';
import { hkmeansBuilder } from './hkmeans';
import { randomBuilder } from './random';
import { rqkmeansBuilder } from './rqkmeans';
import type { IdBuilder } from './types';
import { uriBuilder } from '../uri/index';
import { catid2Builder, rqvaeBuilder } from '../models/builders';

export const ID_BUILDERS: Partial<Record<IdMethod, IdBuilder>> = {
  random: randomBuilder,
  hkmeans: hkmeansBuilder,
  rqkmeans: rqkmeansBuilder,
  'category-prefix': categoryPrefixBuilder,
  uri: uriBuilder,
  rqvae: rqvaeBuilder,
  catid2: catid2Builder,
};

/** Methods whose builder trains a tfjs model (the build runner initialises tfjs only for these). */
export const TF_METHODS: readonly IdMethod[] = ['rqvae', 'catid2', 'uri'];
