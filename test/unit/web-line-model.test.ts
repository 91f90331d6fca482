import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Line, LineAssembler, MAX_LINE_CHARS } from '../../web/line-model.js';
import { Ring } from '../../web/ring.js';

function feedAll(chunks: string[]): { lines: Line[]; changed: Line[] } {
  const assembler = new LineAssembler('api', 'stdout');
  const lines: Line[] = [];
  const changed: Line[] = [];
  for (const chunk of chunks) {
    assembler.feed(chunk, 1000, { added: (line) => lines.push(line), changed: (line) => changed.push(line) });
  }
  return { lines, changed };
}

const texts = (lines: Line[]) => lines.map((line) => line.text);

describe('line assembly', () => {
  test('complete lines, empty lines and CRLF', () => {
    const { lines } = feedAll(['one\r\ntwo\n\nthree\r\n']);
    assert.deepEqual(texts(lines), ['one', 'two', '', 'three']);
    assert.ok(lines.every((line) => !line.open));
  });

  test('a carriage return makes the following text overwrite the line in place', () => {
    const { lines } = feedAll(['progress 10%\rprogress 50%\rprogress 100%\n', 'done\n']);
    assert.deepEqual(texts(lines), ['progress 100%', 'done']);
  });

  test('a carriage return at a chunk end waits for the next chunk to know if it is CRLF', () => {
    const crlf = feedAll(['first\r', '\nsecond\n']);
    assert.deepEqual(texts(crlf.lines), ['first', 'second']);
    const overwrite = feedAll(['10%\r', '20%\r', '30%']);
    assert.deepEqual(texts(overwrite.lines), ['30%']);
    assert.equal(overwrite.lines[0]?.open, true);
    assert.equal(overwrite.changed.length, 2, 'the open line was reported changed by the later chunks');
  });

  test('the style in force at a carriage return carries on to the overwriting text', () => {
    const { lines } = feedAll(['\x1b[36mloading 1\rloading 2\n']);
    assert.deepEqual(
      lines[0]?.segments.map((s) => [s.text, s.style.fg]),
      [['loading 2', 6]],
    );
  });

  test('ESC[2K and \\r ESC[K clear the line being redrawn', () => {
    assert.deepEqual(texts(feedAll(['old text\r\x1b[2Knew\n']).lines), ['new']);
    assert.deepEqual(texts(feedAll(['old text\r\x1b[Knew\n']).lines), ['new']);
    assert.deepEqual(texts(feedAll(['keep\x1b[Kthis\n']).lines), ['keepthis']);
  });

  test('a partial line stays open and is completed by the next chunk', () => {
    const { lines, changed } = feedAll(['Password: ', 'hunter2\n', 'next\n']);
    assert.deepEqual(texts(lines), ['Password: hunter2', 'next']);
    assert.deepEqual(changed, [lines[0]]);
    assert.equal(lines[0]?.open, false);
  });

  test('a line longer than the cap continues on the next line', () => {
    const { lines } = feedAll(['y'.repeat(MAX_LINE_CHARS * 2 + 5), '\n']);
    assert.deepEqual(
      lines.map((line) => line.text.length),
      [MAX_LINE_CHARS, MAX_LINE_CHARS, 5],
    );
  });
});

describe('ring of retained lines', () => {
  test('keeps at most its capacity and drops the oldest first, with stable positions', () => {
    const ring = new Ring<string>(3);
    for (const item of ['a', 'b', 'c', 'd', 'e']) ring.push(item);
    assert.equal(ring.length, 3);
    assert.equal(ring.start, 2);
    assert.equal(ring.end, 5);
    assert.deepEqual(
      [2, 3, 4].map((p) => ring.at(p)),
      ['c', 'd', 'e'],
    );
    assert.equal(ring.at(1), undefined, 'a dropped position is gone');
    ring.clear();
    assert.equal(ring.length, 0);
    assert.equal(ring.push('f'), 5, 'positions keep counting after a clear');
    assert.equal(ring.at(5), 'f');
  });
});
