/**
 * The Electron ChildAdapter: jobs run in `utilityProcess.fork(jobWorker.js)` (a Node-capable, sandbox-free service
 * process, the Electron counterpart of child_process.fork). The JobHost only sees the ChildHandle interface.
 */
import { utilityProcess } from 'electron';
import type { ChildMessage } from '../shared/protocol';
import type { ChildAdapter, ChildHandle } from '../node/jobs/adapter';

export function utilityProcessAdapter(workerPath: string): ChildAdapter {
  return {
    fork(): ChildHandle {
      const child = utilityProcess.fork(workerPath, [], { serviceName: 'SemID job', stdio: 'inherit' });
      let exited = false;
      const exitCbs: ((code: number | null, signal: string | null) => void)[] = [];
      child.on('exit', (code) => {
        if (exited) return;
        exited = true;
        for (const cb of exitCbs) cb(code, null);
      });
      return {
        get pid() {
          return child.pid;
        },
        postMessage(m) {
          if (!exited) child.postMessage(m);
        },
        onMessage(cb) {
          child.on('message', (m: unknown) => cb(m as ChildMessage));
        },
        onExit(cb) {
          exitCbs.push(cb);
        },
        kill() {
          if (!exited) child.kill();
        },
      };
    },
  };
}
