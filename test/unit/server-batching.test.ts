import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputChunk } from '../../src/process/events.js';
import type { ProcessOutputMessage } from '../../src/protocol.js';
import { OutputBatcher, replayMessages } from '../../src/server/output-batcher.js';
import { TokenBucket } from '../../src/server/rate-limit.js';

/** Timers the test fires by hand. */
class ManualTimers {
  pending: { callback: () => void; ms: number } | null = null;
  cleared = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    this.pending = { callback, ms };
    return this.pending;
  }
  clearTimeout(handle: unknown): void {
    if (handle === this.pending) {
      this.pending = null;
      this.cleared++;
    }
  }
  fire(): void {
    const pending = this.pending;
    this.pending = null;
    pending?.callback();
  }
}

let seq = 0;
function chunk(
  name: string,
  text: string,
  stream: 'stdout' | 'stderr' = 'stdout',
  timestamp = 100,
): OutputChunk {
  return { name, stream, text, timestamp, seq: ++seq };
}

describe('OutputBatcher', () => {
  function setup(maxChars = 1000) {
    const sent: ProcessOutputMessage[] = [];
    const timers = new ManualTimers();
    const batcher = new OutputBatcher((m) => sent.push(m), { windowMs: 16, maxChars }, timers);
    return { sent, timers, batcher };
  }

  it('coalesces a window of output per process into one message with the first timestamp and seq', () => {
    const { sent, timers, batcher } = setup();
    const one = chunk('a', 'one\n', 'stdout', 1);
    const x = chunk('b', 'x\n', 'stdout', 2);
    batcher.add(one);
    batcher.add(x);
    batcher.add(chunk('a', 'two\n', 'stdout', 3));
    assert.equal(sent.length, 0);
    assert.equal(timers.pending?.ms, 16);
    timers.fire();
    assert.deepEqual(sent, [
      { type: 'process', name: 'a', output: 'one\ntwo\n', timestamp: 1, stream: 'stdout', seq: one.seq },
      { type: 'process', name: 'b', output: 'x\n', timestamp: 2, stream: 'stdout', seq: x.seq },
    ]);
  });

  it('ends a batch when the stream changes, so a process keeps its order', () => {
    const { sent, timers, batcher } = setup();
    batcher.add(chunk('a', 'out1\n'));
    batcher.add(chunk('a', 'err\n', 'stderr'));
    batcher.add(chunk('a', 'out2\n'));
    timers.fire();
    assert.deepEqual(
      sent.map((m) => [m.stream, m.output]),
      [
        ['stdout', 'out1\n'],
        ['stderr', 'err\n'],
        ['stdout', 'out2\n'],
      ],
    );
  });

  it('sends a batch at once when it reaches the size limit', () => {
    const { sent, batcher } = setup(10);
    batcher.add(chunk('a', '12345\n'));
    assert.equal(sent.length, 0);
    batcher.add(chunk('a', '67890\n'));
    assert.deepEqual(
      sent.map((m) => m.output),
      ['12345\n67890\n'],
    );
  });

  it('flushes one process on demand and leaves the others waiting', () => {
    const { sent, timers, batcher } = setup();
    batcher.add(chunk('a', 'a\n'));
    batcher.add(chunk('b', 'b\n'));
    batcher.flush('a');
    assert.deepEqual(
      sent.map((m) => m.name),
      ['a'],
    );
    timers.fire();
    assert.deepEqual(
      sent.map((m) => m.name),
      ['a', 'b'],
    );
  });

  it('flushAll sends everything and cancels the timer', () => {
    const { sent, timers, batcher } = setup();
    batcher.add(chunk('a', 'a\n'));
    batcher.flushAll();
    assert.equal(sent.length, 1);
    assert.equal(timers.pending, null);
    assert.equal(timers.cleared, 1);
  });
});

describe('replayMessages', () => {
  it('merges processes by seq and coalesces neighbours within a window, marked as replay', () => {
    const a1 = { name: 'a', stream: 'stdout', text: 'a1\n', timestamp: 0, seq: 1 } as const;
    const a2 = { name: 'a', stream: 'stdout', text: 'a2\n', timestamp: 5, seq: 2 } as const;
    const b3 = { name: 'b', stream: 'stdout', text: 'b3\n', timestamp: 6, seq: 3 } as const;
    const a4 = { name: 'a', stream: 'stdout', text: 'a4\n', timestamp: 7, seq: 4 } as const;
    const a5 = { name: 'a', stream: 'stdout', text: 'a5\n', timestamp: 100, seq: 5 } as const;
    const messages = replayMessages([[a1, a2, a4, a5], [b3]], { windowMs: 16, maxChars: 1000 });
    assert.deepEqual(messages, [
      {
        type: 'process',
        name: 'a',
        output: 'a1\na2\n',
        timestamp: 0,
        stream: 'stdout',
        replay: true,
        seq: 1,
      },
      { type: 'process', name: 'b', output: 'b3\n', timestamp: 6, stream: 'stdout', replay: true, seq: 3 },
      { type: 'process', name: 'a', output: 'a4\n', timestamp: 7, stream: 'stdout', replay: true, seq: 4 },
      { type: 'process', name: 'a', output: 'a5\n', timestamp: 100, stream: 'stdout', replay: true, seq: 5 },
    ]);
  });

  it('returns nothing for empty scrollback', () => {
    assert.deepEqual(replayMessages([[], []], { windowMs: 16, maxChars: 10 }), []);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the given rate up to the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 3, perSecond: 2, now: () => now });
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now += 499;
    assert.equal(bucket.take(), false);
    now += 1;
    assert.equal(bucket.take(), true);
    now += 60_000;
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });

  it('survives a clock that goes backwards', () => {
    let now = 1000;
    const bucket = new TokenBucket({ burst: 1, perSecond: 1, now: () => now });
    assert.equal(bucket.take(), true);
    now = 0;
    assert.equal(bucket.take(), false);
  });
});
