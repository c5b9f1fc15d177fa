import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, platform, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SystemApi, SystemInfo } from '../../shared/api/system';
import type { TfBackendName } from '../../shared/types';
import type { ServiceContext } from './context';

/** The package version, found by walking up from this module (source tree and electron-vite bundle differ in depth). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'semid-workbench') return pkg.version ?? '0.0.0';
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/**
 * The backend a new job would pick, predicted without loading tfjs in the host (the child does the real pick in
 * src/node/tf.ts and records it on the run): the same order, tfjs-node-gpu → tfjs-node → wasm → cpu.
 */
export function predictTfBackend(): { name: TfBackendName; note: string } {
  const forced = process.env.SEMID_TF_BACKEND;
  if (forced) return { name: forced as TfBackendName, note: `forced by SEMID_TF_BACKEND=${forced}` };
  const req = createRequire(import.meta.url);
  const has = (m: string): boolean => {
    try {
      req.resolve(m);
      return true;
    } catch {
      return false;
    }
  };
  if (has('@tensorflow/tfjs-node-gpu')) return { name: 'tensorflow-gpu', note: '@tensorflow/tfjs-node-gpu is installed (CUDA)' };
  if (has('@tensorflow/tfjs-node')) return { name: 'tensorflow', note: '@tensorflow/tfjs-node is installed (native CPU)' };
  if (has('@tensorflow/tfjs-backend-wasm')) return { name: 'wasm', note: 'tfjs-node is not installed: WebAssembly (SIMD) backend' };
  return { name: 'cpu', note: 'no accelerated backend installed: plain JavaScript cpu backend' };
}

export function createSystemService(ctx: ServiceContext): SystemApi {
  const version = packageVersion();
  const tfBackend = predictTfBackend();
  return {
    info: async (): Promise<SystemInfo> => ({
      version,
      dbPath: ctx.dbPath,
      host: ctx.host,
      tfBackend,
      cpus: cpus().length,
      platform: `${platform()}-${arch()}`,
    }),
  };
}
