import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { healthCheck, MAX_FRUITLESS_HEALTH_RESTARTS } from '../../src/behaviours/health-check.js';
import type { ProbeResult, Probes } from '../../src/behaviours/probes.js';
import type { BehaviourNotice, StartReason } from '../../src/process/events.js';
import type { HealthCheckSpec, ProcessSpec } from '../../src/process/spec.js';
import { FakeHost, ManualTimers } from '../fixtures/fake-host-ready.js';

const INTERVAL = 10_000;

/** The readiness fake, which also records what this behaviour announces and restarts. */
class HealthHost extends FakeHost {
  readonly notices: { name: string; notice: BehaviourNotice; message: string }[] = [];
  readonly restarts: { name: string; reason: StartReason | undefined }[] = [];
  override announce(name: string, notice: BehaviourNotice, message: string): void {
    this.notices.push({ name, notice, message });
  }
  override async restart(name: string, reason?: StartReason): Promise<void> {
    this.restarts.push({ name, reason });
    this.emit({ kind: 'request', name, action: 'restart', reason: reason ?? 'manual', timestamp: 0 });
  }
  /** A run spawned and went `running` at once, as one without a readiness probe does. */
  running(name: string): number {
    const run = this.spawn(name);
    this.setStatus(name, { status: 'running' });
    return run;
  }
}

function spec(name: string, check: Partial<HealthCheckSpec> = {}): ProcessSpec {
  return {
    name,
    command: `run ${name}`,
    cwd: '/',
    env: {},
    healthCheck: {
      url: `http://127.0.0.1:3000/${name}`,
      hosts: ['127.0.0.1'],
      intervalMs: INTERVAL,
      timeoutMs: 3000,
      failures: 3,
      restart: false,
      ...check,
    },
  };
}

/** Probes whose answers the test gives one by one; each attempt waits for its answer or its abort. */
function controlledProbes() {
  const waiting: { what: string; timeoutMs: number | undefined; answer: (result: ProbeResult) => void }[] =
    [];
  const attempt = (what: string, signal: AbortSignal, timeoutMs: number | undefined) =>
    new Promise<ProbeResult>((resolve) => {
      waiting.push({ what, timeoutMs, answer: resolve });
      signal.addEventListener('abort', () => resolve({ ready: false, detail: 'cancelled' }), { once: true });
    });
  const probes: Probes = {
    http: (url, signal, timeoutMs) => attempt(`http ${url}`, signal, timeoutMs),
    tcp: (hosts, port, signal, timeoutMs) => attempt(`tcp ${hosts.join('|')}:${port}`, signal, timeoutMs),
  };
  return { probes, waiting };
}

/** Lets promise continuations (probe answers, pauses) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(specs: ProcessSpec[]) {
  const host = new HealthHost(specs);
  const timers = new ManualTimers();
  const controlled = controlledProbes();
  const detach = healthCheck({ timers, probes: controlled.probes }).attach(host);
  /** One interval passes and the check it starts gets `result`. */
  const check = async (result: ProbeResult) => {
    timers.fire(INTERVAL);
    await settle();
    const attempt = controlled.waiting.shift();
    assert.ok(attempt, 'a check was started');
    attempt.answer(result);
    await settle();
  };
  return { host, timers, detach, check, ...controlled };
}

const FAIL: ProbeResult = { ready: false, detail: 'http://127.0.0.1:3000/web answered 503' };
const PASS: ProbeResult = { ready: true };

