/**
 * Selects a tfjs backend for model tests. The app picks its backend at the process edge (src/node/tf.ts); tests pin
 * one so results are reproducible: wasm (what the app uses here, and where the transpose-free matMul gradient pays
 * off) or cpu for tiny checks.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { configureForBackend } from '../../src/core/models/tfops';

let wasmPathSet = false;

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm' && !wasmPathSet) {
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    // main = <pkg>/dist/tf-backend-wasm.node.js; the .wasm binaries are in <pkg>/wasm-out.
    setWasmPaths(join(dirname(dirname(main)), 'wasm-out') + '/');
    wasmPathSet = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
  configureForBackend();
}
