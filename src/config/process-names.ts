// Short, unique, safe process names for discovered workspace packages.
//
// A name prefixes every terminal line and becomes a URL path and a file name, so it must be short, must not
// contain `/`, `\` or control characters, and must not start with `.` (a hidden file, or `..` in a path).

const MAX_NAME_LENGTH = 50;

/** Characters a name may not carry: path separators, whitespace, control and invisible characters. */
const UNSAFE = /[/\\\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

export interface NamedPackage {
  /** The `name` field of its package.json, if it has one. */
  packageName: string | undefined;
  /** Its folder relative to the repository root, with `/` separators; `.` for the root itself. */
  folder: string;
}

export interface PackageProcessName {
  name: string;
  /** True when a clash made the name longer than the package's short name. */
  renamed: boolean;
}

/**
 * Each package with its name added, in the same order. The short name is the package name without its scope (`@acme/web` →
 * `web`), or the folder name for a package without a name. On a clash each clashing package takes its scope
 * (`acme-web`, `other-web`; an unscoped one keeps the short name); a clash that remains takes the folder path
 * (`apps-web`, `legacy-web`); a clash after that (only possible through sanitising) takes a numeric suffix.
 */
export function packageProcessNames<T extends NamedPackage>(
  packages: readonly T[],
): (T & PackageProcessName)[] {
  const short = packages.map((pkg) => safeName(shortName(pkg)));
  const scoped = resolveClashes(short, (index, name) => {
    const scope = scopeOf(packages[index]?.packageName);
    return scope === null ? name : safeName(`${scope}-${name}`);
  });
  const foldered = resolveClashes(scoped, (index) =>
    safeName((packages[index]?.folder ?? '').replaceAll('/', '-')),
  );
  const numbered = numberRemainingClashes(foldered);
  return packages.map((pkg, index) => {
    const name = numbered[index] ?? '';
    return { ...pkg, name, renamed: name !== short[index] };
  });
}

function shortName({ packageName, folder }: NamedPackage): string {
  if (packageName !== undefined && packageName !== '') return packageName.replace(/^@[^/]*\//, '');
  return folder.split('/').at(-1) ?? folder;
}

function scopeOf(packageName: string | undefined): string | null {
  return packageName?.match(/^@([^/]+)\//)?.[1] ?? null;
}

/** Renames, with `rename`, every name that more than one package has; names that are unique stay. */
function resolveClashes(names: readonly string[], rename: (index: number, name: string) => string): string[] {
  const counts = countNames(names);
  return names.map((name, index) => ((counts.get(name) ?? 0) > 1 ? rename(index, name) : name));
}

/** Keeps the first of each name and gives the later ones a numeric suffix (`dev`, `dev-2`). */
export function numberRemainingClashes(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let suffix = 2; taken.has(candidate); suffix++) {
      candidate = `${name.slice(0, MAX_NAME_LENGTH - String(suffix).length - 1)}-${suffix}`;
    }
    taken.add(candidate);
    return candidate;
  });
}

function countNames(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/**
 * Turns any text into a name that passes the config's name rule: unsafe runs become `-`, and leading dots and
 * dashes go, so `.config` or `../x` cannot become a hidden or parent path.
 */
export function safeName(text: string): string {
  const cleaned = text
    .replace(UNSAFE, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
  return cleaned === '' ? 'package' : cleaned;
}
