import { readFile } from 'node:fs/promises';
import { runForOutput } from './census.js';
import {
  type ProcessIdentity,
  parseCmdline,
  parseEnvironBlock,
  parsePsCommands,
  parsePsEnvironment,
  UNMARKED,
} from './environment-format.js';
import { type ProcessEntry, parseProcStat, parsePsTable } from './process-table-format.js';

export type { ProcessIdentity } from './environment-format.js';

async function readIdentitiesFromProc(pids: readonly number[]): Promise<Map<number, ProcessIdentity>> {
  const identities = new Map<number, ProcessIdentity>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        identities.set(pid, parseEnvironBlock(await readFile(`/proc/${pid}/environ`, 'latin1')));
      } catch {
        // Gone meanwhile, or another user's process (EACCES): neither can carry one of our markers.
        identities.set(pid, UNMARKED);
      }
    }),
  );
  return identities;
}

async function readIdentitiesFromPs(pids: readonly number[]): Promise<Map<number, ProcessIdentity>> {
  const parsed = parsePsEnvironment(
    await runForOutput('ps', ['-E', '-ww', '-o', 'pid=,command=', '-p', pids.join(',')]),
  );
  // A pid ps did not print has exited; it can carry no marker any more.
  for (const pid of pids) if (!parsed.has(pid)) parsed.set(pid, UNMARKED);
  return parsed;
}

/**
 * The environments of the given pids: /proc/<pid>/environ on Linux, `ps -E` elsewhere. Both show the
 * environment the program was started with, which is what a child inherited from its parent.
 */
export function readIdentities(pids: readonly number[]): Promise<Map<number, ProcessIdentity>> {
  if (pids.length === 0) return Promise.resolve(new Map());
  return process.platform === 'linux' ? readIdentitiesFromProc(pids) : readIdentitiesFromPs(pids);
}

const key = (entry: ProcessEntry): string => `${entry.pid}:${entry.startTime}`;

/**
 * The marker and keep flag of every process, read once per (pid, start time): a process's initial
 * environment never changes, and reading it on every census tick would make each tick cost one file read
 * per process on the machine. Reads are cached as promises, so terminations that ask at the same moment
 * share one read; entries of processes no longer in the census are dropped, so the cache is bounded by the
 * process table.
 *
 * A process read between its fork and its exec shows its parent's environment. That is harmless for
 * finding members (a child inherits its parent's marker), but a KEEP flag set only for the exec'd program
 * could be missed, so a termination reads a process afresh (`readIdentities`) before it signals it.
 */
export class ProcessIdentities {
  readonly #read: (pids: readonly number[]) => Promise<Map<number, ProcessIdentity>>;
  readonly #cache = new Map<string, Promise<ProcessIdentity>>();

  constructor(read: (pids: readonly number[]) => Promise<Map<number, ProcessIdentity>> = readIdentities) {
    this.#read = read;
  }

  /** The identity of every entry (zombies have no environment left and count as unmarked). */
  async of(entries: readonly ProcessEntry[]): Promise<Map<number, ProcessIdentity>> {
    const missing = entries.filter((entry) => !entry.zombie && !this.#cache.has(key(entry)));
    if (missing.length > 0) {
      const batch = this.#read(missing.map((entry) => entry.pid)).catch(
        () => new Map<number, ProcessIdentity>(),
      );
      for (const entry of missing) {
        this.#cache.set(
          key(entry),
          batch.then((read) => read.get(entry.pid) ?? UNMARKED),
        );
      }
    }
    const present = new Set(entries.map(key));
    for (const cached of this.#cache.keys()) if (!present.has(cached)) this.#cache.delete(cached);
    const identities = new Map<number, ProcessIdentity>();
    await Promise.all(
      entries.map(async (entry) => {
        identities.set(entry.pid, entry.zombie ? UNMARKED : await (this.#cache.get(key(entry)) ?? UNMARKED));
      }),
    );
    return identities;
  }
}

export const processIdentities = new ProcessIdentities();

/** The command lines of the given pids, for naming what a sweep stopped; a pid that is gone is left out. */
export async function readCommands(pids: readonly number[]): Promise<Map<number, string>> {
  if (pids.length === 0) return new Map();
  if (process.platform !== 'linux') {
    return runForOutput('ps', ['-ww', '-o', 'pid=,command=', '-p', pids.join(',')]).then(
      parsePsCommands,
      () => new Map<number, string>(),
    );
  }
  const commands = new Map<number, string>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const command = parseCmdline(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
        commands.set(pid, command);
      } catch {
        // Gone meanwhile: nothing to name.
      }
    }),
  );
  return commands;
}

/**
 * The start time of one process in the process table's notation (see ProcessEntry.startTime), or null when
 * no such process lives (gone, or a zombie). Together with the pid it names one process for good: a pid
 * recycled for another process comes with another start time.
 */
export async function readStartTime(pid: number): Promise<string | null> {
  let entry: ProcessEntry | null | undefined;
  try {
    entry =
      process.platform === 'linux'
        ? parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'))
        : parsePsTable(
            await runForOutput('ps', ['-o', 'pid=,ppid=,pgid=,stat=,lstart=', '-p', String(pid)]),
          ).find((candidate) => candidate.pid === pid);
  } catch {
    // No such process: /proc has no entry for it, or ps could not run at all.
    return null;
  }
  return entry === null || entry === undefined || entry.zombie ? null : entry.startTime;
}
