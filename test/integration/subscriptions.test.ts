// Subscriptions and system metrics (issue 15) over real sockets, with real processes behind a real server.
//
// A filter is proven by order, never by waiting: the hub sends each broadcast to every client in one loop,
// and a socket delivers in order, so once a client that hears everything has seen a message about process
// "b", and a filtered client has then seen a later message about "a", the filtered client would already
// have received the message about "b" had its filter let it through.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import type { ServerMessage, SubscriptionMessage, SystemMessage } from '../../src/protocol.js';
import type { HubTuning } from '../../src/server/hub.js';
import type { Sampler } from '../../src/server/metrics-feed.js';
import type { RunningServer } from '../../src/server/server.js';
import { LucidLinesClient as SeedClient } from '../fixtures/server-seed-client.mjs';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const NAMES = ['a', 'b', 'c'];
const MIB = 1024 * 1024;

function echo(name: string): ProcessSpec {
  return { name, command: 'node stdin-echo.mjs', cwd: fixtures, env: {}, stdin: true };
}

interface Engine {
  supervisor: Supervisor;
  server: RunningServer;
  /** A client that never subscribes: it hears everything a seed client hears. */
  observer: TestClient;
  connect(): Promise<TestClient>;
  /** Writes a line to a process and waits until the observer saw it echoed: it has been broadcast. */
  ping(name: string, text: string): Promise<void>;
}

async function withEngine(
  tuning: Partial<HubTuning>,
  body: (engine: Engine) => Promise<void>,
): Promise<void> {
  const supervisor = new Supervisor(NAMES.map(echo), DEFAULT_ENGINE_OPTIONS);
  const server = await start(supervisor, {}, { metricsIntervalMs: 200, ...tuning });
  const clients: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = new TestClient(wsUrl(server));
    clients.push(client);
    await client.opened;
    await waitUntil('info', () => client.of('info').length === 1);
    return client;
  };
  try {
    await supervisor.startAll();
    const observer = await connect();
    for (const name of NAMES) {
      await waitUntil(`${name} listening`, () => observer.output(name).includes('listening on stdin'));
    }
    const ping = async (name: string, text: string): Promise<void> => {
      assert.deepEqual(supervisor.write(name, `${text}\n`), { ok: true });
      await waitUntil(`the echo of ${text}`, () => observer.output(name).includes(`echo: ${text}\n`));
    };
    await body({ supervisor, server, observer, connect, ping });
  } finally {
    for (const client of clients) client.close();
    await server.close();
    await supervisor.shutdown({ force: true });
  }
}

/** Sends a request and returns the subscription reply it earned, and the index of the reply. */
async function request(
  client: TestClient,
  message: unknown,
): Promise<{ reply: SubscriptionMessage; at: number }> {
  const before = client.messages.length;
  client.send(message);
  await waitUntil('the subscription reply', () =>
    client.messages.slice(before).some((m) => m.type === 'subscription' || m.type === 'error'),
  );
  const at = client.messages.findIndex((m, index) => index >= before && m.type === 'subscription');
  const reply = client.messages[at];
  assert.ok(
    reply?.type === 'subscription',
    `a subscription reply, not ${JSON.stringify(client.messages.slice(before))}`,
  );
  return { reply, at };
}

/** Waits for a line echoed by `name` to reach `client`. */
async function sees(client: TestClient, name: string, text: string): Promise<void> {
  await waitUntil(`${text} to reach the client`, () => client.output(name).includes(`echo: ${text}\n`));
}

/** The process a message concerns, if any. */
function about(message: ServerMessage): string | undefined {
  if (message.type === 'process' || message.type === 'status' || message.type === 'run') return message.name;
  if (message.type === 'error') return message.process;
  return undefined;
}

/** A system sampler the test sets the values of, and that counts its readings. */
function scriptedSystem(): Sampler<SystemMessage> & { samples: number; cpu: number } {
  return {
    samples: 0,
    cpu: 10,
    async sample() {
      this.samples++;
      return {
        type: 'system',
        cpu: this.cpu,
        cores: 2,
        memoryUsed: 100 * MIB,
        memoryTotal: 1000 * MIB,
        load: [0.5, 0.25, 0.1],
        timestamp: Date.now(),
      };
    },
    reset() {},
  };
}

