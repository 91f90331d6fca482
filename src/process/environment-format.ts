// Pure parsers for a process's environment, one per platform; the I/O is in process-identity.ts.

import { KEEP_VARIABLE, RUN_MARKER_VARIABLE } from './marker.js';

/** What the engine needs from a process's environment. */
export interface ProcessIdentity {
  /** Its LUCIDLINES_RUN value, or null when it has none (or its environment could not be read). */
  marker: string | null;
  /** It set LUCIDLINES_KEEP=1 and must never be swept. */
  keep: boolean;
}

export const UNMARKED: ProcessIdentity = { marker: null, keep: false };

/** Parses Linux /proc/<pid>/environ: NAME=value entries, each ended by a NUL byte. */
export function parseEnvironBlock(environ: string): ProcessIdentity {
  let marker: string | null = null;
  let keep = false;
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(`${RUN_MARKER_VARIABLE}=`)) marker = entry.slice(RUN_MARKER_VARIABLE.length + 1);
    else if (entry === `${KEEP_VARIABLE}=1`) keep = true;
  }
  return { marker, keep };
}

/**
 * Parses macOS `ps -E -ww -o pid=,command=` output: the pid, the command line, then the environment as
 * space-separated NAME=value words. Words are ambiguous (an argument or a value may hold spaces), which
 * is harmless here: our two variables never hold spaces, and the last occurrence wins, because the
 * environment comes after the arguments.
 */
export function parsePsEnvironment(output: string): Map<number, ProcessIdentity> {
  const identities = new Map<number, ProcessIdentity>();
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (match === null) continue;
    let marker: string | null = null;
    let keep = false;
    for (const word of (match[2] ?? '').split(/\s+/)) {
      if (word.startsWith(`${RUN_MARKER_VARIABLE}=`)) marker = word.slice(RUN_MARKER_VARIABLE.length + 1);
      else if (word.startsWith(`${KEEP_VARIABLE}=`)) keep = word === `${KEEP_VARIABLE}=1`;
    }
    identities.set(Number(match[1]), { marker, keep });
  }
  return identities;
}

/** Parses `ps -ww -o pid=,command=` output into each pid's command line. */
export function parsePsCommands(output: string): Map<number, string> {
  const commands = new Map<number, string>();
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match !== null) commands.set(Number(match[1]), (match[2] ?? '').trim());
  }
  return commands;
}

/** Linux /proc/<pid>/cmdline separates the arguments with NUL bytes and ends with one. */
export function parseCmdline(cmdline: string): string {
  return cmdline.replace(/\0+$/, '').split('\0').join(' ');
}
