import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import {
  missingWorkingDirectoryMessage,
  processCouldNotStartMessage,
  processExitedMessage,
  shellCouldNotRunMessage,
} from '../errors.js';
import { Utf8StreamDecoder } from '../output/decoder.js';
import { LineSplitter, type Timers } from '../output/line-splitter.js';
import { Scrollback } from '../output/scrollback.js';
import type { TotalScrollbackBound } from '../output/total-scrollback.js';
import type { OutputStream, ProcessStatus } from '../protocol.js';
import type {
  CommandTicket,
  OutputChunk,
  ProcessFacts,
  ProcessSnapshot,
  RunStart,
  StartReason,
  StdinWrite,
  SupervisorEvent,
} from './events.js';
import type { RunScope, TerminateTree, TreeTermination } from './kill-tree.js';
import type { SpawnedChild, SpawnFunction } from './spawn.js';
import type { EngineOptions, ProcessSpec } from './spec.js';

export interface ManagedProcessDeps {
  spawn: SpawnFunction;
  terminateTree: TerminateTree;
  now: () => number;
  timers: Timers;
  /** The next value of the output sequence number shared by all processes. */
  nextSeq: () => number;
  /** The LUCIDLINES_RUN value for the next spawn: unique per run across the whole instance. */
  nextMarker: () => string;
  emit: (event: SupervisorEvent) => void;
  /**
   * Consulted before every spawn: null to spawn now, or a promise that resolves when the process may spawn
   * (the dependencies behaviour waits for what the process depends on). The wait is abandoned when a stop
   * arrives, so a process that waits forever can still be stopped.
   */
  startGate: (name: string) => Promise<void> | null;
  /** The bound on the scrollback of all processes together, shared by every process of the instance. */
  totalScrollback: TotalScrollbackBound;
}

type Action = 'start' | 'stop' | 'restart';

