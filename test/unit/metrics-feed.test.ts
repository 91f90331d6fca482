import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsMessage } from '../../src/protocol.js';
import { MetricsFeed, type Sampler } from '../../src/server/metrics-feed.js';

/** Timers run by hand: `fire` runs the one pending callback, as the interval elapsing would. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    pending,
    setTimeout: (callback: () => void) => {
      pending.set(++next, callback);
      return next;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as number);
    },
    async fire(): Promise<void> {
      const [entry] = pending;
      assert.ok(entry, 'a sample is scheduled');
      pending.delete(entry[0]);
      entry[1]();
      // Lets the sampler's promise settle and the feed publish and chain the next sample.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function countingSampler(): Sampler & { samples: number; resets: number } {
  return {
    samples: 0,
    resets: 0,
    async sample(): Promise<MetricsMessage> {
      this.samples++;
      return { type: 'metrics', processes: [], timestamp: this.samples };
    },
    reset() {
      this.resets++;
    },
  };
}

describe('MetricsFeed', () => {
  it('samples only while a client is connected, and never after the last one left', async () => {
    const timers = manualTimers();
    const sampler = countingSampler();
    const published: MetricsMessage[] = [];
    const feed = new MetricsFeed(sampler, (message) => published.push(message), 2000, timers);
    assert.equal(timers.pending.size, 0, 'nothing is scheduled before a client connects');

    feed.clientsChanged(1);
    feed.clientsChanged(2);
    assert.equal(timers.pending.size, 1, 'a second client does not start a second feed');
    await timers.fire();
    await timers.fire();
    assert.equal(sampler.samples, 2);
    assert.deepEqual(
      published.map((message) => message.timestamp),
      [1, 2],
    );

    feed.clientsChanged(1);
    await timers.fire();
    assert.equal(sampler.samples, 3, 'one client left, one remains');

    feed.clientsChanged(0);
    assert.equal(timers.pending.size, 0, 'the last client left: nothing is scheduled');
    assert.equal(sampler.resets, 1, 'the next sampling starts without an old baseline');
    assert.equal(sampler.samples, 3);

    feed.clientsChanged(1);
    feed.close();
    feed.clientsChanged(1);
    assert.equal(timers.pending.size, 0, 'a closed feed never starts again');
    assert.equal(sampler.samples, 3);
  });

  it('drops a sample that was under way when the last client left', async () => {
    const timers = manualTimers();
    let finish = (): void => {};
    const sampler: Sampler = {
      sample: () =>
        new Promise((resolve) => {
          finish = () => resolve({ type: 'metrics', processes: [], timestamp: 1 });
        }),
      reset: () => {},
    };
    const published: MetricsMessage[] = [];
    const feed = new MetricsFeed(sampler, (message) => published.push(message), 2000, timers);
    feed.clientsChanged(1);
    await timers.fire();
    feed.clientsChanged(0);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(published, []);
    assert.equal(timers.pending.size, 0, 'and does not schedule another');
  });
});
