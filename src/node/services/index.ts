/**
 * createServices composes the domain services into the one typed Api. Each domain is a factory
 * `(ctx: ServiceContext) => Api[domain]` in its own file; other helpers register theirs with one line below.
 * The `satisfies` clause makes a domain added to Api without a service a type error here.
 */
import type { Api, ApiDomain } from '../../shared/api/index';
import type { ServiceContext } from './context';
import { createDatasetsService } from './datasets';
import { createRunsService } from './runs';
import { createSystemService } from './system';
import { createViewsService } from './views';
import { createRetrievalService } from './retrieval';
import { createIdsService } from './ids';

export type { ServiceContext, JobControl } from './context';
export { dispatch, dispatchEnvelope } from './dispatch';
export { startDemo, ensureDemo } from './demo';

const DOMAINS = {
  datasets: createDatasetsService,
  runs: createRunsService,
  system: createSystemService,
  views: createViewsService,
  retrieval: createRetrievalService,
  ids: createIdsService,
} satisfies { [D in ApiDomain]: (ctx: ServiceContext) => Api[D] };

export function createServices(ctx: ServiceContext): Api {
  const api: Record<string, unknown> = {};
  for (const [domain, factory] of Object.entries(DOMAINS)) api[domain] = (factory as (c: ServiceContext) => unknown)(ctx);
  return api as unknown as Api;
}
