import { fstatSync } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import { runForOutput } from './census.js';
import { parseLsofFields } from './lsof-format.js';

/** A pipe as the file system knows it: its device and inode, the same in every process holding it. */
export interface PipeIdentity {
  dev: number;
  ino: number;
}

/** The identity of the pipe behind one of our descriptors. */
export function pipeIdentityOf(fd: number): PipeIdentity {
  const { dev, ino } = fstatSync(fd);
  return { dev, ino };
}

const matches = (pipes: readonly PipeIdentity[], dev: number | null, ino: number): boolean =>
  pipes.some((pipe) => pipe.ino === ino && (dev === null || pipe.dev === dev));

async function holdsPipeOnLinux(pid: number, pipes: readonly PipeIdentity[]): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    // Gone, or another user's process: ours to stop it is not, either way.
    return false;
  }
  for (const fd of fds) {
    const path = `/proc/${pid}/fd/${fd}`;
    try {
      const target = await readlink(path);
      const anonymous = /^pipe:\[(\d+)\]$/.exec(target);
      if (anonymous !== null) {
        if (matches(pipes, null, Number(anonymous[1]))) return true;
      } else if (target.endsWith(' (deleted)')) {
        // Our FIFOs lose their names before any child exists, so only deleted files need the (slower)
        // stat; statting every open file of every process would make this scan cost seconds.
        const { dev, ino } = await stat(path);
        if (matches(pipes, dev, ino)) return true;
      }
    } catch {
      // The descriptor was closed meanwhile.
    }
  }
  return false;
}

/**
 * The pids (other than ours) that hold one of the given pipes open: /proc/<pid>/fd on Linux, `lsof`
 * elsewhere. It reads every process's descriptors, so it is only asked once a tree is otherwise gone and
 * its output still has not reached end-of-file.
 */
export async function findPipeHolders(
  pids: readonly number[],
  pipes: readonly PipeIdentity[],
): Promise<number[]> {
  if (pipes.length === 0) return [];
  const candidates = pids.filter((pid) => pid !== process.pid);
  if (process.platform === 'linux') {
    const holds = await Promise.all(candidates.map((pid) => holdsPipeOnLinux(pid, pipes)));
    return candidates.filter((_, index) => holds[index]);
  }
  let output: string;
  try {
    output = await runForOutput('lsof', ['-n', '-P', '-F', 'pftDi']);
  } catch {
    // No lsof: the holders cannot be found, and the readers are destroyed at shutdown regardless.
    return [];
  }
  const wanted = new Set(candidates);
  const holders = new Set<number>();
  for (const file of parseLsofFields(output)) {
    if (file.inode !== null && wanted.has(file.pid) && matches(pipes, file.device, file.inode)) {
      holders.add(file.pid);
    }
  }
  return [...holders];
}
