import { setTimeout as sleep } from 'node:timers/promises';
import treeKill from 'tree-kill';
import { type Census, sharedCensus } from './census.js';
import { findPipeHolders, type PipeIdentity } from './pipe-holders.js';
import { processIdentities, readCommands, readIdentities } from './process-identity.js';

/** A process a termination stopped although it was outside the tree: found by its marker or a pipe. */
export interface SweptProcess {
  pid: number;
  /** Its command line, or "" when it exited before it could be read. */
  command: string;
  foundBy: 'marker' | 'pipe';
}

export interface TerminationReport {
  /** Every process outside the tree that was signalled, so nothing disappears silently. */
  swept: readonly SweptProcess[];
}

/** One running termination. */
export interface TreeTermination {
  /** Resolves once no member is alive (zombies count as gone). */
  readonly done: Promise<TerminationReport>;
  /** Sends SIGKILL now instead of when the grace period ends. */
  escalate(): void;
}

/** What, besides its process tree, belongs to one run of a process. */
export interface RunScope {
  /** The run's LUCIDLINES_RUN value: every process carrying exactly this value is a member. */
  marker: string;
  /** The run's output pipes: every process still holding one is a member. */
  pipes: readonly PipeIdentity[];
  /** False once every output pipe reached end-of-file, so no process can be holding one. */
  pipesOpen(): boolean;
}

/**
 * Sends SIGTERM to the tree rooted at `rootPid` (and, given a scope, to the processes carrying the run's
 * marker or holding its pipes) and SIGKILL to whatever is left after `graceMs`. The root may already have
 * exited: its process group is still signalled, so leftovers of a crashed command are cleaned up too.
 */
export type TerminateTree = (rootPid: number, graceMs: number, scope?: RunScope) => TreeTermination;

type FoundBy = 'tree' | SweptProcess['foundBy'];

/**
 * Finds the live members in one census: pid → how it was found. `lookAgain` asks for another census even
 * when none was found, because membership is not settled yet.
 */
type MemberFinder = (census: Census) => Promise<{ live: Map<number, FoundBy>; lookAgain: boolean }>;

// A tree usually exits within milliseconds of SIGTERM, and a restart waits for it, so the census starts
// quickly and slows down for trees that take their time.
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 30;

/** Sends a signal; false when the process is not ours to signal (EPERM). */
function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: it exited meanwhile, which is the goal.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
  return true;
}

/** Never signal ourselves or init, whatever the process table says. */
const signallable = (pid: number): boolean => pid > 1 && pid !== process.pid;

/**
 * The loop every termination runs: census, find the members, signal the new ones (SIGTERM once: many
 * tools treat a second one as "quit without cleaning up"), all of them with SIGKILL once the grace period
 * is over, and repeat until none is left. The census is taken before signalling: once a parent dies, its
 * setsid() descendants are orphaned and could no longer be traced back to it.
 */
function runTermination(graceMs: number, findMembers: MemberFinder, groupId: number | null): TreeTermination {
  let killing = false;
  const escalate = (): void => {
    killing = true;
  };
  const graceTimer = setTimeout(escalate, graceMs);
  const signalled = new Set<number>();
  // Processes that may not be signalled: another user's (EPERM), or one that set LUCIDLINES_KEEP=1 after
  // the cache first saw it. Waiting for them would keep a shutdown from ever ending.
  const spared = new Set<number>();
  const swept = new Map<number, SweptProcess>();
  const done = (async (): Promise<TerminationReport> => {
    let pollMs = FIRST_POLL_MS;
    try {
      for (;;) {
        const census = await sharedCensus.next();
        const { live: found, lookAgain } = await findMembers(census);
        for (const pid of found.keys()) if (spared.has(pid) || !signallable(pid)) found.delete(pid);
        const fresh = [...found.keys()].filter((pid) => !signalled.has(pid));
        // Commands are read while the processes are alive, so the report can name what it stopped.
        const [identities, commands] = await Promise.all([
          readIdentities(fresh),
          readCommands(fresh.filter((pid) => found.get(pid) !== 'tree')),
        ]);
        for (const pid of fresh) {
          if (identities.get(pid)?.keep !== true) continue;
          spared.add(pid);
          found.delete(pid);
        }
        if (found.size === 0 && !lookAgain) break;
        const signal = killing ? 'SIGKILL' : 'SIGTERM';
        // The group signal reaches members that forked after the census, unless a member of the group
        // must be spared: then each is signalled on its own.
        const groupSpared = census.entries.some((entry) => entry.pgid === groupId && spared.has(entry.pid));
        if (groupId !== null && !groupSpared && (killing || signalled.size === 0)) {
          sendSignal(-groupId, signal);
        }
        for (const [pid, foundBy] of found) {
          if (!killing && signalled.has(pid)) continue;
          if (!sendSignal(pid, signal)) spared.add(pid);
          else if (foundBy !== 'tree' && !signalled.has(pid)) {
            swept.set(pid, { pid, command: commands.get(pid) ?? '', foundBy });
          }
          signalled.add(pid);
        }
        await sleep(pollMs);
        pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
      }
    } finally {
      clearTimeout(graceTimer);
    }
    return { swept: [...swept.values()] };
  })();
  return { done, escalate };
}

