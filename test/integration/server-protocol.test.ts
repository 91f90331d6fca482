import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { LucidLinesClient } from '../../src/client.js';
import type { EngineOptions, ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import type { InfoMessage, ProcessOutputMessage, StatusMessage } from '../../src/protocol.js';
import type { RunningServer, ServerOptions } from '../../src/server/server.js';
import { renderHook } from '../fixtures/server-fake-react.mjs';
import { LucidLinesClient as SeedClient } from '../fixtures/server-seed-client.mjs';
import { useLucidLines } from '../fixtures/server-seed-hook.mjs';
import { FakeControl, start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

function spec(name: string, command: string): ProcessSpec {
  return { name, command, cwd: fixtures, env: {} };
}

const IDLE = `node -e "console.log('ready'); setInterval(() => {}, 1000)"`;
const CRASHER = `node -e "console.error('boom'); process.exit(3)"`;

/** Runs `body` with a real supervisor and a real server, and always stops both. */
async function withEngine(
  specs: ProcessSpec[],
  body: (supervisor: Supervisor, server: RunningServer) => Promise<void>,
  options: EngineOptions = DEFAULT_ENGINE_OPTIONS,
  serverOptions: Partial<ServerOptions> = {},
): Promise<void> {
  const supervisor = new Supervisor(specs, options);
  const server = await start(supervisor, serverOptions);
  try {
    await body(supervisor, server);
  } finally {
    await server.close();
    await supervisor.shutdown({ force: true });
  }
}

/** The seed client, subclassed as the seed document suggests, recording instead of logging. */
class RecordingSeedClient extends SeedClient {
  readonly outputs: { name: string; output: string }[] = [];
  readonly statuses: { name: string; status: string }[] = [];
  readonly errors: { message: string; process: string | undefined }[] = [];
  readonly infos: InfoMessage[] = [];

  override onProcessOutput(name: string, output: string): void {
    this.outputs.push({ name, output });
  }
  override onProcessStatus(name: string, status: string): void {
    this.statuses.push({ name, status });
  }
  override onError(message: string, process: string | undefined): void {
    this.errors.push({ message, process });
  }
  override onServerInfo(info: unknown): void {
    this.infos.push(info as InfoMessage);
  }
}

/** Status messages of one process, from the index `from` on. */
function statusesOf(client: TestClient, name: string): StatusMessage[] {
  return client.of('status').filter((m) => m.name === name);
}

/** Waits until `name` went through starting and then running after `count` earlier status messages. */
async function restartObserved(client: TestClient, name: string, before: number): Promise<StatusMessage> {
  await waitUntil(`${name} to restart`, () => {
    const later = statusesOf(client, name).slice(before);
    const starting = later.findIndex((m) => m.status === 'starting');
    return starting !== -1 && later.slice(starting).some((m) => m.status === 'running');
  });
  const later = statusesOf(client, name).slice(before);
  const running = later.filter((m) => m.status === 'running').at(-1);
  assert.ok(running);
  return running;
}

describe('server protocol', () => {
  it('works with the seed client: info, process, status, error, restart and restart-all', async () => {
    await withEngine([spec('idle', IDLE), spec('crasher', CRASHER)], async (supervisor, server) => {
      // The seed client's default URL names localhost; ours differs only in the port.
      const seed = new RecordingSeedClient(`ws://localhost:${server.port}/ws`);
      const observer = new TestClient(wsUrl(server));
      try {
        await waitUntil('seed info', () => seed.infos.length === 1);
        await observer.opened;
        const info = seed.infos[0];
        assert.ok(info);
        assert.equal(info.version, '9.9.9-test');
        assert.deepEqual(
          info.processes.map((p) => [p.name, p.command]),
          [
            ['idle', IDLE],
            ['crasher', CRASHER],
          ],
        );

        await supervisor.startAll();
        await waitUntil('idle output', () =>
          seed.outputs.some((o) => o.name === 'idle' && o.output.includes('ready')),
        );
        await waitUntil('crasher output', () =>
          seed.outputs.some((o) => o.name === 'crasher' && o.output.includes('boom')),
        );
        await waitUntil('crasher error', () => seed.errors.some((e) => e.process === 'crasher'));
        assert.match(seed.errors.find((e) => e.process === 'crasher')?.message ?? '', /exited with code 3/);
        await waitUntil('idle running', () =>
          seed.statuses.some((s) => s.name === 'idle' && s.status === 'running'),
        );
        assert.ok(seed.statuses.some((s) => s.name === 'crasher' && s.status === 'error'));

        await waitUntil('observer sees idle running', () =>
          statusesOf(observer, 'idle').some((m) => m.status === 'running'),
        );
        const firstPid = statusesOf(observer, 'idle').find((m) => m.status === 'running')?.pid;
        assert.equal(typeof firstPid, 'number');

        const beforeRestart = statusesOf(observer, 'idle').length;
        seed.restartProcess('idle');
        const restarted = await restartObserved(observer, 'idle', beforeRestart);
        assert.notEqual(restarted.pid, firstPid);
        assert.equal(restarted.restarts, 1);

        const beforeAll = statusesOf(observer, 'idle').length;
        const crasherBefore = statusesOf(observer, 'crasher').length;
        seed.restartAll();
        const again = await restartObserved(observer, 'idle', beforeAll);
        assert.notEqual(again.pid, restarted.pid);
        await waitUntil('crasher restarted', () =>
          statusesOf(observer, 'crasher')
            .slice(crasherBefore)
            .some((m) => m.status === 'starting'),
        );

        // A command error is the sender's business only: the seed client hears it, the observer does not.
        seed.restartProcess('no-such-process');
        await waitUntil('seed hears the error', () =>
          seed.errors.some((e) => /no-such-process/.test(e.message)),
        );
        observer.send({ type: 'command', action: 'stop', target: 'also-missing' });
        await waitUntil('observer error', () =>
          observer.of('error').some((m) => m.code === 'UNKNOWN_PROCESS'),
        );
        assert.ok(observer.of('error').every((m) => !m.message.includes('no-such-process')));
      } finally {
        seed.close();
        observer.close();
      }
    });
  });

  it('works with the seed React hook', async () => {
    const globals = globalThis as { WebSocket?: unknown };
    const savedWebSocket = globals.WebSocket;
    // The hook uses the browser's global WebSocket; Node 20 has none, so the test lends it the `ws` class.
    globals.WebSocket = WebSocket;
    try {
      await withEngine([spec('idle', IDLE)], async (supervisor, server) => {
        await supervisor.startAll();
        const observer = new TestClient(wsUrl(server));
        const hook = renderHook(useLucidLines, `ws://localhost:${server.port}/ws`);
        try {
          await observer.opened;
          await waitUntil('the hook to connect', () => hook.current.connected);
          await waitUntil('the hook to list idle as running', () =>
            hook.current.processes.some((p) => p.name === 'idle' && p.status === 'running'),
          );
          assert.equal(hook.current.processes[0]?.command, IDLE);
          const before = statusesOf(observer, 'idle').length;
          hook.current.restartProcess('idle');
          await restartObserved(observer, 'idle', before);
          const beforeAll = statusesOf(observer, 'idle').length;
          hook.current.restartAll();
          await restartObserved(observer, 'idle', beforeAll);
          await waitUntil(
            'the hook to show idle running again',
            () => hook.current.processes[0]?.status === 'running',
          );
        } finally {
          hook.unmount();
          observer.close();
        }
      });
    } finally {
      globals.WebSocket = savedWebSocket;
    }
  });

  it('gives a late joiner the replay, then live output, with no gap and no duplicate', async () => {
    const roomy: EngineOptions = {
      ...DEFAULT_ENGINE_OPTIONS,
      scrollback: { maxLines: 1_000_000, maxBytes: 64 * 1024 * 1024 },
    };
    await withEngine(
      [spec('counter', `node ${join(fixtures, 'server-counter.mjs')} 20`)],
      async (supervisor, server) => {
        const early = new TestClient(wsUrl(server));
        await early.opened;
        await supervisor.startAll();
        await waitUntil('early output', () => lineNumbers(early).length >= 1500);
        const late = new TestClient(wsUrl(server));
        try {
          await late.opened;
          await waitUntil('late live output', () => {
            const live = late.of('process').filter((m) => m.replay !== true);
            return (
              live
                .map((m) => m.output)
                .join('')
                .split('\n').length > 1500
            );
          });
          await supervisor.stop('counter');
          // A status follows the output it comes after, so once both clients heard "stopped" they hold all
          // output sent before it: the early client may otherwise still be reading what the late one has.
          for (const client of [early, late]) {
            await waitUntil('the stopped status', () =>
              client.of('status').some((m) => m.name === 'counter' && m.status === 'stopped'),
            );
          }

          const messages = late.of('process');
          const firstLive = messages.findIndex((m) => m.replay !== true);
          assert.ok(firstLive > 0, 'the late joiner got a replay before live output');
          assert.ok(
            messages.slice(firstLive).every((m) => m.replay !== true),
            'no replay message after the first live one',
          );
          assert.ok(messages.every((m) => m.stream === 'stdout' && typeof m.timestamp === 'number'));
          const replayed = numbersIn(messages.slice(0, firstLive));
          assert.equal(replayed[0], 1, 'the replay starts at the first retained line');

          for (const client of [early, late]) {
            const numbers = lineNumbers(client);
            assert.ok(numbers.length > 3000);
            numbers.forEach((n, i) => {
              if (n !== i + 1) assert.fail(`line ${i + 1} expected, got ${n} (a gap or a duplicate)`);
            });
          }
        } finally {
          early.close();
          late.close();
        }
      },
      roomy,
      // History (issue 15): the whole scrollback is replayed here, so the replay starts at the first line.
      { replayLines: 1_000_000 },
    );
  });

  it('works with the lucidlines/client class', async () => {
    await withEngine([spec('idle', IDLE)], async (supervisor, server) => {
      await supervisor.startAll();
      const client = new LucidLinesClient({ url: wsUrl(server), WebSocket });
      const infos: InfoMessage[] = [];
      const outputs: ProcessOutputMessage[] = [];
      const statuses: StatusMessage[] = [];
      const closes: { code: number; willReconnect: boolean }[] = [];
      client.on('info', (m) => infos.push(m));
      client.on('process', (m) => outputs.push(m));
      client.on('status', (m) => statuses.push(m));
      client.on('close', (e) => closes.push(e));
      try {
        await waitUntil('info', () => infos.length === 1);
        assert.equal(client.connected, true);
        const pid = infos[0]?.processes[0]?.pid;
        assert.equal(typeof pid, 'number');
        assert.deepEqual(infos[0]?.limits, { viewerLines: 5000 });
        await waitUntil('replayed output', () => outputs.some((m) => m.output.includes('ready')));
        assert.equal(client.restart('idle'), true);
        await waitUntil('running with a new pid', () =>
          statuses.some((m) => m.status === 'running' && m.pid !== pid && m.pid !== null),
        );
        assert.ok(statuses.some((m) => m.status === 'starting'));
      } finally {
        client.close();
      }
      await waitUntil('clean close', () => closes.length === 1);
      assert.deepEqual(closes, [{ code: 1000, reason: 'client closed', willReconnect: false }]);
      assert.equal(client.connected, false);
    });
  });

  it('keeps per-process order and batches output into few messages', async () => {
    const control = new FakeControl(['a', 'b']);
    const server = await start(control);
    const client = new TestClient(wsUrl(server));
    try {
      await client.opened;
      await waitUntil('info', () => client.of('info').length === 1);
      for (let i = 0; i < 1000; i++) control.output('a', `a${i}\n`);
      control.output('a', 'err\n', 'stderr');
      control.output('a', 'after\n');
      control.setStatus('a', { status: 'stopped', pid: null, exitCode: 0 });
      control.output('b', 'b-line\n');
      control.fail('b', 'b failed');
      await waitUntil('b error', () => client.of('error').length === 1);
      const sequence = client.messages
        .filter((m) => m.type !== 'info' && m.type !== 'metrics' && m.type !== 'event')
        .map((m) =>
          m.type === 'process'
            ? `${m.name}:${m.stream}:${m.output.length}`
            : `${m.type}:${'name' in m ? m.name : 'process' in m ? m.process : ''}`,
        );
      const expectedA = Array.from({ length: 1000 }, (_, i) => `a${i}\n`).join('');
      assert.deepEqual(sequence, [
        `a:stdout:${expectedA.length}`,
        'a:stderr:4',
        'a:stdout:6',
        'status:a',
        'b:stdout:7',
        'error:b',
      ]);
      const status = client.of('status')[0];
      assert.deepEqual(
        { status: status?.status, pid: status?.pid, exitCode: status?.exitCode, restarts: status?.restarts },
        { status: 'stopped', pid: null, exitCode: 0, restarts: 0 },
      );
      assert.deepEqual(client.of('error')[0]?.code, 'SPAWN_FAILED');
    } finally {
      client.close();
      await server.close();
    }
    assert.equal(control.listenerCount, 0, 'the hub unsubscribed on close');
  });

  it('closes every client with 1001 when the server closes', async () => {
    const control = new FakeControl(['a']);
    const server = await start(control);
    const clients = [new TestClient(wsUrl(server)), new TestClient(wsUrl(server))];
    await Promise.all(clients.map((c) => c.opened));
    await server.close();
    for (const client of clients) assert.equal(await client.closed(), 1001);
  });
});

function numbersIn(messages: readonly ProcessOutputMessage[]): number[] {
  const lines = messages
    .map((m) => m.output)
    .join('')
    .split('\n');
  lines.pop();
  return lines.map((line) => {
    const match = /^line (\d+)$/.exec(line);
    if (match === null) throw new Error(`unexpected line ${JSON.stringify(line)}`);
    return Number(match[1]);
  });
}

/** The numbers of the complete counter lines a client received, in arrival order. */
function lineNumbers(client: TestClient): number[] {
  return numbersIn(client.of('process').filter((m) => m.name === 'counter'));
}
