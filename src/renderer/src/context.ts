import { createContext, useContext } from 'react';
import type { ClientApi } from '../../shared/api/index';
import type { DatasetSummary } from '../../shared/types';

export interface AppState {
  api: ClientApi;
  datasets: DatasetSummary[];
  datasetsError: unknown;
  /** The dataset chosen in the top bar; views default to it. */
  datasetId: number | null;
  setDatasetId: (id: number | null) => void;
  reloadDatasets: () => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside <App>');
  return s;
}
