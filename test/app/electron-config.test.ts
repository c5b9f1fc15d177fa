/**
 * The desktop packaging cannot run here (no Electron binary), so its inputs are checked instead: the builder config
 * validates against electron-builder's own JSON schema, and `electron-vite build` produces main, the job worker,
 * a sandbox-compatible (CommonJS) preload and the renderer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';

type Schema = {
  $ref?: string;
  anyOf?: Schema[];
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  definitions?: Record<string, Schema>;
};

/** A small JSON-schema walk (the subset electron-builder's scheme.json uses): returns every violation found. */
export function validateSchema(root: Schema, value: unknown, schema: Schema = root, path = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    const def = root.definitions?.[name];
    if (!def) return [`${path}: unknown $ref ${schema.$ref}`];
    return validateSchema(root, value, def, path);
  }
  if (schema.anyOf) {
    const results = schema.anyOf.map((s) => validateSchema(root, value, s, path));
    if (results.some((r) => r.length === 0)) return [];
    return results.reduce((a, b) => (a.length <= b.length ? a : b));
  }
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validateSchema(root, v, schema.items!, `${path}[${i}]`)));
  if (value && typeof value === 'object' && !Array.isArray(value) && (schema.properties || schema.additionalProperties === false)) {
    for (const [k, v] of Object.entries(value)) {
      const p = schema.properties?.[k];
      if (p) errors.push(...validateSchema(root, v, p, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not an electron-builder option`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateSchema(root, v, schema.additionalProperties, `${path}.${k}`));
    }
  }
  return errors;
}

describe('electron-builder config', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as Schema;
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'electron-builder.json'), 'utf8')) as Record<string, unknown>;

  it('validates against electron-builder’s own schema', () => {
    expect(validateSchema(schema, config)).toEqual([]);
  });

  it('the validator can fail: a misspelled key and a wrong type are reported', () => {
    const errs = validateSchema(schema, { ...config, asarUnpak: ['x'], npmRebuild: 'yes', linux: { target: 5 } });
    expect(errs.join('\n')).toContain('$.asarUnpak: not an electron-builder option');
    expect(errs.join('\n')).toContain('$.npmRebuild: expected boolean');
    expect(errs.some((e) => e.startsWith('$.linux'))).toBe(true);
  });

  it('targets AppImage + deb, dmg, nsis and unpacks the native and wasm modules', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.mac as { target: string[] }).target).toEqual(['dmg']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    const unpack = (config.asarUnpack as string[]).join(' ');
    for (const m of ['better-sqlite3', 'tfjs-backend-wasm', 'tfjs-node', '.node']) expect(unpack).toContain(m);
    expect(config.npmRebuild).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; main: string };
    expect(pkg.scripts.dist).toContain('electron-builder --config electron-builder.json');
    expect(pkg.main).toBe('./out/main/index.js');
  });
});

describe('electron-vite build', () => {
  // Built into a temp folder: out/renderer is what the browser tests serve, and may be in use by them right now.
  it('builds main, the job worker, the preload and the renderer', () => {
    const out = mkdtempSync(join(tmpdir(), 'semid-evite-'));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    console.log(`[semid tests] electron-vite build: ${Date.now() - t0} ms`);
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    expect(main).toContain('semid:');
    expect(existsSync(join(out, 'main/jobWorker.js'))).toBe(true);
    // A sandboxed preload must be CommonJS: it runs without ESM support.
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(readFileSync(join(out, 'renderer/index.html'), 'utf8')).toContain('Content-Security-Policy');
    rmSync(out, { recursive: true, force: true });
  });
});
