import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ProcessControl, ProcessSnapshot, SupervisorEvent } from '../process/events.js';
import {
  CLOSE_CODES,
  type CommandMessage,
  decodeClientMessage,
  type ErrorCode,
  type ErrorMessage,
  type InfoMessage,
  type ProcessInfo,
  type ServerMessage,
  type StatusMessage,
} from '../protocol.js';
import { type BatchLimits, OutputBatcher, replayMessages } from './output-batcher.js';
import { TokenBucket } from './rate-limit.js';
import { checkUpgrade, type GuardConfig, pathOfRequestTarget } from './request-guard.js';

/** Knobs with production defaults; tests shorten the timers and the clock. */
export interface HubTuning {
  /** How often every client is pinged; a client that has not answered the previous ping is terminated. */
  heartbeatIntervalMs: number;
  /** A client whose unsent data passes this is closed with 1013 (see `CLOSE_CODES.TRY_AGAIN_LATER`). */
  maxBufferedBytes: number;
  /** How long a closing client may take to finish the closing handshake before its socket is destroyed. */
  closeTimeoutMs: number;
  batch: BatchLimits;
  rateLimit: { burst: number; perSecond: number };
  /** The clock of the rate limiter. */
  now: () => number;
}

export const DEFAULT_HUB_TUNING: HubTuning = {
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  closeTimeoutMs: 5_000,
  batch: { windowMs: 16, maxChars: 64 * 1024 },
  rateLimit: { burst: 20, perSecond: 10 },
  now: () => performance.now(),
};

/** Frames larger than this are refused by `ws`, which closes the connection with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface HubOptions {
  wsPath: string;
  version: string;
  viewerLines: number;
  guard: GuardConfig;
  tuning: HubTuning;
}

export interface Hub {
  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every client with 1001 and resolves once all of them are gone. */
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  bucket: TokenBucket;
  /** Cleared at every heartbeat and set by the pong; still clear at the next heartbeat means the peer is gone. */
  alive: boolean;
  /** True after a command was refused for the rate limit, so a flood earns one error reply, not one each. */
  limited: boolean;
  /**
   * Extra buffered bytes tolerated while the replay drains. The replay is sent in one go and may be larger
   * than `maxBufferedBytes`; it is bounded by the scrollback limits, and the allowance ends as soon as the
   * buffer has once fallen below the limit.
   */
  replayAllowance: number;
}

function processInfo(snapshot: ProcessSnapshot): ProcessInfo {
  const info: ProcessInfo = {
    name: snapshot.name,
    status: snapshot.status,
    command: snapshot.command,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
  };
  if (snapshot.pid !== null) info.pid = snapshot.pid;
  return info;
}

function statusMessage(snapshot: ProcessSnapshot, timestamp: number): StatusMessage {
  return {
    type: 'status',
    name: snapshot.name,
    status: snapshot.status,
    pid: snapshot.pid,
    timestamp,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
  };
}

function errorMessage(code: ErrorCode | undefined, message: string, process?: string): ErrorMessage {
  const error: ErrorMessage = { type: 'error', message, timestamp: Date.now() };
  if (code !== undefined) error.code = code;
  if (process !== undefined) error.process = process;
  return error;
}

/** Encodes a message once; the same bytes go to every client, so fan-out costs no per-client encoding. */
function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

