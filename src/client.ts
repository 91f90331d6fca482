// A typed LucidLines client for browsers and Node. It must stay free of Node imports: the viewer bundles it,
// and in Node the caller passes the `WebSocket` class of the `ws` package.

import {
  BINARY_OUTPUT_QUERY,
  type CommandMessage,
  decodeBinaryOutputFrame,
  decodeServerMessage,
  type ErrorMessage,
  type EventMessage,
  type HistoryMessage,
  type HistoryRequest,
  type InfoMessage,
  type MetricsMessage,
  type ProcessesMessage,
  type ProcessOutputMessage,
  type RunMessage,
  type RuntimeProcessFields,
  type StatusMessage,
  type SubscriptionMessage,
  type SubscriptionRequest,
  type SystemMessage,
} from './protocol.js';

// The handler types use method syntax on purpose: method parameters are compared bivariantly, which lets
// both the DOM `WebSocket` and the `ws` class (whose events carry more fields) satisfy this interface.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket API the client uses; the DOM class and the `ws` class both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Set to 'arraybuffer' so binary output frames arrive whole and at once (a browser's default is Blob). */
  binaryType?: string;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface LucidLinesClientOptions {
  /** The WebSocket URL, e.g. `ws://127.0.0.1:4400/ws?token=…`. */
  url: string;
  /** Defaults to `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructorLike;
  /** On by default: exponential backoff with full jitter. */
  reconnect?: boolean | ReconnectOptions;
  /** A source of numbers in [0, 1) for the jitter; injectable so tests are deterministic. */
  random?: () => number;
}

export interface CommandOptions {
  /** Echoed in the `ids` of the `status` or `error` that settles the command; at most 128 characters. */
  id?: string;
}

/** History (issue 15): which page of a process's retained output `history` asks for. */
export interface HistoryOptions {
  /** A `seq` (of a `process` message, or of a page's oldest chunk): only older output. Omitted: the newest. */
  before?: number;
  /** Lines in the page; the server's default is 500 and its maximum 5,000. */
  limit?: number;
}

/**
 * The answer to `history`: the page, or why there is none (the server's `error`, such as UNKNOWN_PROCESS, or
 * `NOT_CONNECTED` when the request could not be sent or the connection closed before the answer came).
 */
export type HistoryResult = { ok: true; page: HistoryMessage } | { ok: false; code: string; message: string };

export type ClientEvents = {
  open: [];
  close: [{ code: number; reason: string; willReconnect: boolean }];
  info: [InfoMessage];
  process: [ProcessOutputMessage];
  status: [StatusMessage];
  error: [ErrorMessage];
  /** The list of processes changed (a config reload); `info` comes only once per connection. */
  processes: [ProcessesMessage];
  /** Resource use of every process, every few seconds (an extension; see docs/protocol.md). */
  metrics: [MetricsMessage];
  /** Extension: a run of a process began (see RunMessage). */
  run: [RunMessage];
  /** Extension (lifecycle events, issue 15): an entry of lucidlines' lifecycle log (see EventMessage). */
  event: [EventMessage];
  /** History (issue 15): a page answering a `history` request (also resolved by the `history` method). */
  history: [HistoryMessage];
  /** A frame from the server that failed validation; it is dropped. */
  invalid: [{ code: string; message: string }];
  /** Extension (issue 15): the filter in force, in answer to `subscribe` and `unsubscribe`. */
  subscription: [SubscriptionMessage];
  /** Extension (issue 15): the host's CPU, memory and load; only after subscribing to `system`. */
  system: [SystemMessage];
};

/** What `subscribe` and `unsubscribe` take (see SubscriptionRequest in protocol.ts). */
export type SubscriptionOptions = Omit<SubscriptionRequest, 'type'>;

function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined {
  if (a === undefined) return b === undefined ? undefined : [...b];
  return [...new Set([...a, ...(b ?? [])])];
}

/**
 * Subscriptions (issue 15) belong to a connection, so the client keeps the requests that make up its
 * filter and sends them again on every reconnection. It keeps at most two: the last `subscribe` (which
 * replaces everything before it) and the `unsubscribe`s since, merged into one (removals add up, the last
 * interval wins); a bare `unsubscribe` forgets both. Replayed on a fresh connection, they give the same
 * filter as the requests did one by one.
 */
class SubscriptionMemory {
  #subscribe: SubscriptionRequest | null = null;
  #unsubscribe: SubscriptionRequest | null = null;

  remember(request: SubscriptionRequest): void {
    if (request.type === 'subscribe') {
      this.#subscribe = request;
      this.#unsubscribe = null;
      return;
    }
    if (request.processes === undefined && request.types === undefined) {
      this.#subscribe = null;
      this.#unsubscribe = request.interval === undefined ? null : request;
      return;
    }
    const previous = this.#unsubscribe;
    const merged: SubscriptionRequest = { type: 'unsubscribe' };
    const processes = union(previous?.processes, request.processes);
    const types = union(previous?.types, request.types);
    const interval = request.interval ?? previous?.interval;
    if (processes !== undefined) merged.processes = processes;
    if (types !== undefined) merged.types = types;
    if (interval !== undefined) merged.interval = interval;
    this.#unsubscribe = merged;
  }

