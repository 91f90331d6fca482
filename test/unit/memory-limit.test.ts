import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_MEMORY_RESTARTS_IN_A_ROW,
  type MemoryReader,
  memoryLimit,
  QUICK_RELAPSE_MS,
  type TreeMemory,
} from '../../src/behaviours/memory-limit.js';
import type { BehaviourErrorCode, BehaviourNotice, StartReason } from '../../src/process/events.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { FakeHost, ManualTimers } from '../fixtures/fake-host-ready.js';

const INTERVAL = 2000;
const MIB = 1024 * 1024;

/** The readiness fake, recording what this behaviour announces, restarts, stops and reports. */
class MemoryHost extends FakeHost {
  now = 1_000_000;
  readonly notices: { name: string; notice: BehaviourNotice; message: string }[] = [];
  readonly actions: { name: string; action: 'restart' | 'stop'; reason?: StartReason }[] = [];
  readonly errors: { name: string; code: BehaviourErrorCode; message: string }[] = [];
  override announce(name: string, notice: BehaviourNotice, message: string): void {
    this.notices.push({ name, notice, message });
  }
  override async restart(name: string, reason?: StartReason): Promise<void> {
    this.actions.push({ name, action: 'restart', ...(reason === undefined ? {} : { reason }) });
  }
  override async stop(name: string): Promise<void> {
    this.actions.push({ name, action: 'stop' });
  }
  override reportError(name: string, code: BehaviourErrorCode, message: string): void {
    this.errors.push({ name, code, message });
  }
  /** A run began for `reason` at `now` and is running. */
  running(name: string, reason: StartReason = 'start'): number {
    const run = this.spawn(name);
    this.setStatus(name, { status: 'running', reason, startedAt: this.now });
    return run;
  }
}

function spec(name: string, maxMemoryBytes?: number): ProcessSpec {
  return {
    name,
    command: `run ${name}`,
    cwd: '/',
    env: {},
    ...(maxMemoryBytes === undefined ? {} : { maxMemoryBytes }),
  };
}

/** Readings the test sets; each read waits until the test releases it, as a read of /proc takes a while. */
function scriptedReader() {
  const state = { memory: new Map<string, number | null>(), reads: 0, release: [] as (() => void)[] };
  const read: MemoryReader = (list) => () =>
    new Promise<readonly TreeMemory[]>((resolve) => {
      state.reads++;
      state.release.push(() =>
        resolve(list().map(({ name }) => ({ name, memory: state.memory.get(name) ?? null }))),
      );
    });
  return { read, state };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(specs: ProcessSpec[]) {
  const host = new MemoryHost(specs);
  const timers = new ManualTimers();
  const { read, state } = scriptedReader();
  const detach = memoryLimit({ timers, read, intervalMs: INTERVAL, now: () => host.now }).attach(host);
  /** One interval passes and the read it starts answers; `during` runs while the table is being read. */
  const sample = async (during?: () => void) => {
    timers.fire(INTERVAL);
    await settle();
    during?.();
    state.release.shift()?.();
    await settle();
  };
  return { host, timers, detach, state, sample };
}

describe('memory limit', () => {
  test('a tree over its limit is announced with the figures and restarted with the reason memory-limit', async () => {
    const { host, state, sample } = setup([spec('web', 512 * MIB), spec('api')]);
    host.running('web');
    host.running('api');
    state.memory.set('web', 500 * MIB);
    state.memory.set('api', 4096 * MIB);
    await sample();
    assert.deepEqual(host.actions, [], 'under its limit, and no limit for api');
    state.memory.set('web', 612 * MIB);
    await sample();
    assert.deepEqual(host.actions, [{ name: 'web', action: 'restart', reason: 'memory-limit' }]);
    assert.equal(host.notices.length, 1);
    assert.equal(host.notices[0]?.notice, 'memory-limit');
    assert.match(host.notices[0]?.message ?? '', /^used 612 MiB of its 512 MiB memory limit/);
    await sample();
    assert.equal(host.actions.length, 1, 'the run being restarted is not acted on twice');
  });

  test('nothing is sampled without a limit; a reload that adds one starts sampling, one that drops it stops', async () => {
    const { host, timers, state, sample } = setup([spec('web')]);
    host.running('web');
    assert.deepEqual(timers.pending, [], 'no process has a limit: no timer at all');
    host.replaceSpec(spec('web', 100 * MIB));
    assert.deepEqual(timers.pending, [INTERVAL]);
    await sample();
    assert.equal(state.reads, 1);
    host.replaceSpec(spec('web'));
    await sample();
    assert.equal(state.reads, 1, 'the limit is gone: the table is not read');
    assert.deepEqual(timers.pending, []);
  });

  test('the process table is not read while no limited process runs', async () => {
    const { timers, state, sample } = setup([spec('web', 100 * MIB)]);
    await sample();
    assert.equal(state.reads, 0);
    assert.deepEqual(timers.pending, [INTERVAL], 'it keeps watching for a start');
  });

  test('a run replaced while the table was read is not judged by the old tree', async () => {
    const { host, state, sample } = setup([spec('web', 100 * MIB)]);
    host.running('web');
    state.memory.set('web', 200 * MIB);
    await sample(() => host.running('web', 'manual'));
    assert.deepEqual(host.actions, []);
  });

  test(`a process over its limit soon after each of ${MAX_MEMORY_RESTARTS_IN_A_ROW} restarts in a row is stopped with an error`, async () => {
    const { host, state, sample } = setup([spec('web', 100 * MIB)]);
    state.memory.set('web', 300 * MIB);
    host.running('web');
    for (let restart = 1; restart <= MAX_MEMORY_RESTARTS_IN_A_ROW; restart++) {
      await sample();
      assert.equal(host.actions.length, restart);
      host.now += 1000;
      host.running('web', 'memory-limit');
    }
    host.now += 1000;
    await sample();
    await settle();
    assert.deepEqual(host.actions.at(-1), { name: 'web', action: 'stop' });
    assert.equal(
      host.actions.filter((action) => action.action === 'restart').length,
      MAX_MEMORY_RESTARTS_IN_A_ROW,
    );
    assert.equal(host.errors.length, 1);
    assert.equal(host.errors[0]?.code, 'RESTARTS_EXHAUSTED');
    assert.match(host.errors[0]?.message ?? '', /stopped instead of restarted again/);
  });

  test('a run that stayed under its limit for a while starts the count over', async () => {
    const { host, state, sample } = setup([spec('web', 100 * MIB)]);
    state.memory.set('web', 300 * MIB);
    host.running('web');
    for (let restart = 1; restart <= MAX_MEMORY_RESTARTS_IN_A_ROW + 2; restart++) {
      await sample();
      host.running('web', 'memory-limit');
      host.now += QUICK_RELAPSE_MS;
    }
    assert.ok(host.actions.every((action) => action.action === 'restart'));
    assert.deepEqual(host.errors, []);
  });

  test('detaching stops sampling, also in the middle of a read', async () => {
    const { host, timers, detach, state } = setup([spec('web', 100 * MIB)]);
    host.running('web');
    state.memory.set('web', 300 * MIB);
    timers.fire(INTERVAL);
    await settle();
    detach();
    state.release.shift()?.();
    await settle();
    assert.deepEqual(host.actions, []);
    assert.deepEqual(timers.pending, []);
    assert.equal(host.listenerCount, 0);
  });
});
