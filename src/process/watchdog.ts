// Starts the watchdog (watchdog-main.ts) and keeps it informed.
//
// Why a separate process: when lucidlines is SIGKILLed, nothing inside it runs any more, and its children,
// each the leader of its own process group, are simply re-parented and keep running, holding their ports.
// Only another process can notice the death and act at once. A pipe is the one notice that cannot be missed:
// the kernel closes lucidlines' end however it dies, and the watchdog reads end-of-file.
//
// Its limits: it is itself a process, so `kill -9` of both (or of the whole session with `kill -9 -<sid>`,
// or a reboot) leaves nobody to clean up at once; the run record catches that case at the next start. And
// it only stops processes it can identify: a group whose leader still runs, or a process still carrying the
// run's environment marker (`env -i` and `systemd-run` shed it).

import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWatchdogMessage, type WatchdogMessage } from './watchdog-protocol.js';

export interface Watchdog {
  groupStarted(pgid: number, startTime: string): void;
  groupEnded(pgid: number): void;
  /** Tells the watchdog that everything was stopped, so it exits without touching anything. */
  release(): Promise<void>;
}

/**
 * Its script sits next to this module. Under tsx (tests) this module is a .ts file and so is the script, and
 * `process.execArgv` carries the `--import tsx` that lets Node run it.
 */
function watchdogScript(): string {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `watchdog-main${path.extname(self)}`);
}

/** Node flags that load modules or pick export conditions, each followed by its value. */
const MODULE_FLAGS = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
]);

/**
 * The flags of lucidlines' own Node that the watchdog needs to load its script: the module loaders and
 * conditions, nothing else. Handing on all of `process.execArgv` would be a hazard: with `--eval` the
 * watchdog would run lucidlines' code instead of its script (and start a watchdog of its own, and so on),
 * and `--inspect` would make it fight lucidlines for the debugger port.
 */
export function moduleLoadingFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const flag = execArgv[index] as string;
    const name = flag.split('=')[0] as string;
    if (!MODULE_FLAGS.has(name)) continue;
    if (flag.includes('=')) kept.push(flag);
    else if (index + 1 < execArgv.length) kept.push(flag, execArgv[++index] as string);
  }
  return kept;
}

/** How long a clean exit waits for the watchdog to follow; it exits as soon as it reads the message. */
const WATCHDOG_EXIT_WAIT_MS = 3000;

export function startWatchdog(run: Extract<WatchdogMessage, { type: 'run' }>): Watchdog {
  const child = spawn(process.execPath, [...moduleLoadingFlags(process.execArgv), watchdogScript()], {
    // Its own session: a terminal's Ctrl-C or hangup signals lucidlines' group, never the watchdog.
    detached: true,
    // Its stdout and stderr must not be lucidlines' own: whoever reads lucidlines' output would then wait for
    // the watchdog to exit too.
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const pipe = child.stdin as Socket;
  // Neither the watchdog nor the pipe to it may keep lucidlines running once it has nothing else to do.
  child.unref();
  pipe.unref();
  // A watchdog that failed to start or died must not take lucidlines down with it: the run goes on, and the
  // run record still lets the next start clean up after it.
  child.on('error', () => {});
  pipe.on('error', () => {});
  const send = (message: WatchdogMessage) => {
    if (pipe.writable) pipe.write(encodeWatchdogMessage(message));
  };
  send(run);
  return {
    groupStarted: (pgid, startTime) => send({ type: 'group-started', pgid, startTime }),
    groupEnded: (pgid) => send({ type: 'group-ended', pgid }),
    release: () =>
      new Promise<void>((resolve) => {
        // Waits for the watchdog to exit, so that once lucidlines has exited nothing of its own is left
        // running: a script that checks `ps` right after would otherwise catch the watchdog on its way out.
        // Bounded, because a watchdog that hangs must not keep lucidlines from exiting.
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const bound = setTimeout(resolve, WATCHDOG_EXIT_WAIT_MS);
        child.once('exit', () => {
          clearTimeout(bound);
          resolve();
        });
        if (pipe.writable) pipe.end(encodeWatchdogMessage({ type: 'clean-exit' }));
      }),
  };
}
