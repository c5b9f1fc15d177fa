/**
 * How the JobHost starts a job process. Two thin adapters share one protocol (src/shared/protocol.ts):
 * `nodeForkAdapter` (child_process.fork, used by the CLI, `semid serve` and tests) and the Electron one
 * (utilityProcess.fork, in src/main). Both children run `runChild` from ./child.ts.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChildMessage, HostMessage } from '../../shared/protocol';
import { bundled } from '../../../bin/bundle.mjs';
import { packageRoot } from '../server/paths';

export interface ChildHandle {
  /** OS process id (undefined if the process could not be spawned). */
  readonly pid: number | undefined;
  postMessage(m: HostMessage): void;
  onMessage(cb: (m: ChildMessage) => void): void;
  /** Called once when the process is gone: exit code, or the signal that killed it (e.g. 'SIGKILL'). */
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  /** Hard kill (SIGKILL): used after a polite cancel timed out, and on host shutdown. */
  kill(): void;
}

export interface ChildAdapter {
  fork(): ChildHandle;
}

/**
 * The child entry: the compiled `child.js` next to this file in an electron-vite build; else a cached esbuild bundle
 * of child.ts (bin/bundle.mjs: loads in ~5 s, mostly tfjs, against ~18 s for the sources through tsx); else child.ts
 * through tsx. Test runners (SEMID_TEST_RUNNERS, a .ts file) need the tsx loader in any case.
 */
function childEntry(extraEnv: Record<string, string>): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./child.js', import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  const root = packageRoot();
  // Resolve tsx from this package, not from the user's working directory: `npx semid` may run anywhere.
  const tsxLoader = pathToFileURL(join(dirname(createRequire(join(root, 'package.json')).resolve('tsx/package.json')), 'dist/loader.mjs')).href;
  const needsTsx = Boolean(extraEnv.SEMID_TEST_RUNNERS ?? process.env.SEMID_TEST_RUNNERS);
  const bundle = bundled('child', 'src/node/jobs/child.ts');
  if (bundle) return { path: bundle, execArgv: needsTsx ? ['--import', tsxLoader] : [] };
  return { path: join(root, 'src', 'node', 'jobs', 'child.ts'), execArgv: ['--import', tsxLoader] };
}

/** A child_process.fork adapter; `env` adds variables for the children (tests use it). */
export function makeNodeForkAdapter(opts: { env?: Record<string, string> } = {}): ChildAdapter {
  return { fork: () => forkChild(opts.env ?? {}) };
}

export const nodeForkAdapter: ChildAdapter = makeNodeForkAdapter();

function forkChild(extraEnv: Record<string, string>): ChildHandle {
  {
    const entry = childEntry(extraEnv);
    const child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      // 'advanced' = structured clone: typed arrays in artifacts travel as binary, not JSON number lists.
      serialization: 'advanced',
      // The child's stdout must never reach ours (`--json` prints exactly one object): both go to our stderr.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...extraEnv, SEMID_JOB_CHILD: '1' },
    });
    child.stdout?.pipe(process.stderr, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    const exitCbs: ((code: number | null, signal: string | null) => void)[] = [];
    let exited = false;
    const fireExit = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      for (const cb of exitCbs) cb(code, signal);
    };
    child.on('exit', (code, signal) => fireExit(code, signal));
    child.on('error', (err) => {
      // Spawn failure (or a failed send to a dead child): if the process never started, report it as an exit.
      if (child.pid === undefined) fireExit(null, `spawn error: ${err.message}`);
    });
    return {
      pid: child.pid,
      postMessage(m) {
        if (child.connected) child.send(m);
      },
      onMessage(cb) {
        child.on('message', (m) => cb(m as ChildMessage));
      },
      onExit(cb) {
        exitCbs.push(cb);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }
}