/**
 * The members of one run: everything in the process group the root leads, and every descendant of those
 * or of members seen earlier; every process carrying the run's marker; and, once those are gone while the
 * output pipes are still open, every process holding one of them. Descendants matter because a
 * grandchild that called setsid() has left the group; remembering earlier members matters because once
 * its parent dies, an orphan is re-parented and can no longer be found by walking down from the root; the
 * marker finds what escaped before the first census (a double fork); the pipes find what cleared its
 * environment but still writes to our output, which would otherwise keep the output open forever.
 */
function runMembers(rootPid: number, scope: RunScope | undefined): MemberFinder {
  // Pid → start time, so a recycled pid is never mistaken for a member seen earlier.
  const known = new Map<number, string>();
  let quietTicks = 0;
  return async (census) => {
    const identities = await processIdentities.of(census.entries);
    const kept = (pid: number): boolean => identities.get(pid)?.keep === true;
    const members = new Map<number, FoundBy>();
    // The root is found through its group, which it leads. Once it has exited, its pid alone could already
    // belong to an unrelated process, while a group id is not reused as long as the group has members.
    const queue: number[] = [];
    for (const [pid, startTime] of known) if (census.get(pid)?.startTime === startTime) queue.push(pid);
    for (const entry of census.entries) if (entry.pgid === rootPid) queue.push(entry.pid);
    const visited = new Set<number>();
    for (let i = 0; i < queue.length; i++) {
      const pid = queue[i] as number;
      // A kept process's subtree is kept with it: a browser's helpers belong to the browser.
      if (visited.has(pid) || !signallable(pid) || kept(pid)) continue;
      visited.add(pid);
      members.set(pid, 'tree');
      queue.push(...census.childrenOf(pid));
    }
    if (scope !== undefined) {
      for (const entry of census.entries) {
        const identity = identities.get(entry.pid);
        if (identity?.marker === scope.marker && !identity.keep && !members.has(entry.pid)) {
          members.set(entry.pid, 'marker');
        }
      }
    }
    const live = new Map<number, FoundBy>();
    for (const [pid, foundBy] of members) {
      const entry = census.get(pid);
      if (entry === undefined || entry.zombie) continue;
      live.set(pid, foundBy);
      if (foundBy === 'tree') known.set(pid, entry.startTime);
    }
    if (live.size > 0 || scope === undefined || !scope.pipesOpen()) return { live, lookAgain: false };
    // The pipes' end-of-file may simply not have been read yet, and scanning every process's descriptors
    // is costly, so holders are only looked for when the pipes stay open one census after the tree is gone.
    quietTicks++;
    if (quietTicks < 2) return { live, lookAgain: true };
    const candidates = census.entries.filter((entry) => !entry.zombie && !kept(entry.pid));
    for (const pid of await findPipeHolders(
      candidates.map((entry) => entry.pid),
      scope.pipes,
    )) {
      live.set(pid, 'pipe');
    }
    return { live, lookAgain: false };
  };
}

/** Every live process whose marker starts with `prefix`, except those that set LUCIDLINES_KEEP=1. */
function markedMembers(prefix: string): MemberFinder {
  return async (census) => {
    const identities = await processIdentities.of(census.entries);
    const live = new Map<number, FoundBy>();
    for (const entry of census.entries) {
      const identity = identities.get(entry.pid);
      if (entry.zombie || identity?.marker?.startsWith(prefix) !== true || identity.keep) continue;
      live.set(entry.pid, 'marker');
    }
    return { live, lookAgain: false };
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Windows has no process groups or signals; tree-kill runs `taskkill /T /F`, which is already forceful. */
function terminateWindowsTree(rootPid: number): TreeTermination {
  const done = (async () => {
    await new Promise<void>((resolve) => treeKill(rootPid, 'SIGKILL', () => resolve()));
    while (isAlive(rootPid)) await sleep(MAX_POLL_MS);
    return { swept: [] };
  })();
  return { done, escalate: () => {} };
}

export const terminateProcessTree: TerminateTree = (rootPid, graceMs, scope) =>
  process.platform === 'win32'
    ? terminateWindowsTree(rootPid)
    : runTermination(graceMs, runMembers(rootPid, scope), rootPid);

/**
 * Terminates every live process whose run marker starts with `prefix` (an instance's prefix ends with
 * "."; see marker.ts), skipping LUCIDLINES_KEEP=1: SIGTERM once, SIGKILL after `graceMs`. The report names
 * every process it stopped. Windows processes carry no readable environment, so there it finds nothing.
 */
export function terminateMarked(prefix: string, graceMs: number): TreeTermination {
  if (process.platform === 'win32') return { done: Promise.resolve({ swept: [] }), escalate: () => {} };
  return runTermination(graceMs, markedMembers(prefix), null);
}
