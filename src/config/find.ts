// Where the config file is. Today: the file given with --config, or the first of CONFIG_FILE_NAMES in the
// folder lucidlines runs in. Walking up to the repository root comes later and belongs here.

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

export async function findConfigFile(cwd: string, explicit: string | undefined): Promise<Found> {
  if (explicit !== undefined) {
    const absolute = path.resolve(cwd, explicit);
    return (await exists(absolute))
      ? { ok: true, absolute, explicit: true }
      : { ok: false, absolute, explicit: true, lookedFor: [explicit] };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const absolute = path.join(cwd, name);
    if (await exists(absolute)) return { ok: true, absolute, explicit: false };
  }
  return {
    ok: false,
    absolute: path.join(cwd, CONFIG_FILE_NAMES[0]),
    explicit: false,
    lookedFor: CONFIG_FILE_NAMES,
  };
}
