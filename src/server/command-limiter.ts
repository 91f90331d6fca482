import type { CommandMessage } from '../protocol.js';
import { type BucketRate, TokenBucket } from './rate-limit.js';

export interface CommandRates {
  /** Shared by every connection, one bucket per process: restart, stop and start of that process. */
  perProcess: BucketRate;
  /** Shared by every connection, one bucket for restart-all and stop-all together. */
  allProcesses: BucketRate;
  /**
   * Shared by every connection, one bucket per process for `input`: a person typing lines or pasting a few
   * must never hit it, a script flooding a process's stdin must. Kept apart from the lifecycle buckets, whose
   * rates are sized for tree kills and spawns, far slower than typing.
   */
  input: BucketRate;
}

/**
 * Bounds how often a process can be made to restart, stop or start, whoever asks. The per-connection
 * bucket alone lets n connections do n times the work, so ten connections could restart one process 200
 * times in half a second; these buckets are shared by all connections.
 *
 * `restart-all` and `stop-all` take from one bucket of their own instead of one token from every process's
 * bucket: they are one action for the user, and taking from every bucket would let a burst of targeted
 * commands to one process refuse an action on all of them.
 */
export class CommandLimiter {
  readonly #rates: CommandRates;
  readonly #now: () => number;
  readonly #processes = new Map<string, TokenBucket>();
  readonly #allProcesses: TokenBucket;
  readonly #inputs = new Map<string, TokenBucket>();

  constructor(rates: CommandRates, now: () => number) {
    this.#rates = rates;
    this.#now = now;
    this.#allProcesses = new TokenBucket({ ...rates.allProcesses, now });
  }

  /**
   * Takes a token for the command; false when its bucket is empty. Callers pass only commands whose target
   * exists, so the map holds at most one bucket per configured process, whatever names clients send.
   */
  admit(command: CommandMessage): boolean {
    if (!('target' in command)) return this.#allProcesses.take();
    const [buckets, rate] =
      command.action === 'input'
        ? [this.#inputs, this.#rates.input]
        : [this.#processes, this.#rates.perProcess];
    let bucket = buckets.get(command.target);
    if (bucket === undefined) {
      bucket = new TokenBucket({ ...rate, now: this.#now });
      buckets.set(command.target, bucket);
    }
    return bucket.take();
  }

  /**
   * Drops the buckets of processes that are gone (removed at run time or by a config edit), so a long session
   * that adds and removes processes does not keep a bucket for every name it ever had. A name added again
   * starts with a full bucket; `add` itself takes from the shared bucket, so cycling names gains nothing.
   */
  keepOnly(names: ReadonlySet<string>): void {
    for (const buckets of [this.#processes, this.#inputs]) {
      for (const name of buckets.keys()) if (!names.has(name)) buckets.delete(name);
    }
  }
}