  /** The requests to send on a new connection, in order. */
  requests(): SubscriptionRequest[] {
    return [this.#subscribe, this.#unsubscribe].filter((request) => request !== null);
  }
}

/**
 * The socket URL with the request for binary output frames, which spare both sides the JSON escaping and
 * parsing of every character of output. A server that does not know the parameter ignores it and sends
 * JSON text frames, which are still understood.
 */
function withBinaryOutput(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(BINARY_OUTPUT_QUERY.name, BINARY_OUTPUT_QUERY.value);
  return parsed.href;
}

type Listener<E extends keyof ClientEvents> = (...args: ClientEvents[E]) => void;

const OPEN = 1;
const DEFAULT_INITIAL_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 15_000;

export class LucidLinesClient {
  readonly #url: string;
  readonly #WebSocket: WebSocketConstructorLike;
  readonly #reconnect: { initialDelayMs: number; maxDelayMs: number } | null;
  readonly #random: () => number;
  readonly #listeners: { [E in keyof ClientEvents]?: Set<Listener<E>> } = {};
  #socket: WebSocketLike | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #subscriptions = new SubscriptionMemory();
  /** History (issue 15): requests awaiting their page, by the `id` the client gave them. */
  readonly #historyWaiting = new Map<string, (result: HistoryResult) => void>();
  #historyIds = 0;

  constructor(options: LucidLinesClientOptions) {
    const WebSocketClass =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError(
        'No WebSocket implementation: pass options.WebSocket (e.g. from the "ws" package).',
      );
    }
    this.#url = options.url;
    this.#WebSocket = WebSocketClass;
    const reconnect = options.reconnect ?? true;
    this.#reconnect =
      reconnect === false
        ? null
        : {
            initialDelayMs:
              (reconnect === true ? undefined : reconnect.initialDelayMs) ?? DEFAULT_INITIAL_DELAY_MS,
            maxDelayMs: (reconnect === true ? undefined : reconnect.maxDelayMs) ?? DEFAULT_MAX_DELAY_MS,
          };
    this.#random = options.random ?? Math.random;
    this.#connect();
  }

