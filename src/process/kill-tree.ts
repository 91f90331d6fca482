import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import treeKill from 'tree-kill';

/** One running termination of a process tree. */
export interface TreeTermination {
  /** Resolves once no member of the tree is alive (zombies count as gone). */
  readonly done: Promise<void>;
  /** Sends SIGKILL now instead of when the grace period ends. */
  escalate(): void;
}

/**
 * Sends SIGTERM to the tree rooted at `rootPid` and SIGKILL to whatever is left after `graceMs`. The root
 * may already have exited: its process group is still signalled, so leftovers of a crashed command are
 * cleaned up too.
 */
export type TerminateTree = (rootPid: number, graceMs: number) => TreeTermination;

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  zombie: boolean;
}

// A tree usually exits within milliseconds of SIGTERM, and a restart waits for it, so the census starts
// quickly and slows down for trees that take their time.
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 30;

function parseProcStat(stat: string): ProcessEntry | null {
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const nameEnd = stat.lastIndexOf(')');
  const fields = stat.slice(nameEnd + 2).split(' ');
  const pid = Number.parseInt(stat, 10);
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  if (nameEnd === -1 || !Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgid))
    return null;
  return { pid, ppid, pgid, zombie: fields[0] === 'Z' };
}

async function listFromProc(): Promise<ProcessEntry[]> {
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

function listFromPs(): Promise<ProcessEntry[]> {
  return new Promise((resolve, reject) => {
    execFile('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      const entries: ProcessEntry[] = [];
      for (const line of stdout.split('\n')) {
        const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
        if (pid === undefined || ppid === undefined || pgid === undefined || stat === undefined) continue;
        entries.push({
          pid: Number(pid),
          ppid: Number(ppid),
          pgid: Number(pgid),
          zombie: stat.startsWith('Z'),
        });
      }
      resolve(entries);
    });
  });
}

/**
 * The live members of the tree: everything in the process group the root leads, and every descendant of
 * those or of members seen earlier. Descendants matter because a grandchild that called setsid() has left the
 * group; remembering earlier members matters because once its parent dies, an orphan is re-parented and
 * can no longer be found by walking down from the root.
 */
async function liveMembers(rootPid: number, known: Set<number>): Promise<number[]> {
  const all = process.platform === 'linux' ? await listFromProc() : await listFromPs();
  const children = new Map<number, number[]>();
  for (const entry of all) {
    const siblings = children.get(entry.ppid);
    if (siblings === undefined) children.set(entry.ppid, [entry.pid]);
    else siblings.push(entry.pid);
  }
  // The root is found through its group, which it leads. Once it has exited, its pid alone could already
  // belong to an unrelated process, while a group id is not reused as long as the group has members.
  const queue = [...known];
  for (const entry of all) if (entry.pgid === rootPid) queue.push(entry.pid);
  const members = new Set<number>();
  for (let i = 0; i < queue.length; i++) {
    const pid = queue[i] as number;
    // Never walk into ourselves or init, whatever the process table says.
    if (members.has(pid) || pid <= 1 || pid === process.pid) continue;
    members.add(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  const live: number[] = [];
  for (const entry of all) {
    if (members.has(entry.pid) && !entry.zombie) live.push(entry.pid);
  }
  return live;
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it exited meanwhile, which is the goal. EPERM: it is not ours to kill.
  }
}

function terminatePosixTree(rootPid: number, graceMs: number): TreeTermination {
  let killing = false;
  const escalate = (): void => {
    killing = true;
  };
  const graceTimer = setTimeout(escalate, graceMs);
  const known = new Set<number>();
  const signalled = new Set<number>();
  const done = (async () => {
    let pollMs = FIRST_POLL_MS;
    try {
      for (;;) {
        // Take the census before signalling: once the root dies, its setsid() descendants are orphaned
        // and could no longer be traced back to it.
        const live = await liveMembers(rootPid, known);
        if (live.length === 0) return;
        const signal = killing ? 'SIGKILL' : 'SIGTERM';
        // SIGTERM goes out once per process: many tools treat a second one as "quit without cleaning up".
        if (killing || signalled.size === 0) sendSignal(-rootPid, signal);
        for (const pid of live) {
          known.add(pid);
          if (killing || !signalled.has(pid)) sendSignal(pid, signal);
          signalled.add(pid);
        }
        await sleep(pollMs);
        pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
      }
    } finally {
      clearTimeout(graceTimer);
    }
  })();
  return { done, escalate };
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
  })();
  return { done, escalate: () => {} };
}

export const terminateProcessTree: TerminateTree = (rootPid, graceMs) =>
  process.platform === 'win32' ? terminateWindowsTree(rootPid) : terminatePosixTree(rootPid, graceMs);
