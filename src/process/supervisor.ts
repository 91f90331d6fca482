import type { Timers } from '../output/line-splitter.js';
import { TotalScrollbackBound } from '../output/total-scrollback.js';
import type {
  BehaviourErrorCode,
  BehaviourHost,
  BehaviourNotice,
  CommandTicket,
  ConfigRejection,
  OutputChunk,
  ProcessFacts,
  ProcessSnapshot,
  RunStart,
  StartReason,
  StdinWrite,
  SupervisorEvent,
  SupervisorListener,
} from './events.js';
import { reserveFifoPipes } from './fifo-pipes.js';
import { type TerminateTree, terminateProcessTree } from './kill-tree.js';
import { ManagedProcess } from './managed-process.js';
import { newInstanceId, runMarker } from './marker.js';
import type { RuntimeAdd } from './runtime-processes.js';
import { type SpawnFunction, spawnShellCommand } from './spawn.js';
import type { EngineOptions, ProcessSpec } from './spec.js';
import { hasSpecChanges, type SpecChanges, specChanges } from './spec-changes.js';

export interface SupervisorDeps {
  spawn: SpawnFunction;
  terminateTree: TerminateTree;
  now: () => number;
  timers: Timers;
  /** Told about an exception thrown by a listener; the engine itself carries on regardless. */
  onListenerError: (error: unknown) => void;
  /** The first part of every run marker this instance hands out (see marker.ts); random by default. */
  instanceId: string;
}

const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A listener that throws usually throws on every event, thousands a second; one warning finds the bug. */
function warnOnce(): (error: unknown) => void {
  let warned = false;
  return (error) => {
    if (warned) return;
    warned = true;
    process.emitWarning(
      `A lucidlines event listener threw (further errors are not reported): ${String(error)}`,
    );
  };
}

/**
 * Runs every configured process. Each process is independent: one that crashes or fails to start only
 * changes its own status. Requests for unknown names do nothing, because consumers check `has()` first
 * and a stale name from a slow client is not worth an exception.
 */
export class Supervisor implements BehaviourHost {
  readonly #processes = new Map<string, ManagedProcess>();
  readonly #listeners = new Set<SupervisorListener>();
  readonly #onListenerError: (error: unknown) => void;
  readonly #spawn: SpawnFunction;
  /** Makes the ManagedProcess of one spec, at construction and for processes a config reload adds. */
  readonly #create: (spec: ProcessSpec) => ManagedProcess;
  readonly #now: () => number;
  /** Every process this supervisor starts carries a run marker beginning with it (see marker.ts). */
  readonly instanceId: string;
  #seq = 0;
  #runNumber = 0;
  #shuttingDown = false;
  #startGate: ((name: string) => Promise<void> | null) | null = null;
  #stopOrder: readonly (readonly string[])[] | null = null;
  /** Which processes' output is held (see holdOutput); null while none is. */
  #outputHold: ((name: string) => boolean) | null = null;
  /** The processes `add` added, in the order added: a config reload (apply) leaves them alone. */
  readonly #addedAtRunTime = new Set<string>();
  /** Removals under way, so that a second `remove` of the same process waits for the first. */
  readonly #removals = new Map<string, Promise<void>>();

