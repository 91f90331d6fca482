// Turns a process's watch globs into what chokidar (which takes paths, not globs, from version 4 on) needs:
// the folders to watch, and matchers that say whether a path found there is one of the globs.

import path from 'node:path';
import picomatch from 'picomatch';

/** Folders that are never watched nor read: a monorepo's node_modules alone can hold a million files. */
const ALWAYS_IGNORED = new Set(['node_modules', '.git']);

interface SplitGlob {
  /** Absolute folder (or file) the glob starts from: its part before the first wildcard. */
  base: string;
  /** Matches a path relative to `base`; the base itself matches only for a plain path or a trailing `**`. */
  matches: (relative: string) => boolean;
}

function splitGlob(cwd: string, glob: string): SplitGlob {
  const scanned = picomatch.scan(glob);
  const base = path.resolve(cwd, scanned.base);
  // A plain path names a file or a folder; a folder means everything in it.
  const pattern = scanned.isGlob ? scanned.glob : '**';
  const matcher = picomatch(pattern, { dot: true });
  const baseMatches = !scanned.isGlob || pattern === '**';
  return { base, matches: (relative) => (relative === '' ? baseMatches : matcher(relative)) };
}

function relativeInside(base: string, target: string): string | null {
  const relative = path.relative(base, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

/** A matcher for absolute paths against globs relative to `cwd`. */
export function globsMatcher(cwd: string, globs: readonly string[]): (target: string) => boolean {
  const split = globs.map((glob) => splitGlob(cwd, glob));
  return (target) =>
    split.some(({ base, matches }) => {
      const relative = relativeInside(base, target);
      return relative !== null && matches(relative);
    });
}

/** The folders (or files) to hand to the watcher: the globs' bases, without duplicates. */
export function globBases(cwd: string, globs: readonly string[]): string[] {
  return [...new Set(globs.map((glob) => splitGlob(cwd, glob).base))];
}

/**
 * Whether a path lies in a node_modules or .git folder. Judged on the path relative to `cwd`, so a process
 * whose own folder is inside a node_modules (a linked package) can still be watched.
 */
export function isAlwaysIgnored(cwd: string, target: string): boolean {
  const relative = path.relative(cwd, target);
  return relative.split(path.sep).some((segment) => ALWAYS_IGNORED.has(segment));
}
