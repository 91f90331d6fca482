// The watchdog process (started by watchdog.ts, never imported). It holds the read end of a pipe from
// lucidlines and learns over it what runs. When the pipe closes without a `clean-exit` message first,
// lucidlines has died (SIGKILL, a crash, the OOM killer) without stopping its processes, and the watchdog
// stops them in its place: SIGTERM, then SIGKILL after the kill timeout. Then it removes the run's record,
// so the next start has nothing left to clean up, and exits.
//
// It runs in a session of its own, so the terminal's Ctrl-C and hangup, which go to lucidlines' process
// group, do not reach it; it ignores SIGINT and SIGHUP as well, because the point is to outlive lucidlines,
// not to die with it. It must not rely on /proc (macOS has none): groups are signalled with kill(-pgid) and
// the census module picks /proc or `ps`.

import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessTable } from './census.js';
import { terminateMarked } from './kill-tree.js';
import { removeRunRecord } from './run-record.js';
import { parseWatchdogMessage, type WatchdogMessage } from './watchdog-protocol.js';
import { terminateDeadRun } from './watchdog-termination.js';

const ignore = () => {};
process.on('SIGINT', ignore);
process.on('SIGHUP', ignore);

let run: Extract<WatchdogMessage, { type: 'run' }> | null = null;
let cleanExit = false;
/** Running groups: pgid to the leader's start time. */
const groups = new Map<number, string>();

function apply(message: WatchdogMessage): void {
  switch (message.type) {
    case 'run':
      run = message;
      break;
    case 'group-started':
      groups.set(message.pgid, message.startTime);
      break;
    case 'group-ended':
      groups.delete(message.pgid);
      break;
    case 'clean-exit':
      cleanExit = true;
      break;
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone, which is the goal. EPERM: not ours to kill.
  }
}

async function cleanUpAfter(dead: NonNullable<typeof run>): Promise<void> {
  await terminateDeadRun(
    {
      instanceId: dead.instanceId,
      killTimeoutMs: dead.killTimeoutMs,
      groups: [...groups].map(([pgid, startTime]) => ({ pgid, startTime })),
    },
    { readProcessTable, signal: sendSignal, terminateMarked, now: Date.now, sleep },
  );
  if (dead.recordFile !== null) await removeRunRecord(dead.recordFile);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  const lines = (pending + text).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const message = parseWatchdogMessage(line);
    if (message !== null) apply(message);
  }
});
// 'close' also follows a read error, after which lucidlines cannot reach the watchdog any more either.
process.stdin.on('error', ignore);
process.stdin.once('close', () => {
  const dead = run;
  if (cleanExit || dead === null) process.exit(0);
  cleanUpAfter(dead).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
