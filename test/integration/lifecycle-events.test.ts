// The lifecycle log over a real engine, real processes and real sockets: each event a person would want to
// know about arrives as an `event` message to the clients that subscribed to them, and a client that subscribes
// later gets the log replayed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { attachBehaviours } from '../../src/behaviours/behaviour.js';
import { standardBehaviours } from '../../src/behaviours/standard.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import type { EventMessage } from '../../src/protocol.js';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const web: ProcessSpec = {
  name: 'web',
  command: 'node ready-server.mjs pattern',
  cwd: fixtures,
  env: {},
  awaitReady: true,
  readiness: { pattern: /ready in/, hosts: [], timeoutMs: 20_000 },
};

const crasher: ProcessSpec = {
  name: 'crasher',
  command: 'echo boom; exit 3',
  cwd: fixtures,
  env: {},
  restart: { when: 'on-failure', delayMs: 50, maxDelayMs: 50, maxRestarts: 1, resetAfterMs: 60_000 },
};

/** The example of `GET /api/events` in docs/protocol.md. */
function readApiEventsExample(): { events: Record<string, unknown>[] } {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const block = /### `GET \/api\/events`[\s\S]*?```json read-api\n([\s\S]*?)```/.exec(doc)?.[1] ?? '{}';
  return JSON.parse(block) as { events: Record<string, unknown>[] };
}

function events(client: TestClient, process?: string): EventMessage[] {
  return client.of('event').filter((entry) => process === undefined || entry.process === process);
}

/** The kind and the words of each event of a process, in order. */
function story(client: TestClient, process: string): string[] {
  return events(client, process).map((entry) => `${entry.event}: ${entry.message}`);
}

/** Lifecycle events are subscriber-only: a client asks for them, and the log is replayed to it then. */
async function subscribeToEvents(client: TestClient): Promise<void> {
  await client.opened;
  client.send({ type: 'subscribe', types: ['event'] });
  await waitUntil('the subscription', () => client.of('subscription').length === 1);
}

async function waitForEvent(client: TestClient, process: string, kind: string, count = 1): Promise<void> {
  await waitUntil(
    `${count} "${kind}" event(s) of ${process}; got ${JSON.stringify(story(client, process))}`,
    () => events(client, process).filter((entry) => entry.event === kind).length >= count,
  );
}

