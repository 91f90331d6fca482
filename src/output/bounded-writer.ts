/** The part of a writable stream a bounded writer uses; `process.stdout` has all of it. */
export interface QueueingOutput {
  write(text: string): unknown;
  /** What the stream holds that its destination has not taken yet; absent on simple fakes (never full). */
  readonly writableLength?: number;
  once?(event: 'drain', listener: () => void): unknown;
}

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
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Writes to a stream whose reader may stall, holding at most a bounded amount in the stream's queue.
 *
 * A Node stream accepts every write and queues what its destination has not taken, so when nobody reads
 * lucidlines' stdout (a stalled pipe, a paused pager) all the processes' output would pile up in memory at
 * the rate they print. Blocking is no way out either: the event loop also reads the children's pipes and
 * serves the viewer, which must keep up. So once the queue is full, text is dropped and counted until the
 * stream has drained completely; then one line says how much was left out, and writing resumes.
 */
export class BoundedWriter {
  readonly #out: QueueingOutput;
  readonly #options: BoundedWriterOptions;
  #dropped: DroppedOutput | null = null;

  constructor(out: QueueingOutput, options: BoundedWriterOptions) {
    this.#out = out;
    this.#options = options;
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
    this.#out.write(text);
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
