// Stops everything a dead run of lucidlines left running: the watchdog does it the moment lucidlines dies,
// and the next start does it for a run whose watchdog died too. Two nets catch the processes:
//
// - The recorded process groups, signalled as a whole with kill(-pgid). A group is only touched when its
//   leader still runs with the recorded start time; otherwise the pid may have been recycled for an unrelated
//   process, and signalling it could hit anything of the user's.
// - The run's environment marker (LUCIDLINES_RUN=<instanceId>.<n>), which finds descendants that left their
//   group (setsid, double forks) and groups whose leader already exited.
//
// Nothing here reads /proc directly: the census module picks /proc or `ps` for the platform, so this also
// runs on macOS.

import type { ProcessEntry } from './census.js';
import type { TreeTermination } from './kill-tree.js';
import { instanceMarkerPrefix } from './marker.js';
import type { RecordedGroup } from './run-record.js';

export interface DeadRun {
  instanceId: string;
  killTimeoutMs: number;
  groups: readonly RecordedGroup[];
}

export interface RunTerminationDeps {
  readProcessTable: () => Promise<readonly ProcessEntry[]>;
  /** kill(2): a negative pid signals a process group. Throws nothing; a vanished target is the goal. */
  signal: (pid: number, signal: NodeJS.Signals) => void;
  terminateMarked: (prefix: string, graceMs: number) => TreeTermination;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface RunTerminationReport {
  /** Recorded groups whose leader was still the recorded process. */
  groups: number;
  /** Processes stopped: the live members of those groups, and the processes found by the marker. */
  processes: number;
}

/** The census is repeated quickly at first (most trees die within milliseconds of SIGTERM), then slower. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;
/**
 * How long to wait for SIGKILLed groups before giving up: a process in uninterruptible sleep (a hung NFS
 * mount) cannot die until the kernel lets it, and the watchdog must still exit.
 */
const AFTER_KILL_MS = 2000;

/** Process groups with at least one live (non-zombie) member in the table. */
function groupsWithLiveMembers(table: readonly ProcessEntry[], pgids: ReadonlySet<number>): Set<number> {
  const live = new Set<number>();
  for (const entry of table) if (!entry.zombie && pgids.has(entry.pgid)) live.add(entry.pgid);
  return live;
}

/** The recorded groups that still are what was recorded: led by the same process, started at the same time. */
export function verifiedGroups(
  table: readonly ProcessEntry[],
  groups: readonly RecordedGroup[],
): Set<number> {
  const leaders = new Map<number, ProcessEntry>();
  for (const entry of table) if (entry.pid === entry.pgid && !entry.zombie) leaders.set(entry.pid, entry);
  const verified = new Set<number>();
  for (const group of groups) {
    if (leaders.get(group.pgid)?.startTime === group.startTime) verified.add(group.pgid);
  }
  return verified;
}

/**
 * SIGTERM to every verified group and every marked process, SIGKILL to what is left after the run's kill
 * timeout; resolves once all of it is gone (or, for the groups, once SIGKILL had its chance).
 */
export async function terminateDeadRun(
  run: DeadRun,
  deps: RunTerminationDeps,
): Promise<RunTerminationReport> {
  const table = await deps.readProcessTable();
  let remaining = verifiedGroups(table, run.groups);
  const groups = remaining.size;
  const stopped = new Set<number>();
  for (const entry of table) if (!entry.zombie && remaining.has(entry.pgid)) stopped.add(entry.pid);
  for (const pgid of remaining) deps.signal(-pgid, 'SIGTERM');
  const marked = deps.terminateMarked(instanceMarkerPrefix(run.instanceId), run.killTimeoutMs);

  const killAt = deps.now() + run.killTimeoutMs;
  let killed = false;
  let pollMs = FIRST_POLL_MS;
  while (remaining.size > 0) {
    // Never sleeps past the moment SIGKILL is due, so the kill timeout is kept to the poll, not beyond it.
    await deps.sleep(killed ? pollMs : Math.max(0, Math.min(pollMs, killAt - deps.now())));
    pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
    // Once a group has no live member it is dropped for good: its id may be reused by a new group later.
    remaining = groupsWithLiveMembers(await deps.readProcessTable(), remaining);
    if (remaining.size === 0) break;
    const now = deps.now();
    if (!killed && now >= killAt) {
      killed = true;
      for (const pgid of remaining) deps.signal(-pgid, 'SIGKILL');
    } else if (killed && now >= killAt + AFTER_KILL_MS) {
      break;
    }
  }
  // Group members carry the marker too; the set counts each process once.
  for (const swept of (await marked.done).swept) stopped.add(swept.pid);
  return { groups, processes: stopped.size };
}
