import { restartsExhaustedMessage } from '../errors.js';
import type { Timers } from '../output/line-splitter.js';
import type { BehaviourHost, SupervisorEvent } from '../process/events.js';
import type { RestartPolicy } from '../process/spec.js';
import type { Behaviour } from './behaviour.js';

export interface RestartOnFailureDeps {
  timers: Timers;
  now: () => number;
  /** Told when an automatic restart rejected, which only a bug in the engine makes happen. */
  onRestartFailed: (name: string, error: unknown) => void;
}

const systemDeps: RestartOnFailureDeps = {
  timers: {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  now: Date.now,
  onRestartFailed: (name, error) =>
    process.emitWarning(`lucidlines could not restart "${name}" automatically: ${String(error)}`),
};

/** The wait before automatic restart number `done + 1` of a streak: exponential, capped. */
export function backoffDelay(policy: RestartPolicy, done: number): number {
  return Math.min(policy.maxDelayMs, policy.delayMs * 2 ** done);
}

interface Streak {
  /** Automatic restarts in a row, since the last run that stayed up long enough or was started by a person. */
  restarts: number;
  /** When the current run went `running`, to measure its uptime at its exit. */
  runningSince: number | null;
  run: number;
  /** The scheduled restart, if one is. */
  timer: unknown;
}

/**
 * Restarts a process that ended by itself (`restart: "on-failure"` or `"always"`), after a wait that doubles
 * with each consecutive restart, up to `maxRestarts` in a row. The wait is a timer, never polling, so a
 * crash loop costs one spawn per wait and nothing in between. The scheduled time rides on the status that
 * reports the exit (`restartAt`), and any start, stop or restart somebody asks for cancels it.
 */
export function restartOnFailure(deps: Partial<RestartOnFailureDeps> = {}): Behaviour {
  const { timers, now, onRestartFailed } = { ...systemDeps, ...deps };
  return {
    attach(host: BehaviourHost): () => void {
      const streaks = new Map<string, Streak>();
      const streakOf = (name: string): Streak => {
        let streak = streaks.get(name);
        if (streak === undefined) {
          streak = { restarts: 0, runningSince: null, run: 0, timer: null };
          streaks.set(name, streak);
        }
        return streak;
      };

      const cancel = (name: string): void => {
        const streak = streaks.get(name);
        if (streak === undefined || streak.timer === null) return;
        timers.clearTimeout(streak.timer);
        streak.timer = null;
        host.annotate(name, { restartAt: undefined });
      };

      const restartNow = (name: string, streak: Streak): void => {
        streak.timer = null;
        streak.restarts++;
        host.annotate(name, { restartAt: undefined });
        host.start(name, 'auto-restart').catch((error: unknown) => onRestartFailed(name, error));
      };

      const onExit = (event: Extract<SupervisorEvent, { kind: 'exit' }>): void => {
        const policy = host.spec(event.name)?.restart;
        if (event.requested || policy === undefined) return;
        if (policy.when === 'on-failure' && event.exitCode === 0) return;
        const streak = streakOf(event.name);
        if (streak.runningSince !== null && event.timestamp - streak.runningSince >= policy.resetAfterMs) {
          streak.restarts = 0;
        }
        if (streak.restarts >= policy.maxRestarts) {
          const message = restartsExhaustedMessage(event.name, streak.restarts);
          // The exit's own status and `error` are reported right after this listener returns; giving up is
          // reported after them, so it is the last word a viewer keeps as the process's error.
          queueMicrotask(() => host.reportError(event.name, 'RESTARTS_EXHAUSTED', message));
          return;
        }
        const delay = backoffDelay(policy, streak.restarts);
        streak.timer = timers.setTimeout(() => restartNow(event.name, streak), delay);
        host.annotate(event.name, { restartAt: now() + delay });
      };

      const unsubscribe = host.subscribe((event) => {
        switch (event.kind) {
          case 'exit':
            onExit(event);
            break;
          case 'request':
            // Its own restart has the reason `auto-restart`; anything else is somebody taking over.
            if (event.reason !== 'auto-restart') cancel(event.name);
            break;
          case 'run': {
            const streak = streakOf(event.start.name);
            streak.run = event.start.run;
            streak.runningSince = null;
            // A run somebody asked for starts a new streak: after fixing the cause, the user gets the full
            // number of automatic restarts again.
            if (event.start.reason !== 'auto-restart') streak.restarts = 0;
            break;
          }
          case 'status': {
            const { snapshot } = event;
            const streak = streakOf(snapshot.name);
            if (
              snapshot.status === 'running' &&
              snapshot.run === streak.run &&
              streak.runningSince === null
            ) {
              streak.runningSince = event.timestamp;
            }
            break;
          }
        }
      });

      return () => {
        unsubscribe();
        for (const name of streaks.keys()) cancel(name);
      };
    },
  };
}
