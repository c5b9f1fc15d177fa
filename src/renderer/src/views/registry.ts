/**
 * The Compare and Inspect sections render the views registered here, in order. The views helper adds one line per
 * view, lazily loaded so each view is its own chunk, e.g.
 *   view('sankey', 'Category → codebook', 'inspect', () => import('./inspect/SankeyView')),
 * (the module's default export is the component). A view receives ViewProps and keeps its own state in `query`
 * (the URL), so reload and back/forward restore it.
 */
import { type ComponentType, lazy } from 'react';
import type { ClientApi } from '../../../shared/api/index';

export interface ViewProps {
  api: ClientApi;
  /** The dataset chosen in the top bar (null when there is none yet). */
  datasetId: number | null;
  /** This view's URL query (e.g. { run: '12', layer: '2' }). */
  query: Record<string, string>;
  /** Replaces this view's URL query (merge it yourself: setQuery({ ...query, run: '3' })). */
  setQuery: (q: Record<string, string | number | undefined | null>) => void;
}

export interface ViewEntry {
  id: string;
  title: string;
  section: 'compare' | 'inspect';
  component: ComponentType<ViewProps>;
}

/** One registry entry whose component loads on first use. */
export function view(
  id: string,
  title: string,
  section: ViewEntry['section'],
  load: () => Promise<{ default: ComponentType<ViewProps> }>,
): ViewEntry {
  return { id, title, section, component: lazy(load) };
}

export const VIEWS: ViewEntry[] = [
  // views helper: one entry per line
  view('dashboard', 'Run dashboards', 'compare', () => import('./compare/DashboardView')),
  view('docids', 'DocID table', 'compare', () => import('./inspect/DocIdView')),
  view('sankey', 'Category → codebook', 'inspect', () => import('./inspect/SankeyView')),
  view('prefixes', 'Prefix tree + words', 'inspect', () => import('./inspect/PrefixView')),
  view('map', 'Embedding map', 'inspect', () => import('./inspect/MapView')),
  view('collisions', 'Collisions', 'inspect', () => import('./inspect/CollisionsView')),
  view('query', 'Query inspector', 'inspect', () => import('./inspect/QueryView')),
];