describe('lifecycle events over a real engine', () => {
  it('tells start, ready, crash with code, automatic restart, giving up, manual restart, notices and stop', async () => {
    const supervisor = new Supervisor([web, crasher], DEFAULT_ENGINE_OPTIONS);
    const detach = attachBehaviours(supervisor, standardBehaviours({ report: () => {} }));
    const server = await start(supervisor);
    const client = new TestClient(wsUrl(server));
    let later: TestClient | null = null;
    try {
      await subscribeToEvents(client);
      await supervisor.startAll();

      await waitForEvent(client, 'crasher', 'gave-up');
      const [started, crashed, restarted, crashedAgain, gaveUp] = events(client, 'crasher');
      assert.equal(started?.event, 'started');
      assert.equal(typeof started?.pid, 'number');
      assert.deepEqual(
        [crashed?.event, crashed?.exitCode, crashed?.signal, crashed?.message],
        ['crashed', 3, null, 'crashed with exit code 3'],
      );
      assert.deepEqual(
        [restarted?.event, restarted?.reason, restarted?.run],
        ['restarted', 'auto-restart', 2],
      );
      assert.equal(crashedAgain?.event, 'crashed');
      assert.deepEqual([gaveUp?.event, gaveUp?.errorCode], ['gave-up', 'RESTARTS_EXHAUSTED']);

      await waitForEvent(client, 'web', 'ready');
      const ready = events(client, 'web').find((entry) => entry.event === 'ready');
      assert.deepEqual([ready?.readyBy, ready?.message], ['pattern', 'ready (pattern matched)']);

      client.send({ type: 'command', action: 'restart', target: 'web' });
      await waitForEvent(client, 'web', 'ready', 2);
      const manual = events(client, 'web').find((entry) => entry.event === 'restarted');
      assert.deepEqual([manual?.reason, manual?.run], ['manual', 2]);
      assert.match(manual?.message ?? '', /^restarted on request \(pid \d+\)$/);

      supervisor.announce('web', 'memory-limit', 'uses 600 MB, over its maxMemory of 512 MB');
      await waitForEvent(client, 'web', 'memory-limit');

      await supervisor.stop('web');
      await waitForEvent(client, 'web', 'stopped');
      assert.deepEqual(story(client, 'web').slice(1), [
        'ready: ready (pattern matched)',
        `restarted: ${manual?.message}`,
        'ready: ready (pattern matched)',
        'memory-limit: uses 600 MB, over its maxMemory of 512 MB',
        'stopped: stopped by SIGTERM',
      ]);
      assert.ok(events(client).every((entry) => entry.replay === undefined));

      // A client that subscribes later is told the whole story so far, oldest first, marked as replayed.
      later = new TestClient(wsUrl(server));
      await subscribeToEvents(later);
      await waitUntil('the replayed log', () => events(later as TestClient).length === events(client).length);
      assert.deepEqual(
        events(later).map(({ replay, ...entry }) => entry),
        events(client),
      );
      assert.ok(events(later).every((entry) => entry.replay === true));
      const firstEvent = later.messages.findIndex((m) => m.type === 'event');
      assert.ok(
        later.messages.slice(firstEvent).every((m) => m.type === 'event'),
        'the log follows the subscription',
      );

      // The read API answers with the same log, and its documented example has the fields of a real crash.
      const answer = (await (await fetch(new URL('/api/events', server.url))).json()) as {
        events: EventMessage[];
      };
      assert.deepEqual(answer.events, events(client));
      const [documented] = readApiEventsExample().events;
      assert.deepEqual(Object.keys(documented ?? {}).sort(), Object.keys(crashed ?? {}).sort());
    } finally {
      client.close();
      later?.close();
      detach();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });

  it('tells a config reload with what it added, removed and changed, and a rejected edit', async () => {
    const idle = (name: string, command = 'node watch-idle.mjs'): ProcessSpec => ({
      name,
      command,
      cwd: fixtures,
      env: {},
    });
    const supervisor = new Supervisor([idle('a'), idle('b')], DEFAULT_ENGINE_OPTIONS);
    const server = await start(supervisor);
    const client = new TestClient(wsUrl(server));
    try {
      await subscribeToEvents(client);
      await supervisor.startAll();
      await waitUntil('both started', () => events(client).filter((e) => e.event === 'started').length === 2);

      // What src/cli/run.ts does with an edit that src/config/reload.ts applied.
      const changes = await supervisor.apply([idle('a', 'node watch-idle.mjs again'), idle('c')]);
      supervisor.reportConfigApplied({
        added: changes.added.map((spec) => spec.name),
        removed: [...changes.removed],
        changed: changes.changed.map((spec) => spec.name),
      });
      await waitUntil('the reload', () => events(client).some((e) => e.event === 'config-reloaded'));
      const reloaded = events(client).find((e) => e.event === 'config-reloaded');
      assert.deepEqual(
        [reloaded?.added, reloaded?.removed, reloaded?.changed, reloaded?.process],
        [['c'], ['b'], ['a'], undefined],
      );
      assert.equal(reloaded?.message, 'config reloaded: added c; removed b; changed a');
      assert.deepEqual(story(client, 'b').at(-1), 'stopped: stopped by SIGTERM');
      assert.equal(events(client, 'a').at(-1)?.reason, 'config-change');
      assert.equal(events(client, 'c').at(-1)?.event, 'started');

      supervisor.reportConfigRejection('CONFIG_INVALID', 'processes[0].command must not be empty.');
      await waitUntil('the rejection', () => events(client).some((e) => e.event === 'config-rejected'));
      assert.equal(events(client).at(-1)?.errorCode, 'CONFIG_INVALID');
    } finally {
      client.close();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });
});
