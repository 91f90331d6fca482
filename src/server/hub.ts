import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { LifecycleLog } from '../lifecycle-log.js';
import type { CommandTicket, ProcessControl, ProcessSnapshot, SupervisorEvent } from '../process/events.js';
import { HostSampler, sameSystemReading } from '../process/host-metrics.js';
import { censusSampler } from '../process/metrics.js';
import type { RuntimeProcesses } from '../process/runtime-processes.js';
import {
  type Access,
  CLOSE_CODES,
  type EventMessage,
  type InfoMessage,
  type MetricsMessage,
  type ServerMessage,
  type SubscriptionRequest,
  type SystemMessage,
} from '../protocol.js';
import { planEvictions } from './backlog-bound.js';
import { ClientConnection } from './client-connection.js';
import { dispatchClientMessage } from './command-dispatch.js';
import { CommandLimiter, type CommandRates } from './command-limiter.js';
import { replayTail } from './history.js';
import { IntervalFeed, type Sampler } from './metrics-feed.js';
import { type BatchLimits, OutputBatcher, replayMessages } from './output-batcher.js';
import { type BucketRate, TokenBucket } from './rate-limit.js';
import { checkUpgrade, type GuardConfig, pathOfRequestTarget } from './request-guard.js';
import {
  type Encoded,
  encode,
  errorMessage,
  processInfo,
  runMessage,
  statusMessage,
  wantsBinaryOutput,
} from './server-messages.js';
import {
  admits,
  applyRequest,
  describeSubscription,
  narrowMetrics,
  processScopeKey,
  unsubscribed,
} from './subscription.js';
import { refuseUpgrade } from './upgrade-refusal.js';

/** Knobs with production defaults; tests shorten the timers and the clock. */
export interface HubTuning {
  /** How often every client is pinged; a client that has not answered the previous ping is terminated. */
  heartbeatIntervalMs: number;
  /** A client whose unsent data passes this is closed with 1013 (see `CLOSE_CODES.TRY_AGAIN_LATER`). */
  maxBufferedBytes: number;
  /**
   * The unsent data of all open clients together may pass this only until the most backlogged are closed
   * with 1013; open and closing clients together hold at most twice this (see backlog-bound.ts).
   */
  maxTotalBufferedBytes: number;
  /** How long a closing client may take to finish the closing handshake before its socket is destroyed. */
  closeTimeoutMs: number;
  batch: BatchLimits;
  rateLimit: CommandRates & { perConnection: BucketRate };
  /** The clock of the rate limiter. */
  now: () => number;
  /** How often a `metrics` message goes out while clients are connected, unless a client sets its interval. */
  metricsIntervalMs: number;
  /** Measures the processes for `metrics`; null: the real sampler over the process table. */
  metricsSampler: Sampler<MetricsMessage> | null;
  /** Measures the host for `system` (issue 15); null: the real sampler over `os`. */
  systemSampler: Sampler<SystemMessage> | null;
}

export const DEFAULT_HUB_TUNING: HubTuning = {
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxTotalBufferedBytes: 64 * 1024 * 1024,
  closeTimeoutMs: 5_000,
  batch: { windowMs: 16, maxChars: 64 * 1024 },
  rateLimit: {
    perConnection: { burst: 20, perSecond: 10 },
    perProcess: { burst: 10, perSecond: 2 },
    allProcesses: { burst: 5, perSecond: 1 },
    input: { burst: 20, perSecond: 10 },
  },
  now: () => performance.now(),
  metricsIntervalMs: 2_000,
  metricsSampler: null,
  systemSampler: null,
};

/** How many WebSocket connections may be open (or opening, or closing) at once unless configured. */
export const DEFAULT_MAX_CLIENTS = 256;

/** Frames larger than this are refused by `ws`, which closes the connection with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Sent with the 503 of a full server; long enough for closing clients to be gone. */
export const RETRY_AFTER_SECONDS = 5;

export interface HubOptions {
  wsPath: string;
  version: string;
  viewerLines: number;
  /** History (issue 15): the newest lines per process a connecting client is replayed; older come by `history`. */
  replayLines: number;
  guard: GuardConfig;
  /** Upgrades beyond this many connections are refused with 503 and `Retry-After`. */
  maxClients: number;
  tuning: HubTuning;
  /** Runtime processes (issue 15): the `add` and `remove` commands; null or absent while the config forbids them. */
  runtimeProcesses?: RuntimeProcesses | null;
}

export interface Hub {
  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every client with 1001 and resolves once all of them are gone. */
  close(): Promise<void>;
  /** The lifecycle log, oldest first (for the read API). */
  events(): readonly EventMessage[];
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
  const clients = new Set<ClientConnection>();
  const limiter = new CommandLimiter(tuning.rateLimit, tuning.now);
  const runtime = options.runtimeProcesses ?? null;
  /** Sockets from the accepted upgrade until they close: handshakes in flight, open and closing clients. */
  let connections = 0;
  let closing = false;

