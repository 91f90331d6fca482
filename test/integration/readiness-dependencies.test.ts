import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { attachBehaviours } from '../../src/behaviours/behaviour.js';
import { dependencies } from '../../src/behaviours/dependencies.js';
import { readiness } from '../../src/behaviours/readiness.js';
import type { ProcessSnapshot, SupervisorEvent } from '../../src/process/events.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  type DependencySpec,
  type EngineOptions,
  type ProcessSpec,
  type ReadinessSpec,
} from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { attachTerminalPrinter } from '../../src/terminal/printer.js';
import { freePort } from '../fixtures/free-port.js';
import { isAliveProcess as isAlive, waitFor } from '../fixtures/process-probes.js';

const SERVER = fileURLToPath(new URL('../fixtures/ready-server.mjs', import.meta.url));
const TEST_TIMEOUT = 60_000;
const OPTIONS: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 2000 };
const LOOPBACKS = ['127.0.0.1', '::1'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function server(
  name: string,
  args: string,
  options: {
    ready?: Partial<ReadinessSpec>;
    dependsOn?: DependencySpec[];
    env?: Record<string, string>;
  } = {},
): ProcessSpec {
  const { ready, dependsOn, env = {} } = options;
  return {
    name,
    command: `node "${SERVER}" ${args}`,
    cwd: process.cwd(),
    env,
    ...(ready === undefined
      ? {}
      : { awaitReady: true, readiness: { hosts: LOOPBACKS, timeoutMs: 20_000, ...ready } }),
    ...(dependsOn === undefined ? {} : { dependsOn }),
  };
}

/** A supervisor with the two behaviours and a terminal printer, plus what it reported. */
function harness(specs: ProcessSpec[]) {
  const supervisor = new Supervisor(specs, OPTIONS);
  const events: SupervisorEvent[] = [];
  const seenPids = new Set<number>();
  supervisor.subscribe((event) => {
    events.push(event);
    if (event.kind === 'output')
      for (const m of event.chunk.text.matchAll(/pid=(\d+)/g)) seenPids.add(Number(m[1]));
    if (event.kind === 'status' && event.snapshot.pid !== null) seenPids.add(event.snapshot.pid);
  });
  const printed: string[] = [];
  const out = Object.assign(new EventEmitter(), {
    write: (text: string) => {
      printed.push(text);
      return true;
    },
  });
  const detachPrinter = attachTerminalPrinter(supervisor, { out, chalk: new Chalk({ level: 0 }) });
  const detach = attachBehaviours(supervisor, [readiness(), dependencies()]);
  cleanups.push(async () => {
    detach();
    detachPrinter();
    await supervisor.shutdown({ force: true });
    for (const pid of seenPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  });
  const statuses = (name: string) =>
    events.flatMap((event, index) =>
      event.kind === 'status' && event.snapshot.name === name ? [{ index, ...event.snapshot }] : [],
    );
  const snapshot = (name: string) => supervisor.list().find((s) => s.name === name) as ProcessSnapshot;
  /** Index of the first event where the process was running, or had a pid (was spawned). */
  const firstIndex = (name: string, test: (s: ProcessSnapshot) => boolean) =>
    statuses(name).find(test)?.index ?? Number.POSITIVE_INFINITY;
  const output = (name: string) =>
    events.map((e) => (e.kind === 'output' && e.chunk.name === name ? e.chunk.text : '')).join('');
  return { supervisor, events, printed, seenPids, statuses, snapshot, firstIndex, output };
}

type Harness = ReturnType<typeof harness>;

/** The dependant `api` was held back, annotated, and spawned only after `db` became ready. */
function assertGated(h: Harness, dependency = 'db', dependant = 'api') {
  const ready = h.firstIndex(dependency, (s) => s.status === 'running');
  const spawned = h.firstIndex(dependant, (s) => s.pid !== null);
  assert.ok(
    ready < spawned,
    `${dependant} was spawned (event ${spawned}) before ${dependency} was ready (${ready})`,
  );
  const waits = h.statuses(dependant).filter((s) => s.index < spawned);
  assert.ok(
    waits.some((s) => s.status === 'starting' && s.facts.waitingFor?.join() === dependency),
    JSON.stringify(waits),
  );
  assert.ok(waits.every((s) => s.status === 'starting' && s.pid === null));
  assert.equal(h.snapshot(dependant).facts.waitingFor, undefined, 'waitingFor is cleared once it starts');
  const waiting = new RegExp(`^\\[${dependant}\\] +waiting for ${dependency}\n$`);
  assert.equal(h.printed.filter((line) => waiting.test(line)).length, 1, h.printed.join(''));
}

describe('readiness and dependencies with real processes', { timeout: TEST_TIMEOUT }, () => {
  it('gates a dependant on a pattern split over chunks and coloured', async () => {
    const h = harness([
      server('api', 'never', { dependsOn: [{ name: 'db', condition: 'ready' }] }),
      server('db', 'pattern', { ready: { pattern: /^ready in \d+ ms$/ } }),
    ]);
    await h.supervisor.startAll();
    await waitFor('api running', () => h.snapshot('api').status === 'running');
    assertGated(h);
    assert.match(h.output('db'), /12 ms/);
    assert.equal(h.snapshot('db').facts.readyBy, 'pattern');
    assert.ok(
      h.printed.some((line) => /^\[db\] +ready \(pattern matched\), running \(pid \d+\)\n$/.test(line)),
    );
  });

  it('gates a dependant on an HTTP probe that first fails, then answers', async () => {
    const port = await freePort();
    const h = harness([
      server('db', `http ${port}`, { ready: { url: `http://localhost:${port}/` } }),
      server('api', 'never', { dependsOn: [{ name: 'db', condition: 'ready' }] }),
    ]);
    await h.supervisor.startAll();
    await waitFor('api running', () => h.snapshot('api').status === 'running');
    assertGated(h);
    assert.equal(h.snapshot('db').facts.readyBy, 'url');
    assert.match(h.output('db'), /listening http/);
  });

  it('gates a dependant on a TCP port, found on ::1 when the server binds only that', async () => {
    const port = await freePort('::1');
    const h = harness([
      server('db', `tcp ${port} ::1`, { ready: { port } }),
      server('api', 'never', { dependsOn: [{ name: 'db', condition: 'ready' }] }),
    ]);
    await h.supervisor.startAll();
    await waitFor('api running', () => h.snapshot('api').status === 'running');
    assertGated(h);
    assert.equal(h.snapshot('db').facts.readyBy, 'port');
    assert.match(h.output('db'), /listening tcp ::1/);
  });

  it('fails a run that is not ready in time with NOT_READY, leaving nothing alive', async () => {
    const h = harness([server('db', 'never', { ready: { pattern: /^ready/, timeoutMs: 800 } })]);
    await h.supervisor.startAll();
    await waitFor('db error', () => h.snapshot('db').status === 'error');
    const error = h.events.find((e) => e.kind === 'error' && e.name === 'db');
    assert.equal(error?.kind === 'error' && error.code, 'NOT_READY');
    assert.match(
      error?.kind === 'error' ? error.message : '',
      /not ready after 800 ms \(no line matched \/\^ready\/\)/,
    );
    assert.ok(h.seenPids.size > 0);
    for (const pid of h.seenPids) assert.equal(await isAlive(pid), false, `${pid} is still alive`);
    assert.equal(h.snapshot('db').facts.readyBy, undefined);
  });

  it('runs a completed dependency first; a failing one keeps the dependant waiting and says so', async () => {
    const h = harness([
      server('api', 'never', { dependsOn: [{ name: 'build', condition: 'completed' }] }),
      server('build', 'exit 0'),
      server('web', 'never', { dependsOn: [{ name: 'lint', condition: 'completed' }] }),
      server('lint', 'exit 3'),
    ]);
    // It resolves only once every start is done or abandoned, and web's waits for a failed step.
    const started = h.supervisor.startAll();
    await waitFor('api running', () => h.snapshot('api').status === 'running');
    const completed = h.firstIndex('build', (s) => s.status === 'stopped' && s.exitCode === 0);
    assert.ok(completed < h.firstIndex('api', (s) => s.pid !== null));

    await waitFor('lint failed', () => h.snapshot('lint').status === 'error');
    const notice = /^\[web\] +! "web" is waiting for "lint", which failed: it starts once "lint" is ready\./;
    await waitFor('the notice', () => h.printed.some((line) => notice.test(line)));
    assert.deepEqual(
      [h.snapshot('web').status, h.snapshot('web').pid, h.snapshot('web').facts.waitingFor],
      ['starting', null, ['lint']],
    );
    // Stopping a waiting process abandons the wait.
    await h.supervisor.stop('web');
    await started;
    assert.equal(h.snapshot('web').status, 'stopped');
    assert.equal(h.snapshot('web').facts.waitingFor, undefined);
  });

  it('stops dependants first on restart-all and shutdown, and starts them after', async () => {
    const h = harness([
      server('db', 'pattern', { ready: { pattern: /^ready/ } }),
      // It takes a moment to exit, so without an order db would be gone first.
      server('api', 'never', { dependsOn: [{ name: 'db', condition: 'ready' }], env: { SLOW_STOP: '1' } }),
    ]);
    const exits = () => h.events.flatMap((e) => (e.kind === 'exit' ? [e.name] : []));
    await h.supervisor.startAll();
    await waitFor('api running', () => h.snapshot('api').status === 'running');

    await h.supervisor.restartAll();
    assert.deepEqual(exits(), ['api', 'db']);
    await waitFor(
      'api running again',
      () => h.snapshot('api').status === 'running' && h.snapshot('api').run === 2,
    );
    const secondReady = h.firstIndex('db', (s) => s.status === 'running' && s.run === 2);
    const secondSpawn = h.firstIndex('api', (s) => s.pid !== null && s.run === 2);
    assert.ok(secondReady < secondSpawn, `api run 2 spawned at ${secondSpawn}, db ready at ${secondReady}`);

    await h.supervisor.shutdown();
    assert.deepEqual(exits(), ['api', 'db', 'api', 'db']);
    for (const pid of h.seenPids) assert.equal(await isAlive(pid), false, `${pid} is still alive`);
  });
});