describe('health check', () => {
  test('checks begin one interval after `running`, not while the run is starting', async () => {
    const { host, timers, waiting } = setup([spec('web')]);
    host.spawn('web');
    assert.deepEqual(timers.pending, [], 'nothing is checked while the run is starting');
    host.setStatus('web', { status: 'running' });
    assert.deepEqual(timers.pending, [INTERVAL]);
    timers.fire(INTERVAL);
    await settle();
    assert.deepEqual(
      waiting.map((attempt) => [attempt.what, attempt.timeoutMs]),
      [['http http://127.0.0.1:3000/web', 3000]],
      'the check is bounded by the configured timeout',
    );
  });

  test('the first pass makes a process healthy without announcing anything', async () => {
    const { host, check } = setup([spec('web')]);
    host.running('web');
    assert.equal(host.snapshot('web').facts.health, undefined);
    await check(PASS);
    assert.equal(host.snapshot('web').facts.health, 'healthy');
    assert.deepEqual(host.notices, []);
  });

  test('`failures` failed checks in a row make it unhealthy, once; the next pass makes it healthy again', async () => {
    const { host, check } = setup([spec('web')]);
    host.running('web');
    await check(PASS);
    await check(FAIL);
    await check(FAIL);
    assert.equal(host.snapshot('web').facts.health, 'healthy', 'two failures are below the threshold');
    await check(FAIL);
    assert.equal(host.snapshot('web').facts.health, 'unhealthy');
    await check(FAIL);
    assert.deepEqual(
      host.notices.map(({ notice }) => notice),
      ['unhealthy'],
      'a process that stays unhealthy is announced once',
    );
    assert.match(host.notices[0]?.message ?? '', /^unhealthy: 3 health checks in a row failed/);
    assert.match(host.notices[0]?.message ?? '', /answered 503/);
    assert.deepEqual(host.restarts, [], 'without "restart" it is only reported');
    await check(PASS);
    assert.equal(host.snapshot('web').facts.health, 'healthy');
    assert.deepEqual(
      host.notices.map(({ notice }) => notice),
      ['unhealthy', 'healthy'],
    );
  });

  test('a pass in between starts the count of failures over', async () => {
    const { host, check } = setup([spec('web')]);
    host.running('web');
    await check(FAIL);
    await check(FAIL);
    await check(PASS);
    await check(FAIL);
    await check(FAIL);
    assert.equal(host.snapshot('web').facts.health, 'healthy');
    assert.deepEqual(host.notices, []);
  });

  test('with `restart`, an unhealthy process is restarted with the reason health-check and no longer checked', async () => {
    const { host, timers, check } = setup([
      spec('web', { restart: true, failures: 2, url: undefined, port: 5432 }),
    ]);
    host.running('web');
    await check(FAIL);
    await check(FAIL);
    assert.deepEqual(host.restarts, [{ name: 'web', reason: 'health-check' }]);
    assert.match(host.notices[0]?.message ?? '', /so it is restarted/);
    assert.deepEqual(timers.pending, [], 'the run being restarted is not checked any more');
  });

  test(`after ${MAX_FRUITLESS_HEALTH_RESTARTS} restarts in a row without a passing check, an unhealthy process is left running`, async () => {
    const { host, check } = setup([spec('web', { restart: true, failures: 1 })]);
    /** The engine's side of a restart for health: the old run ends, the new one goes running. */
    const rerun = () => {
      host.exit('web', null);
      host.running('web');
    };
    host.running('web');
    for (let restart = 1; restart <= MAX_FRUITLESS_HEALTH_RESTARTS; restart++) {
      await check(FAIL);
      assert.equal(host.restarts.length, restart);
      rerun();
    }
    await check(FAIL);
    assert.equal(host.restarts.length, MAX_FRUITLESS_HEALTH_RESTARTS, 'no further restart');
    assert.equal(host.snapshot('web').facts.health, 'unhealthy');
    assert.match(host.notices.at(-1)?.message ?? '', /left running, since none of the last 3 restarts/);
    await check(PASS);
    await check(FAIL);
    assert.equal(host.restarts.length, MAX_FRUITLESS_HEALTH_RESTARTS + 1, 'a pass starts the count over');
    rerun();
    host.emit({ kind: 'request', name: 'web', action: 'restart', reason: 'manual', timestamp: 0 });
    host.running('web');
    for (let restart = 1; restart <= MAX_FRUITLESS_HEALTH_RESTARTS; restart++) {
      await check(FAIL);
      rerun();
    }
    assert.equal(
      host.restarts.length,
      2 * MAX_FRUITLESS_HEALTH_RESTARTS + 1,
      'a restart somebody asked for starts the count over too',
    );
  });

  test('a check of a run that ended is ignored, the fact is cleared, and the next run starts afresh', async () => {
    const { host, timers, check, waiting } = setup([spec('web', { failures: 1 })]);
    host.running('web');
    await check(PASS);
    timers.fire(INTERVAL);
    await settle();
    const stale = waiting.shift();
    host.exit('web', 1);
    assert.equal(host.snapshot('web').facts.health, undefined, 'an old verdict is not shown');
    stale?.answer(FAIL);
    await settle();
    assert.equal(host.snapshot('web').facts.health, undefined);
    assert.deepEqual(host.notices, []);
    host.running('web');
    assert.deepEqual(timers.pending, [INTERVAL]);
    await check(PASS);
    assert.equal(host.snapshot('web').facts.health, 'healthy');
  });

  test('a stop somebody asks for ends the checks at once, and so does detaching', async () => {
    const { host, timers, detach, waiting } = setup([spec('web'), spec('api')]);
    host.running('web');
    host.running('api');
    host.emit({ kind: 'request', name: 'web', action: 'stop', reason: 'manual', timestamp: 0 });
    host.setStatus('web', { facts: { stopping: true } });
    assert.deepEqual(timers.pending, [INTERVAL], 'only api is still checked');
    timers.fire(INTERVAL);
    await settle();
    assert.equal(waiting.length, 1);
    detach();
    await settle();
    assert.deepEqual(timers.pending, []);
    assert.equal(host.listenerCount, 0);
  });

  test('a process without a check is never checked', () => {
    const { host, timers } = setup([{ name: 'db', command: 'db', cwd: '/', env: {} }]);
    host.running('db');
    assert.deepEqual(timers.pending, []);
  });
});
