import type { Health, OutputStream, ProcessStatus, StartReason } from '../protocol.js';
import type { SweptProcess } from './kill-tree.js';
import type { ProcessSpec } from './spec.js';

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
  /** Counts spawns: 0 before the first, then 1, 2, … Identifies a run, so a late signal about an old one is ignored. */
  run: number;
  /** Why the current (or last) run was started; null before the first start. */
  reason: StartReason | null;
  /** What behaviours found out about the process; see `ProcessFacts`. */
  facts: Readonly<ProcessFacts>;
  /** Present and true when the config lets the viewer write to its stdin (ProcessControl.write). */
  stdin?: true;
}

/** Why a run began; defined with the protocol, which carries it. */
export type { StartReason } from '../protocol.js';

/**
 * Facts behaviours attach to a process (see src/behaviours/). The engine only stores them and carries them in
 * snapshots; each field is owned by the one behaviour that sets it, and is cleared by it.
 */
export interface ProcessFacts {
  /** The URLs the process printed, as the dev server announced them (the URL behaviour). */
  urls?: readonly string[];
  /** The dependencies a start is waiting for, while it waits (the dependencies behaviour). */
  waitingFor?: readonly string[];
  /** Unix ms when a scheduled automatic restart is due (restart-on-failure); absent when none is. */
  restartAt?: number;
  /**
   * Which probe found the current run ready (the readiness behaviour): set just before it goes `running`,
   * cleared when the next run is spawned.
   */
  readyBy?: ReadinessProbe;
  /**
   * True from the moment a stop (or the stop half of a restart) signals a live child until that child exits.
   * Set by the engine itself, not by a behaviour: it is what tells the viewer to offer Kill for a process that
   * hangs on SIGTERM.
   */
  stopping?: boolean;
  /**
   * What the liveness check of the current run found (the health-check behaviour): `healthy` from its first
   * passing check, `unhealthy` once `failures` checks in a row failed, healthy again at the next pass; absent
   * while nothing was decided yet, without a check, and once the run ended.
   */
  health?: Health;
}

/** Defined with the protocol, which carries it in `status` and `info`. */
export type { Health } from '../protocol.js';

/** The probes a process can become ready by: a line of output, an HTTP answer, an accepted connection. */
export type ReadinessProbe = 'pattern' | 'url' | 'port';

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

/**
 * Who asked for a start, stop or restart: carried through the engine untouched and handed back by the
 * `settled` event of the request that carried it out. `owner` is whatever the asker uses to route the answer
 * (the hub's client connection); the engine never looks at it.
 */
export interface CommandTicket {
  readonly id: string;
  readonly owner: object;
}

/**
 * A run began: its child was spawned (or its spawn failed at once, then `pid` is null). It takes a `seq` from
 * the same counter as the output, so the scrollback can replay it at its place among the chunks, and the
 * viewer, the terminal and the log files draw a separator there.
 */
export interface RunStart {
  name: string;
  run: number;
  pid: number | null;
  reason: StartReason;
  timestamp: number;
  seq: number;
}

export type SupervisorEvent =
  | { kind: 'output'; chunk: OutputChunk }
  | { kind: 'status'; snapshot: ProcessSnapshot; timestamp: number }
  | {
      kind: 'error';
      name: string;
      code: 'SPAWN_FAILED' | 'PROCESS_EXITED' | 'NOT_READY' | BehaviourErrorCode;
      message: string;
      timestamp: number;
    }
  /**
   * A run ended (the child exited, or it could not be spawned), emitted before the `status` event that reports
   * it, so a behaviour can record a decision about it (a scheduled restart) that the status then carries.
   */
  | {
      kind: 'exit';
      name: string;
      run: number;
      exitCode: number | null;
      signal: string | null;
      /** Someone asked for it to end (a stop, a restart, a shutdown), so it is not a failure of its own. */
      requested: boolean;
      /** It ended because of a restart, so a new run follows at once; false for stops and for failures. */
      restarting: boolean;
      /**
       * When the child exited (or failed to spawn), by the engine's clock. The event itself waits until the
       * child's output has been read, which can take a moment longer for one process than for another, so two
       * exits close together may be reported in the other order; what needs the order of the exits themselves
       * (CI mode's "first" and "last") goes by this.
       */
      exitedAt: number;
      timestamp: number;
    }
  /**
   * A request finished (after the `status` that reports its outcome), together with every request merged into
   * it: their tickets, and the state it left. Only requests that carried a ticket produce one.
   */
  | { kind: 'settled'; snapshot: ProcessSnapshot; tickets: readonly CommandTicket[]; timestamp: number }
  | { kind: 'run'; start: RunStart }
  /**
   * Someone asked for a start, stop or restart (a command, restart-all, a behaviour), emitted when the request
   * is made, before it is carried out. A stop has the reason `manual`. A behaviour that scheduled something
   * for the process (an automatic restart) learns here that a person took over.
   */
  | {
      kind: 'request';
      name: string;
      action: 'start' | 'stop' | 'restart';
      reason: StartReason;
      timestamp: number;
    }
  /** Stopping a process also stopped these, found outside its tree by their marker or by its pipes. */
  | { kind: 'swept'; name: string; processes: readonly SweptProcess[]; timestamp: number }
  /**
   * The set or the order of the processes changed (a config reload added or removed some): the full list, in
   * config order. Emitted after the removed processes are gone and before the added ones start.
   */
  | { kind: 'processes'; snapshots: ProcessSnapshot[]; timestamp: number }
  /** An edit of the config file was not applied (see src/config/reload.ts); the previous config stays. */
  | { kind: 'config-rejected'; code: ConfigRejection; message: string; timestamp: number }
  /** An edit of the config file was applied (see src/config/reload.ts): what it did to the processes. */
  | {
      kind: 'config-applied';
      added: readonly string[];
      removed: readonly string[];
      changed: readonly string[];
      timestamp: number;
    }
  /** A behaviour found out something worth a line in the lifecycle log (see BehaviourHost.announce). */
  | { kind: 'notice'; name: string; notice: BehaviourNotice; message: string; timestamp: number };

