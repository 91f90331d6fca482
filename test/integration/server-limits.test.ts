// The bounds of the server over real sockets: the memory held for all clients together, the number of
// connections, and the rate of commands per process whoever sends them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../src/protocol.js';
import { DEFAULT_HUB_TUNING } from '../../src/server/hub.js';
import { FakeControl, start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

/** A raw upgrade request; resolves with the server's whole answer once it closes or upgrades. */
function upgradeResponse(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (text.startsWith('HTTP/1.1 101 ') && text.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** A `ws` client that counts the bytes it reads and can stop reading, as a frozen tab does. */
class StallableClient {
  readonly ws: WebSocket;
  bytes = 0;
  closeCode: number | null = null;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      this.bytes += data.length;
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()));
  }
}

describe('server limits', () => {
  /**
   * Floods `total` lines of 1 KiB through a server whose only bound on backlog is the one over all clients
   * (the per-client limit is out of reach, and the long close timeout leaves stalled clients all the time
   * they need to read up to their close frame), with `stalledCount` clients that stop reading and one that
   * reads everything. Resolves once the stalled clients have read again up to their close.
   */
  async function floodPastTheBound(
    stalledCount: number,
  ): Promise<{ stalled: StallableClient[]; total: number }> {
    const control = new FakeControl(['flood']);
    const server = await start(
      control,
      {},
      { maxBufferedBytes: 1024 ** 3, maxTotalBufferedBytes: 2 * 1024 * 1024, closeTimeoutMs: 120_000 },
    );
    const stalled = Array.from({ length: stalledCount }, () => new StallableClient(wsUrl(server)));
    const healthy = new TestClient(wsUrl(server));
    const line = `${'y'.repeat(1023)}\n`;
    const total = 48 * 1024;
    try {
      await Promise.all([...stalled.map((client) => client.opened), healthy.opened]);
      for (const client of stalled) client.ws.pause();
      const step = 512;
      for (let sent = 0; sent < total; sent += step) {
        for (let i = 0; i < step; i++) control.output('flood', line);
        // Pacing by the reader's progress keeps its own backlog near zero, so only the stalled ones grow.
        const expected = (sent + step) * line.length;
        await waitUntil('the reader to catch up', () => healthy.output('flood').length === expected, 60_000);
      }
      assert.ok(
        stalled.every((client) => client.closeCode === null),
        'paused sockets cannot see their close yet',
      );
      for (const client of stalled) client.ws.resume();
      await waitUntil('the stalled clients to read their close', () =>
        stalled.every((client) => client.closeCode !== null),
      );
      assert.equal(healthy.ws.readyState, WebSocket.OPEN, 'the reader is still connected');
      control.output('flood', 'after\n');
      await waitUntil('live output still reaching the reader', () =>
        healthy.output('flood').endsWith('after\n'),
      );
      return { stalled, total: total * line.length };
    } finally {
      for (const client of stalled) client.ws.terminate();
      healthy.close();
      await server.close();
    }
  }

  it('sends a stalled client dropped for backlog 1013 and nothing more, which it reads when it reads again', async () => {
    const { stalled, total } = await floodPastTheBound(1);
    const [client] = stalled as [StallableClient];
    assert.equal(client.closeCode, CLOSE_CODES.TRY_AGAIN_LATER);
    assert.ok(client.bytes < total / 2, `the server stopped queueing for it (it got ${client.bytes} bytes)`);
  });

  it('drops every stalled client once all of them together hold too much, though none passes its own limit', async () => {
    const { stalled, total } = await floodPastTheBound(4);
    for (const client of stalled) {
      // Clients closed one after another may be destroyed before their close timeout when the closing ones
      // together hold too much (backlog-bound.ts), so 1006 is as valid a way out as 1013 here.
      assert.ok(
        client.closeCode === CLOSE_CODES.TRY_AGAIN_LATER || client.closeCode === 1006,
        `closed with ${client.closeCode}`,
      );
      assert.ok(
        client.bytes < total / 4,
        `the server stopped queueing for it (it got ${client.bytes} bytes)`,
      );
    }
  });

  it('refuses upgrades beyond maxClients with 503 and Retry-After, and accepts again once one leaves', async () => {
    const control = new FakeControl(['web']);
    const server = await start(control, { maxClients: 3 });
    const clients = [0, 1, 2].map(() => new TestClient(wsUrl(server)));
    const connected = [...clients];
    try {
      await Promise.all(connected.map((client) => client.opened));
      for (let i = 0; i < 5; i++) {
        const refused = await upgradeResponse(server.port);
        assert.match(refused, /^HTTP\/1\.1 503 /);
        assert.match(refused, /\r\nRetry-After: \d+\r\n/i);
      }
      const wsRefusal = new TestClient(wsUrl(server));
      clients.push(wsRefusal);
      await assert.rejects(wsRefusal.opened, /upgrade refused with 503/);
      assert.equal(
        connected.every((client) => client.ws.readyState === WebSocket.OPEN),
        true,
        'refusals do not disturb the connected clients',
      );

      clients[0]?.close();
      // Refused attempts must not have used up slots: one leaving frees one. The server notices the leaving
      // socket on its own schedule, so connecting is retried until it is accepted.
      const deadline = Date.now() + 20_000;
      let newcomer: TestClient | null = null;
      while (newcomer === null && Date.now() < deadline) {
        const attempt = new TestClient(wsUrl(server));
        clients.push(attempt);
        newcomer = await attempt.opened.then(
          () => attempt,
          () => null,
        );
      }
      assert.ok(newcomer !== null, 'a client was accepted once a slot was free');
      assert.match(await upgradeResponse(server.port), /^HTTP\/1\.1 503 /, 'and only one slot was free');
    } finally {
      for (const client of clients) client.close();
      await server.close();
    }
  });

  it('limits restarts of one process across connections, answering RATE_LIMIT and keeping them all', async () => {
    const control = new FakeControl(['web', 'api']);
    let now = 1_000;
    const server = await start(control, {}, { now: () => now });
    const { perProcess, allProcesses, perConnection } = DEFAULT_HUB_TUNING.rateLimit;
    // Each connection stays within its own bucket, with two tokens to spare for the commands that follow,
    // so only the shared buckets can refuse anything.
    const perClient = perConnection.burst - 2;
    const clients = Array.from({ length: 10 }, () => new TestClient(wsUrl(server)));
    try {
      await Promise.all(clients.map((client) => client.opened));
      for (const client of clients) {
        for (let i = 0; i < perClient; i++)
          client.send({ type: 'command', action: 'restart', target: 'web' });
      }
      const sent = clients.length * perClient;
      const restarts = () => control.commands.filter((command) => command === 'restart:web').length;
      const refusals = () => clients.flatMap((client) => client.of('error'));
      await waitUntil('every restart to be run or refused', () => restarts() + refusals().length === sent);
      assert.equal(restarts(), perProcess.burst, 'only one burst of restarts ran');
      for (const refusal of refusals()) {
        assert.equal(refusal.code, 'RATE_LIMIT');
        assert.equal(refusal.process, 'web');
      }
      assert.ok(clients.every((client) => client.ws.readyState === WebSocket.OPEN));

      const first = clients[0] as TestClient;
      first.send({ type: 'command', action: 'restart', target: 'api' });
      await waitUntil('another process, whose bucket is its own', () =>
        control.commands.includes('restart:api'),
      );

      for (const client of clients) client.send({ type: 'command', action: 'restart-all' });
      const refusedBefore = refusals().length;
      const restartAlls = () => control.commands.filter((command) => command === 'restart-all').length;
      await waitUntil(
        'every restart-all to be run or refused',
        () => restartAlls() + refusals().length - refusedBefore === clients.length,
      );
      assert.equal(restartAlls(), allProcesses.burst, 'restart-all has one bucket for all connections');

      now += 1000 / perProcess.perSecond;
      first.send({ type: 'command', action: 'stop', target: 'web' });
      await waitUntil('a refilled token', () => control.commands.includes('stop:web'));
    } finally {
      for (const client of clients) client.close();
      await server.close();
    }
  });
});
