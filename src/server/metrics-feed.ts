import type { Timers } from '../output/line-splitter.js';

/** Timers and the clock the feed schedules by; unit tests hand in ones they drive by hand. */
export interface FeedClock extends Timers {
  now(): number;
}

const unrefClock: FeedClock = {
  // Like the hub's heartbeat, sampling alone must not keep the process alive.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/**
 * What the feed needs from a sampler (the process table's in src/process/metrics.ts, the host's in
 * src/process/host-metrics.ts). `reset` is called whenever sampling starts after a pause, so a reading that
 * compares with the previous one (CPU time) starts from a fresh baseline rather than from one minutes old.
 */
export interface Sampler<M> {
  sample(): Promise<M>;
  reset(): void;
}

interface Watcher<M> {
  interval: number;
  /** When this watcher is next due a message, on the feed's clock. */
  due: number;
  /** The last message it was sent, for feeds that send only changes. */
  last: M | null;
}

/**
 * Optional: when set, a watcher due a message is sent it only if it differs from the last one it was sent
 * (the `system` feed, whose values change rarely at the precision it reports).
 */
export type SameReading<M> = (a: M, b: M) => boolean;

/**
 * Samples one kind of reading for the clients that watch it, each at its own interval (issue 15), and
 * computes nothing while none does: reading the process table costs a read of every /proc/<pid>/stat on the
 * machine, which is wasted when nobody looks.
 *
 * There is one sampling clock, at the smallest interval any watcher wants, so twenty clients at 500 ms cost
 * two readings a second rather than forty. A watcher is sent the reading of the tick nearest to its due time
 * (within half a tick), and its next due time advances by its own interval from the previous one, so over
 * time it receives exactly one message per interval even when its interval is not a multiple of the tick.
 * Samples are chained (the next tick is timed from the end of the previous reading), so a slow reading on a
 * loaded machine delays the next instead of piling up behind it.
 */
export class IntervalFeed<M, C> {
  readonly #sampler: Sampler<M>;
  readonly #deliver: (message: M, recipients: readonly C[]) => void;
  readonly #clock: FeedClock;
  readonly #watchers = new Map<C, Watcher<M>>();
  readonly #same: SameReading<M> | null;
  /** The sampling interval in force: the smallest wanted; null while nobody watches. */
  #tick: number | null = null;
  #timer: unknown = null;
  #sampling = false;
  /** When the previous reading ended (or sampling started); the next tick is timed from it. */
  #lastSample = 0;
  /** Bumped whenever sampling stops, so a reading under way then is dropped rather than sent or chained. */
  #generation = 0;
  #closed = false;

  constructor(
    sampler: Sampler<M>,
    deliver: (message: M, recipients: readonly C[]) => void,
    options: { same?: SameReading<M>; clock?: FeedClock } = {},
  ) {
    this.#same = options.same ?? null;
    this.#clock = options.clock ?? unrefClock;
    this.#sampler = sampler;
    this.#deliver = deliver;
  }

  /** Starts sending to `client` every `intervalMs`, or changes its interval. */
  watch(client: C, intervalMs: number): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const watcher = this.#watchers.get(client);
    if (watcher === undefined) {
      this.#watchers.set(client, { interval: intervalMs, due: now + intervalMs, last: null });
    } else if (watcher.interval !== intervalMs) {
      watcher.interval = intervalMs;
      // A client that shortens its interval from a minute to a second must not wait out the minute.
      watcher.due = Math.min(watcher.due, now + intervalMs);
    }
    this.#reschedule();
  }

  unwatch(client: C): void {
    if (!this.#watchers.delete(client)) return;
    this.#reschedule();
  }

  /** Stops for good: the hub is closing, and its clients leaving one by one must not start it again. */
  close(): void {
    this.#closed = true;
    this.#watchers.clear();
    this.#reschedule();
  }

  #reschedule(): void {
    if (this.#watchers.size === 0) {
      this.#pause();
      return;
    }
    let tick = Number.POSITIVE_INFINITY;
    for (const { interval } of this.#watchers.values()) tick = Math.min(tick, interval);
    if (this.#tick === null) {
      this.#sampler.reset();
      this.#lastSample = this.#clock.now();
    } else if (tick === this.#tick) {
      return;
    }
    this.#tick = tick;
    // A reading under way schedules the next tick itself when it ends, with the tick in force then.
    if (this.#sampling) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#schedule(this.#generation);
  }

  #pause(): void {
    if (this.#tick === null) return;
    this.#tick = null;
    this.#generation++;
    this.#sampling = false;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(generation: number): void {
    const tick = this.#tick ?? 0;
    const wait = Math.max(0, this.#lastSample + tick - this.#clock.now());
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.#sample(generation);
    }, wait);
  }

  async #sample(generation: number): Promise<void> {
    this.#sampling = true;
    let message: M | null = null;
    try {
      message = await this.#sampler.sample();
    } catch {
      // A reading of the process table can fail (too many open files for a moment); the next one may not.
    }
    if (generation !== this.#generation) return;
    this.#sampling = false;
    const now = this.#clock.now();
    this.#lastSample = now;
    if (message !== null) {
      const recipients = this.#due(now, message);
      if (recipients.length > 0) this.#deliver(message, recipients);
    }
    this.#schedule(generation);
  }

  /**
   * The watchers due a message at `now` that are to be sent `message`; the due times of all due watchers
   * advance by their intervals, whether the message is news to them or not.
   */
  #due(now: number, message: M): C[] {
    const halfTick = (this.#tick ?? 0) / 2;
    const recipients: C[] = [];
    for (const [client, watcher] of this.#watchers) {
      if (watcher.due - halfTick > now) continue;
      const same = this.#same;
      if (same === null || watcher.last === null || !same(watcher.last, message)) {
        recipients.push(client);
        if (same !== null) watcher.last = message;
      }
      watcher.due += watcher.interval;
      // After a stall (a suspended laptop) the due times would lie far in the past and every tick would
      // deliver; starting over from now keeps one message per interval.
      if (watcher.due <= now) watcher.due = now + watcher.interval;
    }
    return recipients;
  }
}
