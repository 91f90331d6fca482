// Checks the `dependsOn` graph of a config that is otherwise valid: every name must be a process, and no
// process may wait, directly or through others, for itself, since such a group would never start.

import { closest } from '../did-you-mean.js';
import type { FieldPath } from './field-path.js';
import type { ProcessFields } from './fields.js';

export interface DependencyIssue {
  path: FieldPath;
  message: string;
}

/** The name of a `dependsOn` entry, written as a bare name or as an object. */
export function dependencyNameOf(entry: string | { name: string }): string {
  return typeof entry === 'string' ? entry : entry.name;
}

/** The path of the entry's name: the entry itself, or its "name" field. */
function namePath(index: number, entryIndex: number, entry: string | { name: string }): FieldPath {
  const path: FieldPath = ['processes', index, 'dependsOn', entryIndex];
  return typeof entry === 'string' ? path : [...path, 'name'];
}

export function checkDependencies(processes: readonly ProcessFields[]): DependencyIssue[] {
  const issues: DependencyIssue[] = [];
  const names = processes.map((process) => process.name);
  const known = new Set(names);
  for (const [index, process] of processes.entries()) {
    for (const [entryIndex, entry] of (process.dependsOn ?? []).entries()) {
      const name = dependencyNameOf(entry);
      if (known.has(name)) continue;
      const suggestion = closest(name, names);
      issues.push({
        path: namePath(index, entryIndex, entry),
        message: `names no process: there is no process called ${JSON.stringify(name)}.${
          suggestion === null ? ` Known processes: ${names.join(', ')}.` : ` Did you mean "${suggestion}"?`
        }`,
      });
    }
  }
  return [...issues, ...cycleIssues(processes, known)];
}

/**
 * One issue per cycle, at the entry that closes it. A depth-first walk finds a cycle each time an edge
 * leads back to a process still on the walk's stack; cycles over the same processes are reported once.
 */
function cycleIssues(processes: readonly ProcessFields[], known: ReadonlySet<string>): DependencyIssue[] {
  const indexOf = new Map(processes.map((process, index) => [process.name, index]));
  const state = new Map<string, 'on-stack' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const issues: DependencyIssue[] = [];

  // Iterative, so a generated config with a chain of thousands of processes cannot overflow the call stack.
  const visit = (root: string) => {
    const frames: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'on-stack');
    stack.push(root);
    while (frames.length > 0) {
      const frame = frames.at(-1) as { name: string; next: number };
      const index = indexOf.get(frame.name) as number;
      const entries = processes[index]?.dependsOn ?? [];
      if (frame.next >= entries.length) {
        frames.pop();
        stack.pop();
        state.set(frame.name, 'done');
        continue;
      }
      const entryIndex = frame.next++;
      const entry = entries[entryIndex] as string | { name: string };
      const target = dependencyNameOf(entry);
      if (!known.has(target)) continue;
      const seen = state.get(target);
      if (seen === 'done') continue;
      if (seen === 'on-stack') {
        const cycle = stack.slice(stack.indexOf(target));
        const key = [...cycle].sort().join('\0');
        if (reported.has(key)) continue;
        reported.add(key);
        issues.push({
          path: namePath(index, entryIndex, entry),
          message: `closes a dependsOn cycle: ${[...cycle, target].join(' → ')}. Processes in a cycle would wait for each other forever; remove one of these dependencies.`,
        });
        continue;
      }
      state.set(target, 'on-stack');
      stack.push(target);
      frames.push({ name: target, next: 0 });
    }
  };
  for (const process of processes) if (!state.has(process.name)) visit(process.name);
  return issues;
}
