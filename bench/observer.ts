import WebSocket from 'ws';
import {
  BINARY_OUTPUT_QUERY,
  type Decoded,
  decodeBinaryOutputFrame,
  decodeServerMessage,
  type ErrorMessage,
  type InfoMessage,
  type ServerMessage,
  type StatusMessage,
} from '../src/protocol.js';

/** What one client has received from one process so far. */
export interface StreamTally {
  messages: number;
  /** Characters of `output`, newlines included. */
  chars: number;
  /** Characters of `output` other than "\r" and "\n", which survive any line splitting or normalising. */
  contentChars: number;
}

function countContent(text: string): number {
  let breaks = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks++;
  for (let at = text.indexOf('\r'); at !== -1; at = text.indexOf('\r', at + 1)) breaks++;
  return text.length - breaks;
}

type Watcher = { test: () => boolean; resolve: () => void };

/**
 * A real `ws` client that tallies everything lucidlines sends, as a browser tab would receive it. It is
 * the measuring instrument of the benchmark, so it does as little as possible per message.
 */
export class Observer {
  readonly tallies = new Map<string, StreamTally>();
  readonly statuses: StatusMessage[] = [];
  /** `error` messages: replies to this client's own commands, and reports about processes. */
  readonly errors: ErrorMessage[] = [];
  /** Every non-replay `process` message goes here too, when a caller wants the text itself. */
  onOutput: ((name: string, output: string, receivedAt: number) => void) | null = null;
  /**
   * Whether replayed scrollback counts like live output. Off for the timed sections, which connect before
   * any output; on where the observer may join after the children spoke, or it would wait for lines it
   * was only ever going to get as replay.
   */
  includeReplay = false;
  closeCode: number | null = null;
  info: InfoMessage | null = null;
  /** How many `subscription` replies arrived (issue 15): a subscribe is in force once it was answered. */
  subscriptions = 0;
  invalidFrames = 0;
  readonly #socket: WebSocket;
  #watchers: Watcher[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data, isBinary) => {
      // Taken before decoding, so that a latency figure never includes the instrument's own parsing.
      const receivedAt = performance.timeOrigin + performance.now();
      const decoded = isBinary
        ? decodeBinaryOutputFrame(data as Buffer)
        : decodeServerMessage(data.toString());
      this.#receive(decoded, receivedAt);
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.#check();
    });
  }

  /**
   * Connects to the socket behind the page at `pageUrl` (default `wsPath`, the page's token if any) with its
   * Origin, as the viewer would, asking for binary output frames as the viewer does, and resolves once the
   * server's `info` greeting has arrived.
   */
  static async connect(pageUrl: string, options: { includeReplay?: boolean } = {}): Promise<Observer> {
    const page = new URL(pageUrl);
    const url = new URL(`ws://${page.host}/ws${page.search}`);
    url.searchParams.set(BINARY_OUTPUT_QUERY.name, BINARY_OUTPUT_QUERY.value);
    const socket = new WebSocket(url.href, {
      origin: page.origin,
      perMessageDeflate: false,
    });
    const observer = new Observer(socket);
    observer.includeReplay = options.includeReplay ?? false;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.off('error', reject));
      socket.once('close', (code) => reject(new Error(`The server closed the connection (code ${code}).`)));
      observer.#watchers.push({ test: () => observer.info !== null, resolve });
    });
    socket.on('error', () => {});
    return observer;
  }

  tally(name: string): StreamTally {
    let tally = this.tallies.get(name);
    if (tally === undefined) {
      tally = { messages: 0, chars: 0, contentChars: 0 };
      this.tallies.set(name, tally);
    }
    return tally;
  }

  totalChars(): number {
    let sum = 0;
    for (const tally of this.tallies.values()) sum += tally.chars;
    return sum;
  }

  totalMessages(): number {
    let sum = 0;
    for (const tally of this.tallies.values()) sum += tally.messages;
    return sum;
  }

  /** Resolves when `test` holds, checked after every frame; rejects after `timeoutMs`. */
  until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#watchers = this.#watchers.filter((watcher) => watcher.resolve !== done);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#watchers.push({ test, resolve: done });
    });
  }

  /** Resolves with the first status message after this call that satisfies `test`. */
  nextStatus(test: (status: StatusMessage) => boolean, timeoutMs: number): Promise<StatusMessage> {
    const seen = this.statuses.length;
    let found: StatusMessage | undefined;
    return this.until(
      () => {
        found = this.statuses.slice(seen).find(test);
        return found !== undefined;
      },
      timeoutMs,
      'a status message',
    ).then(() => found as StatusMessage);
  }

  send(message: unknown): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** Stops reading from the socket, as a frozen browser tab would; the kernel buffers fill and then the server's. */
  stall(): void {
    this.#socket.pause();
  }

  /** Reads again after `stall`, so that what the server did meanwhile (e.g. a close frame) comes through. */
  resume(): void {
    this.#socket.resume();
  }

  close(): void {
    this.#socket.terminate();
  }

  #receive(decoded: Decoded<ServerMessage>, receivedAt: number): void {
    if (!decoded.ok) {
      this.invalidFrames++;
      return;
    }
    this.#handle(decoded.value, receivedAt);
    this.#check();
  }

  #handle(message: ServerMessage, receivedAt: number): void {
    switch (message.type) {
      case 'info':
        this.info = message;
        break;
      case 'status':
        this.statuses.push(message);
        break;
      case 'process': {
        if (message.replay === true && !this.includeReplay) return;
        const tally = this.tally(message.name);
        tally.messages++;
        tally.chars += message.output.length;
        tally.contentChars += countContent(message.output);
        this.onOutput?.(message.name, message.output, receivedAt);
        break;
      }
      case 'error':
        this.errors.push(message);
        break;
      case 'subscription':
        this.subscriptions++;
        break;
    }
  }

  #check(): void {
    if (this.#watchers.length === 0) return;
    const ready = this.#watchers.filter((watcher) => watcher.test());
    if (ready.length === 0) return;
    this.#watchers = this.#watchers.filter((watcher) => !ready.includes(watcher));
    for (const watcher of ready) watcher.resolve();
  }
}
