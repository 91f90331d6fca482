import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { LucidLinesClient, type WebSocketLike } from '../../src/client.js';

/** A scripted stand-in for a WebSocket: the test drives its lifecycle and inspects what the client sent. */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  closeCalls: { code: number | undefined; reason: string | undefined }[] = [];

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
  }

  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  serverSends(data: unknown): void {
    this.onmessage?.({ data });
  }

  serverCloses(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const INFO = JSON.stringify({ type: 'info', version: '1', processes: [], timestamp: 1 });

function latest(): FakeSocket {
  const socket = FakeSocket.instances.at(-1);
  assert.ok(socket, 'expected a socket to exist');
  return socket;
}

describe('LucidLinesClient', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  it('connects to the given URL and dispatches validated messages by type', () => {
    const client = new LucidLinesClient({ url: 'ws://127.0.0.1:1/ws', WebSocket: FakeSocket });
    const seen: string[] = [];
    client.on('open', () => seen.push('open'));
    client.on('info', (m) => seen.push(`info:${m.version}`));
    client.on('process', (m) => seen.push(`process:${m.name}:${m.output}`));
    client.on('status', (m) => seen.push(`status:${m.name}:${m.status}:${m.pid}`));
    client.on('error', (m) => seen.push(`error:${m.code}`));
    const socket = latest();
    // The client asks for binary output frames; a server that does not know them sends JSON text frames.
    assert.equal(socket.url, 'ws://127.0.0.1:1/ws?output=binary');
    assert.equal(client.connected, false);
    socket.serverOpens();
    assert.equal(client.connected, true);
    socket.serverSends(INFO);
    socket.serverSends(JSON.stringify({ type: 'process', name: 'a', output: 'hi\n', timestamp: 2 }));
    socket.serverSends(
      JSON.stringify({ type: 'status', name: 'a', status: 'running', pid: 7, timestamp: 3 }),
    );
    socket.serverSends(JSON.stringify({ type: 'error', message: 'x', code: 'RATE_LIMIT', timestamp: 4 }));
    assert.deepEqual(seen, ['open', 'info:1', 'process:a:hi\n', 'status:a:running:7', 'error:RATE_LIMIT']);
    client.close();
  });

  it('reports frames that fail validation as "invalid" and drops them', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    const invalid: string[] = [];
    const processes: unknown[] = [];
    client.on('invalid', (e) => invalid.push(e.code));
    client.on('process', (m) => processes.push(m));
    const socket = latest();
    socket.serverOpens();
    socket.serverSends('{not json');
    socket.serverSends(JSON.stringify({ type: 'process', name: 'a', output: 5, timestamp: 1 }));
    socket.serverSends(JSON.stringify({ type: 7, timestamp: 1 }));
    socket.serverSends(new Uint8Array([1, 2, 3]));
    socket.serverSends(new TextEncoder().encode('{"type":"status","timestamp":1}\nx'));
    socket.serverSends(new TextEncoder().encode('{"type":"process","name":"a","timestamp":"1"}\nx'));
    assert.deepEqual(invalid, [
      'INVALID_JSON',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
    ]);
    assert.deepEqual(processes, []);
    client.close();
  });

  it('dispatches lifecycle events typed, and reports a malformed one as invalid', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    const seen: string[] = [];
    client.on('invalid', (e) => seen.push(`invalid:${e.code}`));
    client.on('event', (m) => seen.push(`event:${m.event}:${m.process}:${m.exitCode}`));
    const socket = latest();
    socket.serverOpens();
    const crash = {
      type: 'event',
      event: 'crashed',
      process: 'a',
      message: 'crashed with exit code 3',
      timestamp: 1,
    };
    socket.serverSends(JSON.stringify({ ...crash, exitCode: 3, signal: null }));
    socket.serverSends(JSON.stringify({ ...crash, exitCode: '3' }));
    assert.deepEqual(seen, ['event:crashed:a:3', 'invalid:INVALID_MESSAGE']);
    client.close();
  });

  it('ignores messages of types it does not know, so newer servers do not break it', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    const seen: string[] = [];
    client.on('invalid', (e) => seen.push(`invalid:${e.code}`));
    client.on('process', (m) => seen.push(`process:${m.output}`));
    const socket = latest();
    socket.serverOpens();
    socket.serverSends(JSON.stringify({ type: 'surprise', timestamp: 1, anything: [1] }));
    socket.serverSends(JSON.stringify({ type: 'process', name: 'a', output: 'hi', timestamp: 2 }));
    assert.deepEqual(seen, ['process:hi']);
    client.close();
  });

  it('decodes binary output frames, as ArrayBuffer or as bytes, into the same messages as JSON text', () => {
    const client = new LucidLinesClient({ url: 'ws://x/ws?token=t', WebSocket: FakeSocket });
    const processes: unknown[] = [];
    client.on('process', (m) => processes.push(m));
    const socket = latest();
    assert.equal(socket.url, 'ws://x/ws?token=t&output=binary');
    socket.serverOpens();
    const message = {
      type: 'process',
      name: 'web',
      output: '\u001b[32mgrün ✓ 🚀\u001b[39m\nline two\n',
      timestamp: 5,
      stream: 'stderr',
    };
    const { output, ...header } = message;
    const frame = new TextEncoder().encode(`${JSON.stringify(header)}\n${output}`);
    socket.serverSends(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
    socket.serverSends(frame);
    socket.serverSends(JSON.stringify(message));
    assert.deepEqual(processes, [message, message, message]);
    client.close();
  });

  it('sends commands only while connected', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    const socket = latest();
    assert.equal(client.restart('web'), false);
    socket.serverOpens();
    assert.equal(client.restart('web'), true);
    assert.equal(client.start('web'), true);
    assert.equal(client.stop('web'), true);
    assert.equal(client.restartAll(), true);
    assert.equal(client.stopAll(), true);
    assert.equal(client.restart('web', { id: 'mine-1' }), true);
    assert.equal(client.stopAll({ id: 'mine-2' }), true);
    assert.deepEqual(
      socket.sent.map((s) => JSON.parse(s)),
      [
        { type: 'command', action: 'restart', target: 'web' },
        { type: 'command', action: 'start', target: 'web' },
        { type: 'command', action: 'stop', target: 'web' },
        { type: 'command', action: 'restart-all' },
        { type: 'command', action: 'stop-all' },
        { type: 'command', action: 'restart', target: 'web', id: 'mine-1' },
        { type: 'command', action: 'stop-all', id: 'mine-2' },
      ],
    );
    socket.serverCloses();
    assert.equal(client.stopAll(), false);
    client.close();
  });

  it('unsubscribes a listener', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    let count = 0;
    const off = client.on('info', () => count++);
    latest().serverOpens();
    latest().serverSends(INFO);
    off();
    latest().serverSends(INFO);
    assert.equal(count, 1);
    client.close();
  });

  it('backs off exponentially up to the cap, with the delay scaled by the jitter', () => {
    // random() = 0.999… makes each delay just under its ceiling, so the ceilings can be read off the schedule.
    const client = new LucidLinesClient({
      url: 'ws://x',
      WebSocket: FakeSocket,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      random: () => 0.9999,
    });
    const closes: boolean[] = [];
    client.on('close', (e) => closes.push(e.willReconnect));
    const ceilings = [100, 200, 400, 800, 1000, 1000];
    for (const ceiling of ceilings) {
      const before = FakeSocket.instances.length;
      latest().serverCloses();
      mock.timers.tick(ceiling - 2);
      assert.equal(FakeSocket.instances.length, before, `no reconnect before ${ceiling - 1} ms`);
      mock.timers.tick(1);
      assert.equal(FakeSocket.instances.length, before + 1, `reconnected within ${ceiling} ms`);
    }
    assert.deepEqual(
      closes,
      ceilings.map(() => true),
    );
    client.close();
  });

  it('uses full jitter: random() = 0 reconnects at once, 0.5 at half the ceiling', () => {
    let r = 0;
    const client = new LucidLinesClient({
      url: 'ws://x',
      WebSocket: FakeSocket,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 8000 },
      random: () => r,
    });
    latest().serverCloses();
    mock.timers.tick(0);
    assert.equal(FakeSocket.instances.length, 2);
    r = 0.5;
    latest().serverCloses();
    mock.timers.tick(999);
    assert.equal(FakeSocket.instances.length, 2, 'second ceiling is 2000 ms, half of it is 1000 ms');
    mock.timers.tick(1);
    assert.equal(FakeSocket.instances.length, 3);
    client.close();
  });

  it('resets the backoff after a server greets with info', () => {
    const client = new LucidLinesClient({
      url: 'ws://x',
      WebSocket: FakeSocket,
      reconnect: { initialDelayMs: 100, maxDelayMs: 10_000 },
      random: () => 0.9999,
    });
    latest().serverCloses();
    mock.timers.tick(100);
    latest().serverCloses();
    mock.timers.tick(200);
    assert.equal(FakeSocket.instances.length, 3);
    latest().serverOpens();
    latest().serverSends(INFO);
    latest().serverCloses();
    mock.timers.tick(100);
    assert.equal(FakeSocket.instances.length, 4, 'back at the initial delay');
    client.close();
  });

  it('close() closes the socket with 1000 and stops reconnecting, also when a retry is pending', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket, random: () => 0.5 });
    const first = latest();
    first.serverOpens();
    const closes: boolean[] = [];
    client.on('close', (e) => closes.push(e.willReconnect));
    client.close();
    assert.deepEqual(first.closeCalls, [{ code: 1000, reason: 'client closed' }]);
    first.serverCloses(1000);
    assert.deepEqual(closes, [false]);
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.instances.length, 1);

    const other = new LucidLinesClient({ url: 'ws://y', WebSocket: FakeSocket, random: () => 0.5 });
    latest().serverCloses();
    other.close();
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.instances.length, 2, 'the pending retry was cancelled');
  });

  it('does not reconnect when reconnect is false', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket, reconnect: false });
    const closes: boolean[] = [];
    client.on('close', (e) => closes.push(e.willReconnect));
    latest().serverCloses(1001, 'going away');
    mock.timers.tick(60_000);
    assert.deepEqual(closes, [false]);
    assert.equal(FakeSocket.instances.length, 1);
  });

  it('history (issue 15): matches pages and errors to requests by id, and settles waiting ones on close', async () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket, reconnect: false });
    assert.deepEqual(await client.history('web'), {
      ok: false,
      code: 'NOT_CONNECTED',
      message: 'The client is not connected.',
    });
    const socket = latest();
    socket.serverOpens();
    const first = client.history('web', { before: 40, limit: 10 });
    const second = client.history('nope');
    const third = client.history('web');
    const [one, two] = socket.sent.map((text) => JSON.parse(text) as { id: string });
    assert.deepEqual(JSON.parse(socket.sent[0] ?? ''), {
      type: 'history',
      target: 'web',
      id: one?.id,
      before: 40,
      limit: 10,
    });
    const page = { type: 'history', process: 'web', chunks: [], runs: [], more: false, timestamp: 2 };
    socket.serverSends(JSON.stringify({ ...page, id: one?.id }));
    socket.serverSends(
      JSON.stringify({
        type: 'error',
        message: 'No such',
        code: 'UNKNOWN_PROCESS',
        ids: [two?.id],
        timestamp: 2,
      }),
    );
    assert.deepEqual(await first, { ok: true, page: { ...page, id: one?.id } });
    assert.deepEqual(await second, { ok: false, code: 'UNKNOWN_PROCESS', message: 'No such' });
    socket.serverCloses(1006);
    assert.equal((await third).ok, false);
  });

  it('throws a helpful error when no WebSocket implementation exists', () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
    try {
      assert.throws(() => new LucidLinesClient({ url: 'ws://x' }), /No WebSocket implementation/);
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
  // Subscriptions (issue 15) belong to a connection; the client sends them again on every reconnection.
  it('sends its subscription again on every connection, merged to the requests that make it up', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket, random: () => 0 });
    assert.equal(client.subscribe({ types: ['system'] }), false, 'not connected yet: sent once connected');
    latest().serverOpens();
    assert.deepEqual(
      latest().sent.map((text) => JSON.parse(text)),
      [{ type: 'subscribe', types: ['system'] }],
    );

    assert.equal(client.subscribe({ processes: ['web', 'api'], interval: 1000 }), true);
    client.unsubscribe({ processes: ['web'] });
    client.unsubscribe({ processes: ['api', 'db'], types: ['status'], interval: 5000 });
    latest().serverCloses();
    mock.timers.tick(0);
    latest().serverOpens();
    assert.deepEqual(
      latest().sent.map((text) => JSON.parse(text)),
      [
        { type: 'subscribe', processes: ['web', 'api'], interval: 1000 },
        { type: 'unsubscribe', processes: ['web', 'api', 'db'], types: ['status'], interval: 5000 },
      ],
    );

    client.unsubscribe({ interval: 700 });
    latest().serverCloses();
    mock.timers.tick(0);
    latest().serverOpens();
    assert.deepEqual(
      latest().sent.map((text) => JSON.parse(text)),
      [{ type: 'unsubscribe', interval: 700 }],
      'a bare unsubscribe forgets the filter and keeps only its interval',
    );

    client.unsubscribe();
    latest().serverCloses();
    mock.timers.tick(0);
    latest().serverOpens();
    assert.deepEqual(latest().sent, [], 'nothing to restore');
  });

  it('dispatches subscription and system messages', () => {
    const client = new LucidLinesClient({ url: 'ws://x', WebSocket: FakeSocket });
    const seen: string[] = [];
    client.on('subscription', (m) => seen.push(`subscription:${m.interval}`));
    client.on('system', (m) => seen.push(`system:${m.cpu}`));
    latest().serverOpens();
    latest().serverSends(
      JSON.stringify({ type: 'subscription', processes: null, types: null, interval: 500, timestamp: 1 }),
    );
    latest().serverSends(
      JSON.stringify({
        type: 'system',
        cpu: 12,
        cores: 2,
        memoryUsed: 1,
        memoryTotal: 2,
        load: [0, 0, 0],
        timestamp: 2,
      }),
    );
    assert.deepEqual(seen, ['subscription:500', 'system:12']);
  });
});
