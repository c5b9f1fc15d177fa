/**
 * The Electron utility-process entry for jobs: the same `runChild` as the forked Node child (src/node/jobs/child.ts),
 * wired to `process.parentPort` instead of `process.send`. Messages are structured clones, so typed arrays in
 * artifacts travel as binary exactly as with child_process.fork's 'advanced' serialization.
 */
import type { MessageEvent } from 'electron';
import type { HostMessage } from '../shared/protocol';
import { runChild } from '../node/jobs/child';

const port = process.parentPort;

runChild({
  postMessage: (m) => port.postMessage(m),
  onMessage: (cb) => {
    port.on('message', (e: MessageEvent) => cb(e.data as HostMessage));
  },
  // parentPort.postMessage is queued on the process's IPC pipe; give it a moment to flush before exiting.
  exit: (code) => {
    setTimeout(() => process.exit(code), 100);
  },
});