/**
 * What behaviours announce besides errors: a liveness check began or stopped failing, a process tree passed
 * its memory limit. `message` says it for a person, with the figures (the failed check, the measured memory).
 */
export type BehaviourNotice = 'healthy' | 'unhealthy' | 'memory-limit';

/**
 * Why a config edit was not applied: the new config is invalid, or it changes a setting that only a restart
 * of lucidlines itself can apply (the processes of such an edit are still applied).
 */
export type ConfigRejection = 'CONFIG_INVALID' | 'CONFIG_NEEDS_RESTART';

/** The `error` codes behaviours report (see BehaviourHost.reportError). */
export type BehaviourErrorCode = 'RESTARTS_EXHAUSTED';

export type SupervisorListener = (event: SupervisorEvent) => void;

/**
 * The outcome of writing to a process's stdin. `stdin-disabled`: its config did not opt in; `not-running`: no
 * child is there to read it; `stdin-full`: the child has not read what was written before, which is held in
 * memory, so more is refused until it reads.
 */
export type StdinWrite =
  | { ok: true }
  | { ok: false; reason: 'stdin-disabled' | 'not-running' | 'stdin-full' };

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
  /** The starts of the runs whose output the scrollback still holds (and of later runs), oldest first. */
  runs(name: string): readonly RunStart[];
  /** Subscribes to every event; returns the unsubscribe function. Listeners are called synchronously. */
  subscribe(listener: SupervisorListener): () => void;
  /**
   * Resolve once the action is complete (the new process is spawned, or the old tree is gone). A ticket comes
   * back in the `settled` event of the request that carried the action out.
   */
  start(name: string, reason?: StartReason, ticket?: CommandTicket): Promise<void>;
  stop(name: string, ticket?: CommandTicket): Promise<void>;
  /** Stops the whole tree with SIGKILL at once, also cutting short a stop that is already waiting. */
  kill(name: string, ticket?: CommandTicket): Promise<void>;
  restart(name: string, reason?: StartReason, ticket?: CommandTicket): Promise<void>;
  /** Writes text to the stdin of the current run; refusals are values (see StdinWrite). */
  write(name: string, data: string): StdinWrite;
  restartAll(ticket?: CommandTicket): Promise<void>;
  stopAll(ticket?: CommandTicket): Promise<void>;
}

/**
 * What behaviours (src/behaviours/) may do beyond what every consumer may: read a process's spec, move a run
 * between `starting`, `running` and `error`, attach facts, hold starts back and order stops.
 */
export interface BehaviourHost extends ProcessControl {
  spec(name: string): ProcessSpec | undefined;
  /** See ManagedProcess.markReady; `run` is the snapshot's `run`, so a stale signal does nothing. */
  markReady(name: string, run: number): void;
  /** See ManagedProcess.failRun. */
  failRun(name: string, run: number, message: string): Promise<void>;
  annotate(name: string, facts: Partial<ProcessFacts>): void;
  /** Emits an `error` event about the process: a problem a behaviour found (it gave up restarting it). */
  reportError(name: string, code: BehaviourErrorCode, message: string): void;
  /** Emits a `notice` event about the process: something that is not an error but belongs in the lifecycle log. */
  announce(name: string, notice: BehaviourNotice, message: string): void;
  /** Installs the one start gate (see ManagedProcessDeps.startGate); null removes it. */
  setStartGate(gate: ((name: string) => Promise<void> | null) | null): void;
  /**
   * Groups of names stopped one group after another by stopAll, restartAll and shutdown (names in no group
   * stop with the first); null stops everything at once.
   */
  setStopOrder(groups: readonly (readonly string[])[] | null): void;
}