function rejectUpgrade(socket: Duplex, status: 400 | 401 | 403 | 404 | 503, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

export function createHub(control: ProcessControl, options: HubOptions): Hub {
  const { tuning } = options;
  const wsServerOptions: ConstructorParameters<typeof WebSocketServer>[0] & { closeTimeout: number } = {
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    // Compression would cost a zlib context per client and per-client work on every message, which breaks
    // the encode-once fan-out; lucidlines runs on loopback where bandwidth is not the bottleneck.
    perMessageDeflate: false,
    clientTracking: false,
    closeTimeout: tuning.closeTimeoutMs,
  };
  const wss = new WebSocketServer(wsServerOptions);
  const clients = new Set<Client>();
  let closing = false;

  function send(client: Client, payload: Buffer): void {
    // A client that is closing gets nothing more: its close frame is queued and must be the last frame.
    if (client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(payload, { binary: false });
    const buffered = client.ws.bufferedAmount;
    if (buffered <= tuning.maxBufferedBytes) {
      client.replayAllowance = 0;
    } else if (buffered > tuning.maxBufferedBytes + client.replayAllowance) {
      // Without this bound, a client that stopped reading (a frozen tab, a suspended laptop) would make the
      // server queue output for it forever. Sending is non-blocking, so it never slows the other clients.
      client.ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'Client too slow: output was dropped');
    }
  }

  function broadcast(message: ServerMessage): void {
    const payload = encode(message);
    for (const client of clients) send(client, payload);
  }

  const batcher = new OutputBatcher(broadcast, tuning.batch, {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });

  function onEvent(event: SupervisorEvent): void {
    switch (event.kind) {
      case 'output':
        batcher.add(event.chunk);
        break;
      case 'status':
        batcher.flush(event.snapshot.name);
        broadcast(statusMessage(event.snapshot, event.timestamp));
        break;
      case 'error':
        batcher.flush(event.name);
        broadcast({
          type: 'error',
          message: event.message,
          process: event.name,
          code: event.code,
          timestamp: event.timestamp,
        });
        break;
    }
  }
  const unsubscribe = control.subscribe(onEvent);

  function perform(command: CommandMessage): Promise<void> {
    switch (command.action) {
      case 'restart-all':
        return control.restartAll();
      case 'stop-all':
        return control.stopAll();
      case 'restart':
        return control.restart(command.target);
      case 'stop':
        return control.stop(command.target);
      case 'start':
        return control.start(command.target);
    }
  }

  function runCommand(client: Client, text: string): void {
    const decoded = decodeClientMessage(text);
    if (!decoded.ok) {
      send(client, encode(errorMessage(decoded.code, decoded.message)));
      return;
    }
    const command = decoded.value;
    const target = 'target' in command ? command.target : undefined;
    if (target !== undefined && !control.has(target)) {
      send(client, encode(errorMessage('UNKNOWN_PROCESS', `No process is named ${JSON.stringify(target)}.`)));
      return;
    }
    // The supervisor reports expected failures (a command that cannot spawn) as events that every client
    // sees; a rejection is unexpected, so the client that asked is told rather than left guessing.
    perform(command).catch((error: unknown) => {
      send(
        client,
        encode(errorMessage(undefined, `The ${command.action} command failed: ${String(error)}`, target)),
      );
    });
  }

  function onMessage(client: Client, data: WebSocket.RawData, isBinary: boolean): void {
    if (!client.bucket.take()) {
      if (!client.limited) {
        client.limited = true;
        send(
          client,
          encode(errorMessage('RATE_LIMIT', 'Too many messages; they are dropped until you slow down.')),
        );
      }
      return;
    }
    client.limited = false;
    if (isBinary) {
      send(client, encode(errorMessage('BINARY_FRAME', 'Binary frames are not supported; send JSON text.')));
      return;
    }
    // With the default binaryType ('nodebuffer') ws delivers each message as one Buffer, fragments joined.
    runCommand(client, (data as Buffer).toString('utf8'));
  }

  function onConnection(ws: WebSocket): void {
    const client: Client = {
      ws,
      bucket: new TokenBucket({ ...tuning.rateLimit, now: tuning.now }),
      alive: true,
      limited: false,
      replayAllowance: 0,
    };
    // `ws` reports protocol violations (oversized or malformed frames) as an 'error' event right before it
    // closes the connection with the matching code; without a listener the event would crash the server.
    ws.on('error', () => {});
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('close', () => {
      clients.delete(client);
    });

    // Everything from here to `clients.add` runs in one synchronous turn. Flushing first sends every pending
    // batch to the existing clients, so at this instant each chunk emitted so far is in the scrollback and
    // nowhere else; the replay snapshot therefore holds exactly what this client has not seen, and every
    // later chunk reaches it live. No chunk can fall between the two or arrive through both.
    batcher.flushAll();
    const snapshots = control.list();
    const info: InfoMessage = {
      type: 'info',
      version: options.version,
      processes: snapshots.map(processInfo),
      timestamp: Date.now(),
      limits: { viewerLines: options.viewerLines },
    };
    send(client, encode(info));
    const scrollbacks = snapshots.map((snapshot) => control.scrollback(snapshot.name));
    let replayBytes = 0;
    for (const message of replayMessages(scrollbacks, tuning.batch)) {
      const payload = encode(message);
      replayBytes += payload.length;
      client.replayAllowance = replayBytes;
      send(client, payload);
    }
    clients.add(client);
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, tuning.heartbeatIntervalMs);
  // The heartbeat alone must not keep the process alive; the HTTP server does that while it listens.
  heartbeat.unref();

  return {
    handleUpgrade(request, socket, head) {
      // A peer that resets the connection while we answer must not crash the server with an unhandled error.
      socket.on('error', () => {});
      if (closing) {
        rejectUpgrade(socket, 503, 'lucidlines is shutting down');
        return;
      }
      const target = request.url ?? '';
      if (pathOfRequestTarget(target) !== options.wsPath) {
        rejectUpgrade(socket, 404, 'Not found');
        return;
      }
      const verdict = checkUpgrade(request.headers, target, options.guard);
      if (!verdict.ok) {
        rejectUpgrade(socket, verdict.status, verdict.reason);
        return;
      }
      wss.handleUpgrade(request, socket, head, onConnection);
    },

    async close() {
      closing = true;
      clearInterval(heartbeat);
      unsubscribe();
      batcher.flushAll();
      const closed = [...clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.ws.readyState === WebSocket.CLOSED) {
              resolve();
              return;
            }
            client.ws.once('close', () => resolve());
            // A client already closing was dropped for not reading; waiting for its handshake would only
            // delay the shutdown by the close timeout, so its socket is destroyed now.
            if (client.ws.readyState === WebSocket.CLOSING) client.ws.terminate();
            else client.ws.close(CLOSE_CODES.GOING_AWAY, 'lucidlines is shutting down');
          }),
      );
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
