import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EngineOptions, ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import type { ServerOptions } from '../../src/server/server.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { isAliveProcess as isAlive } from '../fixtures/process-probes.js';
import { serverOptions, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const TICKER = `node -e "let n = 0; setInterval(() => console.log('tick ' + n++), 50)"`;
const STUBBORN_TREE = 'node access-stubborn-tree.mjs';
const CONTROL_TOKEN = 'control-secret';
const VIEW_TOKEN = 'view-secret';

function spec(name: string, command: string): ProcessSpec {
  return { name, command, cwd: fixtures, env: {} };
}

async function withEngine(
  specs: ProcessSpec[],
  options: Partial<ServerOptions>,
  body: (supervisor: Supervisor, server: RunningServer) => Promise<void>,
  engine: EngineOptions = DEFAULT_ENGINE_OPTIONS,
): Promise<void> {
  const supervisor = new Supervisor(specs, engine);
  const started = await startServer(serverOptions(options), supervisor);
  if (!started.ok) throw new Error(started.message);
  try {
    await body(supervisor, started.server);
  } finally {
    await started.server.close();
    await supervisor.shutdown({ force: true });
  }
}

function withToken(server: RunningServer, token: string): string {
  const url = new URL(wsUrl(server));
  url.searchParams.set('token', token);
  return url.toString();
}

describe('read-only access (viewToken)', () => {
  it('lets a view client watch, refuses each of its commands with FORBIDDEN, and keeps control for the token', async () => {
    const tokens = { token: CONTROL_TOKEN, viewToken: VIEW_TOKEN };
    await withEngine([spec('ticker', TICKER)], tokens, async (supervisor, server) => {
      assert.equal(new URL(server.viewUrl ?? '').searchParams.get('token'), VIEW_TOKEN);
      await supervisor.startAll();
      const viewer = new TestClient(withToken(server, VIEW_TOKEN));
      const controller = new TestClient(withToken(server, CONTROL_TOKEN));
      try {
        await Promise.all([viewer.opened, controller.opened]);
        await waitUntil(
          'both infos',
          () => viewer.of('info').length === 1 && controller.of('info').length === 1,
        );
        assert.equal(viewer.of('info')[0]?.access, 'view');
        assert.equal(controller.of('info')[0]?.access, 'control');
        await waitUntil('output for the viewer', () => viewer.output('ticker').includes('tick 1'));
        const pid = supervisor.list()[0]?.pid;

        const commands = [
          { type: 'command', action: 'restart', target: 'ticker' },
          { type: 'command', action: 'stop', target: 'ticker' },
          { type: 'command', action: 'kill', target: 'ticker' },
          { type: 'command', action: 'start', target: 'ticker' },
          { type: 'command', action: 'restart-all' },
          { type: 'command', action: 'stop-all' },
          // Not even whether a process exists is told to a view client.
          { type: 'command', action: 'stop', target: 'no-such-process' },
        ];
        for (const command of commands) viewer.send(command);
        await waitUntil('a FORBIDDEN per command', () => viewer.of('error').length === commands.length);
        assert.ok(viewer.of('error').every((error) => error.code === 'FORBIDDEN'));
        assert.equal(controller.of('error').length, 0, 'the refusals went to the sender only');
        const seen = viewer.output('ticker').length;
        await waitUntil('more output on the same connection', () => viewer.output('ticker').length > seen);
        assert.equal(viewer.closeCode, null);
        assert.equal(supervisor.list()[0]?.pid, pid, 'nothing was restarted or stopped');

        controller.send({ type: 'command', action: 'restart', target: 'ticker' });
        await waitUntil('the viewer sees the restart the controller asked for', () =>
          viewer.of('status').some((s) => s.status === 'running' && s.pid !== pid && s.pid !== null),
        );
      } finally {
        viewer.close();
        controller.close();
      }
    });
  });

  it('serves the page and the read API for the view token, and refuses a wrong token', async () => {
    await withEngine(
      [spec('ticker', TICKER)],
      { token: CONTROL_TOKEN, viewToken: VIEW_TOKEN },
      async (supervisor, server) => {
        await supervisor.startAll();
        const base = `http://127.0.0.1:${server.port}`;
        const page = await fetch(`${base}/?token=${VIEW_TOKEN}`);
        assert.equal(page.status, 200);
        const api = await fetch(`${base}/api/processes`, {
          headers: { Authorization: `Bearer ${VIEW_TOKEN}` },
        });
        assert.equal(api.status, 200);
        assert.match(await api.text(), /ticker/);
        const wrong = await fetch(`${base}/api/processes`, { headers: { Authorization: 'Bearer nope' } });
        assert.equal(wrong.status, 403);
        const refused = new TestClient(withToken(server, 'nope'));
        await assert.rejects(refused.opened, /403/);
      },
    );
  });

  it('gives control to everyone without any token, as before', async () => {
    await withEngine([spec('ticker', TICKER)], {}, async (_supervisor, server) => {
      assert.equal(server.viewUrl, null);
      const client = new TestClient(wsUrl(server));
      try {
        await client.opened;
        await waitUntil('info', () => client.of('info').length === 1);
        assert.equal(client.of('info')[0]?.access, 'control');
      } finally {
        client.close();
      }
    });
  });
});

describe('kill', () => {
  it('ends a tree that ignores SIGTERM at once, while a stop of it is still waiting', async () => {
    // The grace period is far longer than the test waits: only the kill can end the tree in time.
    const engine = { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 600_000 };
    await withEngine(
      [spec('stubborn', STUBBORN_TREE)],
      {},
      async (supervisor, server) => {
        await supervisor.startAll();
        const client = new TestClient(wsUrl(server));
        try {
          await client.opened;
          await waitUntil('both pids', () => /child pid=\d+/.test(client.output('stubborn')));
          const output = client.output('stubborn');
          const pids = [/parent pid=(\d+)/, /child pid=(\d+)/].map((pattern) =>
            Number(pattern.exec(output)?.[1]),
          );
          client.send({ type: 'command', action: 'stop', target: 'stubborn' });
          await waitUntil('the stop to begin', () => client.of('status').some((s) => s.stopping === true));
          await waitUntil('the SIGTERM to be ignored', () =>
            client.output('stubborn').includes('parent ignores SIGTERM'),
          );
          for (const pid of pids) assert.equal(await isAlive(pid), true, `process ${pid} hangs on SIGTERM`);
          assert.equal(supervisor.list()[0]?.facts.stopping, true);

          const before = client.of('status').length;
          client.send({ type: 'command', action: 'kill', target: 'stubborn' });
          // The stop ends (the whole tree is gone) when a status without `stopping` follows the kill.
          await waitUntil('the tree to be gone', () =>
            client
              .of('status')
              .slice(before)
              .some((s) => s.status === 'stopped' && s.stopping === undefined),
          );
          for (const pid of pids) assert.equal(await isAlive(pid), false, `process ${pid} is still alive`);
          assert.equal(client.of('error').length, 0);
        } finally {
          client.close();
        }
      },
      engine,
    );
  });
});
