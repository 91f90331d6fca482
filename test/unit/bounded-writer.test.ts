import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
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

/** A stream whose queue the test sets, as a reader would empty it, and which emits 'drain' when told. */
class QueueOutput extends EventEmitter implements QueueingOutput {
  readonly written: string[] = [];
  writableLength = 0;

  write(text: string): boolean {
    this.written.push(text);
    this.writableLength += text.length;
    return this.writableLength < 16;
  }

  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

function heldWriterOn(out: QueueOutput) {
  const holds: boolean[] = [];
  const checks: (() => void)[] = [];
  let checking = false;
  const writer = new BoundedWriter(out, {
    maxQueuedBytes: 1000,
    holdAtBytes: 100,
    droppedNotice: ({ lines }) => `dropped ${lines}\n`,
    later: () => {},
    hold: (held) => holds.push(held),
    every: (_ms, check) => {
      checking = true;
      checks.push(check);
      return () => {
        checking = false;
      };
    },
  });
  /** Runs the stall check once, as its interval would. */
  const tick = () => {
    if (checking) checks.at(-1)?.();
  };
  return { writer, holds, tick, checking: () => checking };
}

describe('BoundedWriter holding its writers', () => {
  it('holds the writers from holdAtBytes on and releases them when the reader has caught up, dropping nothing', () => {
    const out = new QueueOutput();
    const { writer, holds, checking } = heldWriterOn(out);
    out.writableLength = 99;
    writer.write('a\n');
    assert.deepEqual(holds, [], 'below holdAtBytes nothing is held');
    writer.write('b\n');
    writer.write('c\n');
    assert.deepEqual(holds, [true], 'held once');
    out.drain();
    assert.deepEqual(holds, [true, false]);
    assert.equal(checking(), false, 'the stall check ends with the hold');
    assert.deepEqual(out.written, ['a\n', 'b\n', 'c\n']);
  });

  it('keeps holding a reader that is slow but makes progress', () => {
    const out = new QueueOutput();
    const { writer, holds, tick } = heldWriterOn(out);
    out.writableLength = 500;
    writer.write('a\n');
    out.writableLength = 400;
    tick();
    out.writableLength = 300;
    tick();
    assert.deepEqual(holds, [true]);
  });

  it('releases the writers of a stalled reader, then drops at the bound until it drains', () => {
    const out = new QueueOutput();
    const { writer, holds, tick } = heldWriterOn(out);
    out.writableLength = 500;
    writer.write('a\n');
    tick();
    assert.deepEqual(holds, [true, false], 'a reader that took nothing since the last check has stalled');
    writer.write('b\n');
    assert.deepEqual(holds, [true, false], 'no new hold until the stalled reader drains');
    out.writableLength = 1000;
    writer.write('lost\n');
    writer.write('lost too\n');
    out.drain();
    assert.deepEqual(out.written, ['a\n', 'b\n', 'dropped 2\n']);
    out.writableLength = 200;
    writer.write('c\n');
    assert.deepEqual(holds, [true, false, true], 'after the drain a slow reader is held again');
  });

  it('releases held writers when it is closed', () => {
    const out = new QueueOutput();
    const { writer, holds, checking } = heldWriterOn(out);
    out.writableLength = 500;
    writer.write('a\n');
    writer.close();
    assert.deepEqual(holds, [true, false]);
    assert.equal(checking(), false);
  });
});
