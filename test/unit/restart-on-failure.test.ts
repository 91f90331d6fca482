import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, restartOnFailure } from '../../src/behaviours/restart-on-failure.js';
import type { ProcessSpec, RestartPolicy } from '../../src/process/spec.js';
import { FakeTimers, RestartFakeHost } from '../fixtures/fake-host-restart.js';

const POLICY: RestartPolicy = {
  when: 'on-failure',
  delayMs: 100,
  maxDelayMs: 500,
  maxRestarts: 10,
  resetAfterMs: 10_000,
};

function setup(restart: Partial<RestartPolicy> | null = {}) {
  const spec: ProcessSpec = { name: 'api', command: 'node api.js', cwd: '/', env: {} };
  if (restart !== null) spec.restart = { ...POLICY, ...restart };
  const host = new RestartFakeHost([spec]);
  const timers = new FakeTimers();
  const failures: unknown[] = [];
  const detach = restartOnFailure({
    timers,
    now: () => host.now,
    onRestartFailed: (_name, error) => failures.push(error),
  }).attach(host);
  host.beginRun('api', 'start');
  return { host, timers, detach, failures };
}

/** Lets the behaviour's scheduled restart happen, and the engine begin the new run. */
function restartHappens(fake: ReturnType<typeof setup>): void {
  fake.timers.fireAll();
  fake.host.beginRun('api', 'auto-restart');
}

describe('backoffDelay', () => {
  it('doubles from restartDelay and stops growing at restartMaxDelay', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((done) => backoffDelay(POLICY, done)),
      [100, 200, 400, 500, 500, 500],
    );
  });
});

describe('restartOnFailure', () => {
  it('restarts a crash loop with growing waits, each announced as restartAt on the exit', () => {
    const fake = setup();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      fake.host.exit('api', 1);
      waits.push(...fake.timers.pending());
      assert.equal(fake.host.facts('api').restartAt, fake.host.now + (waits.at(-1) ?? 0));
      restartHappens(fake);
      assert.equal(fake.host.facts('api').restartAt, undefined, 'cleared once the restart happens');
    }
    assert.deepEqual(waits, [100, 200, 400, 500, 500]);
    assert.deepEqual(
      fake.host.starts.map((start) => start.reason),
      ['auto-restart', 'auto-restart', 'auto-restart', 'auto-restart', 'auto-restart'],
    );
  });

  it('gives up after maxRestarts in a row and says so after the exit is reported', async () => {
    const fake = setup({ maxRestarts: 2 });
    fake.host.exit('api', 1);
    restartHappens(fake);
    fake.host.exit('api', 1);
    restartHappens(fake);
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), []);
    assert.equal(fake.host.facts('api').restartAt, undefined);
    assert.equal(fake.host.errors.length, 0, 'reported after the exit, not during it');
    await Promise.resolve();
    assert.equal(fake.host.errors.length, 1);
    assert.equal(fake.host.errors[0]?.code, 'RESTARTS_EXHAUSTED');
    assert.match(fake.host.errors[0]?.message ?? '', /"api".*2 automatic restarts.*maxRestarts/s);
  });

  it('restarts only failures with "on-failure", and every exit with "always"', () => {
    const onFailure = setup({ when: 'on-failure' });
    onFailure.host.exit('api', 0);
    assert.deepEqual(onFailure.timers.pending(), []);
    const always = setup({ when: 'always' });
    always.host.exit('api', 0);
    assert.deepEqual(always.timers.pending(), [100]);
  });

  it('never restarts an exit somebody asked for, nor a process without a policy', () => {
    const requested = setup({ when: 'always' });
    requested.host.exit('api', 1, true);
    assert.deepEqual(requested.timers.pending(), []);
    const none = setup(null);
    none.host.exit('api', 1);
    assert.deepEqual(none.timers.pending(), []);
    assert.deepEqual(none.host.facts('api'), {});
  });

  it('cancels a scheduled restart when somebody stops, starts or restarts the process', () => {
    for (const action of ['stop', 'start', 'restart'] as const) {
      const fake = setup();
      fake.host.exit('api', 1);
      fake.host.request('api', action, action === 'stop' || action === 'restart' ? 'manual' : 'start');
      assert.deepEqual(fake.timers.pending(), [], action);
      assert.equal(fake.host.facts('api').restartAt, undefined, action);
    }
  });

  it('starts a new streak after a run somebody asked for', () => {
    const fake = setup();
    fake.host.exit('api', 1);
    restartHappens(fake);
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), [200]);
    fake.host.request('api', 'restart', 'manual');
    fake.host.beginRun('api', 'manual');
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), [100]);
  });

  it('starts over once a run stayed up for restartResetAfter', () => {
    const fake = setup({ resetAfterMs: 5000 });
    fake.host.exit('api', 1);
    restartHappens(fake);
    fake.host.now += 4999;
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), [200], 'a run up for less does not reset');
    restartHappens(fake);
    fake.host.now += 5000;
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), [100]);
  });

  it('cancels its timers when detached', () => {
    const fake = setup();
    fake.host.exit('api', 1);
    fake.detach();
    assert.deepEqual(fake.timers.pending(), []);
    assert.equal(fake.host.facts('api').restartAt, undefined);
    fake.host.beginRun('api', 'manual');
    fake.host.exit('api', 1);
    assert.deepEqual(fake.timers.pending(), [], 'no longer acts once detached');
  });
});
