/** One retained chunk as the bound over all processes sees it. */
export interface RetainedEntry {
  readonly bytes: number;
  /** Set once the entry has left its scrollback, whichever bound dropped it. */
  dropped: boolean;
  /** The scrollback holding the entry; its oldest entry is always the oldest of its entries still here. */
  readonly owner: { dropOldest(): void };
}

/**
 * Bounds the scrollback of all processes together, besides each process's own bound: twenty processes each
 * within their own limit could otherwise hold twenty times as much. When the total passes the bound, the
 * oldest output of any process is dropped first, so a chatty process pushes out history of quiet ones only
 * once it is older than everything else retained.
 *
 * Every entry is queued here in the order it was appended. Entries that their own scrollback dropped stay in
 * the queue, marked, until they reach its head; each entry is touched a bounded number of times, so an
 * append costs O(1) amortized.
 */
export class TotalScrollbackBound {
  readonly #maxBytes: number;
  #queue: (RetainedEntry | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** All bytes retained now, over every scrollback. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Counts a newly retained entry, then drops the oldest entries of any process until the total fits. */
  add(entry: RetainedEntry): void {
    this.#queue.push(entry);
    this.#bytes += entry.bytes;
    while (this.#bytes > this.#maxBytes) {
      const oldest = this.#queue[this.#head];
      if (oldest === undefined) break;
      this.#queue[this.#head] = undefined;
      this.#head++;
      // The owner's oldest entry is this one: all its older entries are older here too, so already gone.
      if (!oldest.dropped) oldest.owner.dropOldest();
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Told by a scrollback that `entry` left it (under either bound); its bytes no longer count. */
  release(entry: RetainedEntry): void {
    entry.dropped = true;
    this.#bytes -= entry.bytes;
  }
}
