/**
 * Picks the TensorFlow.js backend at the process edge (job children, benches), never inside src/core:
 * tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → wasm (SIMD) → cpu. The native packages are optional peer
 * dependencies whose install downloads libtensorflow, so they are imported by a computed name and skipped when
 * absent. SEMID_TF_BACKEND=tensorflow-gpu|tensorflow|wasm|cpu forces one (tests use it).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import type { TfBackendName } from '../shared/types';

type Tf = typeof TfModule;

let chosen: Promise<{ tf: Tf; backend: TfBackendName }> | null = null;
let loaded: Tf | null = null;

/** The tfjs module if this process already initialised it (for cleanup), else null. */
export function loadedTf(): Tf | null {
  return loaded;
}

const ORDER: TfBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export function forcedBackend(): TfBackendName | null {
  const v = process.env.SEMID_TF_BACKEND?.trim();
  if (!v) return null;
  if (!(ORDER as string[]).includes(v)) {
    throw new Error(`SEMID_TF_BACKEND="${v}" is not a backend; use one of ${ORDER.join(', ')}`);
  }
  return v as TfBackendName;
}

/** Whether an optional package can be resolved, without loading it. */
export function hasPackage(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

async function tryNative(pkg: string): Promise<boolean> {
  if (!hasPackage(pkg)) return false;
  try {
    // Computed specifier: bundlers and tsc must not try to resolve the optional package.
    const spec: string = pkg;
    await import(spec);
    const tf = await import('@tensorflow/tfjs');
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    // main = <pkg>/dist/tf-backend-wasm.node.js; the .wasm binaries live in <pkg>/wasm-out.
    wasm.setWasmPaths(join(dirname(dirname(main)), 'wasm-out') + '/');
    const tf = await import('@tensorflow/tfjs');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function pick(): Promise<{ tf: Tf; backend: TfBackendName }> {
  const tf = await import('@tensorflow/tfjs');
  const forced = forcedBackend();
  const candidates = forced ? [forced] : ORDER;
  for (const b of candidates) {
    let ok = false;
    if (b === 'tensorflow-gpu') ok = await tryNative('@tensorflow/tfjs-node-gpu');
    else if (b === 'tensorflow') ok = await tryNative('@tensorflow/tfjs-node');
    else if (b === 'wasm') ok = await tryWasm();
    else if (b === 'cpu') ok = await tf.setBackend('cpu');
    if (ok) {
      await tf.ready();
      loaded = tf;
      return { tf, backend: b };
    }
    if (forced) throw new Error(`SEMID_TF_BACKEND=${forced}: that tfjs backend is not available on this machine`);
  }
  throw new Error('no tfjs backend could be initialised');
}

/** Initialises tfjs once per process and returns the module and the chosen backend's name. */
export function initTf(): Promise<{ tf: Tf; backend: TfBackendName }> {
  chosen ??= pick().catch((e: unknown) => {
    chosen = null;
    throw e;
  });
  return chosen;
}

/** What initTf would pick, without loading tfjs (for `system.info`): the first installed candidate. */
export function probeBackend(): { name: TfBackendName; note: string } {
  const forced = process.env.SEMID_TF_BACKEND?.trim();
  if (forced && (ORDER as string[]).includes(forced)) return { name: forced as TfBackendName, note: 'forced by SEMID_TF_BACKEND' };
  if (hasPackage('@tensorflow/tfjs-node-gpu')) return { name: 'tensorflow-gpu', note: 'tfjs-node-gpu (CUDA) is installed' };
  if (hasPackage('@tensorflow/tfjs-node')) return { name: 'tensorflow', note: 'tfjs-node (native CPU) is installed' };
  if (hasPackage('@tensorflow/tfjs-backend-wasm')) return { name: 'wasm', note: 'tfjs-node is not installed: WebAssembly (SIMD) backend' };
  return { name: 'cpu', note: 'plain JavaScript backend' };
}