describe('subscriptions over a real server', () => {
  it('narrows by process, leaving a never-subscribed client and the seed client unchanged', async () => {
    await withEngine({}, async ({ supervisor, server, observer, connect, ping }) => {
      const seed = new SeedClient(`ws://localhost:${server.port}/ws`);
      const seedOutput = new Map<string, string>();
      seed.onProcessOutput = (name, output) => seedOutput.set(name, (seedOutput.get(name) ?? '') + output);
      try {
        const narrow = await connect();
        const { reply, at } = await request(narrow, { type: 'subscribe', processes: ['a', 'not-yet-there'] });
        assert.deepEqual(reply.processes?.sort(), ['a', 'not-yet-there']);
        assert.equal(reply.types, null);
        assert.equal(reply.interval, 200, "the server's default interval");

        await supervisor.restart('b');
        await waitUntil('b running again', () =>
          observer.of('status').some((m) => m.name === 'b' && m.restarts === 1 && m.status === 'running'),
        );
        await ping('b', 'to-b');
        await ping('a', 'to-a');
        await sees(narrow, 'a', 'to-a');
        const later = narrow.messages.slice(at);
        assert.deepEqual(
          later.filter((m) => about(m) !== undefined && about(m) !== 'a'),
          [],
          'nothing about b reached the client that watches a',
        );
        await waitUntil('narrowed metrics', () =>
          narrow.messages.slice(at).some((m) => m.type === 'metrics'),
        );
        for (const metrics of narrow.messages.slice(at).filter((m) => m.type === 'metrics')) {
          assert.deepEqual(
            metrics.processes.map((p) => p.name),
            ['a'],
          );
        }
        await waitUntil('full metrics for the observer', () => observer.of('metrics').length > 0);
        assert.deepEqual(
          observer
            .of('metrics')
            .at(-1)
            ?.processes.map((p) => p.name),
          NAMES,
        );
        assert.ok(observer.of('status').some((m) => m.name === 'b' && m.restarts === 1));
        assert.equal(observer.of('subscription').length, 0, 'only the requester hears the reply');

        await waitUntil('the seed client got both echoes', () =>
          [
            ['b', 'echo: to-b\n'],
            ['a', 'echo: to-a\n'],
          ].every(([name = '', line = '']) => seedOutput.get(name)?.includes(line)),
        );
      } finally {
        seed.close();
      }
    });
  });

  it('narrows by type, and unsubscribe removes named processes and types', async () => {
    await withEngine({}, async ({ supervisor, connect, ping }) => {
      const statusOnly = await connect();
      const typed = await request(statusOnly, { type: 'subscribe', types: ['status'] });
      assert.deepEqual(typed.reply.types, ['status']);

      const shrinking = await connect();
      await request(shrinking, { type: 'subscribe', processes: ['a', 'b'], types: ['process', 'status'] });
      const removed = await request(shrinking, { type: 'unsubscribe', processes: ['b'], types: ['status'] });
      assert.deepEqual(removed.reply.processes, ['a']);
      assert.deepEqual(removed.reply.types, ['process']);

      const allButA = await connect();
      const except = await request(allButA, { type: 'unsubscribe', processes: ['a'] });
      assert.equal(except.reply.processes, null);
      assert.deepEqual(except.reply.exceptProcesses, ['a']);

      await ping('b', 'to-b');
      await ping('c', 'to-c');
      await ping('a', 'to-a');
      await ping('c', 'last');
      await sees(shrinking, 'a', 'to-a');
      await sees(allButA, 'c', 'last');
      await supervisor.restart('c');
      await waitUntil('the status-only client sees c restarted', () =>
        statusOnly.of('status').some((m) => m.name === 'c' && m.restarts === 1 && m.status === 'running'),
      );

      assert.deepEqual(
        statusOnly.messages.slice(typed.at + 1).filter((m) => m.type !== 'status'),
        [],
        'the status-only client got statuses alone',
      );
      assert.deepEqual(
        shrinking.messages.slice(removed.at + 1).filter((m) => m.type !== 'process' || m.name !== 'a'),
        [],
        'after unsubscribing b and status: output of a alone',
      );
      assert.deepEqual(
        allButA.messages.slice(except.at + 1).filter((m) => about(m) === 'a'),
        [],
        'all but a',
      );
      assert.ok(allButA.output('b').includes('echo: to-b'));
    });
  });

  it('restores the never-subscribed state with a bare unsubscribe, and clamps the interval', async () => {
    await withEngine({ systemSampler: scriptedSystem() }, async ({ connect, ping }) => {
      const client = await connect();
      const fresh = await connect();
      const clampedLow = await request(client, { type: 'subscribe', processes: ['a'], interval: 1 });
      assert.equal(clampedLow.reply.interval, 500);
      const clampedHigh = await request(client, { type: 'subscribe', interval: 3_600_000 });
      assert.equal(clampedHigh.reply.interval, 60_000);
      const unsubscribedReply = await request(fresh, { type: 'unsubscribe', types: [] });
      await request(client, { type: 'subscribe', processes: ['a'], types: ['system'] });
      const bare = await request(client, { type: 'unsubscribe' });
      assert.deepEqual(
        { ...bare.reply, timestamp: 0 },
        { ...unsubscribedReply.reply, timestamp: 0 },
        'the same filter as a client that never subscribed',
      );
      assert.equal(bare.reply.interval, 200);
      assert.ok(!bare.reply.types?.includes('system'));
      await ping('b', 'after-bare');
      await sees(client, 'b', 'after-bare');
      assert.equal(
        client.messages.slice(bare.at).some((m) => m.type === 'system'),
        false,
      );
    });
  });

  it('sends system metrics only to subscribers and only when they changed', async () => {
    const system = scriptedSystem();
    await withEngine({ systemSampler: system }, async ({ observer, connect, ping }) => {
      await waitUntil('two metrics messages', () => observer.of('metrics').length >= 2);
      assert.equal(system.samples, 0, 'nobody subscribed to system: the host is not read');

      const subscriber = await connect();
      await request(subscriber, {
        type: 'subscribe',
        processes: ['a'],
        types: ['system', 'process'],
        interval: 500,
      });
      await waitUntil('a system message', () => subscriber.of('system').length === 1);
      assert.deepEqual(subscriber.of('system')[0]?.load, [0.5, 0.25, 0.1]);
      const sampled = system.samples;
      await waitUntil('three more readings', () => system.samples >= sampled + 3);
      await ping('a', 'after-readings');
      await sees(subscriber, 'a', 'after-readings');
      assert.equal(subscriber.of('system').length, 1, 'unchanged readings are not sent again');

      system.cpu = 55;
      await waitUntil('the changed reading', () => subscriber.of('system').length === 2);
      assert.equal(subscriber.of('system')[1]?.cpu, 55);
      await ping('a', 'after-change');
      await sees(observer, 'a', 'after-change');
      assert.equal(observer.of('system').length, 0, 'a client that never subscribed gets no system message');
    });
  });

  it('reads the real host', async () => {
    await withEngine({}, async ({ connect }) => {
      const client = await connect();
      await request(client, { type: 'subscribe', types: ['system'], interval: 500 });
      await waitUntil('a system message', () => client.of('system').length > 0);
      const message = client.of('system')[0];
      assert.ok(message);
      assert.ok(message.cores >= 1);
      assert.ok(message.memoryTotal > message.memoryUsed && message.memoryUsed > 0, JSON.stringify(message));
      assert.equal(message.memoryTotal % MIB, 0, 'to the MiB');
      assert.ok(message.cpu === null || (message.cpu >= 0 && message.cpu <= 100), JSON.stringify(message));
      assert.equal(message.load.length, 3);
    });
  });

  it('refuses a bad subscribe with INVALID_MESSAGE to the sender alone, and keeps the connection', async () => {
    await withEngine({}, async ({ observer, connect }) => {
      const client = await connect();
      for (const bad of [
        { type: 'subscribe', types: ['process', 'bogus'] },
        { type: 'subscribe', processes: 'a' },
        { type: 'unsubscribe', interval: 'fast' },
      ]) {
        const before = client.of('error').length;
        client.send(bad);
        await waitUntil('the refusal', () => client.of('error').length === before + 1);
        assert.equal(client.of('error').at(-1)?.code, 'INVALID_MESSAGE', JSON.stringify(bad));
      }
      assert.match(client.of('error')[0]?.message ?? '', /"bogus"/);
      const { reply } = await request(client, { type: 'subscribe', types: ['process'] });
      assert.deepEqual(reply.types, ['process']);
      assert.equal(client.closeCode, null);
      assert.equal(observer.of('error').length, 0);
    });
  });
});
