import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Command } from '../command';
import { packageRoot } from '../../node/server/paths';
import { serveCommand } from './serve';

/** The Electron binary if the electron package has downloaded it (it never does offline: see notes/platform.md). */
export function electronBinary(root = packageRoot()): string | null {
  try {
    const req = createRequire(join(root, 'package.json'));
    const dir = join(req.resolve('electron/package.json'), '..');
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** True when `electron-vite build` output is present for main, preload and renderer. */
export function appBuilt(root = packageRoot()): boolean {
  return existsSync(join(root, 'out/main/index.js')) && existsSync(join(root, 'out/renderer/index.html')) && (existsSync(join(root, 'out/preload/index.mjs')) || existsSync(join(root, 'out/preload/index.js')));
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Open the desktop app (builds it first if needed); without an Electron binary, serve it to a browser instead',
  usage: 'semid start [--serve] [--port N]',
  details: 'This is what `npm start` runs. Where Electron cannot run (no binary, e.g. offline or headless), it falls back to `semid serve` and prints the URL to open.',
  options: {
    serve: { type: 'boolean', description: 'skip Electron and serve to a browser' },
    port: { type: 'string', description: 'port for the browser fallback (default random)', valueName: 'N' },
    'no-demo': { type: 'boolean', description: 'do not create the demo dataset on an empty database' },
  },
  json: false,
  async run(args, ctx) {
    const root = packageRoot();
    const bin = args.values.serve ? null : electronBinary(root);
    if (bin) {
      if (!appBuilt(root)) {
        ctx.err('building the app (electron-vite build)…');
        const b = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
        if (b.status !== 0) throw new Error('electron-vite build failed');
      }
      const child = spawn(bin, [root], { cwd: root, stdio: 'inherit', env: { ...process.env, SEMID_DB: ctx.dbPath } });
      return await new Promise<number>((ok) => child.on('exit', (code) => ok(code ?? 0)));
    }
    if (!args.values.serve) ctx.err('The Electron binary is not available on this machine (it downloads on first use, which needs internet); serving the workbench to a browser instead.');
    if (!existsSync(join(root, 'out/renderer/index.html'))) {
      ctx.err('building the UI (vite build)…');
      const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
      if (b.status !== 0) throw new Error('vite build of the renderer failed');
    }
    const values: Record<string, string | boolean | undefined> = { 'no-demo': args.values['no-demo'] as boolean | undefined };
    if (args.values.port) values.port = args.values.port as string;
    return serveCommand.run({ values, positionals: [] }, ctx);
  },
};
