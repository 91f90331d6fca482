import type { Timers } from '../output/line-splitter.js';
import type { MetricsMessage } from '../protocol.js';

const unrefTimers: Timers = {
  // Like the hub's heartbeat, sampling alone must not keep the process alive.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the feed needs from a sampler (src/process/metrics.ts); unit tests hand in a counting fake. */
export interface Sampler {
  sample(): Promise<MetricsMessage>;
  reset(): void;
}

/**
 * Sends a `metrics` message every interval while at least one client is connected, and computes nothing
 * while none is: reading the process table costs a read of every /proc/<pid>/stat on the machine, which
 * is wasted when nobody looks. Samples are chained (the next interval starts when one is sent), so a slow
 * reading on a loaded machine delays the next instead of piling up behind it.
 */
export class MetricsFeed {
  readonly #sampler: Sampler;
  readonly #publish: (message: MetricsMessage) => void;
  readonly #intervalMs: number;
  readonly #timers: Timers;
  #timer: unknown = null;
  /** Bumped whenever sampling stops, so a reading under way then is dropped rather than sent or chained. */
  #generation = 0;
  #watching = false;
  #closed = false;

  constructor(
    sampler: Sampler,
    publish: (message: MetricsMessage) => void,
    intervalMs: number,
    timers: Timers = unrefTimers,
  ) {
    this.#sampler = sampler;
    this.#publish = publish;
    this.#intervalMs = intervalMs;
    this.#timers = timers;
  }

  /** Told the number of connected clients whenever it changes. */
  clientsChanged(count: number): void {
    if (count > 0 && !this.#watching && !this.#closed) {
      this.#watching = true;
      this.#schedule(this.#generation);
    } else if (count === 0 && this.#watching) {
      this.#pause();
    }
  }

  /** Stops for good: the hub is closing, and its clients leaving one by one must not start it again. */
  close(): void {
    this.#closed = true;
    this.#pause();
  }

  #pause(): void {
    this.#watching = false;
    this.#generation++;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#sampler.reset();
  }

  #schedule(generation: number): void {
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.#tick(generation);
    }, this.#intervalMs);
  }

  async #tick(generation: number): Promise<void> {
    let message: MetricsMessage | null = null;
    try {
      message = await this.#sampler.sample();
    } catch {
      // A reading of the process table can fail (too many open files for a moment); the next one may not.
    }
    if (generation !== this.#generation) return;
    if (message !== null) this.#publish(message);
    this.#schedule(generation);
  }
}
