import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { MAX_INPUT_LENGTH } from '../../src/protocol.js';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const ECHO = 'node stdin-echo.mjs';

function spec(name: string, stdin: boolean): ProcessSpec {
  return { name, command: ECHO, cwd: fixtures, env: {}, ...(stdin ? { stdin: true } : {}) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stdin from the page', () => {
  it('writes input to a process that opted in, and refuses the others without closing the connection', async () => {
    const supervisor = new Supervisor([spec('shell', true), spec('closed', false)], DEFAULT_ENGINE_OPTIONS);
    const server = await start(supervisor);
    const client = new TestClient(wsUrl(server));
    const pids: number[] = [];
    try {
      await supervisor.startAll();
      await client.opened;
      await waitUntil('both to listen', () =>
        ['shell', 'closed'].every((name) => client.output(name).includes('listening on stdin')),
      );
      for (const snapshot of supervisor.list()) if (snapshot.pid !== null) pids.push(snapshot.pid);
      const info = client.of('info')[0];
      assert.deepEqual(
        info?.processes.map((p) => [p.name, p.stdin]),
        [
          ['shell', true],
          ['closed', undefined],
        ],
        'info tells which processes take input',
      );

      client.send({ type: 'command', action: 'input', target: 'shell', data: 'rs\n' });
      await waitUntil('the echoed line', () => client.output('shell').includes('echo: rs\n'));

      client.send({ type: 'command', action: 'input', target: 'closed', data: 'rs\n' });
      await waitUntil('the refusal', () => client.of('error').length === 1);
      const refusal = client.of('error')[0];
      assert.equal(refusal?.code, 'STDIN_DISABLED');
      assert.equal(refusal?.process, 'closed');

      const tooLong = 'x'.repeat(MAX_INPUT_LENGTH + 1);
      client.send({ type: 'command', action: 'input', target: 'shell', data: tooLong });
      await waitUntil('the second refusal', () => client.of('error').length === 2);
      assert.equal(client.of('error')[1]?.code, 'INVALID_MESSAGE');

      // The connection survived both refusals: input still goes through.
      client.send({ type: 'command', action: 'input', target: 'shell', data: 'still here\n' });
      await waitUntil('the later echo', () => client.output('shell').includes('echo: still here\n'));
      assert.equal(client.closeCode, null);
      assert.ok(!client.output('closed').includes('echo:'), 'nothing reached the process without opt-in');

      await supervisor.stop('shell');
      client.send({ type: 'command', action: 'input', target: 'shell', data: 'rs\n' });
      await waitUntil('the not-running refusal', () => client.of('error').length === 3);
      assert.equal(client.of('error')[2]?.code, 'NOT_RUNNING');
    } finally {
      client.close();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
    assert.deepEqual(
      pids.filter((pid) => isAlive(pid)),
      [],
      'every process is gone',
    );
  });

  it('drops a flood of input once the per-process bucket is empty, and says so', async () => {
    const supervisor = new Supervisor([spec('shell', true)], DEFAULT_ENGINE_OPTIONS);
    let now = 0;
    const generous = { burst: 1000, perSecond: 1000 };
    const server = await start(
      supervisor,
      {},
      {
        now: () => now,
        rateLimit: {
          perConnection: generous,
          perProcess: generous,
          allProcesses: generous,
          input: { burst: 5, perSecond: 10 },
        },
      },
    );
    const client = new TestClient(wsUrl(server));
    try {
      await supervisor.startAll();
      await client.opened;
      await waitUntil('the echo process', () => client.output('shell').includes('listening on stdin'));
      for (let i = 0; i < 20; i++) {
        client.send({ type: 'command', action: 'input', target: 'shell', data: `line ${i}\n` });
      }
      await waitUntil('the refusals', () => client.of('error').length === 15);
      assert.ok(client.of('error').every((error) => error.code === 'RATE_LIMIT'));
      await waitUntil('the admitted lines', () => client.output('shell').includes('echo: line 4\n'));
      now += 100;
      client.send({ type: 'command', action: 'input', target: 'shell', data: 'after\n' });
      await waitUntil('input after the refill', () => client.output('shell').includes('echo: after\n'));
      assert.ok(!client.output('shell').includes('echo: line 5\n'), 'the dropped lines never arrived');
    } finally {
      client.close();
      await server.close();
      await supervisor.shutdown({ force: true });
    }
  });
});
