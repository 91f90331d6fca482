import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { attachBehaviours } from '../../src/behaviours/behaviour.js';
import { healthCheck } from '../../src/behaviours/health-check.js';
import { MAX_MEMORY_RESTARTS_IN_A_ROW, memoryLimit } from '../../src/behaviours/memory-limit.js';
import { readiness } from '../../src/behaviours/readiness.js';
import type { HealthCheckSpec, ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { freePort } from '../fixtures/free-port.js';
import { isAliveProcess, waitFor } from '../fixtures/process-probes.js';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const TEST_TIMEOUT = 90_000;
const WAIT_MS = 60_000;
const MIB = 1024 * 1024;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real engine with the two behaviours (quick timings), served over a real socket, and a client of it. */
async function running(specs: ProcessSpec[]) {
  const supervisor = new Supervisor(specs, { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 2000 });
  const pids = new Set<number>();
  supervisor.subscribe((event) => {
    if (event.kind === 'run' && event.start.pid !== null) pids.add(event.start.pid);
    if (event.kind === 'output')
      for (const m of event.chunk.text.matchAll(/pid=(\d+)/g)) pids.add(Number(m[1]));
  });
  const detach = attachBehaviours(supervisor, [readiness(), healthCheck(), memoryLimit({ intervalMs: 250 })]);
  const server = await start(supervisor);
  const client = new TestClient(wsUrl(server));
  cleanups.push(async () => {
    client.close();
    detach();
    await server.close();
    await supervisor.shutdown({ force: true });
  });
  await client.opened;
  await supervisor.startAll();
  /** Every process any run started, the shells and the programs they ran, is gone. */
  const nothingLeft = async () => {
    detach();
    await supervisor.shutdown({ force: true });
    for (const pid of pids) assert.equal(await isAliveProcess(pid), false, `pid ${pid} is gone`);
  };
  return { supervisor, client, pids, nothingLeft };
}

/**
 * The server with a readiness probe, as a config for it should have: checks begin once it is `running`, and
 * without the probe that is at its spawn, before Node has even begun to listen, so quick checks would fail.
 */
function healthServer(name: string, port: number, check: Partial<HealthCheckSpec>): ProcessSpec {
  return {
    name,
    command: `node health-server.mjs ${port}`,
    cwd: fixtures,
    env: {},
    awaitReady: true,
    readiness: { port, hosts: ['127.0.0.1'], timeoutMs: 30_000 },
    healthCheck: {
      url: `http://127.0.0.1:${port}/health`,
      hosts: ['127.0.0.1'],
      intervalMs: 100,
      timeoutMs: 1000,
      failures: 2,
      restart: false,
      ...check,
    },
  };
}

const poke = async (port: number, path: string) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  assert.equal(response.status, 200);
};

describe('liveness checks and memory limits over a real engine and socket', () => {
  it('a server that stops answering becomes unhealthy, and healthy again once it answers', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const port = await freePort();
    const { client, nothingLeft } = await running([healthServer('api', port, {})]);
    const health = () =>
      client
        .of('status')
        .filter((m) => m.name === 'api')
        .at(-1)?.health;
    await waitUntil('api healthy', () => health() === 'healthy', WAIT_MS);
    await poke(port, '/sick');
    await waitUntil('api unhealthy', () => health() === 'unhealthy', WAIT_MS);
    const unhealthy = client
      .of('status')
      .filter((m) => m.name === 'api')
      .at(-1);
    assert.equal(unhealthy?.status, 'running', 'without "restart" it is only reported');
    assert.equal(client.of('run').length, 1, 'and not restarted');
    await poke(port, '/well');
    await waitUntil('api healthy again', () => health() === 'healthy', WAIT_MS);

    const later = new TestClient(client.ws.url);
    cleanups.push(async () => later.close());
    await waitUntil('info for a later client', () => later.of('info').length === 1, WAIT_MS);
    assert.equal(later.of('info')[0]?.processes[0]?.health, 'healthy', 'info carries it too');
    await nothingLeft();
  });

  it('with "restart": true, an unhealthy server is restarted with the reason health-check', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const port = await freePort();
    const { client, nothingLeft } = await running([healthServer('web', port, { restart: true })]);
    const statuses = () => client.of('status').filter((m) => m.name === 'web');
    await waitUntil('web healthy', () => statuses().at(-1)?.health === 'healthy', WAIT_MS);
    await poke(port, '/sick');
    await waitUntil(
      'a run started for the health check',
      () => client.of('run').some((m) => m.name === 'web' && m.reason === 'health-check'),
      WAIT_MS,
    );
    const restartedRun = client.of('run').find((m) => m.reason === 'health-check');
    assert.equal(restartedRun?.run, 2);
    await waitUntil(
      'the new run healthy',
      () => {
        const last = statuses().at(-1);
        return last?.health === 'healthy' && last.reason === 'health-check';
      },
      WAIT_MS,
    );
    const between = statuses().filter((m) => m.status === 'starting');
    assert.ok(
      between.every((m) => m.health === undefined),
      'no verdict is carried over to the new run',
    );
    await nothingLeft();
  });

  it('a config reload that adds a check and a limit applies them to the running processes', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const port = await freePort();
    const { healthCheck: _check, ...unchecked } = healthServer('api', port, {});
    const hog: ProcessSpec = { name: 'mem', command: 'node metrics-allocate.mjs', cwd: fixtures, env: {} };
    const { supervisor, client, nothingLeft } = await running([unchecked, hog]);
    await waitUntil('mem allocated', () => client.output('mem').includes('allocated'), WAIT_MS);
    await supervisor.apply([healthServer('api', port, {}), { ...hog, maxMemoryBytes: 80 * MIB }]);
    await waitUntil(
      'api healthy after the reload',
      () => client.of('status').some((m) => m.name === 'api' && m.health === 'healthy'),
      WAIT_MS,
    );
    await waitUntil(
      'mem restarted for its new limit',
      () => client.of('run').some((m) => m.name === 'mem' && m.reason === 'memory-limit'),
      WAIT_MS,
    );
    await nothingLeft();
  });

  it(`a tree over maxMemory is restarted with the reason memory-limit, and stopped after ${MAX_MEMORY_RESTARTS_IN_A_ROW} quick relapses`, {
    timeout: TEST_TIMEOUT,
  }, async () => {
    // Node itself needs about 45 MB; the fixture adds 100 MB, so 80 MiB is passed only by the allocation.
    const { client, nothingLeft } = await running([
      { name: 'mem', command: 'node metrics-allocate.mjs', cwd: fixtures, env: {}, maxMemoryBytes: 80 * MIB },
    ]);
    await waitUntil(
      'the memory-limit error',
      () => client.of('error').some((m) => m.process === 'mem' && m.code === 'RESTARTS_EXHAUSTED'),
      WAIT_MS,
    );
    const reasons = client.of('run').map((m) => m.reason);
    assert.deepEqual(reasons, ['start', ...Array(MAX_MEMORY_RESTARTS_IN_A_ROW).fill('memory-limit')]);
    const error = client.of('error').find((m) => m.code === 'RESTARTS_EXHAUSTED');
    assert.match(error?.message ?? '', /used \d+ MiB of its 80 MiB memory limit/);
    await waitFor('mem stopped', () => client.of('status').at(-1)?.status === 'stopped', WAIT_MS);
    assert.equal(client.of('status').at(-1)?.pid, null);
    await nothingLeft();
  });
});
