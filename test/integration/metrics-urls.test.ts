import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { attachBehaviours } from '../../src/behaviours/behaviour.js';
import { standardBehaviours } from '../../src/behaviours/standard.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import type { MetricsMessage } from '../../src/protocol.js';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const ALLOCATED = 100 * 1024 * 1024;

function spec(name: string, script: string): ProcessSpec {
  return { name, command: `node ${script}`, cwd: fixtures, env: {} };
}

describe('detected URLs and metrics over a real engine', () => {
  it("shows the URL of Vite's coloured banner in info for a later client, and clears it when stopped", async () => {
    const supervisor = new Supervisor([spec('web', 'url-vite-banner.mjs')], DEFAULT_ENGINE_OPTIONS);
    const detach = attachBehaviours(supervisor, standardBehaviours({ report: () => {} }));
    const server = await start(supervisor);
    const first = new TestClient(wsUrl(server));
    let later: TestClient | null = null;
    try {
      await supervisor.startAll();
      await first.opened;
      await waitUntil('a status with the URL', () =>
        first.of('status').some((m) => m.urls?.includes('http://localhost:5173/')),
      );
      later = new TestClient(wsUrl(server));
      await waitUntil('the later info', () => later?.of('info').length === 1);
      assert.deepEqual(later.of('info')[0]?.processes[0]?.urls, ['http://localhost:5173/']);

      await supervisor.stop('web');
      const settled = first.of('status').at(-1);
      await waitUntil('the stopped status', () => first.of('status').at(-1)?.status === 'stopped');
      assert.deepEqual(
        first.of('status').at(-1)?.urls,
        [],
        `no link to a stopped server (was ${settled?.status})`,
      );
    } finally {
      first.close();
      later?.close();
      detach();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });

  it('reports the memory of a process that allocates 100 MB, summed over its tree with the shell', async () => {
    const supervisor = new Supervisor(
      [spec('mem', 'metrics-allocate.mjs'), spec('idle', 'url-vite-banner.mjs')],
      DEFAULT_ENGINE_OPTIONS,
    );
    const server = await start(supervisor, {}, { metricsIntervalMs: 200 });
    const client = new TestClient(wsUrl(server));
    try {
      await supervisor.startAll();
      await client.opened;
      await waitUntil('"allocated"', () => client.output('mem').includes('allocated'));
      const seen = client.of('metrics').length;
      await waitUntil('metrics after the allocation with a cpu reading', () =>
        client
          .of('metrics')
          .slice(seen)
          .some((m) => m.processes.some((p) => p.name === 'mem' && p.cpu !== null)),
      );
      const message = client
        .of('metrics')
        .slice(seen)
        .find((m) => m.processes.some((p) => p.name === 'mem' && p.cpu !== null)) as MetricsMessage;
      const [mem, idle] = message.processes;
      assert.equal(mem?.name, 'mem');
      assert.ok((mem?.memory ?? 0) > ALLOCATED, `memory ${mem?.memory} is above 100 MB`);
      assert.ok((idle?.memory ?? Infinity) < ALLOCATED / 2, `the idle process uses less (${idle?.memory})`);
      assert.ok((mem?.uptime ?? 0) > 0);
      assert.equal(mem?.restarts, 0);
      assert.ok((mem?.cpu ?? -1) >= 0);
    } finally {
      client.close();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });
});
