import type { OutputStream, ProcessStatus } from '../protocol.js';
import type { SweptProcess } from './kill-tree.js';

/** The state of one managed process, as the terminal printer, the hub and `info` see it. */
export interface ProcessSnapshot {
  name: string;
  command: string;
  status: ProcessStatus;
  /** Present while a child exists (starting with a pid, running, or being stopped). */
  pid: number | null;
  /** Of the last exit; null while running or if it died by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** How many times the process was started after the first start. */
  restarts: number;
  /** Unix ms of the last spawn, null if never started. */
  startedAt: number | null;
}

/**
 * A piece of one process's output, exactly as written: joining the `text` of one stream's chunks gives back
 * the stream. `text` holds lines ending in "\n", except that the last may lack it, when a partial line was
 * flushed after an idle pause or an over-long line was cut; the continuation follows in a later chunk.
 * `seq` increases across all processes, so chunks of different processes can be merged in the order they
 * were produced.
 */
export interface OutputChunk {
  name: string;
  stream: OutputStream;
  text: string;
  timestamp: number;
  seq: number;
}

export type SupervisorEvent =
  | { kind: 'output'; chunk: OutputChunk }
  | { kind: 'status'; snapshot: ProcessSnapshot; timestamp: number }
  | {
      kind: 'error';
      name: string;
      code: 'SPAWN_FAILED' | 'PROCESS_EXITED';
      message: string;
      timestamp: number;
    }
  /** Stopping a process also stopped these, found outside its tree by their marker or by its pipes. */
  | { kind: 'swept'; name: string; processes: readonly SweptProcess[]; timestamp: number };

export type SupervisorListener = (event: SupervisorEvent) => void;

/**
 * What the terminal printer, the WebSocket hub and the CLI may do with the running processes. The
 * supervisor implements it; consumers depend on this interface only, so they can be tested with a fake.
 */
export interface ProcessControl {
  /** Snapshots in config order. */
  list(): ProcessSnapshot[];
  has(name: string): boolean;
  /** Retained output of one process, oldest first (bounded by the scrollback options). */
  scrollback(name: string): readonly OutputChunk[];
  /** Subscribes to every event; returns the unsubscribe function. Listeners are called synchronously. */
  subscribe(listener: SupervisorListener): () => void;
  /** Resolve once the action is complete (the new process is spawned, or the old tree is gone). */
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  restartAll(): Promise<void>;
  stopAll(): Promise<void>;
}
