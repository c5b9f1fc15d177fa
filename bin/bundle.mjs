// Bundles a TypeScript entry of this package into one ESM file under node_modules/.cache/semid-workbench, rebuilt
// whenever a source file is newer. Why: through tsx, `semid --help` took 13.5 s and a job child 18 s to load the
// ~250 source modules on this 2-core machine; the esbuild bundle (~0.5 s to build) loads in ~1 s plus tfjs.
// Returns null when esbuild is unavailable (callers fall back to tsx); never throws for a stale or missing cache.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: walks up from this module, which may itself sit inside a bundle in node_modules/.cache. */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).name === 'semid-workbench') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
})();

const EXTERNAL = ['better-sqlite3', '@tensorflow/*', 'ws', 'electron', 'tsx', 'tsx/*', 'hyparquet'];

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'renderer') newest = Math.max(newest, newestMtime(p));
    } else if (/\.(ts|mts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Path of a fresh bundle of `entry` (relative to the package root), building it if needed; null if impossible. */
export function bundled(name, entry) {
  if (process.env.SEMID_NO_BUNDLE) return null;
  const cache = join(ROOT, 'node_modules', '.cache', 'semid-workbench');
  try {
    const srcNewest = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'bin')), statSync(join(ROOT, 'package.json')).mtimeMs);
    // One folder per source state: a running process lazily loading a chunk never sees it replaced.
    const dir = join(cache, `${name}-${Math.floor(srcNewest)}`);
    const out = join(dir, `${name}.mjs`);
    if (existsSync(out)) return out;
    const esbuild = createRequire(import.meta.url)('esbuild');
    mkdirSync(cache, { recursive: true });
    // Build beside and rename: concurrent builders (parallel test workers) never see a half-written bundle.
    const tmp = `${dir}.${process.pid}.tmp`;
    esbuild.buildSync({
      entryPoints: { [name]: join(ROOT, entry) },
      bundle: true,
      // Dynamic import() stays lazy (its own chunk): tfjs (~3 s to load) is paid only by the jobs that train.
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      external: EXTERNAL,
      logLevel: 'silent',
      // CommonJS dependencies bundled into ESM still call require().
      banner: { js: "import { createRequire as __semidRequire } from 'node:module'; const require = __semidRequire(import.meta.url);" },
    });
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race: its bundle is the same
    }
    for (const old of readdirSync(cache)) {
      if (old.startsWith(`${name}-`) && join(cache, old) !== dir && !old.endsWith('.tmp')) {
        const age = Date.now() - statSync(join(cache, old)).mtimeMs;
        if (age > 3600_000) rmSync(join(cache, old), { recursive: true, force: true });
      }
    }
    return existsSync(out) ? out : null;
  } catch {
    return null;
  }
}
