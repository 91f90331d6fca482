// Command ids end to end: a real supervisor and server, two clients sending commands with ids. Each client
// must learn when its own command settled, and must never see another client's ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const IDLE = `node -e "console.log('ready'); setInterval(() => {}, 1000)"`;

const idsOf = (client: TestClient) =>
  client.messages.flatMap((message) =>
    (message.type === 'status' || message.type === 'error') && message.ids !== undefined
      ? [{ type: message.type, ids: message.ids, status: message.type === 'status' ? message.status : null }]
      : [],
  );

describe('command ids', () => {
  it('echoes each client its own ids on the status that settles its commands, and on refusals', async () => {
    const supervisor = new Supervisor([{ name: 'web', command: IDLE, cwd: process.cwd(), env: {} }], {
      ...DEFAULT_ENGINE_OPTIONS,
    });
    const server = await start(supervisor);
    const one = new TestClient(wsUrl(server));
    const two = new TestClient(wsUrl(server));
    try {
      await supervisor.startAll();
      await Promise.all([one.opened, two.opened]);
      await waitUntil('both greeted', () => one.of('info').length === 1 && two.of('info').length === 1);

      one.send({ type: 'command', action: 'restart', target: 'web', id: 'one-restart' });
      two.send({ type: 'command', action: 'restart', target: 'web', id: 'two-restart' });
      await waitUntil('both settled', () => idsOf(one).length === 1 && idsOf(two).length === 1);
      assert.deepEqual(idsOf(one), [{ type: 'status', ids: ['one-restart'], status: 'running' }]);
      assert.deepEqual(idsOf(two), [{ type: 'status', ids: ['two-restart'], status: 'running' }]);

      one.send({ type: 'command', action: 'stop', target: 'nope', id: 'one-unknown' });
      await waitUntil('the refusal', () => idsOf(one).length === 2);
      assert.deepEqual(idsOf(one)[1], { type: 'error', ids: ['one-unknown'], status: null });

      one.send({ type: 'command', action: 'stop', target: 'web', id: 'x'.repeat(129) });
      await waitUntil('the invalid id refused', () =>
        one.of('error').some((error) => error.code === 'INVALID_MESSAGE'),
      );
      assert.equal(
        supervisor.list()[0]?.status,
        'running',
        'a command with an invalid id is not carried out',
      );

      two.send({ type: 'command', action: 'stop-all', id: 'two-stop-all' });
      await waitUntil('stop-all settled', () => idsOf(two).length === 2);
      assert.deepEqual(idsOf(two)[1], { type: 'status', ids: ['two-stop-all'], status: 'stopped' });
      assert.equal(idsOf(one).length, 2, 'the other client saw none of these ids');
    } finally {
      one.close();
      two.close();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });
});
