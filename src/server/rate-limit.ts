/** How many tokens a bucket holds when full, and how fast it refills. */
export interface BucketRate {
  burst: number;
  perSecond: number;
}

/**
 * A token bucket: up to `burst` commands at once, refilled at `perSecond`. It bounds how much work clients
 * can make the supervisor do (every restart kills and spawns a process tree), whatever they send. The clock
 * is injected so tests can move time without waiting.
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: BucketRate & { now: () => number }) {
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#now = options.now;
    this.#tokens = options.burst;
    this.#last = options.now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
