import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnsiDecoder,
  type AnsiSink,
  applySgr,
  DEFAULT_STYLE,
  paletteHex,
  renderStyle,
  type Style,
} from '../../src/ansi.js';
import { type Line, LineAssembler } from '../../web/line-model.js';

interface Recorded {
  text: string;
  pieces: Array<{ text: string; style: Style }>;
  events: string[];
}

function decode(chunks: string[], decoder = new AnsiDecoder()): Recorded {
  const recorded: Recorded = { text: '', pieces: [], events: [] };
  const sink: AnsiSink = {
    text(text, style) {
      recorded.text += text;
      recorded.pieces.push({ text, style });
      recorded.events.push(`text:${text}`);
    },
    lineFeed: () => recorded.events.push('lf'),
    carriageReturn: () => recorded.events.push('cr'),
    eraseLine: (mode) => recorded.events.push(`erase:${mode}`),
  };
  for (const chunk of chunks) decoder.feed(chunk, sink);
  return recorded;
}

function styleOf(recorded: Recorded, text: string): Style {
  const piece = recorded.pieces.find((p) => p.text === text);
  assert.ok(
    piece,
    `no piece ${JSON.stringify(text)} in ${JSON.stringify(recorded.pieces.map((p) => p.text))}`,
  );
  return piece.style;
}

function assemble(chunks: string[]): Line[] {
  const assembler = new LineAssembler('web', 'stdout');
  const lines: Line[] = [];
  for (const chunk of chunks) assembler.feed(chunk, 0, { added: (line) => lines.push(line), changed() {} });
  return lines;
}