  /**
   * Keeps the memory held for all clients together bounded. Runs after every write that can grow a
   * backlog: a broadcast, and a new client's replay.
   */
  function enforceTotalBound(): void {
    const plan = planEvictions(clients, tuning.maxTotalBufferedBytes);
    for (const client of plan.close) client.evict();
    for (const client of plan.destroy) client.ws.terminate();
  }

  /**
   * Encodes each message once per encoding that a client uses, not once per client, and only if some client's
   * subscription admits it: a client watching one process of fifty costs a set lookup per message of the others.
   */
  function broadcast(message: ServerMessage): void {
    let text: Encoded | null = null;
    let withBinaryOutput: Encoded | null = null;
    for (const client of clients) {
      if (!admits(client.subscription, message)) continue;
      if (client.binaryOutput) {
        withBinaryOutput ??= client.encode(message);
        client.send(withBinaryOutput);
      } else {
        text ??= client.encode(message);
        client.send(text);
      }
    }
    enforceTotalBound();
  }

  const batcher = new OutputBatcher(broadcast, tuning.batch, {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });

  /**
   * Subscriptions (issue 15): a `metrics` message lists only the processes each client listens to. Clients
   * whose filters narrow it alike share one narrowed message and its encoding (metrics are never binary).
   */
  function deliverMetrics(message: MetricsMessage, recipients: readonly ClientConnection[]): void {
    const encodedByScope = new Map<string, Encoded>();
    for (const client of recipients) {
      const key = processScopeKey(client.subscription);
      let encoded = encodedByScope.get(key);
      if (encoded === undefined) {
        encoded = encode(narrowMetrics(client.subscription, message));
        encodedByScope.set(key, encoded);
      }
      client.send(encoded);
    }
    enforceTotalBound();
  }

  function deliverSystem(message: SystemMessage, recipients: readonly ClientConnection[]): void {
    const encoded = encode(message);
    for (const client of recipients) client.send(encoded);
    enforceTotalBound();
  }

  const metrics = new IntervalFeed(
    tuning.metricsSampler ?? censusSampler(() => control.list()),
    deliverMetrics,
  );
  const system = new IntervalFeed(tuning.systemSampler ?? new HostSampler(), deliverSystem, {
    same: sameSystemReading,
  });

  /** Enrols the client in the metrics and system feeds its subscription asks for, at its interval. */
  function followFeeds(client: ClientConnection): void {
    const { types, interval } = client.subscription;
    if (types.has('metrics')) metrics.watch(client, interval);
    else metrics.unwatch(client);
    if (types.has('system')) system.watch(client, interval);
    else system.unwatch(client);
  }

  function onSubscriptionRequest(client: ClientConnection, request: SubscriptionRequest): void {
    const hadEvents = client.subscription.types.has('event');
    client.subscription = applyRequest(client.subscription, request, tuning.metricsIntervalMs);
    followFeeds(client);
    client.send(encode(describeSubscription(client.subscription, Date.now())));
    // Lifecycle events are subscriber-only, so a client that connects gets no replay of the log; it gets it when
    // its subscription first takes them in (the viewer subscribes right after `info`), filtered like live ones.
    if (!hadEvents && client.subscription.types.has('event')) {
      for (const entry of replayedEvents()) {
        if (admits(client.subscription, entry)) client.send(client.encode(entry));
      }
    }
  }

  const lifecycle = new LifecycleLog();

  /**
   * Lifecycle events (issue 15) go out through here alone, live, and through `replayedEvents` when a
   * subscription takes them in; the subscription filter decides which clients receive them. The process's pending output goes first, so a crash
   * is never reported before the last lines the process wrote.
   */
  function sendEvent(entry: EventMessage): void {
    if (entry.process !== undefined) batcher.flush(entry.process);
    broadcast(entry);
  }

  function replayedEvents(): EventMessage[] {
    return lifecycle.entries().map((entry) => ({ ...entry, replay: true }));
  }

  function onEvent(event: SupervisorEvent): void {
    switch (event.kind) {
      case 'output':
        batcher.add(event.chunk);
        break;
      case 'status':
        batcher.flush(event.snapshot.name);
        broadcast(statusMessage(event.snapshot, event.timestamp));
        break;
      case 'processes':
        // Pending output goes first: output of a removed process arriving after the list would bring it back.
        batcher.flushAll();
        limiter.keepOnly(new Set(event.snapshots.map((snapshot) => snapshot.name)));
        broadcast({
          type: 'processes',
          processes: event.snapshots.map(processInfo),
          timestamp: event.timestamp,
        });
        break;
      case 'config-rejected':
        broadcast({ type: 'error', message: event.message, code: event.code, timestamp: event.timestamp });
        break;
      case 'run':
        // The old run's pending output goes first, so the separator falls between the two runs' output.
        batcher.flush(event.start.name);
        broadcast(runMessage(event.start, false));
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
      case 'settled':
        settle(event.snapshot, event.tickets, event.timestamp);
        break;
    }
    // After the message the engine event itself makes, so a client reads the status before its story.
    const entry = lifecycle.record(event);
    if (entry !== null) sendEvent(entry);
  }