interface Request {
  action: Action;
  /** Why a spawn of this request happens; the latest merged request decides. */
  reason: StartReason;
  /** Set once this request has spawned its child; later restarts then need a request of their own. */
  spawned: boolean;
  /** The tickets of every call this request carries out, merged ones included; reported when it settles. */
  readonly tickets: CommandTicket[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** One child process and the tree under it. */
interface Run {
  readonly pid: number | null;
  /** What besides the tree belongs to this run: its marker and output pipes. */
  readonly scope: RunScope;
  /** Our end of its stdin, closed when it is stopped or has exited. */
  readonly stdin: Writable | null;
  /** The 'spawn' event arrived. */
  spawned: boolean;
  exited: boolean;
  /** Its exit was asked for, so it ends as `stopped` whatever its exit code. */
  stopRequested: boolean;
  /** Set when a behaviour failed the run (readiness timed out): it ends as `error` with this message. */
  failure: string | null;
  /** Resolves once it exited or failed to spawn. */
  readonly exit: Promise<void>;
  markExited(): void;
  /** The termination of its tree, once one was started; resolves when the tree is gone. */
  treeGone: Promise<void> | null;
}

/**
 * Text written to a child's stdin that it has not read yet stays in our memory; past this much, more input is
 * refused, so a child that never reads its stdin cannot make lucidlines grow without bound.
 */
const MAX_UNREAD_STDIN_BYTES = 1024 * 1024;

/** One output pipe of a run, and the splitter that cuts what is read from it. */
interface RunOutput {
  stream: Readable;
  splitter: LineSplitter;
}

/** Shells exit with 127 when the command does not exist and 126 when it cannot be executed. */
const SHELL_COULD_NOT_RUN = new Set([126, 127]);

/**
 * How long an exit waits for the rest of the child's output. Output written before the exit is already in
 * the pipe and arrives within a few turns of the event loop; only a pipe held by another process takes longer.
 */
const EXIT_OUTPUT_GRACE_MS = 200;

/**
 * One configured process. Status: `starting` from the spawn call (or while its start gate holds it back),
 * `running` once the child emitted 'spawn' (the operating system created it; whether the program inside is
 * ready is unknowable in general) or, with `spec.awaitReady`, once a behaviour calls `markReady`; then
 * `stopped` (exit code 0, or stopped on request) or `error` (spawn failure, non-zero exit, death by a signal
 * nobody asked for, or a run a behaviour failed).
 *
 * Requests are carried out one at a time, so two children never exist at once: a restart first waits
 * until the whole old tree is gone, which is what keeps a fixed port free for the new child. A request
 * that arrives while another waits merges with it and the latest one decides the end state, so a burst of
 * restarts yields one restart and a stop after a restart wins.
 */
export class ManagedProcess {
  #spec: ProcessSpec;
  readonly #options: EngineOptions;
  readonly #deps: ManagedProcessDeps;
  readonly #scrollback: Scrollback;
  #status: ProcessStatus = 'stopped';
  #pid: number | null = null;
  #exitCode: number | null = null;
  #signal: string | null = null;
  #restarts = 0;
  #startedAt: number | null = null;
  #runCount = 0;
  #reason: StartReason | null = null;
  #facts: Readonly<ProcessFacts> = {};
  /** While an exit is being reported, annotations join the coming status event instead of sending their own. */
  #reportingExit = false;
  /** Aborts the wait at the start gate; set only while a start waits there. */
  #gateWait: AbortController | null = null;
  /** The latest child, kept after it exits until its tree has been cleaned up. */
  #run: Run | null = null;
  #executing: Request | null = null;
  #pending: Request | null = null;
  #termination: TreeTermination | null = null;
  /** Set by a forced stop: terminations skip the SIGTERM grace period until the next spawn. */
  #forced = false;
  /**
   * Output streams that have not reached end-of-file, of this and earlier runs: a process that was kept
   * (LUCIDLINES_KEEP=1) or is not ours to kill may hold one open for as long as it lives.
   */
  readonly #openOutput = new Set<Readable>();
  /** Whether reading the output pipes is paused, see holdOutput. */
  #outputHeld = false;
  /** The output of the running child, which a hold pauses; empty once it has exited. */
  #runOutput: readonly RunOutput[] = [];

  constructor(spec: ProcessSpec, options: EngineOptions, deps: ManagedProcessDeps) {
    this.#spec = spec;
    this.#options = options;
    this.#deps = deps;
    this.#scrollback = new Scrollback(options.scrollback, deps.totalScrollback);
  }

  get name(): string {
    return this.#spec.name;
  }

  snapshot(): ProcessSnapshot {
    return {
      name: this.#spec.name,
      command: this.#spec.command,
      status: this.#status,
      pid: this.#pid,
      exitCode: this.#exitCode,
      signal: this.#signal,
      restarts: this.#restarts,
      startedAt: this.#startedAt,
      run: this.#runCount,
      reason: this.#reason,
      facts: this.#facts,
      ...(this.#spec.stdin === true ? { stdin: true } : {}),
    };
  }

  get spec(): ProcessSpec {
    return this.#spec;
  }

  /**
   * A config reload changed what this process runs: the next spawn uses the new spec (the supervisor then
   * restarts it). The process object stays, so its scrollback and restart count survive the edit.
   */
  replaceSpec(spec: ProcessSpec): void {
    this.#spec = spec;
  }

  /**
   * Pauses or resumes reading the child's output, for a reader of it that has fallen behind (the terminal
   * printer holds the processes while its pipe is full). Once its pipe is full too, a held child waits in
   * its next write, as it would writing to a slow terminal of its own. Only the running child is held: what
   * an exited one left in its pipes is read at once, so that its exit can be reported after it.
   */
  holdOutput(held: boolean): void {
    if (held === this.#outputHeld) return;
    this.#outputHeld = held;
    for (const output of this.#runOutput) this.#holdRunOutput(output, held);
  }

  #holdRunOutput({ stream, splitter }: RunOutput, held: boolean): void {
    if (held) stream.pause();
    else stream.resume();
    splitter.hold(held);
  }

  /** Merges facts into the snapshot and reports the change with a status event. */
  annotate(facts: Partial<ProcessFacts>): void {
    this.#facts = { ...this.#facts, ...facts };
    if (!this.#reportingExit) this.#emitStatus();
  }

  /** With `spec.awaitReady`: the run is ready, so `starting` becomes `running`. Stale runs are ignored. */
  markReady(run: number): void {
    const current = this.#run;
    if (run !== this.#runCount || current === null || !current.spawned || current.exited) return;
    if (this.#status === 'starting') this.#setStatus('running');
  }

  /**
   * Ends the run as a failure with this message (readiness timed out): its tree is stopped and it goes to
   * `error`. Stale runs are ignored. Resolves once the tree is gone.
   */
  failRun(run: number, message: string): Promise<void> {
    const current = this.#run;
    if (run !== this.#runCount || current === null || current.exited) return Promise.resolve();
    current.failure = message;
    return this.#request('stop', 'manual');
  }

  /** Writes to the stdin of the current run, if the spec allows it and a child is there to read it. */
  write(data: string): StdinWrite {
    if (this.#spec.stdin !== true) return { ok: false, reason: 'stdin-disabled' };
    const run = this.#run;
    const stdin = run?.stdin;
    if (
      run === null ||
      !run.spawned ||
      run.exited ||
      stdin === null ||
      stdin === undefined ||
      stdin.destroyed
    ) {
      return { ok: false, reason: 'not-running' };
    }
    if (stdin.writableLength > MAX_UNREAD_STDIN_BYTES) return { ok: false, reason: 'stdin-full' };
    stdin.write(data);
    return { ok: true };
  }

  scrollback(): readonly OutputChunk[] {
    return this.#scrollback.chunks();
  }

  runs(): readonly RunStart[] {
    return this.#scrollback.runs();
  }

  /** Spawns the command unless it is already running; resolves once it is running or has failed. */
  start(reason: StartReason = 'start', ticket?: CommandTicket): Promise<void> {
    return this.#request('start', reason, ticket);
  }

  /**
   * Stops the whole tree: SIGTERM, then SIGKILL after `killTimeoutMs`; with `force`, SIGKILL at once, also
   * escalating a stop already under way. Resolves once every process of the tree is gone.
   */
  stop(options?: { force?: boolean; ticket?: CommandTicket | undefined }): Promise<void> {
    if (options?.force === true) {
      this.#forced = true;
      this.#termination?.escalate();
    }
    return this.#request('stop', 'manual', options?.ticket);
  }

  /**
   * Stops for good, as `stop` does, then closes our ends of the output pipes that are still open. Whatever
   * still holds one after the tree is gone is not ours to stop, and must not keep lucidlines from exiting.
   */
  async shutdown(options?: { force?: boolean }): Promise<void> {
    await this.stop(options);
    for (const stream of this.#openOutput) stream.destroy();
    this.#openOutput.clear();
  }

  /** Stops the tree if there is one, then spawns again; resolves once the new child is running or failed. */
  restart(reason: StartReason = 'manual', ticket?: CommandTicket): Promise<void> {
    return this.#request('restart', reason, ticket);
  }

  #request(action: Action, reason: StartReason, ticket?: CommandTicket): Promise<void> {
    this.#deps.emit({ kind: 'request', name: this.#spec.name, action, reason, timestamp: this.#deps.now() });
    const tickets = ticket === undefined ? [] : [ticket];
    const executing = this.#executing;
    if (
      this.#pending === null &&
      executing?.action === 'restart' &&
      !executing.spawned &&
      (action === 'restart' || action === 'start')
    ) {
      executing.tickets.push(...tickets);
      return executing.done;
    }
    if (action === 'stop') this.#gateWait?.abort();
    if (this.#pending !== null) {
      // A start adds nothing to a waiting restart; anything else replaces what was waiting.
      if (!(action === 'start' && this.#pending.action === 'restart')) {
        this.#pending.action = action;
        this.#pending.reason = reason;
      }
      this.#pending.tickets.push(...tickets);
      return this.#pending.done;
    }
    let resolve = (): void => {};
    let reject = (_error: unknown): void => {};
    const done = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    this.#pending = { action, reason, spawned: false, tickets, done, resolve, reject };
    if (executing === null) void this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    for (let request = this.#pending; request !== null; request = this.#pending) {
      this.#pending = null;
      this.#executing = request;
      try {
        await this.#perform(request);
        request.resolve();
      } catch (error) {
        request.reject(error);
      } finally {
        this.#executing = null;
        // Reported even after a failure, so that whoever waits on a ticket is never left waiting forever.
        if (request.tickets.length > 0) {
          this.#deps.emit({
            kind: 'settled',
            snapshot: this.snapshot(),
            tickets: request.tickets,
            timestamp: this.#deps.now(),
          });
        }
      }
    }
  }

  async #perform(request: Request): Promise<void> {
    if (request.action === 'start' && this.#run !== null && !this.#run.exited) return;
    const stopped = await this.#terminate();
    if (request.action === 'stop' || this.#pending?.action === 'stop') {
      // The end of `stopping` needs a status of its own only when no run follows; a new run's first status
      // carries it, so a restart never reports `stopped` twice (CI mode would take the second for an exit).
      if (stopped) this.#emitStatus();
      return;
    }
    if (!(await this.#passStartGate())) return;
    request.spawned = true;
    await this.#spawn(request.reason);
  }

  /** False when a stop arrived while the gate held the start back. */
  async #passStartGate(): Promise<boolean> {
    const gate = this.#deps.startGate(this.#spec.name);
    if (gate === null) return true;
    const wait = new AbortController();
    this.#gateWait = wait;
    this.#pid = null;
    this.#setStatus('starting');
    const aborted = new Promise<void>((resolve) => wait.signal.addEventListener('abort', () => resolve()));
    try {
      await Promise.race([gate, aborted]);
    } finally {
      this.#gateWait = null;
    }
    if (!wait.signal.aborted) return true;
    this.#setStatus('stopped');
    return false;
  }

  /**
   * Ends the current tree and waits until all of it is gone. True when it signalled a live child, whose
   * `stopping` fact it then cleared without reporting it.
   */
  async #terminate(): Promise<boolean> {
    const run = this.#run;
    if (run === null) return false;
    // `stopping` lasts until the whole tree is gone, not just the child: the shell a command runs in often
    // dies of the SIGTERM at once while the program it started ignores it, and that is when Kill is needed.
    const stopping = !run.exited && run.pid !== null;
    if (!run.exited) run.stopRequested = true;
    if (stopping) this.annotate({ stopping: true });
    try {
      await this.#terminateTree(run);
    } finally {
      if (stopping) {
        const { stopping: _ended, ...facts } = this.#facts;
        this.#facts = facts;
      }
    }
    await run.exit;
    this.#run = null;
    return stopping;
  }

  /** Starts the termination of the run's tree unless one is under way, and returns its completion. */
  #terminateTree(run: Run): Promise<void> {
    run.stdin?.destroy();
    if (run.pid === null) return Promise.resolve();
    if (run.treeGone !== null) return run.treeGone;
    const termination = this.#deps.terminateTree(run.pid, this.#options.killTimeoutMs, run.scope);
    this.#termination = termination;
    if (this.#forced) termination.escalate();
    const treeGone = termination.done.then(
      (report) => {
        if (this.#termination === termination) this.#termination = null;
        if (report.swept.length > 0) {
          this.#deps.emit({
            kind: 'swept',
            name: this.#spec.name,
            processes: report.swept,
            timestamp: this.#deps.now(),
          });
        }
      },
      (error: unknown) => {
        if (this.#termination === termination) this.#termination = null;
        throw error;
      },
    );
    run.treeGone = treeGone;
    return treeGone;
  }

  /** Resolves once the child is running or has failed. */
  #spawn(reason: StartReason): Promise<void> {
    if (this.#startedAt !== null) this.#restarts++;
    this.#runCount++;
    this.#reason = reason;
    this.#forced = false;
    this.#startedAt = this.#deps.now();
    this.#exitCode = null;
    this.#signal = null;
    if (this.#spec.startProblem !== undefined) {
      this.#pid = null;
      this.#beginRun(null, reason);
      this.#reportExit(null, null, false, this.#deps.now(), () =>
        this.#fail('SPAWN_FAILED', this.#spec.startProblem ?? ''),
      );
      return Promise.resolve();
    }
    let child: SpawnedChild;
    const marker = this.#deps.nextMarker();
    try {
      child = this.#deps.spawn(this.#spec, { marker });
    } catch (error) {
      this.#pid = null;
      this.#beginRun(null, reason);
      const message = processCouldNotStartMessage(this.#spec.name, String(error));
      this.#reportExit(null, null, false, this.#deps.now(), () => this.#fail('SPAWN_FAILED', message));
      return Promise.resolve();
    }
    let markExited = (): void => {};
    const exit = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const output = [child.stdout, child.stderr].filter((stream) => stream !== null);
    let openStreams = output.length;
    const run: Run = {
      pid: child.pid ?? null,
      scope: { marker, pipes: child.outputPipes, pipesOpen: () => openStreams > 0 },
      stdin: child.stdin,
      spawned: false,
      exited: false,
      stopRequested: false,
      failure: null,
      exit,
      markExited,
      treeGone: null,
    };
    this.#run = run;
    this.#pid = run.pid;
    this.#beginRun(run.pid, reason);
    this.#setStatus('starting');
    const started = new Promise<void>((resolve) => {
      child.on('spawn', () => {
        run.spawned = true;
        if (!run.exited && this.#spec.awaitReady !== true) this.#setStatus('running');
        resolve();
      });
      child.on('error', (error) => {
        // After a successful spawn an 'error' only reports a failed kill(), which this engine never uses.
        if (run.spawned || run.exited) return;
        this.#markExited(run);
        this.#pid = null;
        const message = this.#spawnErrorMessage(error);
        this.#reportExit(null, null, false, this.#deps.now(), () => this.#fail('SPAWN_FAILED', message));
        resolve();
      });
      child.on('exit', (code, signal) => {
        const exitedAt = this.#deps.now();
        const runOutput = this.#runOutput;
        this.#runOutput = [];
        if (this.#outputHeld) for (const held of runOutput) this.#holdRunOutput(held, false);
        // Node reports the exit as soon as the child is reaped, often before the last of its output has been
        // read from the pipes. Reported then, "crashed with exit code 1" would come before the error message
        // that explains the crash, in the terminal, the scrollback and every client. So the exit waits for the
        // output to end, but not for long: a background process the command left behind may hold the
        // pipes open for as long as it lives.
        let reported = false;
        const report = () => {
          if (reported) return;
          reported = true;
          outputEnded = null;
          if (grace !== null) this.#deps.timers.clearTimeout(grace);
          this.#onExit(run, code, signal, exitedAt);
          resolve();
        };
        const grace = openStreams > 0 ? this.#deps.timers.setTimeout(report, EXIT_OUTPUT_GRACE_MS) : null;
        outputEnded = report;
        if (openStreams === 0) report();
      });
    });
    // The splitters flush a last unterminated line on 'close', so they listen before the exit report does.
    this.#runOutput = [
      this.#attachOutput(child.stdout, 'stdout'),
      this.#attachOutput(child.stderr, 'stderr'),
    ].filter((attached) => attached !== null);
    let outputEnded: (() => void) | null = null;
    for (const stream of output) {
      this.#openOutput.add(stream);
      stream.once('close', () => {
        openStreams--;
        this.#openOutput.delete(stream);
        if (openStreams === 0) outputEnded?.();
      });
    }
    return started;
  }

  /** Records the start of the run in the scrollback, where a replay finds it, and reports it. */
  #beginRun(pid: number | null, reason: StartReason): void {
    const start: RunStart = {
      name: this.#spec.name,
      run: this.#runCount,
      pid,
      reason,
      timestamp: this.#startedAt ?? this.#deps.now(),
      seq: this.#deps.nextSeq(),
    };
    this.#scrollback.markRun(start);
    this.#deps.emit({ kind: 'run', start });
  }

  #spawnErrorMessage(error: Error): string {
    const { name, cwd } = this.#spec;
    // Node reports a missing working directory as ENOENT of the shell, which would point at the wrong culprit.
    const enoent = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (enoent && !existsSync(cwd)) return missingWorkingDirectoryMessage(name, cwd);
    // It may have existed a moment ago; the shell itself missing is the rarer cause.
    const hint = enoent ? ` (does the working directory ${cwd} exist?)` : '';
    return processCouldNotStartMessage(name, `${error.message}${hint}`);
  }

  #markExited(run: Run): void {
    run.exited = true;
    run.markExited();
  }

  #onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, exitedAt: number): void {
    if (run.exited) return;
    this.#markExited(run);
    this.#pid = null;
    this.#exitCode = code;
    this.#signal = signal;
    const name = this.#spec.name;
    if (!run.stopRequested) {
      // What the command left running (a server it started in the background) is cleaned up right away,
      // while its process group still identifies it: the longer it waited, the likelier that its ids
      // belong to unrelated processes by then. A failure surfaces where the cleanup is awaited: the next
      // start, restart or stop.
      this.#terminateTree(run).catch(() => {});
    }
    const { failure } = run;
    const requested = run.stopRequested && failure === null;
    this.#reportExit(code, signal, requested, exitedAt, () => {
      if (failure !== null) {
        this.#fail('NOT_READY', failure);
      } else if (requested || code === 0) {
        this.#setStatus('stopped');
      } else if (code !== null && SHELL_COULD_NOT_RUN.has(code)) {
        this.#fail('SPAWN_FAILED', shellCouldNotRunMessage(name, this.#spec.command, code));
      } else {
        this.#fail('PROCESS_EXITED', processExitedMessage(name, code, signal));
      }
    });
  }

  /**
   * Emits the `exit` event, then lets `settle` report the resulting status. The status is set first without
   * being sent, so listeners of the exit see the new state, and whatever they annotate (a scheduled restart)
   * rides on the status event instead of arriving before it with the old status.
   */
  #reportExit(
    exitCode: number | null,
    signal: string | null,
    requested: boolean,
    exitedAt: number,
    settle: () => void,
  ): void {
    // A restart ends the run while it executes; a stop that arrived meanwhile means no new run follows.
    const restarting = requested && this.#executing?.action === 'restart' && this.#pending?.action !== 'stop';
    this.#reportingExit = true;
    try {
      this.#deps.emit({
        kind: 'exit',
        name: this.#spec.name,
        run: this.#runCount,
        exitCode,
        signal,
        requested,
        restarting,
        exitedAt,
        timestamp: this.#deps.now(),
      });
    } finally {
      this.#reportingExit = false;
    }
    settle();
  }

