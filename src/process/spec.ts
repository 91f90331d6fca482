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
}

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
