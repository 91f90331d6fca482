import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FeedClock, IntervalFeed, type Sampler } from '../../src/server/metrics-feed.js';

/** A clock and timers run by hand: `advance` moves time and fires what fell due, letting samples settle. */
function manualClock(): FeedClock & { pending: number; advance(ms: number): Promise<void> } {
  let time = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  return {
    now: () => time,
    get pending() {
      return timers.size;
    },
    setTimeout: (callback: () => void, ms: number) => {
      timers.set(++next, { at: time + ms, callback });
      return next;
    },
    clearTimeout: (handle: unknown) => {
      timers.delete(handle as number);
    },
    async advance(ms: number): Promise<void> {
      const end = time + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].callback();
        // Lets the sampler's promise settle and the feed deliver and chain the next sample.
        await new Promise((resolve) => setImmediate(resolve));
      }
      time = end;
    },
  };
}

function countingSampler(): Sampler<number> & { samples: number; resets: number } {
  return {
    samples: 0,
    resets: 0,
    async sample(): Promise<number> {
      return ++this.samples;
    },
    reset() {
      this.resets++;
    },
  };
}

type Delivery = { message: number; to: string[] };

function setUp(options: { same?: (a: number, b: number) => boolean } = {}) {
  const clock = manualClock();
  const sampler = countingSampler();
  const deliveries: Delivery[] = [];
  const feed = new IntervalFeed<number, string>(
    sampler,
    (message, recipients) => deliveries.push({ message, to: [...recipients] }),
    { ...options, clock },
  );
  const receivedBy = (client: string) => deliveries.filter((delivery) => delivery.to.includes(client)).length;
  return { clock, sampler, deliveries, feed, receivedBy };
}

describe('IntervalFeed', () => {
  it('samples only while a client watches, and never after the last one left or after close', async () => {
    const { clock, sampler, feed, deliveries } = setUp();
    assert.equal(clock.pending, 0, 'nothing is scheduled before a client watches');
    feed.watch('a', 2000);
    feed.watch('b', 2000);
    assert.equal(clock.pending, 1, 'a second client does not start a second clock');
    assert.equal(sampler.resets, 1, 'sampling starts from a fresh baseline');
    await clock.advance(4000);
    assert.deepEqual(deliveries, [
      { message: 1, to: ['a', 'b'] },
      { message: 2, to: ['a', 'b'] },
    ]);
    feed.unwatch('a');
    await clock.advance(2000);
    assert.deepEqual(deliveries.at(-1), { message: 3, to: ['b'] });
    feed.unwatch('b');
    assert.equal(clock.pending, 0, 'the last client left: nothing is scheduled');
    await clock.advance(10_000);
    assert.equal(sampler.samples, 3);

    feed.watch('c', 2000);
    assert.equal(sampler.resets, 2, 'sampling again starts from a new baseline');
    feed.close();
    feed.watch('c', 2000);
    assert.equal(clock.pending, 0, 'a closed feed never starts again');
  });

  it('samples at the smallest interval and delivers to each client at its own', async () => {
    const { clock, sampler, feed, receivedBy } = setUp();
    feed.watch('fast', 500);
    feed.watch('medium', 2000);
    feed.watch('odd', 1500);
    await clock.advance(60_000);
    assert.equal(sampler.samples, 120, 'one reading per 500 ms, however many clients');
    assert.equal(receivedBy('fast'), 120);
    assert.equal(receivedBy('medium'), 30);
    assert.equal(receivedBy('odd'), 40);
  });

  it('follows a change of interval and the departure of the fastest client', async () => {
    const { clock, sampler, feed, receivedBy } = setUp();
    feed.watch('slow', 60_000);
    await clock.advance(1000);
    feed.watch('slow', 1000);
    await clock.advance(1000);
    assert.equal(receivedBy('slow'), 1, 'a shortened interval applies at once, not after the old one');
    feed.watch('fast', 500);
    await clock.advance(10_000);
    assert.equal(receivedBy('slow'), 11);
    feed.unwatch('fast');
    const before = sampler.samples;
    await clock.advance(10_000);
    assert.equal(sampler.samples - before, 10, 'back to one reading a second');
  });

  it('sends a client only readings that differ from its last one when asked to', async () => {
    const { clock, feed, deliveries } = setUp({ same: (a, b) => Math.floor(a / 3) === Math.floor(b / 3) });
    feed.watch('a', 1000);
    await clock.advance(7000);
    // Readings 1…7 at 1 s each; 1 and 2 say the same as 0–2, 3–5 alike, then 6 and 7.
    assert.deepEqual(
      deliveries.map((delivery) => delivery.message),
      [1, 3, 6],
    );
  });

  it('drops a reading that was under way when the last client left', async () => {
    const clock = manualClock();
    let finish = (): void => {};
    const sampler: Sampler<number> = {
      sample: () =>
        new Promise((resolve) => {
          finish = () => resolve(1);
        }),
      reset: () => {},
    };
    const deliveries: number[] = [];
    const feed = new IntervalFeed<number, string>(sampler, (message) => deliveries.push(message), { clock });
    feed.watch('a', 2000);
    await clock.advance(2000);
    feed.unwatch('a');
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(deliveries, []);
    assert.equal(clock.pending, 0, 'and does not schedule another');
  });
});
