import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Utf8StreamDecoder } from '../../src/output/decoder.js';
import { LineSplitter, type Timers } from '../../src/output/line-splitter.js';

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

/** Splits emitted text into lines, each with its "\n". */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
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

  it('does not flush when the text ended with a complete line', () => {
    const { splitter, emitted, timers } = makeSplitter(1024, 50);
    splitter.push('done\n');
    timers.advance(1000);
    splitter.end();
    assert.deepEqual(emitted, ['done\n']);
  });

  it('cuts an over-long line into lines that fit the byte cap', () => {
    const { splitter, emitted } = makeSplitter(100);
    const long = 'x'.repeat(250);
    splitter.push(`short\n${long}\nafter\n`);
    const lines = linesOf(emitted.join(''));
    assert.deepEqual(lines, [
      'short\n',
      `${'x'.repeat(100)}\n`,
      `${'x'.repeat(100)}\n`,
      `${'x'.repeat(50)}\n`,
      'after\n',
    ]);
  });

  it('measures the cap in UTF-8 bytes, not in characters', () => {
    const { splitter, emitted } = makeSplitter(51);
    splitter.push(`${'é'.repeat(100)}\n`);
    const lines = linesOf(emitted.join(''));
    assert.ok(lines.length >= 4);
    for (const line of lines) assert.ok(Buffer.byteLength(line.replace('\n', '')) <= 51, line);
    assert.equal(lines.join('').replaceAll('\n', ''), 'é'.repeat(100));
  });

  it('caps a partial line that never ends and keeps the remainder pending', () => {
    const { splitter, emitted } = makeSplitter(100);
    splitter.push('y'.repeat(250));
    assert.deepEqual(linesOf(emitted.join('')), [`${'y'.repeat(100)}\n`, `${'y'.repeat(100)}\n`]);
    splitter.end();
    assert.equal(emitted.at(-1), 'y'.repeat(50));
  });

  it('never cuts inside a surrogate pair', () => {
    for (let cap = 5; cap <= 13; cap++) {
      const { splitter, emitted } = makeSplitter(cap);
      const text = `a${'😀'.repeat(20)}`;
      splitter.push(`${text}\n`);
      const lines = linesOf(emitted.join(''));
      assert.ok(lines.length > 1, `cap ${cap}`);
      for (const line of lines) {
        assert.ok(!hasLoneSurrogate(line), `cap ${cap}: ${JSON.stringify(line)}`);
        assert.ok(Buffer.byteLength(line) - 1 <= cap, `cap ${cap}`);
      }
      assert.equal(lines.join('').replaceAll('\n', ''), text);
    }
  });

  it('never cuts inside a CSI or OSC escape sequence, whatever the cap', () => {
    const unit = '\x1b[1;38;5;196mred\x1b[0m \x1b]8;;https://example.com/a\x07link\x1b]8;;\x1b\\ ';
    const text = unit.repeat(12);
    for (let cap = 40; cap <= 90; cap++) {
      const { splitter, emitted } = makeSplitter(cap);
      splitter.push(`${text}\n`);
      const lines = linesOf(emitted.join(''));
      assert.ok(lines.length > 1, `cap ${cap}`);
      for (const line of lines) {
        assert.ok(hasOnlyCompleteEscapes(line), `cap ${cap}: ${JSON.stringify(line)}`);
        assert.ok(Buffer.byteLength(line) - 1 <= cap, `cap ${cap}`);
      }
      assert.equal(lines.join('').replaceAll('\n', ''), text);
    }
  });

  it('never cuts inside an escape sequence of random coloured text, complete or partial, ASCII or not', () => {
    const parts = ['a', 'bc ', '\x1b[31m', '\x1b[0m', '\x1b]8;;http://x\x07', '\x1b]8;;\x1b\\', 'é', '😀'];
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = 0, length = 20 + random(200); i < length; i++) text += parts[random(parts.length)];
      const cap = 24 + random(60);
      const { splitter, emitted } = makeSplitter(cap);
      splitter.push(random(2) === 0 ? `${text}\n` : text);
      splitter.end();
      const lines = linesOf(emitted.join(''));
      for (const line of lines) {
        assert.ok(hasOnlyCompleteEscapes(line), `cap ${cap}: ${JSON.stringify(line)}`);
        assert.ok(Buffer.byteLength(line.replace(/\n$/, '')) <= cap, `cap ${cap}: ${JSON.stringify(line)}`);
      }
      assert.equal(lines.join('').replaceAll('\n', ''), text);
    }
  });

  it('keeps an escape sequence whole when it straddles chunks of a partial line', () => {
    const { splitter, emitted } = makeSplitter(20);
    splitter.push(`${'a'.repeat(18)}\x1b[3`);
    splitter.push('1mbbbbbbbbbbbbbbbbbbbbbbbbbb\n');
    for (const line of linesOf(emitted.join('')))
      assert.ok(hasOnlyCompleteEscapes(line), JSON.stringify(line));
  });

  it('still bounds a line made of one endless escape sequence', () => {
    const { splitter, emitted } = makeSplitter(100);
    splitter.push(`\x1b]0;${'t'.repeat(1000)}\n`);
    const lines = linesOf(emitted.join(''));
    assert.ok(lines.length >= 10);
    for (const line of lines) assert.ok(Buffer.byteLength(line) - 1 <= 100);
  });

  it('hands on the remainder when the stream ends', () => {
    const { splitter, emitted } = makeSplitter();
    splitter.push('no newline at the end');
    splitter.end();
    assert.deepEqual(emitted, ['no newline at the end']);
  });
});
