import type { OutputChunk, RunStart } from '../process/events.js';
import type { OutputStream, ProcessOutputMessage, RunMessage } from '../protocol.js';
import { runMessage } from './server-messages.js';

export interface BatchLimits {
  /** The longest a chunk waits before it is sent. */
  windowMs: number;
  /** A batch of about this many characters is sent at once, without waiting for the window to end. */
  maxChars: number;
}

export interface BatchTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Pending {
  name: string;
  stream: OutputStream;
  texts: string[];
  chars: number;
  timestamp: number;
  /**
   * The seq of the batch's first chunk. A batch holds consecutive chunks of one process and is never cut, so
   * the batches of a process carry strictly increasing seqs, and a `history` request with `before` set to a
   * message's seq returns exactly the output before that message.
   */
  seq: number;
}

/** An empty batch that begins with `chunk`: its stream, time and `seq` are the batch's. */
function openBatch(chunk: OutputChunk): Pending {
  return {
    name: chunk.name,
    stream: chunk.stream,
    texts: [],
    chars: 0,
    timestamp: chunk.timestamp,
    seq: chunk.seq,
  };
}

function toMessage(pending: Pending, replay: boolean): ProcessOutputMessage {
  const message: ProcessOutputMessage = {
    type: 'process',
    name: pending.name,
    output: pending.texts.join(''),
    timestamp: pending.timestamp,
    stream: pending.stream,
  };
  if (replay) message.replay = true;
  message.seq = pending.seq;
  return message;
}

/**
 * Coalesces output into few messages. A process printing 10,000 short lines a second would otherwise cost
 * 10,000 WebSocket frames, JSON encodings and DOM updates a second in every viewer; one message per process
 * and window costs about 60. A batch holds one process's output of one stream, and a chunk from the other
 * stream ends the batch first, so the order of a process's output is never changed.
 */
export class OutputBatcher {
  readonly #emit: (message: ProcessOutputMessage) => void;
  readonly #limits: BatchLimits;
  readonly #timers: BatchTimers;
  /** Insertion order is the order in which the batches started, which is the order they are sent in. */
  readonly #pending = new Map<string, Pending>();
  #timer: unknown = null;

  constructor(emit: (message: ProcessOutputMessage) => void, limits: BatchLimits, timers: BatchTimers) {
    this.#emit = emit;
    this.#limits = limits;
    this.#timers = timers;
  }

  add(chunk: OutputChunk): void {
    let pending = this.#pending.get(chunk.name);
    if (pending !== undefined && pending.stream !== chunk.stream) {
      this.flush(chunk.name);
      pending = undefined;
    }
    if (pending === undefined) {
      pending = openBatch(chunk);
      this.#pending.set(chunk.name, pending);
    }
    pending.texts.push(chunk.text);
    pending.chars += chunk.text.length;
    if (pending.chars >= this.#limits.maxChars) {
      this.flush(chunk.name);
    } else if (this.#timer === null) {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = null;
        this.flushAll();
      }, this.#limits.windowMs);
    }
  }

  /** Sends one process's pending output now, e.g. before its status change, so order is preserved. */
  flush(name: string): void {
    const pending = this.#pending.get(name);
    if (pending === undefined) return;
    this.#pending.delete(name);
    this.#emit(toMessage(pending, false));
  }

  flushAll(): void {
    for (const name of [...this.#pending.keys()]) this.flush(name);
    this.dispose();
  }

  /** Cancels the window timer; pending output is kept (call `flushAll` first to send it). */
  dispose(): void {
    if (this.#timer !== null) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}

/**
 * Turns retained scrollback into replay messages: the chunks of every process merged by `seq` (the order in
 * which they were produced), with consecutive chunks of one process and stream that fall into one batch
 * window coalesced just as live output would have been, each message keeping its first chunk's timestamp.
 * The run starts of every process are merged in by `seq` too, each ending the batch it falls into, so a
 * separator lands exactly between the output of two runs.
 */
export function replayMessages(
  scrollbacks: readonly (readonly OutputChunk[])[],
  limits: BatchLimits,
  runs: readonly (readonly RunStart[])[] = [],
): (ProcessOutputMessage | RunMessage)[] {
  const chunks = scrollbacks.flat().sort((a, b) => a.seq - b.seq);
  const starts = runs.flat().sort((a, b) => a.seq - b.seq);
  const messages: (ProcessOutputMessage | RunMessage)[] = [];
  let current: Pending | null = null;
  let next = 0;
  const startsBefore = (seq: number): void => {
    for (let start = starts[next]; start !== undefined && start.seq < seq; start = starts[++next]) {
      if (current !== null) messages.push(toMessage(current, true));
      current = null;
      messages.push(runMessage(start, true));
    }
  };
  for (const chunk of chunks) {
    startsBefore(chunk.seq);
    if (
      current === null ||
      current.name !== chunk.name ||
      current.stream !== chunk.stream ||
      current.chars >= limits.maxChars ||
      chunk.timestamp - current.timestamp > limits.windowMs
    ) {
      if (current !== null) messages.push(toMessage(current, true));
      current = openBatch(chunk);
    }
    current.texts.push(chunk.text);
    current.chars += chunk.text.length;
  }
  if (current !== null) messages.push(toMessage(current, true));
  current = null;
  startsBefore(Number.POSITIVE_INFINITY);
  return messages;
}