  #fail(code: 'SPAWN_FAILED' | 'PROCESS_EXITED' | 'NOT_READY', message: string): void {
    this.#setStatus('error');
    this.#deps.emit({ kind: 'error', name: this.#spec.name, code, message, timestamp: this.#deps.now() });
  }

  #setStatus(status: ProcessStatus): void {
    this.#status = status;
    this.#emitStatus();
  }

  #emitStatus(): void {
    this.#deps.emit({ kind: 'status', snapshot: this.snapshot(), timestamp: this.#deps.now() });
  }

  #attachOutput(stream: Readable | null, name: OutputStream): RunOutput | null {
    if (stream === null) return null;
    const decoder = new Utf8StreamDecoder();
    const splitter = new LineSplitter({
      maxLineBytes: this.#options.maxLineBytes,
      partialLineFlushMs: this.#options.partialLineFlushMs,
      timers: this.#deps.timers,
      onText: (text) => this.#emitOutput(name, text),
    });
    stream.on('data', (bytes: Buffer) => splitter.push(decoder.write(bytes)));
    // 'close' also follows a stream error, when 'end' never comes; a pipe error needs a listener so it
    // does not crash the engine, and there is nothing better to do with it than to end the output.
    stream.on('error', () => {});
    stream.once('close', () => {
      splitter.push(decoder.end());
      splitter.end();
    });
    const output = { stream, splitter };
    if (this.#outputHeld) this.#holdRunOutput(output, true);
    return output;
  }

  #emitOutput(stream: OutputStream, text: string): void {
    const chunk: OutputChunk = {
      name: this.#spec.name,
      stream,
      text,
      timestamp: this.#deps.now(),
      seq: this.#deps.nextSeq(),
    };
    this.#scrollback.append(chunk);
    this.#deps.emit({ kind: 'output', chunk });
  }
}
