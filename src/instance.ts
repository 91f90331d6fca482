// The runtime file of a running lucidlines: `instance.json` in the project's state folder (project-state.ts),
// which tells `lucidlines status|logs|restart|start|stop|mcp`, run anywhere in the project, where the
// instance listens and with which token. It holds the token, so it is written with mode 0600 in a folder
// only we may enter, and it is written atomically (a temporary file renamed over it) so that a reader never
// sees half of it.
//
// A lucidlines that was killed (SIGKILL, a crash of the machine) leaves its file behind, and its pid may
// since have been given to an unrelated process: a file counts only while a process with its pid and its
// process start time lives.

import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { lstat, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readStartTime } from './process/process-identity.js';
import { type StateFolderContext, stateFolderChain } from './project-state.js';

export const INSTANCE_FILE = 'instance.json';
const FILE_MODE = 0o600;
const RECORD_VERSION = 1;

/** What a running instance tells its clients. */
export interface InstanceRecord {
  version: typeof RECORD_VERSION;
  pid: number;
  /** The process table's start time of `pid` (see ProcessEntry.startTime): tells a recycled pid apart. */
  processStartTime: string;
  /** Unix ms when the instance started listening. */
  startedAt: number;
  /** The host to connect to, as it goes into a URL (an IPv6 address in brackets). */
  host: string;
  port: number;
  wsPath: string;
  token: string | null;
}

export type InstanceLookup =
  | { kind: 'found'; record: InstanceRecord; file: string }
  /** `stale`: runtime files found on the way whose process is gone, by the pid they named. */
  | { kind: 'none'; stale: { file: string; pid: number }[] };

/** The WebSocket URL of an instance, with its token when one is in force. */
export function instanceWebSocketUrl(record: InstanceRecord): string {
  const query = record.token === null ? '' : `?${new URLSearchParams({ token: record.token })}`;
  return `ws://${record.host}:${record.port}${record.wsPath}${query}`;
}

/** Writes the runtime file into the state folder; returns its path. */
export async function writeInstanceFile(folder: string, record: InstanceRecord): Promise<string> {
  const file = path.join(folder, INSTANCE_FILE);
  // A name of our own for the temporary file: two instances of one project starting at once must not write
  // into each other's half-written file.
  const temporary = path.join(folder, `.${INSTANCE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: FILE_MODE, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return file;
}

/**
 * Removes the runtime file if it is still this process's: a second instance started in the same project
 * since has replaced it with its own, which must stay. Synchronous, so it can run in an `exit` listener.
 */
export function removeInstanceFileSync(file: string, pid: number): void {
  try {
    const record = parseInstanceRecord(readFileSync(file, 'utf8'));
    if (record === null || record.pid === pid) rmSync(file, { force: true });
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

function parseInstanceRecord(text: string): InstanceRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Partial<Record<keyof InstanceRecord, unknown>>;
  const valid =
    record.version === RECORD_VERSION &&
    typeof record.pid === 'number' &&
    Number.isSafeInteger(record.pid) &&
    record.pid > 0 &&
    typeof record.processStartTime === 'string' &&
    typeof record.startedAt === 'number' &&
    typeof record.host === 'string' &&
    typeof record.port === 'number' &&
    Number.isInteger(record.port) &&
    typeof record.wsPath === 'string' &&
    record.wsPath.startsWith('/') &&
    (record.token === null || typeof record.token === 'string');
  return valid ? (data as InstanceRecord) : null;
}

/** Reads one runtime file: null when there is none, or it is not ours (another user's, a link), or malformed. */
async function readInstanceFile(file: string, uid: number | null): Promise<InstanceRecord | null> {
  try {
    // lstat, not stat: a symbolic link planted in place of the file could point at anything.
    const info = await lstat(file);
    if (!info.isFile() || (uid !== null && info.uid !== uid)) return null;
    return parseInstanceRecord(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

export interface InstanceLookupContext extends StateFolderContext {
  /** The process table's start time of a pid, null when none lives; see readStartTime. */
  startTimeOf: (pid: number) => Promise<string | null>;
}

const systemLookupContext = (): InstanceLookupContext => ({
  env: process.env,
  tmpdir,
  uid: process.getuid?.() ?? null,
  startTimeOf: readStartTime,
});

/**
 * Finds the running instance of the project `cwd` belongs to. The project root a run keys its state folder
 * by is always `cwd` or one of its ancestors (the config file's folder, the repository root, or the folder it
 * ran in; see plan.ts), so every folder from `cwd` up to the file system root is tried, nearest first: the
 * innermost running project wins, as the nearest config file does.
 */
export async function findInstance(
  cwd: string,
  context: InstanceLookupContext = systemLookupContext(),
): Promise<InstanceLookup> {
  const stale: { file: string; pid: number }[] = [];
  let folder: string;
  try {
    folder = await realpath(cwd);
  } catch {
    return { kind: 'none', stale };
  }
  for (;;) {
    const stateFolder = stateFolderChain(folder, context).at(-1) ?? folder;
    const file = path.join(stateFolder, INSTANCE_FILE);
    const record = await readInstanceFile(file, context.uid);
    if (record !== null) {
      if ((await context.startTimeOf(record.pid)) === record.processStartTime) {
        return { kind: 'found', record, file };
      }
      stale.push({ file, pid: record.pid });
    }
    const parent = path.dirname(folder);
    if (parent === folder) return { kind: 'none', stale };
    folder = parent;
  }
}
