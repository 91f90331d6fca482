// lucidlines' own lifecycle events (started, crashed with a code, restarted and why, ready, gave up, health
// notices, config reloads), derived in one place from the events the engine already emits, so the hub, the
// terminal and the viewer tell the same story in the same words. Pure: the time of each entry is that of the
// engine event it comes from, so tests drive it with plain event objects and no clock.

import type { ReadinessProbe, SupervisorEvent } from './process/events.js';
import type { EventMessage, StartReason } from './protocol.js';
import { REASON_WORDS } from './run-separator.js';

/** How a process became ready, as Lightd says "running (pattern matched)". */
export const READY_BY_WORDS: Record<ReadinessProbe, string> = {
  pattern: 'pattern matched',
  url: 'URL answered',
  port: 'port open',
};

/** How many entries the log keeps; the oldest are dropped first. */
export const DEFAULT_LIFECYCLE_LOG_LIMIT = 500;

/** Turns engine events into lifecycle entries; keeps what it needs between events, per process. */
export type LifecycleDeriver = (event: SupervisorEvent) => EventMessage | null;

function exitWords(exitCode: number | null, signal: string | null): string {
  return exitCode !== null ? `exit code ${exitCode}` : `signal ${signal ?? 'unknown'}`;
}

function startEntry(
  name: string,
  run: number,
  pid: number,
  reason: StartReason,
  timestamp: number,
): EventMessage {
  const started = reason === 'start';
  return {
    type: 'event',
    event: started ? 'started' : 'restarted',
    process: name,
    message: `${started ? 'started' : REASON_WORDS[reason]} (pid ${pid})`,
    timestamp,
    pid,
    run,
    ...(started ? {} : { reason }),
  };
}

function configEntry(
  changes: { added: readonly string[]; removed: readonly string[]; changed: readonly string[] },
  timestamp: number,
): EventMessage {
  const parts = [
    changes.added.length > 0 ? `added ${changes.added.join(', ')}` : null,
    changes.removed.length > 0 ? `removed ${changes.removed.join(', ')}` : null,
    changes.changed.length > 0 ? `changed ${changes.changed.join(', ')}` : null,
  ].filter((part) => part !== null);
  return {
    type: 'event',
    event: 'config-reloaded',
    message: `config reloaded: ${parts.length === 0 ? 'no process changed' : parts.join('; ')}`,
    timestamp,
    added: [...changes.added],
    removed: [...changes.removed],
    changed: [...changes.changed],
  };
}

/**
 * A new deriver. A crash is reported by two engine events: the `exit` with its code, then the `error` that
 * says why it counts as a failure. The entry is made from the error, because only the error tells a crash
 * from a run that failed its readiness check (whose exit is the SIGTERM lucidlines sent it); the exit's code
 * and signal are kept until then.
 */
export function lifecycleDeriver(): LifecycleDeriver {
  const failedExits = new Map<string, { exitCode: number | null; signal: string | null }>();
  /** The run each process was last reported ready in, so a status that repeats it says nothing new. */
  const readyRuns = new Map<string, number>();

  return (event) => {
    switch (event.kind) {
      case 'run': {
        const { name, run, pid, reason, timestamp } = event.start;
        // A spawn that failed has no pid; the `error` that follows reports it as `failed`.
        return pid === null ? null : startEntry(name, run, pid, reason, timestamp);
      }
      case 'status': {
        const { name, status, run, facts } = event.snapshot;
        if (status !== 'running' || facts.readyBy === undefined || readyRuns.get(name) === run) return null;
        readyRuns.set(name, run);
        return {
          type: 'event',
          event: 'ready',
          process: name,
          message: `ready (${READY_BY_WORDS[facts.readyBy]})`,
          timestamp: event.timestamp,
          readyBy: facts.readyBy,
        };
      }
      case 'exit': {
        const { name, exitCode, signal, timestamp } = event;
        // The stop half of a restart: the `restarted` entry of the run that follows tells it.
        if (event.restarting) return null;
        if (event.requested) {
          const how = signal !== null ? `by ${signal}` : `(${exitWords(exitCode, signal)})`;
          return {
            type: 'event',
            event: 'stopped',
            process: name,
            message: `stopped ${how}`,
            timestamp,
            exitCode,
            signal,
          };
        }
        if (exitCode === 0) {
          return {
            type: 'event',
            event: 'exited',
            process: name,
            message: 'exited with code 0',
            timestamp,
            exitCode,
            signal,
          };
        }
        failedExits.set(name, { exitCode, signal });
        return null;
      }
      case 'error': {
        const { name, code, message, timestamp } = event;
        const exit = failedExits.get(name);
        failedExits.delete(name);
        if (code === 'PROCESS_EXITED' && exit !== undefined) {
          return {
            type: 'event',
            event: 'crashed',
            process: name,
            message:
              exit.exitCode !== null
                ? `crashed with exit code ${exit.exitCode}`
                : `killed by ${exit.signal ?? 'an unknown signal'}`,
            timestamp,
            exitCode: exit.exitCode,
            signal: exit.signal,
          };
        }
        return {
          type: 'event',
          event: code === 'RESTARTS_EXHAUSTED' ? 'gave-up' : 'failed',
          process: name,
          message,
          timestamp,
          errorCode: code,
        };
      }
      case 'notice':
        return {
          type: 'event',
          event: event.notice,
          process: event.name,
          message: event.message,
          timestamp: event.timestamp,
        };
      case 'processes': {
        // A removed process's memory goes with it; a later process of the same name starts afresh.
        const names = new Set(event.snapshots.map((snapshot) => snapshot.name));
        for (const name of [...readyRuns.keys()]) if (!names.has(name)) readyRuns.delete(name);
        for (const name of [...failedExits.keys()]) if (!names.has(name)) failedExits.delete(name);
        return null;
      }
      case 'config-applied':
        return configEntry(event, event.timestamp);
      case 'config-rejected':
        return {
          type: 'event',
          event: 'config-rejected',
          message: event.message,
          timestamp: event.timestamp,
          errorCode: event.code,
        };
      default:
        return null;
    }
  };
}

/**
 * The last `limit` lifecycle entries, oldest first: what a client that connects is shown of what happened
 * before it came. Bounded, because a process that crash-loops for a day would otherwise grow it forever.
 */
export class LifecycleLog {
  readonly #derive = lifecycleDeriver();
  readonly #limit: number;
  readonly #entries: EventMessage[] = [];

  constructor(limit = DEFAULT_LIFECYCLE_LOG_LIMIT) {
    this.#limit = limit;
  }

  /** Records the entry the event makes, if any, and returns it. */
  record(event: SupervisorEvent): EventMessage | null {
    const entry = this.#derive(event);
    if (entry === null) return null;
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
    return entry;
  }

  entries(): readonly EventMessage[] {
    return this.#entries;
  }
}
