import { isDeepStrictEqual } from 'node:util';
import type { ProcessSpec } from './spec.js';

/** How a new list of processes differs from the running one, process by process (by name). */
export interface SpecChanges {
  added: ProcessSpec[];
  removed: string[];
  /** Same name, different spec: the new specs. */
  changed: ProcessSpec[];
  unchanged: string[];
}

/**
 * Compares by value, ignoring the order of object keys, so an edit that only reorders `env` or reformats the
 * file changes nothing and restarts nothing; moving a process in the list does not change it either.
 */
export function specChanges(current: readonly ProcessSpec[], next: readonly ProcessSpec[]): SpecChanges {
  const before = new Map(current.map((spec) => [spec.name, spec]));
  const nextNames = new Set(next.map((spec) => spec.name));
  const changes: SpecChanges = { added: [], removed: [], changed: [], unchanged: [] };
  for (const spec of next) {
    const old = before.get(spec.name);
    if (old === undefined) changes.added.push(spec);
    else if (isDeepStrictEqual(old, spec)) changes.unchanged.push(spec.name);
    else changes.changed.push(spec);
  }
  for (const spec of current) if (!nextNames.has(spec.name)) changes.removed.push(spec.name);
  return changes;
}

export function hasSpecChanges(changes: SpecChanges): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length > 0;
}
