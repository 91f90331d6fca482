import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Timers } from '../../src/output/line-splitter.js';
import { TotalScrollbackBound } from '../../src/output/total-scrollback.js';
import type { SupervisorEvent } from '../../src/process/events.js';
import type { TerminateTree, TerminationReport } from '../../src/process/kill-tree.js';
import { ManagedProcess } from '../../src/process/managed-process.js';
import type { SpawnFunction } from '../../src/process/spawn.js';
import { DEFAULT_ENGINE_OPTIONS, type ProcessSpec } from '../../src/process/spec.js';

class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin = null;
  readonly outputPipes = [];
  alive = true;

  constructor(readonly pid: number | undefined) {
    super();
  }

  /**
   * Exits as Node reports it: the exit first, end-of-file on the pipes after. Resolves once the engine has
   * seen both pipes close, which is when it reports the exit.
   */
  async exit(code: number | null, signal: NodeJS.Signals | null = null): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.emit('exit', code, signal);
    const closed = Promise.all([once(this.stdout, 'close'), once(this.stderr, 'close')]);
    this.stdout.end();
    this.stderr.end();
    await closed;
  }
}

const spec: ProcessSpec = { name: 'api', command: 'node server.js', cwd: '/', env: {} };

const noTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

/**
 * A fake operating system: children start when told to (or at once), and a tree termination makes the
 * child exit on the next turn, unless it is stubborn, in which case only an escalation kills it.
 */
function setup(
  options: {
    autoSpawn?: boolean;
    stubborn?: boolean;
    spec?: Partial<ProcessSpec>;
    startGate?: (name: string) => Promise<void> | null;
    onEvent?: (event: SupervisorEvent) => void;
    timers?: Timers;
    now?: () => number;
  } = {},
) {
  const children: FakeChild[] = [];
  const events: SupervisorEvent[] = [];
  const graceTimes: number[] = [];
  let escalations = 0;
  let mostAliveAtOnce = 0;
  const spawn: SpawnFunction = () => {
    const child = new FakeChild(1000 + children.length);
    children.push(child);
    mostAliveAtOnce = Math.max(mostAliveAtOnce, children.filter((c) => c.alive).length);
    if (options.autoSpawn !== false) setImmediate(() => child.emit('spawn'));
    return child;
  };
  const terminateTree: TerminateTree = (rootPid, graceMs) => {
    graceTimes.push(graceMs);
    const child = children.find((c) => c.pid === rootPid);
    let escalate = (): void => {};
    const done = new Promise<TerminationReport>((resolve) => {
      const kill = (signal: NodeJS.Signals) => {
        child?.exit(null, signal).then(() => resolve({ swept: [] }));
      };
      escalate = () => {
        escalations++;
        setImmediate(() => kill('SIGKILL'));
      };
      if (!options.stubborn) setImmediate(() => kill('SIGTERM'));
    });
    return { done, escalate: () => escalate() };
  };
  let seq = 0;
  const process = new ManagedProcess({ ...spec, ...options.spec }, DEFAULT_ENGINE_OPTIONS, {
    spawn,
    terminateTree,
    now: options.now ?? (() => 42),
    timers: options.timers ?? noTimers,
    nextSeq: () => ++seq,
    nextMarker: () => `test.${seq}`,
    emit: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
    startGate: options.startGate ?? (() => null),
    totalScrollback: new TotalScrollbackBound(DEFAULT_ENGINE_OPTIONS.maxTotalScrollbackBytes),
  });
  return {
    process,
    children,
    events,
    graceTimes,
    escalations: () => escalations,
    mostAliveAtOnce: () => mostAliveAtOnce,
    statuses: () => events.flatMap((e) => (e.kind === 'status' ? [e.snapshot.status] : [])),
    errors: () => events.flatMap((e) => (e.kind === 'error' ? [e] : [])),
  };
}

