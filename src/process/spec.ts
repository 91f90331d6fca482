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
