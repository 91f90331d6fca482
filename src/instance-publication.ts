// Publishes the running instance for clients (see instance.ts): writes the runtime file once the server
// listens, and takes it away again on every way out, an exception that ends the process included.

import { removeInstanceFileSync, writeInstanceFile } from './instance.js';
import { readStartTime } from './process/process-identity.js';
import { openProjectStateFolder } from './project-state.js';
import type { RunningServer } from './server/server.js';

/**
 * Writes the runtime file and returns the function that removes it. A state folder that cannot be used
 * only means that clients need `--url`: the guard has told the user about that folder already.
 */
export async function publishInstance(
  projectRoot: string,
  server: RunningServer,
  connection: { wsPath: string; token: string | null },
): Promise<() => void> {
  const state = await openProjectStateFolder(projectRoot);
  const processStartTime = await readStartTime(process.pid);
  if (!state.ok || processStartTime === null) return () => {};
  const file = await writeInstanceFile(state.folder, {
    version: 1,
    pid: process.pid,
    processStartTime,
    startedAt: Date.now(),
    host: new URL(server.url).hostname,
    port: server.port,
    wsPath: connection.wsPath,
    token: connection.token,
  }).catch(() => null);
  if (file === null) return () => {};
  // The `exit` event also comes after an uncaught exception, which skips the caller's `finally`.
  const remove = () => removeInstanceFileSync(file, process.pid);
  process.once('exit', remove);
  return () => {
    process.off('exit', remove);
    remove();
  };
}
