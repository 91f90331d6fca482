// The belt to the watchdog's braces: at start, before anything is spawned, lucidlines looks for records of
// earlier runs in the same project. A record whose owner is gone (its pid is free, or belongs to a process
// with another start time) was left by a run that was killed together with its watchdog; what that run
// started may still hold ports, so it is stopped before the new run needs them. A record whose owner still
// runs belongs to a second live lucidlines in the same project and is left alone.

import { readRunRecords, removeRunRecord, type StoredRunRecord } from './run-record.js';
import { type RunTerminationDeps, terminateDeadRun } from './watchdog-termination.js';

export interface LeftoverSweep {
  /** Owner pids of the dead runs whose leftovers were stopped. */
  ownerPids: number[];
  groups: number;
  processes: number;
}

async function sweepRecord(
  stored: StoredRunRecord,
  owners: ReadonlyMap<number, string>,
  deps: RunTerminationDeps,
): Promise<LeftoverSweep> {
  const nothing: LeftoverSweep = { ownerPids: [], groups: 0, processes: 0 };
  // Only lucidlines writes into the state folder (mode 0700), so an unreadable record is a leftover of an
  // older version or a disk that filled up: it cannot be acted on safely, and keeping it helps nobody.
  if (!stored.parsed.ok) {
    await removeRunRecord(stored.file);
    return nothing;
  }
  const { owner, instanceId, killTimeoutMs, groups } = stored.parsed.record;
  if (owners.get(owner.pid) === owner.startTime) return nothing;
  const report = await terminateDeadRun({ instanceId, killTimeoutMs, groups }, deps);
  await removeRunRecord(stored.file);
  return report.groups === 0 && report.processes === 0
    ? nothing
    : { ownerPids: [owner.pid], groups: report.groups, processes: report.processes };
}

/** Stops what dead runs in this state folder left behind; `ownInstanceId`'s record is never touched. */
export async function sweepLeftovers(
  folder: string,
  ownInstanceId: string,
  deps: RunTerminationDeps,
): Promise<LeftoverSweep> {
  const records = (await readRunRecords(folder)).filter(
    (stored) => !stored.parsed.ok || stored.parsed.record.instanceId !== ownInstanceId,
  );
  const owners = new Map<number, string>();
  if (records.length > 0) {
    for (const entry of await deps.readProcessTable())
      if (!entry.zombie) owners.set(entry.pid, entry.startTime);
  }
  const sweeps = await Promise.all(records.map((stored) => sweepRecord(stored, owners, deps)));
  return {
    ownerPids: sweeps.flatMap((sweep) => sweep.ownerPids),
    groups: sweeps.reduce((sum, sweep) => sum + sweep.groups, 0),
    processes: sweeps.reduce((sum, sweep) => sum + sweep.processes, 0),
  };
}
