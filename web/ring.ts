/**
 * A fixed-capacity FIFO with absolute positions: the item pushed n-th keeps position n until it is dropped,
 * so indexes held elsewhere (search matches, the scroll anchor) stay valid while the oldest items fall off.
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
      this.#slots[this.#start % this.capacity] = undefined;
      this.#start++;
    }
    const position = this.#end++;
    this.#slots[position % this.capacity] = item;
    return position;
  }

  at(position: number): T | undefined {
    if (position < this.#start || position >= this.#end) return undefined;
    return this.#slots[position % this.capacity];
  }

  /** Drops every item; positions keep counting up, so old positions never alias new items. */
  clear(): void {
    for (let p = this.#start; p < this.#end; p++) this.#slots[p % this.capacity] = undefined;
    this.#start = this.#end;
  }
}
