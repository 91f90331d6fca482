// The bench's own children must not outlive it. A baseline's writers wait on their start gate until the
// bench opens it, so a bench stopped by Ctrl-C or `kill` in the middle of a section would leave them waiting
// for good, and a lucidlines under measurement would keep running its processes. So the baselines run in
// process groups of their own that a signal to the bench takes down whole, and every lucidlines it started
// is asked to stop, which stops its processes as a user's Ctrl-C would.

import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const onBenchSignal = new Set<() => void>();

function untilExit(child: ChildProcess, cleanup: () => void): void {
  onBenchSignal.add(cleanup);
  child.once('exit', () => onBenchSignal.delete(cleanup));
}

/** Spawns `command` as the leader of a process group, which the bench kills whole if it is stopped. */
export function spawnInGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const { pid } = child;
  if (pid !== undefined) {
    untilExit(child, () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    });
  }
  return child;
}

/** Sends `child` SIGTERM if the bench is stopped while it runs. */
export function stopWithBench(child: ChildProcess): void {
  untilExit(child, () => child.kill('SIGTERM'));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    for (const cleanup of onBenchSignal) cleanup();
    // The handler is gone now, so the signal ends the bench as it would have without one.
    process.kill(process.pid, signal);
  });
}
