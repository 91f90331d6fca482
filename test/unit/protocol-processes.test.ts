// The `processes` message: validated by decodeServerMessage and emitted by lucidlines/client as an event.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LucidLinesClient, type WebSocketLike } from '../../src/client.js';
import { decodeServerMessage, type ProcessesMessage } from '../../src/protocol.js';

const MESSAGE = JSON.stringify({
  type: 'processes',
  processes: [{ name: 'web', status: 'running', command: 'npm run dev', pid: 1, restarts: 0 }],
  timestamp: 1,
});

describe('processes message', () => {
  it('decodes a well-formed list and refuses a malformed one', () => {
    const decoded = decodeServerMessage(MESSAGE);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.type, 'processes');
    const malformed = decodeServerMessage(
      JSON.stringify({ type: 'processes', processes: [{ name: 'web', status: 'sleeping' }], timestamp: 1 }),
    );
    assert.equal(malformed.ok, false);
    assert.equal(
      malformed.ok ? undefined : malformed.ignorable,
      undefined,
      'a known type is never ignorable',
    );
    assert.equal(decodeServerMessage(JSON.stringify({ type: 'processes', timestamp: 1 })).ok, false);
  });

  it('reaches lucidlines/client listeners as a "processes" event', () => {
    let socket: WebSocketLike | null = null;
    class Socket implements WebSocketLike {
      readyState = 1;
      onopen: WebSocketLike['onopen'] = null;
      onmessage: WebSocketLike['onmessage'] = null;
      onclose: WebSocketLike['onclose'] = null;
      onerror: WebSocketLike['onerror'] = null;
      constructor() {
        socket = this;
      }
      send(): void {}
      close(): void {}
    }
    const client = new LucidLinesClient({ url: 'ws://x/ws', WebSocket: Socket, reconnect: false });
    const received: ProcessesMessage[] = [];
    const invalid: unknown[] = [];
    client.on('processes', (message) => received.push(message));
    client.on('invalid', (problem) => invalid.push(problem));
    (socket as WebSocketLike | null)?.onmessage?.({ data: MESSAGE });
    assert.deepEqual(invalid, []);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.processes[0]?.name, 'web');
  });
});