describe('ANSI decoding', () => {
  test('the 16 basic colours, bright colours and backgrounds', () => {
    const out = decode(['\x1b[31mred\x1b[0m \x1b[92mbright\x1b[44mon-blue\x1b[0m plain']);
    assert.equal(out.text, 'red brighton-blue plain');
    assert.equal(styleOf(out, 'red').fg, 1);
    assert.equal(styleOf(out, 'bright').fg, 10);
    assert.equal(styleOf(out, 'on-blue').bg, 4);
    assert.equal(styleOf(out, 'on-blue').fg, 10);
    assert.equal(styleOf(out, ' plain'), DEFAULT_STYLE);
  });

  test('256-colour and truecolor, in semicolon and colon forms', () => {
    const out = decode([
      '\x1b[38;5;208ma\x1b[48;5;17mb\x1b[0m\x1b[38;2;1;2;255mc\x1b[38:2::16:32:48md\x1b[38:5:196me',
    ]);
    assert.equal(styleOf(out, 'a').fg, 208);
    assert.equal(styleOf(out, 'b').bg, 17);
    assert.equal(styleOf(out, 'c').fg, '#0102ff');
    assert.equal(styleOf(out, 'd').fg, '#102030');
    assert.equal(styleOf(out, 'e').fg, 196);
    assert.equal(paletteHex(208), '#ff8700');
    assert.equal(paletteHex(232), '#080808');
    assert.equal(paletteHex(16), '#000000');
  });

  test('bold, dim, italic, underline, inverse and their resets', () => {
    let style = applySgr(DEFAULT_STYLE, '1;2;3;4;7;9');
    assert.deepEqual(
      { ...style },
      { ...DEFAULT_STYLE, bold: true, dim: true, italic: true, underline: true, inverse: true, strike: true },
    );
    style = applySgr(style, '22;23;24;27;29');
    assert.deepEqual({ ...style }, { ...DEFAULT_STYLE });
    assert.equal(applySgr(DEFAULT_STYLE, ''), DEFAULT_STYLE, 'ESC[m is a reset');
  });

  test('inverse swaps the colours, and uses the theme colours when they are defaults', () => {
    assert.deepEqual(renderStyle(applySgr(DEFAULT_STYLE, '31;42;7')), {
      className: 'f2 k1',
      color: null,
      background: null,
    });
    assert.deepEqual(renderStyle(applySgr(DEFAULT_STYLE, '7')), {
      className: 'inv-f inv-k',
      color: null,
      background: null,
    });
    assert.deepEqual(renderStyle(applySgr(DEFAULT_STYLE, '38;2;10;20;30;1;3')), {
      className: 'sb si',
      color: '#0a141e',
      background: null,
    });
  });

  test('a style opened on one line stays on the next lines until its reset', () => {
    const lines = assemble(['\x1b[32mgreen\nstill green\n\x1b[0mplain\n']);
    assert.deepEqual(
      lines.map((line) => line.segments.map((s) => [s.text, s.style.fg])),
      [[['green', 2]], [['still green', 2]], [['plain', null]]],
    );
  });

  test('an escape sequence split across chunks is completed by the next chunk', () => {
    const whole = '\x1b[38;2;255;0;0mred\x1b[0m ok \x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\';
    for (let cut = 1; cut < whole.length; cut++) {
      const out = decode([whole.slice(0, cut), whole.slice(cut)]);
      assert.equal(out.text, 'red ok link', `cut at ${cut}`);
      assert.equal(styleOf(out, out.pieces[0]?.text ?? '').fg, '#ff0000', `cut at ${cut}`);
    }
    const byChar = decode([...'\x1b[1;31mX']);
    assert.equal(styleOf(byChar, 'X').bold, true);
    assert.equal(styleOf(byChar, 'X').fg, 1);
  });

  test('ESC[ followed by a huge run of digits is consumed in linear time and leaves nothing behind', () => {
    const digits = '9'.repeat(2_000_000);
    const out = decode([`before\x1b[${digits}mafter`]);
    assert.equal(out.text, 'beforeafter');
    assert.equal(styleOf(out, 'after'), DEFAULT_STYLE);
    // Split across chunks the decoder holds at most MAX_CSI_PARAMS characters of it, and still drops it whole.
    const split = decode(['a\x1b[', digits.slice(0, 1000), digits.slice(1000), ';31mb']);
    assert.equal(split.text, 'ab');
    assert.equal(styleOf(split, 'b'), DEFAULT_STYLE);
  });

  test('a multi-megabyte line is cut into bounded lines instead of being converted in one piece', () => {
    const huge = `\x1b[33m${'x'.repeat(5_000_000)}\x1b[0m\n`;
    const lines = assemble([huge]);
    assert.ok(lines.length >= 5_000_000 / 8192);
    assert.ok(lines.every((line) => line.text.length <= 8192));
    assert.equal(
      lines.reduce((sum, line) => sum + line.text.length, 0),
      5_000_000,
    );
    assert.ok(lines.every((line) => line.segments.every((s) => s.style.fg === 3)));
  });

  test('OSC sequences (OSC 8 hyperlinks, window titles) never leak as text', () => {
    const out = decode([
      '\x1b]8;;https://evil.test/\x1b\\click\x1b]8;;\x1b\\ \x1b]0;title\x07done \x1b]8;;javascript:alert(1)\x07js\x1b]8;;\x07',
    ]);
    assert.equal(out.text, 'click done js');
    const unterminated = decode(['\x1b]0;never ends\nnext line']);
    assert.equal(unterminated.text, 'next line', 'a newline ends a control string that was never terminated');
  });

  test('cursor movement, erase and mode sequences are stripped; erase-line is reported', () => {
    const out = decode(['a\x1b[2Kb\x1b[Kc\x1b[1Ad\x1b[?25le\x1b[3;4Hf\x1b7g\x1b(Bh']);
    assert.equal(out.text, 'abcdefgh');
    assert.deepEqual(
      out.events.filter((e) => e.startsWith('erase')),
      ['erase:2', 'erase:0'],
    );
  });

  test('control characters are dropped, tabs are kept', () => {
    const out = decode(['a\x00b\x07c\x08d\te\x7ff\u009bg']);
    assert.equal(out.text, 'abcd\tefg');
  });

  test('markup in the output stays text: the decoder never produces HTML', () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>alert(1)</script>&amp;';
    const out = decode([`\x1b[31m${payload}\x1b[0m`]);
    assert.equal(out.text, payload, 'the text is kept verbatim; the DOM layer inserts it with textContent');
    assert.ok(out.pieces.every((piece) => typeof piece.text === 'string'));
  });
});
