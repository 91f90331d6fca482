import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Utf8StreamDecoder } from '../../src/output/decoder.js';
import { LineSplitter, type Timers } from '../../src/output/line-splitter.js';
import { seededRandom } from '../fixtures/seeded-random.js';

/** Timers driven by hand: `advance(ms)` runs what has come due. */
class ManualTimers implements Timers {
  now = 0;
  #nextId = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#due.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.#due]) {
      if (timer.at <= this.now && this.#due.delete(id)) timer.callback();
    }
  }
}

function makeSplitter(maxLineBytes = 64 * 1024, partialLineFlushMs = 50) {
  const timers = new ManualTimers();
  const emitted: string[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    partialLineFlushMs,
    timers,
    onText: (text) => emitted.push(text),
  });
  return { splitter, emitted, timers };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are made of control characters.
const CSI_OR_STRING_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** True when every escape sequence in `line` is complete. */
function hasOnlyCompleteEscapes(line: string): boolean {
  return !line.replace(CSI_OR_STRING_SEQUENCE, '').includes('\x1b');
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * The runs of text between line ends inside each piece, without the "\n" (and the "\r" of a CRLF). The
 * splitter promises that each fits the cap; the end of a piece also ends a run, since a cut line goes on
 * in the next piece.
 */
function runsOf(pieces: readonly string[]): string[] {
  return pieces.flatMap((piece) => piece.split(/\r?\n/));
}

describe('LineSplitter', () => {
  it('hands on a chunk of complete lines as one piece of text', () => {
    const { splitter, emitted } = makeSplitter();
    splitter.push('one\ntwo\nthree\n');
    assert.deepEqual(emitted, ['one\ntwo\nthree\n']);
  });

  it('joins a line that arrives across chunks and keeps the trailing partial line', () => {
    const { splitter, emitted } = makeSplitter();
    splitter.push('hel');
    splitter.push('lo\nwor');
    assert.deepEqual(emitted, ['hello\n']);
    splitter.push('ld\nnext');
    assert.deepEqual(emitted, ['hello\n', 'world\n']);
    splitter.end();
    assert.deepEqual(emitted, ['hello\n', 'world\n', 'next']);
  });

  it('keeps every emoji intact when the bytes are split at every offset', () => {
    const text = 'start 😀 middle 🎉🎉 end\nsecond 👍\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { splitter, emitted } = makeSplitter();
      const decoder = new Utf8StreamDecoder();
      splitter.push(decoder.write(bytes.subarray(0, cut)));
      splitter.push(decoder.write(bytes.subarray(cut)));
      splitter.push(decoder.end());
      splitter.end();
      assert.equal(emitted.join(''), text, `cut at byte ${cut}`);
      assert.ok(!emitted.some(hasLoneSurrogate), `cut at byte ${cut}`);
    }
  });

  it('keeps carriage returns and treats "\\r\\n" as a line end', () => {
    const { splitter, emitted } = makeSplitter();
    splitter.push('progress 10%\rprogress 20%\r\n');
    assert.deepEqual(emitted, ['progress 10%\rprogress 20%\r\n']);
    splitter.push('windows\r');
    splitter.push('\nline\r\n');
    assert.deepEqual(emitted.slice(1), ['windows\r\nline\r\n']);
  });

  it('flushes a partial line after the configured quiet time', () => {
    const { splitter, emitted, timers } = makeSplitter(1024, 50);
    splitter.push('Password: ');
    timers.advance(49);
    assert.deepEqual(emitted, []);
    timers.advance(1);
    assert.deepEqual(emitted, ['Password: ']);
    splitter.push('secret\n');
    assert.deepEqual(emitted, ['Password: ', 'secret\n']);
  });

  it('restarts the quiet time when more of the partial line arrives', () => {
    const { splitter, emitted, timers } = makeSplitter(1024, 50);
    splitter.push('a');
    timers.advance(40);
    splitter.push('b');
    timers.advance(40);
    assert.deepEqual(emitted, []);
    timers.advance(10);
    assert.deepEqual(emitted, ['ab']);
  });

  it("keeps a partial line while held, since the quiet is then the reader's, and flushes after the release", () => {
    const { splitter, emitted, timers } = makeSplitter(1024, 50);
    splitter.push('line 1\nline 2 is cut');
    splitter.hold(true);
    timers.advance(1000);
    assert.deepEqual(emitted, ['line 1\n'], 'nothing is flushed while held');
    splitter.push(' by the pipe\n');
    assert.deepEqual(emitted, ['line 1\n', 'line 2 is cut by the pipe\n'], 'the line stays whole');
    splitter.push('partial');
    splitter.hold(false);
    timers.advance(50);
    assert.deepEqual(emitted.at(-1), 'partial', 'a quiet time after the release flushes as usual');
  });

  it('does not flush when the text ended with a complete line', () => {
    const { splitter, emitted, timers } = makeSplitter(1024, 50);
    splitter.push('done\n');
    timers.advance(1000);
    splitter.end();
    assert.deepEqual(emitted, ['done\n']);
  });

  it('cuts an over-long line into pieces that fit the byte cap without adding a character', () => {
    const { splitter, emitted } = makeSplitter(100);
    const long = 'x'.repeat(250);
    splitter.push(`short\n${long}\nafter\n`);
    assert.deepEqual(emitted, [`short\n${'x'.repeat(100)}`, 'x'.repeat(100), `${'x'.repeat(50)}\nafter\n`]);
  });

  it('keeps the "\\r\\n" of a cut line together in its last piece', () => {
    const { splitter, emitted } = makeSplitter(10);
    splitter.push(`${'w'.repeat(19)}\r\n`);
    assert.deepEqual(emitted, ['w'.repeat(10), `${'w'.repeat(9)}\r\n`]);
  });

  it('measures the cap in UTF-8 bytes, not in characters', () => {
    const { splitter, emitted } = makeSplitter(51);
    splitter.push(`${'é'.repeat(100)}\n`);
    assert.ok(emitted.length >= 4);
    for (const run of runsOf(emitted)) assert.ok(Buffer.byteLength(run) <= 51, run);
    assert.equal(emitted.join(''), `${'é'.repeat(100)}\n`);
  });

  it('hands on every piece of a partial line that is already over-long, its tail included', () => {
    const { splitter, emitted } = makeSplitter(100);
    splitter.push('y'.repeat(250));
    assert.deepEqual(emitted, ['y'.repeat(100), 'y'.repeat(100), 'y'.repeat(50)]);
    splitter.push('zz\n');
    splitter.end();
    assert.deepEqual(emitted, ['y'.repeat(100), 'y'.repeat(100), 'y'.repeat(50), 'zz\n']);
  });

  it('hands on a chunk of an over-long partial line as one piece, as it came', () => {
    const { splitter, emitted } = makeSplitter(300);
    const chunk = `\x1b[35m${'y'.repeat(150)}\x1b[39m`;
    splitter.push(chunk);
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0], chunk);
  });

  it('keeps back from an over-long partial line only what the next chunk may complete', () => {
    for (const tail of ['\x1b[3', '\x1b]8;;http://x', '\r', '\x1b']) {
      const { splitter, emitted } = makeSplitter(100);
      splitter.push(`${'y'.repeat(50)}${tail}`);
      assert.deepEqual(emitted, [`${'y'.repeat(50)}`], JSON.stringify(tail));
      splitter.end();
      assert.deepEqual(emitted, [`${'y'.repeat(50)}`, tail], JSON.stringify(tail));
    }
  });

  it('never cuts inside a surrogate pair', () => {
    for (let cap = 5; cap <= 13; cap++) {
      const { splitter, emitted } = makeSplitter(cap);
      const text = `a${'😀'.repeat(20)}\n`;
      splitter.push(text);
      assert.ok(emitted.length > 1, `cap ${cap}`);
      for (const piece of emitted)
        assert.ok(!hasLoneSurrogate(piece), `cap ${cap}: ${JSON.stringify(piece)}`);
      for (const run of runsOf(emitted)) assert.ok(Buffer.byteLength(run) <= cap, `cap ${cap}`);
      assert.equal(emitted.join(''), text);
    }
  });

  it('never cuts inside a CSI or OSC escape sequence, whatever the cap', () => {
    const unit = '\x1b[1;38;5;196mred\x1b[0m \x1b]8;;https://example.com/a\x07link\x1b]8;;\x1b\\ ';
    const text = `${unit.repeat(12)}\n`;
    for (let cap = 40; cap <= 90; cap++) {
      const { splitter, emitted } = makeSplitter(cap);
      splitter.push(text);
      assert.ok(emitted.length > 1, `cap ${cap}`);
      for (const piece of emitted)
        assert.ok(hasOnlyCompleteEscapes(piece), `cap ${cap}: ${JSON.stringify(piece)}`);
      for (const run of runsOf(emitted)) assert.ok(Buffer.byteLength(run) <= cap, `cap ${cap}`);
      assert.equal(emitted.join(''), text);
    }
  });

  it('adds, drops and moves no character, and never cuts inside an escape sequence or a surrogate pair, on random text in random chunks', () => {
    const parts = [
      'a',
      'bc ',
      '\n',
      '\r',
      '\r\n',
      '\x1b[31m',
      '\x1b[0m',
      '\x1b]8;;http://x\x07',
      '\x1b]8;;\x1b\\',
      'é',
      '€',
      '😀',
    ];
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = 0, length = 20 + random(400); i < length; i++) {
        // Newlines are rarer than text, so most rounds hold lines longer than the cap.
        const part = parts[random(parts.length)] as string;
        text += part.includes('\n') && random(4) !== 0 ? 'z' : part;
      }
      const cap = 24 + random(60);
      const { splitter, emitted, timers } = makeSplitter(cap);
      // The text arrives as UTF-8 bytes cut at random offsets, as a pipe delivers it. In half the rounds
      // quiet times flush partial lines; such a flush may end anywhere, so only the other rounds can
      // prove that the splitter's own cuts keep escape sequences whole.
      const quietTimes = random(2) === 0;
      const bytes = Buffer.from(text);
      const decoder = new Utf8StreamDecoder();
      for (let offset = 0; offset < bytes.length; ) {
        const next = Math.min(bytes.length, offset + 1 + random(3 * cap));
        splitter.push(decoder.write(bytes.subarray(offset, next)));
        if (quietTimes && random(5) === 0) timers.advance(50);
        offset = next;
      }
      splitter.push(decoder.end());
      splitter.end();
      assert.equal(emitted.join(''), text, `cap ${cap}`);
      for (const piece of emitted) {
        assert.ok(piece.length > 0);
        assert.ok(!hasLoneSurrogate(piece), `cap ${cap}: ${JSON.stringify(piece)}`);
        if (!quietTimes) assert.ok(hasOnlyCompleteEscapes(piece), `cap ${cap}: ${JSON.stringify(piece)}`);
      }
      for (const run of runsOf(emitted)) {
        assert.ok(Buffer.byteLength(run) <= cap, `cap ${cap}: ${JSON.stringify(run)}`);
      }
    }
  });

  it('keeps an escape sequence whole when it straddles chunks of a partial line', () => {
    const { splitter, emitted } = makeSplitter(20);
    splitter.push(`${'a'.repeat(18)}\x1b[3`);
    splitter.push('1mbbbbbbbbbbbbbbbbbbbbbbbbbb\n');
    for (const piece of emitted) assert.ok(hasOnlyCompleteEscapes(piece), JSON.stringify(piece));
    assert.equal(emitted.join(''), `${'a'.repeat(18)}\x1b[31mbbbbbbbbbbbbbbbbbbbbbbbbbb\n`);
  });

  it('still bounds a line made of one endless escape sequence', () => {
    const { splitter, emitted } = makeSplitter(100);
    const text = `\x1b]0;${'t'.repeat(1000)}\n`;
    splitter.push(text);
    assert.ok(emitted.length >= 10);
    for (const run of runsOf(emitted)) assert.ok(Buffer.byteLength(run) <= 100);
    assert.equal(emitted.join(''), text);
  });

  it('hands on the remainder when the stream ends', () => {
    const { splitter, emitted } = makeSplitter();
    splitter.push('no newline at the end');
    splitter.end();
    assert.deepEqual(emitted, ['no newline at the end']);
  });
});
