import { memoryLimitGaveUpMessage, memoryLimitNotice } from '../errors.js';
import type { Timers } from '../output/line-splitter.js';
import type { ProcessSnapshot } from '../process/events.js';
import { censusSampler } from '../process/metrics.js';
import type { Behaviour } from './behaviour.js';

/** One process's tree memory in bytes, as one reading of the process table found it; null: not measurable. */
export interface TreeMemory {
  name: string;
  memory: number | null;
}

/** Measures the trees of the processes `list` returns at the time of each call. */
export type MemoryReader = (list: () => ProcessSnapshot[]) => () => Promise<readonly TreeMemory[]>;

export interface MemoryLimitDeps {
  timers: Timers;
  now: () => number;
  read: MemoryReader;
  /** Time from the end of one sample to the start of the next. */
  intervalMs: number;
  /** Told when a restart or stop rejected, which only a bug in the engine makes happen. */
  onActionFailed: (name: string, error: unknown) => void;
}

/** The sampler of the `metrics` feed (shared census), which already sums a tree's resident memory. */
const censusMemory: MemoryReader = (list) => {
  const sampler = censusSampler(list);
  return async () => (await sampler.sample()).processes;
};

const systemDeps: MemoryLimitDeps = {
  timers: {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  now: Date.now,
  read: censusMemory,
  intervalMs: 2000,
  onActionFailed: (name, error) =>
    process.emitWarning(`lucidlines could not restart "${name}" over its memory limit: ${String(error)}`),
};

/**
 * A run over its limit this soon after it was started for being over its limit restarts in a loop: the
 * process needs more than the limit from the start, and restarting it again cannot help.
 */
export const QUICK_RELAPSE_MS = 10_000;
/** Memory-limit restarts in a row, each followed by a quick relapse, after which the process is stopped. */
export const MAX_MEMORY_RESTARTS_IN_A_ROW = 3;

const isLive = (snapshot: ProcessSnapshot) =>
  snapshot.pid !== null && (snapshot.status === 'running' || snapshot.status === 'starting');

/**
 * Memory limits: while some process has `maxMemory`, the process table is read every `intervalMs`; a live
 * run whose tree's resident memory is over its limit is announced (`memory-limit`, with the figures) and
 * restarted with the reason `memory-limit`. Restart loops are cut short: when a run started for this reason
 * is over the limit again within QUICK_RELAPSE_MS, that counts as one more in a row, and after
 * MAX_MEMORY_RESTARTS_IN_A_ROW the process is stopped and an error says why, rather than restarting a
 * process every two seconds forever. Sampling stops when no process has a limit (a config reload may remove
 * the last one) and when the behaviour is detached.
 */
export function memoryLimit(deps: Partial<MemoryLimitDeps> = {}): Behaviour {
  const { timers, now, read, intervalMs, onActionFailed } = { ...systemDeps, ...deps };
  return {
    attach(host) {
      const readMemory = read(() => host.list());
      /** The run each process was last acted on for, so a run being restarted is not acted on twice. */
      const actedOn = new Map<string, number>();
      /** Memory-limit restarts in a row that were followed by a quick relapse. */
      const inARow = new Map<string, number>();
      let timer: unknown = null;
      let sampling = false;
      let detached = false;

      const limitOf = (name: string) => host.spec(name)?.maxMemoryBytes;
      const anyLimit = () => host.list().some((snapshot) => limitOf(snapshot.name) !== undefined);

      const schedule = () => {
        if (detached || timer !== null || sampling || !anyLimit()) return;
        timer = timers.setTimeout(() => {
          timer = null;
          void sample();
        }, intervalMs);
      };

      const act = (snapshot: ProcessSnapshot, used: number, limit: number) => {
        const { name } = snapshot;
        actedOn.set(name, snapshot.run);
        const relapsed =
          snapshot.reason === 'memory-limit' &&
          snapshot.startedAt !== null &&
          now() - snapshot.startedAt < QUICK_RELAPSE_MS;
        const restarts = relapsed ? (inARow.get(name) ?? 0) : 0;
        if (restarts >= MAX_MEMORY_RESTARTS_IN_A_ROW) {
          inARow.delete(name);
          const message = memoryLimitGaveUpMessage(name, used, limit, restarts);
          host.announce(name, 'memory-limit', message);
          host
            .stop(name)
            .then(() => host.reportError(name, 'RESTARTS_EXHAUSTED', message))
            .catch((error: unknown) => onActionFailed(name, error));
          return;
        }
        inARow.set(name, restarts + 1);
        host.announce(name, 'memory-limit', memoryLimitNotice(used, limit));
        host.restart(name, 'memory-limit').catch((error: unknown) => onActionFailed(name, error));
      };

      const sample = async () => {
        sampling = true;
        try {
          const before = new Map(host.list().map((snapshot) => [snapshot.name, snapshot]));
          const watched = [...before.values()].some(
            (snapshot) => isLive(snapshot) && limitOf(snapshot.name) !== undefined,
          );
          // Nothing limited is running: the process table is not read at all.
          if (!watched) return;
          const readings = await readMemory();
          if (detached) return;
          // A run that ended or was replaced while the table was read is not judged by the old tree.
          const runs = new Map(host.list().map((snapshot) => [snapshot.name, snapshot.run]));
          for (const { name, memory } of readings) {
            const snapshot = before.get(name);
            const limit = limitOf(name);
            if (snapshot === undefined || limit === undefined || memory === null || memory <= limit) continue;
            if (!isLive(snapshot) || snapshot.facts.stopping === true) continue;
            if (runs.get(name) !== snapshot.run || actedOn.get(name) === snapshot.run) continue;
            act(snapshot, memory, limit);
          }
        } finally {
          sampling = false;
          schedule();
        }
      };

      const unsubscribe = host.subscribe((event) => {
        // A reload may give the first process a limit; without one, sampling stops at its next turn.
        if (event.kind === 'processes') schedule();
        // A start somebody asked for begins a new count: they may have fixed the cause.
        if (event.kind === 'request' && event.reason !== 'memory-limit') inARow.delete(event.name);
      });
      schedule();
      return () => {
        detached = true;
        unsubscribe();
        if (timer !== null) timers.clearTimeout(timer);
        timer = null;
      };
    },
  };
}
