import { randomBytes } from 'node:crypto';

/**
 * Every child and everything it starts carries this variable, so a process that escaped its tree (a
 * double fork, setsid, a daemon re-parented to init) can still be recognised as one of ours: the
 * environment is inherited across fork and exec, unlike a parent pid or a process group. The technique is
 * the one Jenkins' ProcessTreeKiller uses for escaped build daemons.
 */
export const RUN_MARKER_VARIABLE = 'LUCIDLINES_RUN';

/**
 * A process whose environment sets this to "1" is never swept by its marker, like Jenkins'
 * BUILD_ID=dontKillMe: a browser that a dev server opened must survive Ctrl-C.
 */
export const KEEP_VARIABLE = 'LUCIDLINES_KEEP';

/** A fresh id for one lucidlines instance: the first part of every run marker it hands out. */
export function newInstanceId(): string {
  return randomBytes(8).toString('hex');
}

/** The marker of one run of one process: `<instanceId>.<runNumber>`. */
export function runMarker(instanceId: string, runNumber: number): string {
  return `${instanceId}.${runNumber}`;
}

/** The prefix every run marker of one instance starts with, for sweeping all of them at once. */
export function instanceMarkerPrefix(instanceId: string): string {
  return `${instanceId}.`;
}
