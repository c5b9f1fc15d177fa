#!/usr/bin/env node
// The `semid` CLI. Runs a cached esbuild bundle of src/cli/main.ts (rebuilt when sources change; see bundle.mjs),
// or the TypeScript sources through tsx when esbuild is unavailable, so `npx semid` works right after `npm ci`.
import { bundled } from './bundle.mjs';

const bundle = bundled('cli', 'src/cli/main.ts');
if (bundle) {
  await import(new URL(`file://${bundle}`).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
