/** The part of a writable stream a bounded writer uses; `process.stdout` has all of it. */
export interface QueueingOutput {
  write(text: string): unknown;
  /** What the stream holds that its destination has not taken yet; absent on simple fakes (never full). */
  readonly writableLength?: number;
  once?(event: 'drain', listener: () => void): unknown;
  /** Buffers writes until `uncork`, which hands them to the destination together; absent on simple fakes. */
  cork?(): void;
  uncork?(): void;
}

/**
 * How long text written to a corkable stream waits to be handed to its destination with the text that
 * follows it. A screen redraws every 16 ms at 60 Hz, so a delay this short cannot be seen.
 */
const TERMINAL_FLUSH_DELAY_MS = 4;

/** What a bounded writer left out while its output was full. */
export interface DroppedOutput {
  lines: number;
  bytes: number;
}

export interface BoundedWriterOptions {
  /**
   * Text is dropped while the stream holds this much or more (so it holds at most this plus one write).
   * It must be above the stream's highWaterMark (16 KiB for stdout): the write that filled the queue then
   * returned false, which is what makes the stream emit the 'drain' that ends the dropping.
   */
  maxQueuedBytes: number;
  /** Returns the one line to write when the stream has drained after text was dropped. */
  droppedNotice: (dropped: DroppedOutput) => string;
  /** Runs `flush` a moment later; by default after TERMINAL_FLUSH_DELAY_MS. */
  later?: (flush: () => void) => void;
  /**
   * Holds (true) or releases (false) the writers of the text, so that a reader that is slow but keeps
   * reading gets everything instead of a dropped-output notice. Without it, text is dropped once the queue
   * is full.
   */
  hold?: (held: boolean) => void;
  /** The queue size from which the writers are held; above the stream's highWaterMark, below maxQueuedBytes. */
  holdAtBytes?: number;
  /** Calls `check` every `ms` until the returned function is called; by default with setInterval. */
  every?: (ms: number, check: () => void) => () => void;
}

/**
 * From this much queued the writers are held. Most reads while held come from before the hold, so it is
 * well below the drop bound: the queue rarely grows from here to the point where text is dropped.
 */
const DEFAULT_HOLD_AT_BYTES = 1024 * 1024;

/**
 * A reader that has taken nothing from a full queue for this long has stalled (a paused pager, a stopped
 * `tail`), and is no longer waited for: the writers are released and text is dropped until it drains, so
 * a stalled terminal never stalls the processes.
 */
const STALL_MS = 2000;

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Writes to a stream whose reader may be slow or stall, holding at most a bounded amount in the stream's
 * queue.
 *
 * A Node stream accepts every write and queues what its destination has not taken, so when nobody reads
 * lucidlines' stdout (a stalled pipe, a paused pager) all the processes' output would pile up in memory at
 * the rate they print. Blocking is no way out either: the event loop also reads the children's pipes and
 * serves the viewer, which must keep up.
 *
 * A reader that is merely slower than the writers (`lucidlines | tee log` during a flood: each event-loop
 * turn reads up to megabytes from a child but moves at most a pipe's 64 KiB to stdout) gets everything:
 * from `holdAtBytes` on, the writers are held until the stream drains. A reader that stalls does not:
 * after STALL_MS without progress the writers are released, and once the queue is full, text is dropped and
 * counted until the stream has drained completely; then one line says how much was left out.
 */
export class BoundedWriter {
  readonly #out: QueueingOutput;
  readonly #options: BoundedWriterOptions;
  readonly #later: (flush: () => void) => void;
  readonly #every: (ms: number, check: () => void) => () => void;
  #dropped: DroppedOutput | null = null;
  #corked = false;
  /** While the writers are held: ends the stall check. */
  #endHold: (() => void) | null = null;
  /** Set when the reader stalled during a hold; no new hold begins until the stream drains. */
  #stalled = false;

  constructor(out: QueueingOutput, options: BoundedWriterOptions) {
    this.#out = out;
    this.#options = options;
    this.#later = options.later ?? ((flush) => setTimeout(flush, TERMINAL_FLUSH_DELAY_MS));
    this.#every =
      options.every ??
      ((ms, check) => {
        const timer = setInterval(check, ms);
        return () => clearInterval(timer);
      });
  }

  write(text: string): void {
    if (this.#dropped !== null) {
      this.#drop(this.#dropped, text);
      return;
    }
    const queued = this.#out.writableLength ?? 0;
    if (queued >= this.#options.maxQueuedBytes && this.#out.once !== undefined) {
      const dropped = { lines: 0, bytes: 0 };
      this.#drop(dropped, text);
      this.#dropped = dropped;
      this.#out.once('drain', () => this.#resume());
      return;
    }
    const holdAt = this.#options.holdAtBytes ?? DEFAULT_HOLD_AT_BYTES;
    if (queued >= holdAt && this.#endHold === null && !this.#stalled) this.#hold(queued);
    this.#corkForAMoment();
    this.#out.write(text);
  }

  /** Releases held writers and stops watching the stream; for when the writer is no longer used. */
  close(): void {
    this.#release();
  }

  #hold(queued: number): void {
    const { hold } = this.#options;
    if (hold === undefined || this.#out.once === undefined) return;
    hold(true);
    let lastQueued = queued;
    const stopChecking = this.#every(STALL_MS, () => {
      const now = this.#out.writableLength ?? 0;
      if (now < lastQueued) {
        lastQueued = now;
        return;
      }
      this.#release();
      this.#stalled = true;
    });
    this.#endHold = () => {
      stopChecking();
      hold(false);
    };
    // The queue is above the stream's highWaterMark, so the write that took it there returned false, and
    // the stream emits 'drain' once it is empty.
    this.#out.once('drain', () => {
      this.#release();
      this.#stalled = false;
    });
  }

  #release(): void {
    const end = this.#endHold;
    this.#endHold = null;
    end?.();
  }

  /**
   * A child that writes line by line is read a few lines at a time, one read per event-loop turn, and one
   * write to the terminal per read was the largest cost of a line flood (`writeUtf8String`, 19 % of the
   * CPU; 12,700 writes in 3 s under strace). Corked, the stream hands what a few milliseconds brought to the
   * terminal in one `writev`. Corking the stream itself, not keeping a queue of our own, keeps the order of
   * everything else written to it (the CLI's own lines) intact.
   */
  #corkForAMoment(): void {
    if (this.#corked || this.#out.cork === undefined) return;
    this.#corked = true;
    this.#out.cork();
    this.#later(() => {
      this.#corked = false;
      this.#out.uncork?.();
    });
  }

  #drop(dropped: DroppedOutput, text: string): void {
    dropped.lines += countLines(text);
    dropped.bytes += Buffer.byteLength(text);
  }

  #resume(): void {
    const dropped = this.#dropped;
    this.#dropped = null;
    if (dropped !== null) this.#out.write(this.#options.droppedNotice(dropped));
  }
}