describe('ManagedProcess', () => {
  it('goes from starting to running on the spawn event and resolves start() then', async () => {
    const fake = setup({ autoSpawn: false });
    let started = false;
    const starting = fake.process.start().then(() => {
      started = true;
    });
    await tick();
    assert.equal(fake.process.snapshot().status, 'starting');
    assert.equal(fake.process.snapshot().pid, 1000);
    assert.equal(started, false);
    fake.children[0]?.emit('spawn');
    await starting;
    assert.deepEqual(fake.statuses(), ['starting', 'running']);
    assert.equal(fake.process.snapshot().startedAt, 42);
  });

  it('ends as stopped on exit code 0 and as error with PROCESS_EXITED on another code', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.children[0]?.exit(0);
    assert.equal(fake.process.snapshot().status, 'stopped');
    await fake.process.start();
    await fake.children[1]?.exit(3);
    const snapshot = fake.process.snapshot();
    assert.equal(snapshot.status, 'error');
    assert.equal(snapshot.exitCode, 3);
    assert.equal(snapshot.pid, null);
    assert.equal(fake.errors().length, 1);
    assert.equal(fake.errors()[0]?.code, 'PROCESS_EXITED');
    assert.match(fake.errors()[0]?.message ?? '', /"api".*code 3/);
  });

  it('reports an exit after the output that was still in the pipes, so the crash follows its error message', async () => {
    const fake = setup();
    await fake.process.start();
    const child = fake.children[0];
    assert.ok(child !== undefined);
    // Node reports the exit first; the last words come out of the pipe afterwards, without a newline.
    child.emit('exit', 1, null);
    await tick();
    assert.equal(fake.process.snapshot().status, 'running', 'the exit waits for the output to end');
    child.stderr.end('Error: listen EADDRINUSE');
    child.stdout.end();
    await Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]);
    const kinds = fake.events.flatMap((e) =>
      e.kind === 'output'
        ? [`output:${e.chunk.text}`]
        : e.kind === 'exit' || e.kind === 'error'
          ? [e.kind]
          : [],
    );
    assert.deepEqual(kinds, ['output:Error: listen EADDRINUSE', 'exit', 'error']);
    assert.equal(fake.process.snapshot().status, 'error');
  });

  it('tells in the exit event when the child exited, which comes before the event when output was still to be read', async () => {
    let clock = 100;
    const fake = setup({ now: () => clock });
    await fake.process.start();
    const child = fake.children[0];
    assert.ok(child !== undefined);
    child.emit('exit', 0, null);
    clock = 250;
    child.stdout.end('last words\n');
    child.stderr.end();
    await Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]);
    const exit = fake.events.find((e) => e.kind === 'exit');
    assert.equal(exit?.kind === 'exit' && exit.exitedAt, 100);
    assert.equal(exit?.timestamp, 250);
  });

  it('reports an exit after a short grace when another process keeps the pipes open', async () => {
    const due: Array<() => void> = [];
    const timers: Timers = {
      setTimeout: (callback) => due.push(callback),
      clearTimeout: () => {},
    };
    const fake = setup({ timers });
    await fake.process.start();
    // A background server the command started still holds the pipes, so they never reach end-of-file.
    fake.children[0]?.emit('exit', 0, null);
    assert.equal(fake.process.snapshot().status, 'running');
    assert.equal(due.length, 1, 'one grace timer is set');
    due[0]?.();
    assert.equal(fake.process.snapshot().status, 'stopped');
    assert.equal(fake.events.filter((e) => e.kind === 'exit').length, 1);
  });

  it('holds its output: reading pauses, also for a run that starts while held, and resumes on release', async () => {
    const fake = setup();
    await fake.process.start();
    const first = fake.children[0];
    assert.ok(first !== undefined);
    fake.process.holdOutput(true);
    assert.equal(first.stdout.isPaused(), true);
    assert.equal(first.stderr.isPaused(), true);
    await fake.process.restart();
    const second = fake.children[1];
    assert.ok(second !== undefined);
    assert.equal(second.stdout.isPaused(), true, 'a run that starts while held starts held');
    second.stdout.write('held back\n');
    await tick();
    assert.equal(
      fake.events.some((e) => e.kind === 'output'),
      false,
      'nothing is read while held',
    );
    fake.process.holdOutput(false);
    assert.equal(second.stdout.isPaused(), false);
    await tick();
    const outputs = fake.events.flatMap((e) => (e.kind === 'output' ? [e.chunk.text] : []));
    assert.deepEqual(outputs, ['held back\n']);
  });

  it('reports death by a signal nobody asked for as an error', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.children[0]?.exit(null, 'SIGSEGV');
    assert.equal(fake.process.snapshot().status, 'error');
    assert.equal(fake.process.snapshot().signal, 'SIGSEGV');
    assert.match(fake.errors()[0]?.message ?? '', /SIGSEGV/);
  });

  it('reports shell exit 127 (command not found) as SPAWN_FAILED', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.children[0]?.exit(127);
    assert.equal(fake.process.snapshot().status, 'error');
    assert.equal(fake.errors()[0]?.code, 'SPAWN_FAILED');
  });

  it('reports an error event before spawn as SPAWN_FAILED naming the process and the cwd', async () => {
    const fake = setup({ autoSpawn: false });
    const starting = fake.process.start();
    await tick();
    const error = Object.assign(new Error('spawn /bin/sh ENOENT'), { code: 'ENOENT' });
    fake.children[0]?.emit('error', error);
    await starting;
    assert.equal(fake.process.snapshot().status, 'error');
    assert.equal(fake.process.snapshot().pid, null);
    assert.equal(fake.errors()[0]?.code, 'SPAWN_FAILED');
    assert.match(fake.errors()[0]?.message ?? '', /"api".*working directory \//);
  });

  it('ends as stopped when stopped on request, even though a signal ended it', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.process.stop();
    const snapshot = fake.process.snapshot();
    assert.equal(snapshot.status, 'stopped');
    assert.equal(snapshot.signal, 'SIGTERM');
    assert.deepEqual(fake.graceTimes, [DEFAULT_ENGINE_OPTIONS.killTimeoutMs]);
    assert.equal(fake.errors().length, 0);
  });

  it('coalesces overlapping restart requests into one restart', async () => {
    const fake = setup();
    await fake.process.start();
    await Promise.all([fake.process.restart(), fake.process.restart(), fake.process.restart()]);
    assert.equal(fake.children.length, 2);
    assert.equal(fake.process.snapshot().restarts, 1);
    assert.equal(fake.process.snapshot().status, 'running');
    assert.equal(fake.mostAliveAtOnce(), 1);
  });

  it('restarts a process that is still starting, without two children at once', async () => {
    const fake = setup({ autoSpawn: false });
    void fake.process.start();
    await tick();
    assert.equal(fake.process.snapshot().status, 'starting');
    const restarting = fake.process.restart();
    fake.children[0]?.emit('spawn');
    await tick();
    await tick();
    assert.equal(fake.children[0]?.alive, false);
    fake.children[1]?.emit('spawn');
    await restarting;
    assert.equal(fake.children.length, 2);
    assert.equal(fake.process.snapshot().status, 'running');
    assert.equal(fake.process.snapshot().pid, 1001);
    assert.equal(fake.mostAliveAtOnce(), 1);
  });

  it('lets a stop that arrives during a restart win', async () => {
    const fake = setup();
    await fake.process.start();
    const restarting = fake.process.restart();
    const stopping = fake.process.stop();
    await Promise.all([restarting, stopping]);
    assert.equal(fake.children.length, 1);
    assert.equal(fake.process.snapshot().status, 'stopped');
  });

  it('terminates what a command left behind as soon as it exits by itself', async () => {
    const fake = setup();
    await fake.process.start();
    assert.deepEqual(fake.graceTimes, []);
    await fake.children[0]?.exit(1);
    assert.deepEqual(fake.graceTimes, [DEFAULT_ENGINE_OPTIONS.killTimeoutMs]);
    await fake.process.restart();
    assert.equal(fake.graceTimes.length, 1, 'the restart reuses the cleanup under way');
    assert.equal(fake.process.snapshot().status, 'running');
  });

  it('does nothing on start() while running', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.process.start();
    assert.equal(fake.children.length, 1);
  });

  it('escalates a graceful stop in progress when a forced stop arrives', async () => {
    const fake = setup({ stubborn: true });
    await fake.process.start();
    const graceful = fake.process.stop();
    await tick();
    assert.equal(fake.children[0]?.alive, true);
    await Promise.all([graceful, fake.process.stop({ force: true })]);
    assert.equal(fake.escalations(), 1);
    assert.equal(fake.children[0]?.alive, false);
    assert.equal(fake.process.snapshot().status, 'stopped');
  });

  it('emits output as lines with increasing sequence numbers and keeps it as scrollback', async () => {
    const fake = setup();
    await fake.process.start();
    const child = fake.children[0];
    child?.stdout.write('hello\nwor');
    child?.stderr.write('oops\n');
    child?.stdout.write('ld\n');
    await tick();
    const chunks = fake.events.flatMap((e) => (e.kind === 'output' ? [e.chunk] : []));
    assert.deepEqual(
      chunks.map((c) => [c.stream, c.text]),
      [
        ['stdout', 'hello\n'],
        ['stderr', 'oops\n'],
        ['stdout', 'world\n'],
      ],
    );
    // The run's start takes the first number, so a replay puts its separator before the run's output.
    assert.deepEqual(
      fake.process.runs().map((start) => start.seq),
      [1],
    );
    assert.deepEqual(
      chunks.map((c) => c.seq),
      [2, 3, 4],
    );
    assert.deepEqual(fake.process.scrollback(), chunks);
  });

  it('reports each exit before the status that settles it, saying whether it was asked for and a run follows', async () => {
    const fake = setup();
    await fake.process.start();
    await fake.children[0]?.exit(3);
    await fake.process.restart();
    await fake.process.restart();
    await fake.process.stop();
    const kinds = fake.events
      .filter((e) => e.kind === 'exit' || e.kind === 'status')
      .map((e) =>
        e.kind === 'exit'
          ? `exit:${e.run}:${e.exitCode}:${e.requested}:${e.restarting}`
          : `${e.snapshot.status}${e.snapshot.facts.stopping === true ? ' (stopping)' : ''}`,
      );
    assert.deepEqual(kinds, [
      'starting',
      'running',
      'exit:1:3:false:false',
      'error',
      'starting',
      'running',
      'running (stopping)',
      'exit:2:null:true:true',
      'stopped (stopping)',
      'starting',
      'running',
      'running (stopping)',
      'exit:3:null:true:false',
      'stopped (stopping)',
      'stopped',
    ]);
  });

  it('records why each run started', async () => {
    const fake = setup();
    await fake.process.start();
    assert.equal(fake.process.snapshot().reason, 'start');
    await fake.process.restart('watch');
    assert.deepEqual([fake.process.snapshot().run, fake.process.snapshot().reason], [2, 'watch']);
    await fake.process.restart();
    assert.deepEqual([fake.process.snapshot().run, fake.process.snapshot().reason], [3, 'manual']);
  });

  it('with awaitReady stays starting after the spawn until the current run is marked ready', async () => {
    const fake = setup({ spec: { awaitReady: true } });
    await fake.process.start();
    assert.equal(fake.process.snapshot().status, 'starting');
    fake.process.markReady(0);
    assert.equal(fake.process.snapshot().status, 'starting', 'a signal about another run is ignored');
    fake.process.markReady(1);
    assert.deepEqual(fake.statuses(), ['starting', 'running']);
  });

  it('fails a run on request: the tree is stopped and the process ends in error with NOT_READY', async () => {
    const fake = setup({ spec: { awaitReady: true } });
    await fake.process.start();
    await fake.process.failRun(1, 'not ready after 5000 ms');
    assert.equal(fake.children[0]?.alive, false);
    assert.equal(fake.process.snapshot().status, 'error');
    assert.deepEqual(
      fake.errors().map((e) => [e.code, e.message]),
      [['NOT_READY', 'not ready after 5000 ms']],
    );
    const exit = fake.events.find((e) => e.kind === 'exit');
    assert.equal(
      exit?.kind === 'exit' && exit.requested,
      false,
      'a failed run is not an exit anyone asked for',
    );
  });

  it('holds a start at the gate as starting without a pid, and a stop abandons the wait', async () => {
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const fake = setup({ startGate: () => gate });
    const starting = fake.process.start();
    await tick();
    assert.deepEqual([fake.process.snapshot().status, fake.process.snapshot().pid], ['starting', null]);
    assert.equal(fake.children.length, 0);
    await fake.process.stop();
    await starting;
    assert.equal(fake.process.snapshot().status, 'stopped');
    assert.equal(fake.children.length, 0);

    const again = fake.process.start();
    await tick();
    assert.equal(fake.children.length, 0);
    open();
    await again;
    assert.equal(fake.children.length, 1);
    assert.equal(fake.process.snapshot().status, 'running');
  });

  it('sends annotations as status events, except during an exit, where they ride on its status', async () => {
    let annotateOnExit = (): void => {};
    const fake = setup({
      onEvent: (event) => {
        if (event.kind === 'exit') annotateOnExit();
      },
    });
    annotateOnExit = () => fake.process.annotate({});
    await fake.process.start();
    const before = fake.events.length;
    fake.process.annotate({});
    assert.equal(fake.events.length, before + 1);
    assert.equal(fake.events.at(-1)?.kind, 'status');
    const exitAt = fake.events.length;
    await fake.children[0]?.exit(1);
    const after = fake.events.slice(exitAt).map((e) => (e.kind === 'status' ? e.snapshot.status : e.kind));
    assert.deepEqual(after, ['exit', 'error', 'error']);
  });

  describe('settling tickets', () => {
    const ticket = (id: string) => ({ id, owner: {} });
    const settlements = (events: readonly SupervisorEvent[]) =>
      events.flatMap((e) =>
        e.kind === 'settled' ? [{ ids: e.tickets.map((t) => t.id), status: e.snapshot.status }] : [],
      );

    it('reports the tickets of coalesced restarts together, with the state they left', async () => {
      const fake = setup();
      await fake.process.start();
      await Promise.all([
        fake.process.restart('manual', ticket('a')),
        fake.process.restart('manual', ticket('b')),
        fake.process.start('start', ticket('c')),
      ]);
      assert.equal(fake.children.length, 2);
      assert.deepEqual(settlements(fake.events), [{ ids: ['a', 'b', 'c'], status: 'running' }]);
    });

    it('settles restarts that a stop overrode as stopped, not as running', async () => {
      const fake = setup();
      await fake.process.start();
      const first = fake.process.restart('manual', ticket('first'));
      const restarting = fake.process.restart('manual', ticket('restart'));
      const stopping = fake.process.stop({ ticket: ticket('stop') });
      await Promise.all([first, restarting, stopping]);
      assert.equal(fake.children.length, 1);
      assert.deepEqual(settlements(fake.events), [
        { ids: ['first', 'restart'], status: 'stopped' },
        { ids: ['stop'], status: 'stopped' },
      ]);
    });

    it('settles after the status that reports the outcome, and not at all without a ticket', async () => {
      const fake = setup();
      await fake.process.start();
      await fake.process.restart();
      assert.deepEqual(settlements(fake.events), []);
      await fake.process.start('start', ticket('noop'));
      const kinds = fake.events.map((e) => e.kind);
      assert.equal(kinds.at(-1), 'settled');
      await fake.process.stop({ ticket: ticket('stop') });
      const last = fake.events.at(-1);
      const before = fake.events.at(-2);
      assert.equal(last?.kind, 'settled');
      assert.equal(before?.kind === 'status' ? before.snapshot.status : before?.kind, 'stopped');
      assert.deepEqual(settlements(fake.events), [
        { ids: ['noop'], status: 'running' },
        { ids: ['stop'], status: 'stopped' },
      ]);
    });
  });
});
