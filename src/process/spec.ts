/** What the engine needs to run one process; produced by the config loader, already validated. */
export interface ProcessSpec {
  name: string;
  command: string;
  /** Absolute working directory. */
  cwd: string;
  /** Variables merged over the inherited environment. */
  env: Record<string, string>;
  /**
   * Why this process cannot start, found while loading (a missing env file of its own): every start puts it
   * in `error` with this reason, as a missing `cwd` does, and the other processes start.
   */
  startProblem?: string;
  /**
   * The process has a readiness probe: after the spawn it stays `starting` until the readiness behaviour
   * reports it ready (see ManagedProcess.markReady).
   */
  awaitReady?: boolean;
  /** Restart the process when a file matching these globs changes (the watch behaviour); absent: never. */
  watch?: WatchSpec;
  /** The viewer may write to the process's stdin (the `input` command); off unless the config opts in. */
  stdin?: boolean;
  /** Automatic restarts by the restart-on-failure behaviour; absent: the process is never restarted by itself. */
  restart?: RestartPolicy;
  /** How the readiness behaviour finds out that a run is ready (see src/behaviours/readiness.ts). */
  readiness?: ReadinessSpec;
  /** What must be ready (or have completed) before this process may start (src/behaviours/dependencies.ts). */
  dependsOn?: readonly DependencySpec[];
  /** A liveness check of the running process (src/behaviours/health-check.ts); absent: none. */
  healthCheck?: HealthCheckSpec;
  /** A limit on the resident memory of the process's tree (src/behaviours/memory-limit.ts); absent: none. */
  maxMemoryBytes?: number;
}

/** How the health-check behaviour checks one process; exactly one of `url` and `port` is set. */
export interface HealthCheckSpec {
  /** Healthy when a GET of it answers with a 2xx or 3xx status. */
  url?: string;
  /** Healthy when a TCP connection to it is accepted on one of `hosts`. */
  port?: number;
  hosts: readonly string[];
  /** Time from the end of one check to the start of the next, and from `running` to the first. */
  intervalMs: number;
  /** How long one check may take before it counts as failed. */
  timeoutMs: number;
  /** Failed checks in a row that make the process unhealthy. */
  failures: number;
  /** Restart the process when it becomes unhealthy; otherwise it is only reported. */
  restart: boolean;
}

export const DEFAULT_HEALTH_CHECK_TIMING = { intervalMs: 10_000, timeoutMs: 3000, failures: 3 } as const;

/** The probes of one process; it is ready as soon as any of them succeeds. */
export interface ReadinessSpec {
  /** Matched against each line of output with its ANSI escapes removed. */
  pattern?: RegExp;
  /** Ready once a GET of it answers with a 2xx or 3xx status. */
  url?: string;
  /** Ready once a TCP connection to it is accepted on one of `hosts`. */
  port?: number;
  /** Where `port` is tried; a connection to any of them counts. */
  hosts: readonly string[];
  /** A run that is not ready after this long goes to `error`. */
  timeoutMs: number;
}

/** `ready`: the dependency is running (and ready, with a probe). `completed`: it exited with code 0. */
export interface DependencySpec {
  name: string;
  condition: 'ready' | 'completed';
}

/** What the watch behaviour watches for one process; globs are relative to the process's `cwd`. */
export interface WatchSpec {
  globs: readonly string[];
  /** Changes to files matching these are ignored (on top of node_modules and .git, always ignored). */
  ignore: readonly string[];
  /** Quiet time after the last change before the restart, so a burst of writes restarts once. */
  debounceMs: number;
}

export const DEFAULT_WATCH_DEBOUNCE_MS = 200;

/** When and how fast restart-on-failure restarts a process that ended by itself. */
export interface RestartPolicy {
  /** `on-failure`: after an exit that is an error (not code 0); `always`: after any exit nobody asked for. */
  when: 'on-failure' | 'always';
  /** The wait before the first automatic restart; each further consecutive one waits twice as long. */
  delayMs: number;
  /** The longest wait between two automatic restarts. */
  maxDelayMs: number;
  /** Consecutive automatic restarts before giving up (the process then stays in `error`). */
  maxRestarts: number;
  /** A run that was `running` this long resets the wait and the count of consecutive restarts. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_TIMING: Omit<RestartPolicy, 'when'> = {
  delayMs: 1000,
  maxDelayMs: 30_000,
  maxRestarts: 10,
  resetAfterMs: 10_000,
};

export interface EngineOptions {
  /** Time between SIGTERM and SIGKILL when stopping a process tree. */
  killTimeoutMs: number;
  /** Retained output per process, bounded both ways; the oldest is dropped first. */
  scrollback: { maxLines: number; maxBytes: number };
  /** Retained output of all processes together (UTF-8 bytes); beyond it the oldest of any process goes first. */
  maxTotalScrollbackBytes: number;
  /** A single line longer than this is split (never inside an escape sequence or a character). */
  maxLineBytes: number;
  /** A partial line with no newline is flushed after this much quiet, so prompts show up. */
  partialLineFlushMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  killTimeoutMs: 5000,
  scrollback: { maxLines: 10_000, maxBytes: 8 * 1024 * 1024 },
  maxTotalScrollbackBytes: 64 * 1024 * 1024,
  maxLineBytes: 64 * 1024,
  partialLineFlushMs: 50,
};
