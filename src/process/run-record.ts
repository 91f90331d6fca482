// The record of what one run of lucidlines has running: a JSON file in the project's state folder, one per
// run (two runs in one project each keep their own), rewritten as processes start and end and removed on a
// clean exit. A record that outlives its owner means that run was killed, and so was its watchdog: the next
// start reads it and stops what is left (see leftover-sweep in watchdog-leftovers.ts).
//
// Pids are recycled, so every pid in the record comes with the start time of that process as the process
// table reported it: a pid whose start time differs now belongs to an unrelated process and is never killed.

import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const RECORD_VERSION = 1;
const RECORD_PREFIX = 'run-';
const RECORD_SUFFIX = '.json';
/** The form marker.ts gives instance ids; anything else in a record is not ours, so it is rejected. */
const INSTANCE_ID = /^[0-9a-f]{16}$/;

/** A process group lucidlines started: its leader's pid is the group id. */
export interface RecordedGroup {
  pgid: number;
  /** The leader's start time, in the process table's own notation (compared, never interpreted). */
  startTime: string;
}

export interface RunRecord {
  owner: { pid: number; startTime: string };
  /** Every process of this run carries `LUCIDLINES_RUN=<instanceId>.<run number>` in its environment. */
  instanceId: string;
  killTimeoutMs: number;
  groups: RecordedGroup[];
}

export type ParsedRunRecord = { ok: true; record: RunRecord } | { ok: false; reason: string };

export function isInstanceId(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_ID.test(value);
}

/**
 * A pid that may be signalled. 0 and 1 are excluded on purpose: kill(0) signals our own group and kill(-1)
 * every process we may signal, so a corrupted record must never get that far.
 */
export function isSignallablePid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 1;
}

function isStartTime(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 100;
}

function isRecordedGroup(value: unknown): value is RecordedGroup {
  const group = value as Partial<RecordedGroup> | null;
  return (
    typeof group === 'object' &&
    group !== null &&
    isSignallablePid(group.pgid) &&
    isStartTime(group.startTime)
  );
}

export function runRecordFile(folder: string, instanceId: string): string {
  return path.join(folder, `${RECORD_PREFIX}${instanceId}${RECORD_SUFFIX}`);
}

export function serializeRunRecord(record: RunRecord): string {
  return `${JSON.stringify({ version: RECORD_VERSION, ...record })}\n`;
}

export function parseRunRecord(text: string): ParsedRunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not an object' };
  const { version, owner, instanceId, killTimeoutMs, groups } = value as Record<string, unknown>;
  if (version !== RECORD_VERSION) return { ok: false, reason: `unknown version ${String(version)}` };
  const ownerFields = owner as Partial<RunRecord['owner']> | null;
  if (
    typeof ownerFields !== 'object' ||
    ownerFields === null ||
    !isSignallablePid(ownerFields.pid) ||
    !isStartTime(ownerFields.startTime)
  )
    return { ok: false, reason: 'owner is not a pid with a start time' };
  if (!isInstanceId(instanceId)) return { ok: false, reason: 'instanceId is not an instance id' };
  if (typeof killTimeoutMs !== 'number' || !Number.isSafeInteger(killTimeoutMs) || killTimeoutMs < 0)
    return { ok: false, reason: 'killTimeoutMs is not a non-negative integer' };
  if (!Array.isArray(groups) || !groups.every(isRecordedGroup))
    return { ok: false, reason: 'groups is not a list of process groups with start times' };
  return {
    ok: true,
    record: {
      owner: { pid: ownerFields.pid, startTime: ownerFields.startTime },
      instanceId,
      killTimeoutMs,
      groups: groups.map(({ pgid, startTime }) => ({ pgid, startTime })),
    },
  };
}

/**
 * Replaces the record in one step (write a temporary file, then rename), so a reader, or a run killed in the
 * middle of a write, never sees half a record.
 */
export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, serializeRunRecord(record), { mode: 0o600 });
  await rename(temporary, file);
}

export async function removeRunRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

export interface StoredRunRecord {
  file: string;
  parsed: ParsedRunRecord;
}

/** Every record in the state folder, including unreadable ones (so they can be removed). */
export async function readRunRecords(folder: string): Promise<StoredRunRecord[]> {
  const names = (await readdir(folder)).filter(
    (name) => name.startsWith(RECORD_PREFIX) && name.endsWith(RECORD_SUFFIX),
  );
  const records: StoredRunRecord[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    try {
      records.push({ file, parsed: parseRunRecord(await readFile(file, 'utf8')) });
    } catch (error) {
      // Removed by its owner between readdir and readFile: a clean exit, nothing left to do.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return records;
}
