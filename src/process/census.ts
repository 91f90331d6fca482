import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { type ProcessEntry, parseProcStat, parsePsTable } from './process-table-format.js';

export type { ProcessEntry } from './process-table-format.js';

/**
 * Runs a command and resolves with its stdout. A non-zero exit still resolves when the command ran,
 * because `ps -p` and `lsof` exit 1 as soon as one of the asked-for processes is gone, after printing
 * the others; it rejects only when the command could not run at all.
 */
export function runForOutput(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve(stdout);
    });
  });
}

async function readFromProc(): Promise<ProcessEntry[]> {
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const entries = await Promise.all(
    names.map(async (name) => {
      try {
        return parseProcStat(await readFile(`/proc/${name}/stat`, 'utf8'));
      } catch {
        // The process exited between readdir and readFile.
        return null;
      }
    }),
  );
  return entries.filter((entry) => entry !== null);
}

/** Every process on the machine: /proc on Linux, `ps` elsewhere (macOS, the BSDs), chosen at run time. */
export function readProcessTable(): Promise<ProcessEntry[]> {
  if (process.platform === 'linux') return readFromProc();
  return runForOutput('ps', ['-axo', 'pid=,ppid=,pgid=,stat=,lstart=']).then(parsePsTable);
}

/** One reading of the process table, indexed the ways every termination needs it. */
export class Census {
  readonly entries: readonly ProcessEntry[];
  readonly #byPid = new Map<number, ProcessEntry>();
  readonly #children = new Map<number, number[]>();

  constructor(entries: readonly ProcessEntry[]) {
    this.entries = entries;
    for (const entry of entries) {
      this.#byPid.set(entry.pid, entry);
      const siblings = this.#children.get(entry.ppid);
      if (siblings === undefined) this.#children.set(entry.ppid, [entry.pid]);
      else siblings.push(entry.pid);
    }
  }

  get(pid: number): ProcessEntry | undefined {
    return this.#byPid.get(pid);
  }

  childrenOf(pid: number): readonly number[] {
    return this.#children.get(pid) ?? [];
  }
}

/**
 * One reading of the process table per tick, shared by every termination under way. Each termination
 * used to read all of /proc on its own, so stopping n processes cost n² reads: 200 processes stopping at
 * once did not finish in 60 s. A caller always gets a reading that STARTED after its call, because an
 * older one could still show a process it has just signalled or miss one that has just forked; callers
 * that arrive while a reading runs share the next one.
 */
export class SharedCensus {
  readonly #read: () => Promise<readonly ProcessEntry[]>;
  #running: Promise<Census> | null = null;
  #next: Promise<Census> | null = null;

  constructor(read: () => Promise<readonly ProcessEntry[]>) {
    this.#read = read;
  }

  next(): Promise<Census> {
    if (this.#running === null) return this.#start();
    if (this.#next === null) {
      const running = this.#running;
      this.#next = running.then(
        () => this.#start(),
        () => this.#start(),
      );
    }
    return this.#next;
  }

  #start(): Promise<Census> {
    this.#next = null;
    const reading = this.#read().then((entries) => new Census(entries));
    this.#running = reading;
    const clear = (): void => {
      if (this.#running === reading) this.#running = null;
    };
    reading.then(clear, clear);
    return reading;
  }
}

export const sharedCensus = new SharedCensus(readProcessTable);
