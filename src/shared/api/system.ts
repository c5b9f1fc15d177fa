import type { TfBackendName } from '../types';
import { v } from '../validate';

export interface SystemInfo {
  version: string;
  dbPath: string;
  /** Where the backend runs: inside Electron, or `semid serve`. */
  host: 'electron' | 'serve';
  /** The tfjs backend a new job would pick on this machine, and why. */
  tfBackend: { name: TfBackendName; note: string };
  cpus: number;
  platform: string;
}

export interface SystemApi {
  info(): Promise<SystemInfo>;
}

export const systemValidators = { info: v.none() } satisfies { [K in keyof SystemApi]: unknown };
