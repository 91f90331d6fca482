// The project's state folder: where lucidlines keeps what must outlive one run of it (the record of what
// runs, used to clean up after a killed run; later the files that let scripts and agents find a running
// instance). One folder per project, named after a hash of the project root's real path, so two checkouts
// never share one and two runs in the same checkout always do.
//
// It lives in $XDG_RUNTIME_DIR (per user, mode 0700, emptied at logout and boot) when there is one, and in
// the system's temporary folder otherwise. The temporary folder is shared by every user of the machine, so
// another user could create our folder first and read or plant files in it: every folder on the way is
// created with mode 0700 and then checked to be a real folder (not a symbolic link) that we own and that
// nobody else may enter. A folder owned by someone else is refused, never used.

import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FOLDER_MODE = 0o700;
/** Permission bits that let anyone but the owner in. */
const OTHERS_BITS = 0o077;
/** 64 bits of the hash: collisions between one user's projects are out of reach, and paths stay short. */
const HASH_LENGTH = 16;

export interface StateFolderContext {
  env: NodeJS.ProcessEnv;
  tmpdir: () => string;
  /** Null where there are no POSIX user ids (Windows); ownership and modes are then not checked. */
  uid: number | null;
}

export type StateFolderResult =
  | { ok: true; folder: string }
  | { ok: false; folder: string; problem: 'foreign-owner' | 'not-a-folder' | 'unusable'; detail: string };

const systemContext = (): StateFolderContext => ({
  env: process.env,
  tmpdir,
  uid: process.getuid?.() ?? null,
});

/** The hash that names a project's folder: of the real path, so a symlinked checkout is the same project. */
export function projectHash(realRoot: string): string {
  return createHash('sha256').update(realRoot).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The folders from the outermost one lucidlines creates to the project's own. XDG_RUNTIME_DIR is only used
 * when absolute, as the XDG Base Directory specification requires of such variables.
 */
export function stateFolderChain(realRoot: string, context: StateFolderContext): string[] {
  const runtime = context.env.XDG_RUNTIME_DIR;
  const base =
    runtime !== undefined && path.isAbsolute(runtime)
      ? path.join(runtime, 'lucidlines')
      : path.join(context.tmpdir(), `lucidlines-${context.uid ?? 'user'}`);
  return [base, path.join(base, projectHash(realRoot))];
}

/** Creates a folder of the chain (or finds it) and makes sure it is ours alone. */
async function claimFolder(folder: string, uid: number | null): Promise<StateFolderResult> {
  try {
    await mkdir(folder, { mode: FOLDER_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      return { ok: false, folder, problem: 'unusable', detail: (error as Error).message };
  }
  // lstat, not stat: a symbolic link planted by someone else would lead our files wherever they chose.
  const info = await lstat(folder);
  if (!info.isDirectory())
    return { ok: false, folder, problem: 'not-a-folder', detail: 'it is not a folder' };
  if (uid === null) return { ok: true, folder };
  if (info.uid !== uid)
    return { ok: false, folder, problem: 'foreign-owner', detail: `it belongs to user id ${info.uid}` };
  // Our own folder with a too open mode (made by hand, or an old umask) is safe to close: nobody else owns it.
  if ((info.mode & OTHERS_BITS) !== 0) await chmod(folder, FOLDER_MODE);
  return { ok: true, folder };
}

/**
 * Finds or creates the state folder of the project whose root is `projectRoot` (the config file's folder).
 * An expected failure (a folder that is not ours, a read-only file system) is returned, not thrown.
 */
export async function openProjectStateFolder(
  projectRoot: string,
  context: StateFolderContext = systemContext(),
): Promise<StateFolderResult> {
  let realRoot: string;
  try {
    realRoot = await realpath(projectRoot);
  } catch (error) {
    return { ok: false, folder: projectRoot, problem: 'unusable', detail: (error as Error).message };
  }
  let result: StateFolderResult = { ok: false, folder: realRoot, problem: 'unusable', detail: '' };
  for (const folder of stateFolderChain(realRoot, context)) {
    try {
      result = await claimFolder(folder, context.uid);
    } catch (error) {
      return { ok: false, folder, problem: 'unusable', detail: (error as Error).message };
    }
    if (!result.ok) return result;
  }
  return result;
}
