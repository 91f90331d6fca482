/** What the bound over all processes keeps of one retained chunk: its size, never its text. */
export interface RetainedTicket {
  readonly bytes: number;
  /** Set once the chunk has left its scrollback, whichever bound dropped it. */
  dropped: boolean;
  /** The scrollback holding the chunk; its oldest chunk is always the oldest of its chunks still here. */
  readonly owner: { dropOldest(): void };
}

/**
 * Bounds the scrollback of all processes together, besides each process's own bound: twenty processes each
 * within their own limit could otherwise hold twenty times as much. When the total passes the bound, the
 * oldest output of any process is dropped first, so a chatty process pushes out history of quiet ones only
 * once it is older than everything else retained.
 *
 * Every chunk gets a ticket here, queued in the order of appending. A ticket whose chunk its own scrollback
 * dropped stays in the queue, marked, until it reaches the head or the queue is compacted; tickets hold no
 * text, and compaction keeps the marked ones at most as many as the live ones, so the queue stays small.
 * Each ticket is touched a bounded number of times, so an append costs O(1) amortized.
 */
export class TotalScrollbackBound {
  readonly #maxBytes: number;
  #queue: (RetainedTicket | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  /** Tickets in the queue whose chunk is gone already. */
  #droppedInQueue = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** All bytes retained now, over every scrollback. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Tickets queued, live or marked; bounded by about twice the live ones. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Counts a newly retained chunk of `bytes` held by `owner`, then drops the oldest chunks of any process
   * until the total fits. The owner keeps the ticket and hands it back to `release` when the chunk goes.
   */
  add(bytes: number, owner: { dropOldest(): void }): RetainedTicket {
    const ticket: RetainedTicket = { bytes, dropped: false, owner };
    this.#queue.push(ticket);
    this.#bytes += bytes;
    for (;;) {
      const oldest = this.#queue[this.#head];
      if (oldest === undefined || (!oldest.dropped && this.#bytes <= this.#maxBytes)) break;
      this.#queue[this.#head] = undefined;
      this.#head++;
      if (oldest.dropped) this.#droppedInQueue--;
      // The owner's oldest chunk is this one: all its older chunks are older here too, so already gone.
      else oldest.owner.dropOldest();
    }
    this.#compact();
    return ticket;
  }

  /** Told by a scrollback that the chunk of `ticket` left it (under either bound); it no longer counts. */
  release(ticket: RetainedTicket): void {
    if (ticket.dropped) return;
    ticket.dropped = true;
    this.#bytes -= ticket.bytes;
    this.#droppedInQueue++;
  }

  #compact(): void {
    const length = this.#queue.length - this.#head;
    if (this.#droppedInQueue > 1024 && this.#droppedInQueue * 2 > length) {
      this.#queue = this.#queue.slice(this.#head).filter((ticket) => ticket !== undefined && !ticket.dropped);
      this.#head = 0;
      this.#droppedInQueue = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