  constructor(specs: ProcessSpec[], options: EngineOptions, deps: Partial<SupervisorDeps> = {}) {
    const { spawn, terminateTree, now, timers, onListenerError, instanceId } = {
      spawn: spawnShellCommand,
      terminateTree: terminateProcessTree,
      now: Date.now,
      timers: systemTimers,
      onListenerError: warnOnce(),
      instanceId: newInstanceId(),
      ...deps,
    };
    this.#onListenerError = onListenerError;
    this.#spawn = spawn;
    this.#now = now;
    this.instanceId = instanceId;
    const totalScrollback = new TotalScrollbackBound(options.maxTotalScrollbackBytes);
    this.#create = (spec) => {
      const managed = new ManagedProcess(spec, options, {
        spawn,
        terminateTree,
        now,
        timers,
        nextSeq: () => ++this.#seq,
        nextMarker: () => runMarker(instanceId, ++this.#runNumber),
        emit: (event) => this.#emit(event),
        startGate: (name) => this.#startGate?.(name) ?? null,
        totalScrollback,
      });
      managed.holdOutput(this.#outputHold?.(spec.name) ?? false);
      return managed;
    };
    for (const spec of specs) this.#processes.set(spec.name, this.#create(spec));
  }

  list(): ProcessSnapshot[] {
    return [...this.#processes.values()].map((managed) => managed.snapshot());
  }

  has(name: string): boolean {
    return this.#processes.has(name);
  }

  scrollback(name: string): readonly OutputChunk[] {
    return this.#processes.get(name)?.scrollback() ?? [];
  }

  runs(name: string): readonly RunStart[] {
    return this.#processes.get(name)?.runs() ?? [];
  }

  subscribe(listener: SupervisorListener): () => void {
    // Wrapped so that subscribing the same function twice yields two independent subscriptions.
    const entry: SupervisorListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  startAll(): Promise<void> {
    if (this.#shuttingDown) return Promise.resolve();
    this.#reservePipes();
    return this.#each((managed) => managed.start());
  }

  start(name: string, reason?: StartReason, ticket?: CommandTicket): Promise<void> {
    if (this.#shuttingDown) return Promise.resolve();
    return this.#processes.get(name)?.start(reason, ticket) ?? Promise.resolve();
  }

  stop(name: string, ticket?: CommandTicket): Promise<void> {
    return this.#processes.get(name)?.stop({ ticket }) ?? Promise.resolve();
  }

  kill(name: string, ticket?: CommandTicket): Promise<void> {
    return this.#processes.get(name)?.stop({ force: true, ticket }) ?? Promise.resolve();
  }

  restart(name: string, reason?: StartReason, ticket?: CommandTicket): Promise<void> {
    if (this.#shuttingDown) return Promise.resolve();
    return this.#processes.get(name)?.restart(reason, ticket) ?? Promise.resolve();
  }

  write(name: string, data: string): StdinWrite {
    return this.#processes.get(name)?.write(data) ?? { ok: false, reason: 'not-running' };
  }

  /**
   * With a stop order, everything is stopped in that order first, and then started again. The ticket rides on
   * the restarts only, so that it settles once per process, with the state the restart left.
   */
  async restartAll(ticket?: CommandTicket): Promise<void> {
    if (this.#shuttingDown) return;
    this.#reservePipes();
    if (this.#stopOrder === null) {
      await this.#each((managed) => managed.restart('manual', ticket));
      return;
    }
    await this.#inStopOrder((managed) => managed.stop());
    if (this.#shuttingDown) return;
    await this.#each((managed) => managed.restart('manual', ticket));
  }

  stopAll(ticket?: CommandTicket): Promise<void> {
    return this.#inStopOrder((managed) => managed.stop({ ticket }));
  }

  spec(name: string): ProcessSpec | undefined {
    return this.#processes.get(name)?.spec;
  }

  markReady(name: string, run: number): void {
    this.#processes.get(name)?.markReady(run);
  }

  failRun(name: string, run: number, message: string): Promise<void> {
    return this.#processes.get(name)?.failRun(run, message) ?? Promise.resolve();
  }

  annotate(name: string, facts: Partial<ProcessFacts>): void {
    this.#processes.get(name)?.annotate(facts);
  }

  reportError(name: string, code: BehaviourErrorCode, message: string): void {
    if (!this.#processes.has(name)) return;
    this.#emit({ kind: 'error', name, code, message, timestamp: this.#now() });
  }

  announce(name: string, notice: BehaviourNotice, message: string): void {
    if (!this.#processes.has(name)) return;
    this.#emit({ kind: 'notice', name, notice, message, timestamp: this.#now() });
  }

  /**
   * Pauses reading the output of the processes `which` selects, including ones added later, or with null
   * resumes every process. The terminal printer holds the processes it shows while its reader falls behind.
   */
  holdOutput(which: ((name: string) => boolean) | null): void {
    this.#outputHold = which;
    for (const [name, managed] of this.#processes) managed.holdOutput(which?.(name) ?? false);
  }

  setStartGate(gate: ((name: string) => Promise<void> | null) | null): void {
    this.#startGate = gate;
  }

  setStopOrder(groups: readonly (readonly string[])[] | null): void {
    this.#stopOrder = groups;
  }

  /**
   * Makes the processes those of `specs` (a config reload): removed ones are stopped and dropped, added ones
   * created and started, changed ones take their new spec and are restarted (reason `config-change`) unless
   * they are stopped, and unchanged ones are left alone, same run and same pid. When anything changed (the
   * order included), a `processes` event announces the new list once the removed processes are gone and
   * before the added and changed ones start, so behaviours see the new specs before those runs begin. Resolves once all of it is done. The caller must not overlap two calls.
   * Processes added at run time (`add`) are left alone, unless `specs` names one: then the config's entry
   * takes it over (a changed spec restarts it) and it becomes a config process.
   */
  async apply(specs: readonly ProcessSpec[]): Promise<SpecChanges> {
    // A name the config now lists is the config's, even if `add` added it: the config's entry takes it over.
    for (const spec of specs) this.#addedAtRunTime.delete(spec.name);
    const changes = specChanges(
      [...this.#processes.values()]
        .filter((managed) => !this.#addedAtRunTime.has(managed.spec.name))
        .map((managed) => managed.spec),
      specs,
    );
    if (this.#shuttingDown) return changes;
    await Promise.all(changes.removed.map((name) => this.#processes.get(name)?.shutdown()));
    const orderBefore = [...this.#processes.keys()].join('\0');
    const next = new Map<string, ManagedProcess>();
    for (const spec of specs) next.set(spec.name, this.#processes.get(spec.name) ?? this.#create(spec));
    // Processes added at run time are not the config's to change: they keep running, after its processes.
    for (const name of this.#addedAtRunTime) {
      const managed = this.#processes.get(name);
      if (managed !== undefined) next.set(name, managed);
    }
    for (const spec of changes.changed) next.get(spec.name)?.replaceSpec(spec);
    this.#processes.clear();
    for (const [name, managed] of next) this.#processes.set(name, managed);
    if (hasSpecChanges(changes) || [...next.keys()].join('\0') !== orderBefore) {
      this.#emit({ kind: 'processes', snapshots: this.list(), timestamp: this.#now() });
    }
    if (this.#shuttingDown) return changes;
    this.#reservePipes();
    await Promise.all([
      ...changes.added.map((spec) => this.start(spec.name)),
      ...changes.changed.map((spec) =>
        next.get(spec.name)?.snapshot().status === 'stopped'
          ? Promise.resolve()
          : this.restart(spec.name, 'config-change'),
      ),
    ]);
    return changes;
  }

  /**
   * Adds a process at run time (the `add` command) after the others, announces the new list with a
   * `processes` event and starts it, as a config reload does for a process it adds. The name is checked and
   * taken synchronously, so two adds of one name cannot both pass. Resolves once the start is done.
   */
  async add(spec: ProcessSpec, ticket?: CommandTicket): Promise<RuntimeAdd> {
    if (this.#shuttingDown) return { ok: false, reason: 'shutting-down' };
    if (this.#processes.has(spec.name)) return { ok: false, reason: 'name-taken' };
    this.#processes.set(spec.name, this.#create(spec));
    this.#addedAtRunTime.add(spec.name);
    this.#emit({ kind: 'processes', snapshots: this.list(), timestamp: this.#now() });
    this.#reservePipes();
    await this.start(spec.name, 'start', ticket);
    return { ok: true };
  }

  /**
   * Removes a process at run time (the `remove` command), one from the config as well as one `add` added:
   * stops its whole tree (the ticket settles with that stop), then drops it and announces the new list. The
   * name stays taken until the tree is gone. A removed config process comes back when the config file is next
   * applied, since a reload applies the file as written.
   */
  remove(name: string, ticket?: CommandTicket): Promise<void> {
    const managed = this.#processes.get(name);
    if (managed === undefined || this.#shuttingDown) return Promise.resolve();
    const stop = managed.stop({ ticket });
    const under = this.#removals.get(name);
    if (under !== undefined) return Promise.all([stop, under]).then(() => {});
    const removal = Promise.all([stop, managed.shutdown()]).then(() => {
      this.#removals.delete(name);
      // A reload may have replaced the process meanwhile (the config took the name over); that one stays.
      if (this.#processes.get(name) !== managed) return;
      this.#processes.delete(name);
      this.#addedAtRunTime.delete(name);
      this.#emit({ kind: 'processes', snapshots: this.list(), timestamp: this.#now() });
    });
    this.#removals.set(name, removal);
    return removal;
  }

  /** Tells every consumer (the hub, for its clients) that an edit of the config file was not applied. */
  reportConfigRejection(code: ConfigRejection, message: string): void {
    this.#emit({ kind: 'config-rejected', code, message, timestamp: this.#now() });
  }

  /** Tells every consumer (the lifecycle log) that an edit of the config file was applied, and what it did. */
  reportConfigApplied(changes: {
    added: readonly string[];
    removed: readonly string[];
    changed: readonly string[];
  }): void {
    this.#emit({ kind: 'config-applied', ...changes, timestamp: this.#now() });
  }

  /**
   * Stops every process tree in parallel and refuses to start anything afterwards. With `force`, trees are
   * SIGKILLed at once; a forced call during a graceful shutdown escalates it (the second Ctrl-C).
   */
  async shutdown(options?: { force?: boolean }): Promise<void> {
    this.#shuttingDown = true;
    const force = options?.force === true;
    // A forced shutdown must not wait for one group to finish before killing the next.
    if (force) await this.#each((managed) => managed.shutdown({ force }));
    else await this.#inStopOrder((managed) => managed.shutdown({ force }));
  }

  /** Only the real spawn uses FIFOs; an injected one (unit tests) must not make them. */
  #reservePipes(): void {
    if (this.#spawn === spawnShellCommand) reserveFifoPipes(this.#processes.size);
  }

  async #each(action: (managed: ManagedProcess) => Promise<void>): Promise<void> {
    await Promise.all([...this.#processes.values()].map(action));
  }

  async #inStopOrder(action: (managed: ManagedProcess) => Promise<void>): Promise<void> {
    if (this.#stopOrder === null) {
      await this.#each(action);
      return;
    }
    const remaining = new Map(this.#processes);
    const groups = this.#stopOrder.map((names) =>
      names.flatMap((name) => {
        const managed = remaining.get(name);
        remaining.delete(name);
        return managed === undefined ? [] : [managed];
      }),
    );
    groups[0] = [...(groups[0] ?? []), ...remaining.values()];
    for (const group of groups) await Promise.all(group.map(action));
  }

  #emit(event: SupervisorEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
