/**
 * A fixed-capacity FIFO with absolute positions: the item pushed n-th keeps position n until it is dropped,
 * so indexes held elsewhere (search matches, the scroll anchor) stay valid while the oldest items fall off.
 * Older items loaded later (history) are put in front at positions below the first, which may be negative.
 */
export class Ring<T> {
  readonly capacity: number;
  readonly #slots: (T | undefined)[];
  #start = 0;
  #end = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#slots = new Array(this.capacity);
  }

  /** Position of the oldest retained item. */
  get start(): number {
    return this.#start;
  }

  /** One past the position of the newest item. */
  get end(): number {
    return this.#end;
  }

  get length(): number {
    return this.#end - this.#start;
  }

  /** Appends an item, dropping the oldest when full; returns the item's position. */
  push(item: T): number {
    if (this.length === this.capacity) {
      this.#slots[this.#slot(this.#start)] = undefined;
      this.#start++;
    }
    const position = this.#end++;
    this.#slots[this.#slot(position)] = item;
    return position;
  }

  /**
   * Puts an item in front of the oldest, at the position before it; false when the ring is full, since
   * making room would drop the newest items, which matter more than older history.
   */
  prepend(item: T): boolean {
    if (this.length === this.capacity) return false;
    this.#start--;
    this.#slots[this.#slot(this.#start)] = item;
    return true;
  }

  at(position: number): T | undefined {
    if (position < this.#start || position >= this.#end) return undefined;
    return this.#slots[this.#slot(position)];
  }

  /** Drops every item; positions keep counting up, so old positions never alias new items. */
  clear(): void {
    for (let p = this.#start; p < this.#end; p++) this.#slots[this.#slot(p)] = undefined;
    this.#start = this.#end;
  }

  /** The slot of a position; positions of prepended items may be negative, where `%` would be too. */
  #slot(position: number): number {
    return ((position % this.capacity) + this.capacity) % this.capacity;
  }
}
