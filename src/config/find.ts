// Where the config file is: the file given with --config, or the first of CONFIG_FILE_NAMES in the folder
// lucidlines runs in or any folder above it up to the repository root, so running from `apps/web` finds the
// config at the root. Outside a repository only the folder itself is searched: walking on up to the file
// system root could pick up an unrelated config in a home folder.

import { stat } from 'node:fs/promises';
import path from 'node:path';

export const CONFIG_FILE_NAMES = ['lucidlines.config.json', 'lucidlines.config.jsonc'] as const;

export type Found =
  | { ok: true; absolute: string; explicit: boolean }
  | { ok: false; absolute: string; explicit: boolean; lookedFor: readonly string[] };

async function exists(absolute: string): Promise<boolean> {
  try {
    await stat(absolute);
    return true;
  } catch {
    return false;
  }
}

/** The config file directly in `folder`, if there is one; .json wins over .jsonc. */
export async function configFileIn(folder: string): Promise<string | null> {
  for (const name of CONFIG_FILE_NAMES) {
    const absolute = path.join(folder, name);
    if (await exists(absolute)) return absolute;
  }
  return null;
}

/** `cwd` and every folder above it up to `repositoryRoot`, nearest first; only `cwd` when it is outside. */
function foldersToSearch(cwd: string, repositoryRoot: string | null): string[] {
  const start = path.resolve(cwd);
  const inside = repositoryRoot !== null && !path.relative(repositoryRoot, start).startsWith('..');
  if (!inside) return [start];
  const folders = [start];
  for (let folder = start; folder !== repositoryRoot; ) {
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folders.push(parent);
    folder = parent;
  }
  return folders;
}

export async function findConfigFile(
  cwd: string,
  explicit: string | undefined,
  repositoryRoot: string | null,
): Promise<Found> {
  if (explicit !== undefined) {
    const absolute = path.resolve(cwd, explicit);
    return (await exists(absolute))
      ? { ok: true, absolute, explicit: true }
      : { ok: false, absolute, explicit: true, lookedFor: [explicit] };
  }
  for (const folder of foldersToSearch(cwd, repositoryRoot)) {
    const absolute = await configFileIn(folder);
    if (absolute !== null) return { ok: true, absolute, explicit: false };
  }
  return {
    ok: false,
    absolute: path.join(cwd, CONFIG_FILE_NAMES[0]),
    explicit: false,
    lookedFor: CONFIG_FILE_NAMES,
  };
}
