// What can be wrong with a config or a command line, as values, and the caps that keep reporting them bounded.
//
// A generated config with a million repeated names once produced a million problems and 2 GB of memory, and
// a 1 MB unknown key was echoed back twice. So at most MAX_REPORTED problems (and as many warnings) are kept,
// the rest are only counted, and every piece of the user's text that a message repeats is cut to
// MAX_ECHO_LENGTH characters.

/** 1-based line and column, in UTF-16 code units as editors count them. */
export interface Position {
  line: number;
  column: number;
}

import type { EnvFileFailure } from './env-files.js';

export type ConfigProblem =
  | { kind: 'missing-file'; file: string; explicit: boolean; lookedFor: readonly string[] }
  | { kind: 'unreadable'; file: string; message: string }
  | ({ kind: 'syntax'; file: string; message: string } & Position)
  | ({ kind: 'field'; file: string; path: string; message: string } & Position)
  | { kind: 'flag'; flag: string; message: string }
  /** An env file the config names that refuses the start: a missing top-level file, or bad lines in any. */
  | { kind: 'env-file'; failure: EnvFileFailure };

export type ConfigWarning = { file: string; path: string; message: string } & Position;

export const MAX_REPORTED = 50;
export const MAX_ECHO_LENGTH = 80;

/** Cuts text the user wrote to a length that fits in a message, saying how much was left out. */
export function echo(text: string): string {
  if (text.length <= MAX_ECHO_LENGTH) return text;
  return `${text.slice(0, MAX_ECHO_LENGTH)}… (${text.length - MAX_ECHO_LENGTH} more characters)`;
}

/** Names a value in a message, such as `the string "8080"` or `an object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${echo(JSON.stringify(value))}`;
  return `${typeof value} ${echo(String(value))}`;
}

/** Keeps the first MAX_REPORTED items and counts the rest, so memory stays bounded whatever the input. */
export class CappedList<T> {
  readonly items: T[] = [];
  omitted = 0;

  add(item: T): void {
    if (this.items.length < MAX_REPORTED) this.items.push(item);
    else this.omitted++;
  }

  get full(): boolean {
    return this.items.length >= MAX_REPORTED;
  }

  get total(): number {
    return this.items.length + this.omitted;
  }
}