  /**
   * Tells each client whose commands a request settled, with one status carrying all of its ids: coalesced
   * requests settle together. A client sees its own ids only, and a client that left gets nothing.
   */
  function settle(snapshot: ProcessSnapshot, tickets: readonly CommandTicket[], timestamp: number): void {
    const idsByClient = new Map<ClientConnection, string[]>();
    for (const { id, owner } of tickets) {
      const client = owner as ClientConnection;
      if (!clients.has(client)) continue;
      idsByClient.set(client, [...(idsByClient.get(client) ?? []), id]);
    }
    for (const [client, ids] of idsByClient)
      client.send(encode({ ...statusMessage(snapshot, timestamp), ids }));
  }
  const unsubscribe = control.subscribe(onEvent);

  function onMessage(client: ClientConnection, data: WebSocket.RawData, isBinary: boolean): void {
    if (!client.bucket.take()) {
      if (!client.limited) {
        client.limited = true;
        client.send(
          encode(errorMessage('RATE_LIMIT', 'Too many messages; they are dropped until you slow down.')),
        );
      }
      return;
    }
    client.limited = false;
    if (isBinary) {
      client.send(encode(errorMessage('BINARY_FRAME', 'Binary frames are not supported; send JSON text.')));
      return;
    }
    // With the default binaryType ('nodebuffer') ws delivers each message as one Buffer, fragments joined.
    dispatchClientMessage(
      (data as Buffer).toString('utf8'),
      {
        reply: (reply) => client.send(encode(reply)),
        owner: client,
        access: client.access,
        onSubscription: (request) => onSubscriptionRequest(client, request),
      },
      { control, limiter, runtime },
    );
  }

  function onConnection(ws: WebSocket, request: IncomingMessage, access: Access): void {
    const client = new ClientConnection(
      ws,
      new TokenBucket({ ...tuning.rateLimit.perConnection, now: tuning.now }),
      tuning.maxBufferedBytes,
      wantsBinaryOutput(request.url ?? ''),
      access,
      unsubscribed(tuning.metricsIntervalMs),
    );
    // `ws` reports protocol violations (oversized or malformed frames) as an 'error' event right before it
    // closes the connection with the matching code; without a listener the event would crash the server.
    ws.on('error', () => {});
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('close', () => {
      clients.delete(client);
      metrics.unwatch(client);
      system.unwatch(client);
    });

    // Everything from here to `clients.add` runs in one synchronous turn. Flushing first sends every pending
    // batch to the existing clients, so at this instant each chunk emitted so far is in the scrollback and
    // nowhere else; the replay snapshot therefore holds exactly what this client has not seen, and every
    // later chunk reaches it live. No chunk can fall between the two or arrive through both.
    batcher.flushAll();
    const snapshots = control.list();
    const tails = snapshots.map((snapshot) =>
      replayTail(control.scrollback(snapshot.name), control.runs(snapshot.name), options.replayLines),
    );
    const replay = replayMessages(
      tails.map((tail) => tail.chunks),
      tuning.batch,
      tails.map((tail) => tail.runs),
    );
    const info: InfoMessage = {
      type: 'info',
      version: options.version,
      processes: snapshots.map(processInfo),
      timestamp: Date.now(),
      limits: { viewerLines: options.viewerLines },
      replayMessages: replay.length,
      access,
    };
    if (runtime !== null) info.runtimeProcesses = true;
    client.send(encode(info));
    client.replay(replay.map((message) => client.encode(message)));
    clients.add(client);
    followFeeds(client);
    enforceTotalBound();
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
    events: () => lifecycle.entries(),

    handleUpgrade(request, socket, head) {
      // A peer that resets the connection while we answer must not crash the server with an unhandled error.
      socket.on('error', () => {});
      if (closing) {
        refuseUpgrade(socket, 503, 'lucidlines is shutting down');
        return;
      }
      const target = request.url ?? '';
      if (pathOfRequestTarget(target) !== options.wsPath) {
        refuseUpgrade(socket, 404, 'Not found');
        return;
      }
      const verdict = checkUpgrade(request.headers, target, options.guard);
      if (!verdict.ok) {
        refuseUpgrade(socket, verdict.status, verdict.reason);
        return;
      }
      // Counted before the handshake, so that a burst of upgrades cannot all pass the check at once.
      if (connections >= options.maxClients) {
        refuseUpgrade(socket, 503, `lucidlines already serves ${options.maxClients} clients`, [
          `Retry-After: ${RETRY_AFTER_SECONDS}`,
        ]);
        return;
      }
      connections++;
      socket.once('close', () => {
        connections--;
      });
      wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request, verdict.access));
    },

    async close() {
      closing = true;
      clearInterval(heartbeat);
      metrics.close();
      system.close();
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
            if (client.closing) client.ws.terminate();
            else client.ws.close(CLOSE_CODES.GOING_AWAY, 'lucidlines is shutting down');
          }),
      );
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
