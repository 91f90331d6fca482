// The line drawn between two runs of a process in the viewer, the terminal and the log files, so that the
// output of a crashed run is never mistaken for the output of the run that replaced it. Node-free: the
// viewer bundles it.

import type { StartReason } from './protocol.js';

/** Why a run began, in words; also the wording of the lifecycle log's `restarted` entries. */
export const REASON_WORDS: Record<StartReason, string> = {
  start: 'started',
  manual: 'restarted on request',
  'auto-restart': 'restarted automatically',
  watch: 'restarted on a file change',
  'config-change': 'restarted on a config change',
  dependency: 'restarted with a dependency',
  'health-check': 'restarted as unhealthy',
  'memory-limit': 'restarted over its memory limit',
};

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * Local wall-clock time, as the user reads it on the clock beside the terminal; with the date where the
 * line outlives the session (a log file appended to across days).
 */
function clockTime(timestamp: number, withDate: boolean): string {
  const date = new Date(timestamp);
  const time = `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`;
  if (!withDate) return time;
  return `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())} ${time}`;
}

/**
 * E.g. `──── run 3 · 14:03:27 · restarted automatically · pid 4242 ────`; one line, no newline. The log
 * files pass `withDate`, since they are appended to across sessions and days.
 */
export function runSeparator(
  timestamp: number,
  reason: StartReason,
  pid: number | null,
  run: number,
  options: { withDate?: boolean } = {},
): string {
  const process = pid === null ? 'no pid' : `pid ${pid}`;
  const when = clockTime(timestamp, options.withDate === true);
  return `──── run ${run} · ${when} · ${REASON_WORDS[reason]} · ${process} ────`;
}
