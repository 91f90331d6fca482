// What lucidlines tells its watchdog over the watchdog's stdin: one JSON message per line. The pipe itself is
// the signal that matters: when it closes without a `clean-exit` first, lucidlines has died.

import { isInstanceId, isSignallablePid } from './run-record.js';

export type WatchdogMessage =
  /** First message: which run to clean up after, how patiently, and the record to remove once done. */
  | { type: 'run'; instanceId: string; killTimeoutMs: number; recordFile: string | null }
  /** A process group was started; its leader's start time guards against a recycled pid. */
  | { type: 'group-started'; pgid: number; startTime: string }
  | { type: 'group-ended'; pgid: number }
  /** lucidlines stopped everything itself: exit without touching anything. */
  | { type: 'clean-exit' };

export function encodeWatchdogMessage(message: WatchdogMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** The message on one line, or null for anything malformed (which the watchdog ignores). */
export function parseWatchdogMessage(line: string): WatchdogMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'run': {
      const { instanceId, killTimeoutMs, recordFile } = message;
      if (!isInstanceId(instanceId)) return null;
      if (typeof killTimeoutMs !== 'number' || !Number.isSafeInteger(killTimeoutMs) || killTimeoutMs < 0)
        return null;
      if (recordFile !== null && typeof recordFile !== 'string') return null;
      return { type: 'run', instanceId, killTimeoutMs, recordFile };
    }
    case 'group-started': {
      const { pgid, startTime } = message;
      if (!isSignallablePid(pgid) || typeof startTime !== 'string' || startTime === '') return null;
      return { type: 'group-started', pgid, startTime };
    }
    case 'group-ended':
      return isSignallablePid(message.pgid) ? { type: 'group-ended', pgid: message.pgid } : null;
    case 'clean-exit':
      return { type: 'clean-exit' };
    default:
      return null;
  }
}
