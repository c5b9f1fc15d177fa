/**
 * Golden JSON snapshots for the pure layout functions. A missing or different snapshot fails the test; run with
 * UPDATE_GOLDEN=1 to (re)write them, then review the diff like code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');

export function expectGolden(name: string, value: unknown): void {
  const file = join(DIR, `${name}.json`);
  const text = JSON.stringify(value, null, 1) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden ${file} is missing: run with UPDATE_GOLDEN=1 to create it, then review it`);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}
