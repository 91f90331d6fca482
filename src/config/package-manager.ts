// Which package manager a repository uses, so discovered scripts run with the same tool the team runs by hand:
// `npm run dev` in a pnpm repository would ignore pnpm's own settings and could even pick other binaries.

import { readdir } from 'node:fs/promises';

export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun';

export const PACKAGE_MANAGERS: readonly PackageManager[] = ['npm', 'yarn', 'pnpm', 'bun'];

/**
 * Files whose presence names the package manager, most specific first. package-lock.json comes last because a
 * stray `npm install` often leaves one behind in a repository that really uses another tool; pnpm-workspace.yaml
 * counts because only pnpm reads it, even before the first install made a lockfile.
 */
const MARKER_FILES: readonly (readonly [file: string, manager: PackageManager])[] = [
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['pnpm-workspace.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

export interface DetectedPackageManager {
  name: PackageManager;
  /** What decided it: the `packageManager` field, a file in the root, or nothing (npm). */
  source: 'packageManager field' | `${string} file` | 'default';
}

/**
 * The `packageManager` field of the root package.json wins (Corepack enforces it); otherwise the first marker
 * file found in the root; otherwise npm, which ships with Node.
 */
export async function detectPackageManager(
  root: string,
  packageManagerField: unknown,
): Promise<DetectedPackageManager> {
  const fromField = fromPackageManagerField(packageManagerField);
  if (fromField !== null) return { name: fromField, source: 'packageManager field' };
  const entries = new Set(await readdir(root).catch(() => []));
  for (const [file, manager] of MARKER_FILES) {
    if (entries.has(file)) return { name: manager, source: `${file} file` };
  }
  return { name: 'npm', source: 'default' };
}

/** `"pnpm@9.1.0+sha512.abc"` → pnpm; a tool lucidlines does not know yields null so the lockfile decides. */
function fromPackageManagerField(value: unknown): PackageManager | null {
  if (typeof value !== 'string') return null;
  const name = value.split('@')[0]?.trim();
  return PACKAGE_MANAGERS.find((manager) => manager === name) ?? null;
}

/**
 * The shell command that runs a package.json script. Script names are free text, so anything beyond the
 * usual `dev:web` characters is single-quoted to reach the package manager as one word.
 */
export function runScriptCommand(manager: PackageManager, script: string): string {
  const word = /^[\w:.@+-]+$/.test(script) ? script : `'${script.replaceAll("'", `'\\''`)}'`;
  return `${manager} run ${word}`;
}