  get connected(): boolean {
    return this.#socket !== null && this.#socket.readyState === OPEN;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): () => void {
    let set = this.#listeners[event] as Set<Listener<E>> | undefined;
    if (set === undefined) {
      set = new Set();
      (this.#listeners as Record<E, Set<Listener<E>>>)[event] = set;
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  // Each command may carry an `id`, echoed in the `ids` of the `status` or `error` that settles it (see
  // docs/protocol.md); false means it was not sent, because the client is not connected.

  restart(name: string, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'restart', target: name, ...options });
  }

  start(name: string, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'start', target: name, ...options });
  }

  stop(name: string, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'stop', target: name, ...options });
  }

  /** Kill (issue 15): SIGKILL to the whole tree at once, for a process that hangs on SIGTERM. */
  kill(name: string, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'kill', target: name, ...options });
  }

  restartAll(options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'restart-all', ...options });
  }

  stopAll(options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'stop-all', ...options });
  }

  /** Writes `data` to the stdin of a process whose config has `"stdin": true`. */
  input(name: string, data: string): boolean {
    return this.#send({ type: 'command', action: 'input', target: name, data });
  }

  /**
   * Runtime processes (issue 15): adds a process, with the fields of a process entry of the config file, and
   * starts it. Refused (an `error` with RUNTIME_PROCESSES_DISABLED) unless the server's config sets
   * `allowRuntimeProcesses`, which `info.runtimeProcesses` tells; with an `id`, the status of its start settles it.
   */
  add(process: RuntimeProcessFields, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'add', process, ...options });
  }

  /** Runtime processes (issue 15): stops the process's whole tree and drops it from the list. */
  remove(name: string, options: CommandOptions = {}): boolean {
    return this.#send({ type: 'command', action: 'remove', target: name, ...options });
  }

  /**
   * Extension (issue 15): narrows what this client receives to some processes and message types, and sets
   * the interval of `metrics` and `system` (clamped by the server to 500–60,000 ms); omitted fields mean all
   * or the default. Replaces the previous subscription. The server answers with a `subscription` event. It
   * is kept across reconnections: false means it was not sent now, and goes out once connected.
   */
  subscribe(options: SubscriptionOptions = {}): boolean {
    return this.#request({ type: 'subscribe', ...options });
  }

  /**
   * Extension (issue 15): stops receiving the named processes and types; with neither, restores what a
   * client that never subscribed receives. Kept across reconnections like `subscribe`.
   */
  unsubscribe(options: SubscriptionOptions = {}): boolean {
    return this.#request({ type: 'unsubscribe', ...options });
  }

  /**
   * History (issue 15): one page of a process's retained output older than `before`. Page back by passing the
   * `seq` of the oldest chunk received as the next `before`, until the page says `more: false`.
   */
  history(name: string, options: HistoryOptions = {}): Promise<HistoryResult> {
    const id = `history-${++this.#historyIds}`;
    const request: HistoryRequest = { type: 'history', target: name, id };
    if (options.before !== undefined) request.before = options.before;
    if (options.limit !== undefined) request.limit = options.limit;
    if (this.#socket === null || this.#socket.readyState !== OPEN) {
      return Promise.resolve({ ok: false, code: 'NOT_CONNECTED', message: 'The client is not connected.' });
    }
    this.#socket.send(JSON.stringify(request));
    return new Promise((resolve) => this.#historyWaiting.set(id, resolve));
  }

  /** A closed connection never answers: every request still waiting gets NOT_CONNECTED. */
  #abandonHistory(): void {
    const waiting = [...this.#historyWaiting.values()];
    this.#historyWaiting.clear();
    for (const resolve of waiting) {
      resolve({ ok: false, code: 'NOT_CONNECTED', message: 'The connection closed before the answer came.' });
    }
  }

  /** Settles the `history` request an answer names by its id, if this client is waiting for it. */
  #settleHistory(id: string | undefined, result: HistoryResult): void {
    if (id === undefined) return;
    const resolve = this.#historyWaiting.get(id);
    if (resolve === undefined) return;
    this.#historyWaiting.delete(id);
    resolve(result);
  }

  /** Closes the connection cleanly and stops reconnecting. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#socket?.close(1000, 'client closed');
  }

  #request(request: SubscriptionRequest): boolean {
    this.#subscriptions.remember(request);
    return this.#send(request);
  }

  #send(message: CommandMessage | SubscriptionRequest): boolean {
    if (this.#socket === null || this.#socket.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  #emit<E extends keyof ClientEvents>(event: E, ...args: ClientEvents[E]): void {
    const set = this.#listeners[event] as Set<Listener<E>> | undefined;
    if (set === undefined) return;
    for (const listener of [...set]) listener(...args);
  }

  #connect(): void {
    this.#timer = null;
    const socket = new this.#WebSocket(withBinaryOutput(this.#url));
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.onopen = () => {
      for (const request of this.#subscriptions.requests()) socket.send(JSON.stringify(request));
      this.#emit('open');
    };
    socket.onmessage = (event) => this.#handleFrame(event.data);
    // A failed connection reports `error` and then `close`; only `close` drives reconnection, so that a single
    // failure never schedules two attempts.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#abandonHistory();
      const willReconnect = !this.#closed && this.#reconnect !== null;
      this.#emit('close', { code: event.code, reason: event.reason, willReconnect });
      if (willReconnect) this.#scheduleReconnect();
    };
  }

  #handleFrame(data: unknown): void {
    const decoded =
      typeof data === 'string'
        ? decodeServerMessage(data)
        : data instanceof ArrayBuffer
          ? decodeBinaryOutputFrame(new Uint8Array(data))
          : data instanceof Uint8Array
            ? decodeBinaryOutputFrame(data)
            : null;
    if (decoded === null) {
      this.#emit('invalid', {
        code: 'BINARY_FRAME',
        message: 'The server sent a binary frame of an unknown kind.',
      });
      return;
    }
    if (!decoded.ok) {
      if (decoded.ignorable !== true) this.#emit('invalid', { code: decoded.code, message: decoded.message });
      return;
    }
    const message = decoded.value;
    switch (message.type) {
      case 'info':
        // The backoff restarts only once a server has really greeted us: a server that accepts connections
        // and drops them at once must not be hammered at the initial delay.
        this.#attempt = 0;
        this.#emit('info', message);
        break;
      case 'process':
        this.#emit('process', message);
        break;
      case 'status':
        this.#emit('status', message);
        break;
      case 'error':
        for (const id of message.ids ?? []) {
          this.#settleHistory(id, { ok: false, code: message.code ?? 'ERROR', message: message.message });
        }
        this.#emit('error', message);
        break;
      case 'processes':
        this.#emit('processes', message);
        break;
      case 'metrics':
        this.#emit('metrics', message);
        break;
      case 'run':
        this.#emit('run', message);
        break;
      case 'event':
        this.#emit('event', message);
        break;
      case 'subscription':
        this.#emit('subscription', message);
        break;
      case 'system':
        this.#emit('system', message);
        break;
      case 'history':
        this.#settleHistory(message.id, { ok: true, page: message });
        this.#emit('history', message);
        break;
    }
  }

  #scheduleReconnect(): void {
    const settings = this.#reconnect;
    if (settings === null) return;
    // Full jitter (a uniform delay between zero and the exponential ceiling) spreads out the reconnects of
    // many tabs after a restart of lucidlines, instead of having them all arrive in the same instant.
    const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const delay = Math.floor(this.#random() * ceiling);
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}
