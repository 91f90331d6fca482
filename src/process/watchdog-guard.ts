// What the CLI calls to make sure nothing it starts outlives it, however it dies. Before anything is
// spawned it stops the leftovers of killed earlier runs in the same project (watchdog-leftovers.ts); then it
// starts the watchdog (watchdog.ts) and keeps both the watchdog and the run record (run-record.ts) up to date
// with the process groups the supervisor reports; on a clean exit it removes the record and releases the
// watchdog.
//
// The supervisor's status events carry each child's pid, which is also its process group id because every
// child leads a group of its own. The leader's start time is read from the process table right after the
// spawn, in one shared reading for all children started at once.

import { leftoversStoppedNotice, stateFolderRefusedNotice } from '../errors.js';
import { openProjectStateFolder } from '../project-state.js';
import { sharedCensus } from './census.js';
import type { ProcessControl } from './events.js';
import { terminateMarked } from './kill-tree.js';
import { type RunRecord, removeRunRecord, runRecordFile, writeRunRecord } from './run-record.js';
import { startWatchdog, type Watchdog } from './watchdog.js';
import { sweepLeftovers } from './watchdog-leftovers.js';
import type { RunTerminationDeps } from './watchdog-termination.js';

export interface RunGuardOptions {
  /** The config file's folder: runs with the same root share a state folder. */
  projectRoot: string;
  instanceId: string;
  killTimeoutMs: number;
}

export interface RunGuard {
  /** Lines for the terminal: leftovers that were stopped, or a state folder that could not be used. */
  readonly notices: readonly string[];
  /** After every process was stopped: removes the record and lets the watchdog exit quietly. */
  release(): Promise<void>;
}

export type GuardRun = (options: RunGuardOptions, processes: ProcessControl) => Promise<RunGuard>;

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone, which is the goal. EPERM: not ours to kill.
  }
}

const readProcessTable = async () => (await sharedCensus.next()).entries;

const terminationDeps: RunTerminationDeps = {
  readProcessTable,
  signal: sendSignal,
  terminateMarked,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Follows the supervisor's process groups, telling the watchdog and rewriting the record as they come and
 * go. Writes are queued one at a time and coalesced, so a burst of status events costs one write.
 */
class GroupTracker {
  readonly #watchdog: Watchdog;
  readonly #recordFile: string | null;
  readonly #record: Omit<RunRecord, 'groups'> | null;
  /** Child pids as the status events report them, by process name, and the same pids as a set. */
  readonly #pidByName = new Map<string, number>();
  readonly #livePids = new Set<number>();
  /** Groups with a known leader start time: pgid to start time. */
  readonly #groups = new Map<number, string>();
  readonly #awaitingStartTime = new Set<number>();
  #lookup: Promise<void> | null = null;
  #writes: Promise<void> = Promise.resolve();
  #writeQueued = false;

  constructor(watchdog: Watchdog, recordFile: string | null, record: Omit<RunRecord, 'groups'> | null) {
    this.#watchdog = watchdog;
    this.#recordFile = recordFile;
    this.#record = record;
  }

  onPid(name: string, pid: number | null): void {
    const previous = this.#pidByName.get(name);
    if (previous === pid) return;
    if (previous !== undefined) {
      this.#pidByName.delete(name);
      this.#livePids.delete(previous);
      this.#awaitingStartTime.delete(previous);
      if (this.#groups.delete(previous)) {
        this.#watchdog.groupEnded(previous);
        this.saveRecord();
      }
    }
    if (pid !== null) {
      this.#pidByName.set(name, pid);
      this.#livePids.add(pid);
      this.#awaitingStartTime.add(pid);
      this.#lookUpStartTimes();
    }
  }

  saveRecord(): void {
    const file = this.#recordFile;
    const record = this.#record;
    if (file === null || record === null || this.#writeQueued) return;
    this.#writeQueued = true;
    this.#writes = this.#writes.then(async () => {
      this.#writeQueued = false;
      const groups = [...this.#groups].map(([pgid, startTime]) => ({ pgid, startTime }));
      // A failed write (a full disk) costs only the next start's cleanup; the watchdog still knows everything.
      await writeRunRecord(file, { ...record, groups }).catch(() => {});
    });
  }

  /** Resolves once every pending lookup and write is done. */
  async settle(): Promise<void> {
    while (this.#lookup !== null) await this.#lookup;
    await this.#writes;
  }

  #lookUpStartTimes(): void {
    if (this.#lookup !== null) return;
    this.#lookup = (async () => {
      while (this.#awaitingStartTime.size > 0) {
        const pids = [...this.#awaitingStartTime];
        this.#awaitingStartTime.clear();
        const census = await sharedCensus.next().catch(() => null);
        for (const pid of pids) {
          const entry = census?.get(pid);
          // Skipped when the child ended while the census was read, or its leader is already gone.
          if (!this.#livePids.has(pid) || entry === undefined || entry.zombie || entry.pgid !== pid) continue;
          this.#groups.set(pid, entry.startTime);
          this.#watchdog.groupStarted(pid, entry.startTime);
        }
        this.saveRecord();
      }
    })().finally(() => {
      this.#lookup = null;
      // A pid may have arrived between the loop's last check and this line.
      if (this.#awaitingStartTime.size > 0) this.#lookUpStartTimes();
    });
  }
}

const unguarded: RunGuard = { notices: [], release: () => Promise.resolve() };

export const guardRun: GuardRun = async (options, processes) => {
  // Windows has no process groups and no signals to send them; there, the guard does nothing (a job object
  // that kills its members when lucidlines dies would be the Windows way, and is not built yet).
  if (process.platform === 'win32') return unguarded;
  const notices: string[] = [];
  const state = await openProjectStateFolder(options.projectRoot);
  let recordFile: string | null = null;
  if (state.ok) {
    const sweep = await sweepLeftovers(state.folder, options.instanceId, terminationDeps);
    if (sweep.ownerPids.length > 0) notices.push(leftoversStoppedNotice(sweep.ownerPids, sweep.processes));
    recordFile = runRecordFile(state.folder, options.instanceId);
  } else {
    notices.push(stateFolderRefusedNotice(state.folder, state.detail));
  }
  const ownStartTime = (await sharedCensus.next()).get(process.pid)?.startTime;
  const record =
    ownStartTime === undefined
      ? null
      : {
          owner: { pid: process.pid, startTime: ownStartTime },
          instanceId: options.instanceId,
          killTimeoutMs: options.killTimeoutMs,
        };
  const watchdog = startWatchdog({
    type: 'run',
    instanceId: options.instanceId,
    killTimeoutMs: options.killTimeoutMs,
    recordFile,
  });
  const tracker = new GroupTracker(watchdog, recordFile, record);
  tracker.saveRecord();
  await tracker.settle();
  const unsubscribe = processes.subscribe((event) => {
    if (event.kind === 'status') tracker.onPid(event.snapshot.name, event.snapshot.pid);
  });
  return {
    notices,
    release: async () => {
      unsubscribe();
      await tracker.settle();
      // A record that cannot be removed is harmless: its owner is dead at the next start, its groups are gone.
      if (recordFile !== null) await removeRunRecord(recordFile).catch(() => {});
      await watchdog.release();
    },
  };
};
