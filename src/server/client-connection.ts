import { WebSocket } from 'ws';
import { type Access, CLOSE_CODES, type ServerMessage } from '../protocol.js';
import type { ClientBacklog } from './backlog-bound.js';
import type { TokenBucket } from './rate-limit.js';
import { type Encoded, encode, encodeWithBinaryOutput } from './server-messages.js';
import type { Subscription } from './subscription.js';

/**
 * One connected client and the bound on what is queued for it. Sending never blocks: bytes the client has
 * not read wait in its socket's buffer, which is what the per-client limit here and the bound over all
 * clients (backlog-bound.ts) keep in check.
 */
export class ClientConnection implements ClientBacklog {
  readonly ws: WebSocket;
  /** Every frame from this connection takes a token, valid or not. */
  readonly bucket: TokenBucket;
  /** Cleared at every heartbeat and set by the pong; still clear at the next heartbeat means the peer is gone. */
  alive = true;
  /** True after a frame was refused for the rate limit, so a flood earns one error reply, not one each. */
  limited = false;
  /** Access (issue 15): what the token this client presented allows; `view` clients may not send commands. */
  readonly access: Access;
  /** True if the client asked for binary output frames (see `BINARY_OUTPUT_QUERY`); else it gets the seed's JSON. */
  readonly binaryOutput: boolean;
  /** Subscriptions (issue 15): what this client receives; replaced by each subscribe or unsubscribe. */
  subscription: Subscription;
  readonly #maxBufferedBytes: number;
  /**
   * Extra buffered bytes tolerated while the replay drains. The replay is sent in one go and may be larger
   * than the limit; it is bounded by the scrollback limits, and the allowance ends as soon as the buffer has
   * once fallen below the limit.
   */
  #replayAllowance = 0;

  constructor(
    ws: WebSocket,
    bucket: TokenBucket,
    maxBufferedBytes: number,
    binaryOutput: boolean,
    access: Access,
    subscription: Subscription,
  ) {
    this.ws = ws;
    this.binaryOutput = binaryOutput;
    this.bucket = bucket;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.access = access;
    this.subscription = subscription;
  }

  /** Encodes a message the way this client asked for. */
  encode(message: ServerMessage): Encoded {
    return this.binaryOutput ? encodeWithBinaryOutput(message) : encode(message);
  }

  get backlog(): number {
    return this.ws.bufferedAmount;
  }

  get closing(): boolean {
    return this.ws.readyState === WebSocket.CLOSING;
  }

  send(payload: Encoded): void {
    // A client that is closing gets nothing more: its close frame is queued and must be the last frame.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(payload.data, { binary: payload.binary });
    const buffered = this.ws.bufferedAmount;
    if (buffered <= this.#maxBufferedBytes) {
      this.#replayAllowance = 0;
    } else if (buffered > this.#maxBufferedBytes + this.#replayAllowance) {
      // Without this bound, a client that stopped reading (a frozen tab, a suspended laptop) would make the
      // server queue output for it forever.
      this.evict();
    }
  }

  /** Sends the replay, allowing the buffer to exceed the limit by the replay's own size while it drains. */
  replay(payloads: Iterable<Encoded>): void {
    let replayBytes = 0;
    for (const payload of payloads) {
      replayBytes += payload.data.length;
      this.#replayAllowance = replayBytes;
      this.send(payload);
    }
  }

  /** Closes the client for falling behind: its close frame queues behind its backlog, and nothing follows. */
  evict(): void {
    this.ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'Client too slow: output was dropped');
  }
}
