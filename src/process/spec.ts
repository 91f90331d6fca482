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

export interface EngineOptions {
  /** Time between SIGTERM and SIGKILL when stopping a process tree. */
  killTimeoutMs: number;
  /** Retained output per process, bounded both ways; the oldest is dropped first. */
  scrollback: { maxLines: number; maxBytes: number };
  /** A single line longer than this is split (never inside an escape sequence or a character). */
  maxLineBytes: number;
  /** A partial line with no newline is flushed after this much quiet, so prompts show up. */
  partialLineFlushMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  killTimeoutMs: 5000,
  scrollback: { maxLines: 10_000, maxBytes: 8 * 1024 * 1024 },
  maxLineBytes: 64 * 1024,
  partialLineFlushMs: 50,
};
