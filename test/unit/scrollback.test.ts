import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scrollback } from '../../src/output/scrollback.js';
import type { OutputChunk } from '../../src/process/events.js';

let seq = 0;
function chunk(text: string): OutputChunk {
  seq++;
  return { name: 'web', stream: 'stdout', text, timestamp: seq, seq };
}

describe('Scrollback', () => {
  it('drops the oldest chunks once the line bound is passed', () => {
    const scrollback = new Scrollback({ maxLines: 3, maxBytes: 1_000_000 });
    for (const text of ['a\n', 'b\n', 'c\n', 'd\n', 'e\n']) scrollback.append(chunk(text));
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['c\n', 'd\n', 'e\n'],
    );
  });

  it('counts every line of a multi-line chunk', () => {
    const scrollback = new Scrollback({ maxLines: 4, maxBytes: 1_000_000 });
    scrollback.append(chunk('1\n2\n3\n'));
    scrollback.append(chunk('4\n5\n'));
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['4\n5\n'],
    );
  });

  it('drops the oldest chunks once the byte bound is passed, counting UTF-8 bytes', () => {
    const scrollback = new Scrollback({ maxLines: 1000, maxBytes: 10 });
    scrollback.append(chunk('ab\n'));
    scrollback.append(chunk('€€\n'));
    scrollback.append(chunk('cd\n'));
    // '€€\n' is 7 bytes, so with 'cd\n' (3) the first chunk no longer fits.
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['€€\n', 'cd\n'],
    );
  });

  it('trims a single chunk larger than the line bound at a line boundary, keeping the newest lines', () => {
    const scrollback = new Scrollback({ maxLines: 2, maxBytes: 1_000_000 });
    const original = chunk('a\nb\nc\nd\n');
    scrollback.append(original);
    const [kept] = scrollback.chunks();
    assert.equal(kept?.text, 'c\nd\n');
    assert.equal(kept?.seq, original.seq);
  });

  it('trims a single chunk larger than the byte bound at a line boundary', () => {
    const scrollback = new Scrollback({ maxLines: 1000, maxBytes: 7 });
    scrollback.append(chunk('aaa\nbbb\nccc\n'));
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['ccc\n'],
    );
  });

  it('keeps a trailing partial line as the newest line when trimming', () => {
    const scrollback = new Scrollback({ maxLines: 2, maxBytes: 1_000_000 });
    scrollback.append(chunk('a\nb\nprompt> '));
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['b\nprompt> '],
    );
  });

  it('stores nothing of a chunk whose last line alone exceeds the byte bound', () => {
    const scrollback = new Scrollback({ maxLines: 10, maxBytes: 4 });
    scrollback.append(chunk('ok\n'));
    scrollback.append(chunk('much too long\n'));
    assert.deepEqual(
      scrollback.chunks().map((c) => c.text),
      ['ok\n'],
    );
  });

  it('stays bounded and in order over many appends', () => {
    const scrollback = new Scrollback({ maxLines: 100, maxBytes: 1_000_000 });
    for (let i = 0; i < 50_000; i++) scrollback.append(chunk(`line ${i}\n`));
    const chunks = scrollback.chunks();
    assert.equal(chunks.length, 100);
    assert.equal(chunks[0]?.text, 'line 49900\n');
    assert.equal(chunks.at(-1)?.text, 'line 49999\n');
    for (let i = 1; i < chunks.length; i++) assert.ok((chunks[i]?.seq ?? 0) > (chunks[i - 1]?.seq ?? 0));
  });
});
