import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { MAX_PAYLOAD_BYTES } from '../../src/server/hub.js';
import { FakeControl, start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

describe('server robustness', () => {
  it('answers every class of bad input with its error code and keeps the connection working', async () => {
    const control = new FakeControl(['web']);
    // The rate limits have their own tests; here they must not interfere with the 40-odd messages.
    const generous = { burst: 1000, perSecond: 1000 };
    const server = await start(
      control,
      {},
      {
        rateLimit: {
          perConnection: generous,
          perProcess: generous,
          allProcesses: generous,
          input: generous,
        },
      },
    );
    const client = new TestClient(wsUrl(server));
    try {
      await client.opened;
      const cases: [unknown, string][] = [
        ['{', 'INVALID_JSON'],
        ['', 'INVALID_JSON'],
        ['\u0000', 'INVALID_JSON'],
        ['[]', 'INVALID_MESSAGE'],
        ['"command"', 'INVALID_MESSAGE'],
        ['null', 'INVALID_MESSAGE'],
        ['42', 'INVALID_MESSAGE'],
        [`${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'INVALID_MESSAGE'],
        [{ type: 7 }, 'INVALID_MESSAGE'],
        [{ type: 'command' }, 'INVALID_MESSAGE'],
        [{ type: 'command', action: 'restart' }, 'INVALID_MESSAGE'],
        [{ type: 'command', action: 'restart', target: 5 }, 'INVALID_MESSAGE'],
        [{ type: 'command', action: 'restart', target: '' }, 'INVALID_MESSAGE'],
        [{ type: 'hello' }, 'UNKNOWN_TYPE'],
        [{ type: 'command', action: 'explode', target: 'web' }, 'UNKNOWN_ACTION'],
        [{ type: 'command', action: 'restart', target: 'nope' }, 'UNKNOWN_PROCESS'],
        [{ type: 'command', action: 'stop', target: '__proto__' }, 'UNKNOWN_PROCESS'],
        [{ type: 'command', action: 'start', target: 'constructor' }, 'UNKNOWN_PROCESS'],
        ['{"type":"command","action":"restart","target":"web","__proto__":{"polluted":true}}', 'OK'],
      ];
      for (const [input, code] of cases) {
        const errorsBefore = client.of('error').length;
        const commandsBefore = control.commands.length;
        client.send(input);
        // A valid command right after proves the connection still works and that the bad input did nothing;
        // the marker's reply comes last, since replies keep order, so all earlier replies are in by then.
        client.send({ type: 'command', action: 'stop', target: 'web' });
        client.send({ type: 'marker' });
        await waitUntil(`the replies to ${String(input).slice(0, 40)}`, () =>
          client
            .of('error')
            .slice(errorsBefore)
            .some((e) => e.message.includes('"marker"')),
        );
        const errors = client
          .of('error')
          .slice(errorsBefore)
          .filter((e) => !e.message.includes('"marker"'));
        assert.equal(
          control.commands.length,
          commandsBefore + (code === 'OK' ? 2 : 1),
          String(input).slice(0, 60),
        );
        assert.deepEqual(
          errors.map((e) => e.code),
          code === 'OK' ? [] : [code],
          String(input).slice(0, 60),
        );
        for (const error of errors) assert.equal(typeof error.message, 'string');
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(client.ws.readyState, WebSocket.OPEN);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('answers a binary frame with BINARY_FRAME and keeps the connection', async () => {
    const control = new FakeControl(['web']);
    const server = await start(control);
    const client = new TestClient(wsUrl(server));
    try {
      await client.opened;
      client.ws.send(Buffer.from(JSON.stringify({ type: 'command', action: 'restart-all' })), {
        binary: true,
      });
      await waitUntil('BINARY_FRAME', () => client.of('error').some((e) => e.code === 'BINARY_FRAME'));
      assert.deepEqual(control.commands, [], 'a binary frame is never executed');
      client.send({ type: 'command', action: 'restart-all' });
      await waitUntil('the command', () => control.commands.length === 1);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('closes the connection with 1009 when a frame exceeds the maximum payload', async () => {
    const control = new FakeControl(['web']);
    const server = await start(control);
    const client = new TestClient(wsUrl(server));
    const other = new TestClient(wsUrl(server));
    try {
      await Promise.all([client.opened, other.opened]);
      client.send(`{"type":"command","action":"restart-all","pad":"${'x'.repeat(MAX_PAYLOAD_BYTES)}"}`);
      assert.equal(await client.closed(), 1009);
      assert.deepEqual(control.commands, []);
      other.send({ type: 'command', action: 'stop-all' });
      await waitUntil('the other client still works', () => control.commands.length === 1);
    } finally {
      client.close();
      other.close();
      await server.close();
    }
  });

  it('closes the connection with 1007 when a text frame is not valid UTF-8', async () => {
    const control = new FakeControl(['web']);
    const server = await start(control);
    const client = new TestClient(wsUrl(server));
    try {
      await client.opened;
      client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      assert.equal(await client.closed(), 1007);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('rate-limits commands per connection with a token bucket', async () => {
    const control = new FakeControl(['web']);
    let now = 1_000;
    // Only the per-connection bucket is under test here; the shared buckets have their own test.
    const generous = { burst: 1000, perSecond: 1000 };
    const server = await start(
      control,
      {},
      {
        now: () => now,
        rateLimit: {
          perConnection: { burst: 20, perSecond: 10 },
          perProcess: generous,
          allProcesses: generous,
          input: generous,
        },
      },
    );
    const client = new TestClient(wsUrl(server));
    const neighbour = new TestClient(wsUrl(server));
    try {
      await Promise.all([client.opened, neighbour.opened]);
      for (let i = 0; i < 30; i++) client.send({ type: 'command', action: 'stop', target: 'web' });
      await waitUntil('the RATE_LIMIT reply', () => client.of('error').length === 1);
      assert.equal(client.of('error')[0]?.code, 'RATE_LIMIT');
      neighbour.send({ type: 'command', action: 'restart-all' });
      await waitUntil('the neighbour, whose bucket is its own', () =>
        control.commands.includes('restart-all'),
      );
      // One token's worth of time lets a marker through; it is handled after all 30 earlier messages.
      now += 100;
      client.send({ type: 'command', action: 'restart', target: 'web' });
      await waitUntil('the marker', () => control.commands.includes('restart:web'));
      assert.equal(control.commands.filter((c) => c === 'stop:web').length, 20, 'only the burst ran');
      assert.equal(client.of('error').length, 1, 'a flood earns one error reply');

      now += 1_000;
      for (let i = 0; i < 11; i++) client.send({ type: 'command', action: 'start', target: 'web' });
      await waitUntil('the second RATE_LIMIT reply', () => client.of('error').length === 2);
      now += 100;
      client.send({ type: 'command', action: 'stop-all' });
      await waitUntil('the second marker', () => control.commands.includes('stop-all'));
      assert.equal(control.commands.filter((c) => c === 'start:web').length, 10, 'refilled at 10 per second');
    } finally {
      client.close();
      neighbour.close();
      await server.close();
    }
  });

  it('closes a stalled client with 1013 and keeps feeding the others', async () => {
    const control = new FakeControl(['flood']);
    const limit = 2 * 1024 * 1024;
    const server = await start(control, {}, { maxBufferedBytes: limit, closeTimeoutMs: 60_000 });
    const stalled = new WebSocket(wsUrl(server));
    let stalledBytes = 0;
    let stalledClose: number | null = null;
    stalled.on('message', (data: Buffer) => {
      stalledBytes += data.length;
    });
    stalled.on('close', (code) => {
      stalledClose = code;
    });
    const healthy = new WebSocket(wsUrl(server));
    let healthyChars = 0;
    healthy.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; output?: string };
      if (message.type === 'process') healthyChars += message.output?.length ?? 0;
    });
    try {
      await Promise.all([stalled, healthy].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      stalled.pause();
      const line = `${'y'.repeat(1023)}\n`;
      const step = 512;
      const total = 32 * 1024;
      for (let sent = 0; sent < total; sent += step) {
        for (let i = 0; i < step; i++) control.output('flood', line);
        // Pacing by the healthy client's progress keeps it under the limit, so only the stalled one trips it.
        const expected = (sent + step) * line.length;
        await waitUntil('the healthy client to catch up', () => healthyChars === expected, 60_000);
      }
      assert.equal(healthy.readyState, WebSocket.OPEN, 'the healthy client is still connected');
      assert.equal(stalledClose, null);
      stalled.resume();
      await waitUntil('the stalled client to see its close', () => stalledClose !== null, 60_000);
      assert.equal(stalledClose, 1013);
      assert.ok(
        stalledBytes < (total * line.length) / 2,
        `the server stopped queueing for the stalled client (it got ${stalledBytes} bytes)`,
      );
    } finally {
      stalled.terminate();
      healthy.terminate();
      await server.close();
    }
  });

  it('does not mistake a replay larger than the buffer limit for a stalled client', async () => {
    const control = new FakeControl(['big']);
    // History (issue 15): all 4 MiB are replayed, not only the newest `replayLines`.
    const server = await start(control, { replayLines: 4096 }, { maxBufferedBytes: 256 * 1024 });
    const line = `${'z'.repeat(1023)}\n`;
    for (let i = 0; i < 4096; i++) control.output('big', line);
    const client = new TestClient(wsUrl(server));
    try {
      await client.opened;
      await waitUntil('the whole replay', () => client.output('big').length === 4096 * line.length, 60_000);
      control.output('big', 'live\n');
      await waitUntil('live output after the replay', () => client.output('big').endsWith('live\n'));
      assert.equal(client.ws.readyState, WebSocket.OPEN);
      assert.ok(client.of('process').some((m) => m.replay === true));
    } finally {
      client.close();
      await server.close();
    }
  });

  it('terminates a client that stops answering pings, and keeps one that answers', async () => {
    const control = new FakeControl(['web']);
    // The answering client lives in this process, so its pong waits for the same event loop as the server's
    // next heartbeat: the interval leaves room for a loaded machine to run both in between.
    const server = await start(control, {}, { heartbeatIntervalMs: 500 });
    const answering = new TestClient(wsUrl(server));
    let pingsSeen = 0;
    answering.ws.on('ping', () => pingsSeen++);
    // A raw TCP client completes the handshake and reads everything, but never sends a pong.
    const silent = connectTcp({ host: '127.0.0.1', port: server.port });
    let silentClosed = false;
    let received = '';
    silent.on('data', (data) => {
      received += data.toString('latin1');
    });
    silent.on('close', () => {
      silentClosed = true;
    });
    silent.on('error', () => {});
    try {
      await answering.opened;
      silent.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await waitUntil('the silent client to be terminated', () => silentClosed);
      assert.match(received, /^HTTP\/1\.1 101 /, 'it was upgraded first');
      const pingsAtTermination = pingsSeen;
      await waitUntil('more heartbeats', () => pingsSeen >= pingsAtTermination + 3);
      assert.equal(answering.ws.readyState, WebSocket.OPEN);
    } finally {
      silent.destroy();
      answering.close();
      await server.close();
    }
  });

  it('delivers the output of 20 processes to 50 clients', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `proc-${i}`);
    const control = new FakeControl(names);
    const server = await start(control);
    const clients = Array.from({ length: 50 }, () => new TestClient(wsUrl(server)));
    try {
      await Promise.all(clients.map((c) => c.opened));
      await waitUntil('every info', () => clients.every((c) => c.of('info').length === 1));
      for (let i = 0; i < 100; i++) {
        for (const name of names) control.output(name, `${name} line ${i}\n`);
      }
      const expected = (name: string) =>
        Array.from({ length: 100 }, (_, i) => `${name} line ${i}\n`).join('');
      await waitUntil(
        'all output at every client',
        () => clients.every((c) => names.every((name) => c.output(name).length === expected(name).length)),
        60_000,
      );
      for (const client of clients) {
        for (const name of names) assert.equal(client.output(name), expected(name));
        assert.equal(client.ws.readyState, WebSocket.OPEN);
      }
    } finally {
      for (const client of clients) client.close();
      await server.close();
    }
  });
});
