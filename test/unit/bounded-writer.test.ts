import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedWriter, type QueueingOutput } from '../../src/output/bounded-writer.js';

/** A stream that records what reaches its destination, and when it is corked. */
class CorkableOutput implements QueueingOutput {
  readonly log: string[] = [];
  writableLength = 0;
  #corked = false;
  #held: string[] = [];

  write(text: string): boolean {
    if (this.#corked) this.#held.push(text);
    else this.log.push(`write ${text}`);
    return true;
  }

  cork(): void {
    this.#corked = true;
    this.log.push('cork');
  }

  uncork(): void {
    this.#corked = false;
    this.log.push(`uncork ${this.#held.join('')}`);
    this.#held = [];
  }
}

function writerOn(out: QueueingOutput) {
  const flushes: (() => void)[] = [];
  const writer = new BoundedWriter(out, {
    maxQueuedBytes: 1024,
    droppedNotice: () => 'dropped\n',
    later: (flush) => flushes.push(flush),
  });
  return { writer, flushes };
}

describe('BoundedWriter', () => {
  it('hands the text of a moment to the stream in one uncork, in order', () => {
    const out = new CorkableOutput();
    const { writer, flushes } = writerOn(out);
    writer.write('a\n');
    writer.write('b\n');
    writer.write('c\n');
    assert.deepEqual(out.log, ['cork'], 'nothing reaches the terminal during the moment');
    assert.equal(flushes.length, 1, 'one flush per moment');
    flushes.shift()?.();
    assert.deepEqual(out.log, ['cork', 'uncork a\nb\nc\n']);

    writer.write('d\n');
    flushes.shift()?.();
    assert.deepEqual(out.log.slice(2), ['cork', 'uncork d\n'], 'the next write corks again');
  });

  it('writes straight through to a stream that cannot be corked', () => {
    const log: string[] = [];
    const { writer, flushes } = writerOn({ write: (text: string) => log.push(text) });
    writer.write('a\n');
    assert.deepEqual(log, ['a\n']);
    assert.equal(flushes.length, 0);
  });
});
