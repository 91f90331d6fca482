// A differential test of the viewer's ANSI decoder against ansi-to-html, the reference converter. The viewer
// cannot render with ansi-to-html itself (src/ansi.ts says why), so this keeps the two in agreement on every
// SGR code ansi-to-html understands: colours (16, 256, truecolor; foreground and background), bold, italic,
// underline, strike, and resets. Codes ansi-to-html 0.7.2 ignores (dim, inverse) are covered by web-ansi.test.ts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Convert from 'ansi-to-html';
import { AnsiDecoder, paletteHex, type Style } from '../../src/ansi.js';

interface Effective {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
}

// The 16 theme colours and the default colours are given ansi-to-html as markers, because the viewer shows
// them through theme classes rather than fixed values.
const THEME_MARKERS = Object.fromEntries(Array.from({ length: 16 }, (_, index) => [index, `theme:${index}`]));
const DEFAULT_MARKER = 'default';

function colourName(color: Style['fg']): string | null {
  if (color === null) return null;
  if (typeof color === 'string') return color.toLowerCase();
  return color < 16 ? `theme:${color}` : paletteHex(color).toLowerCase();
}

function oracleColourName(value: string): string | null {
  return value === DEFAULT_MARKER ? null : value.toLowerCase();
}

/** Effective style of each character of ansi-to-html's HTML, from its span/b/i/u/strike nesting. */
function oracle(input: string): Array<{ char: string; style: Effective }> {
  const html = new Convert({
    escapeXML: true,
    colors: THEME_MARKERS,
    fg: DEFAULT_MARKER,
    bg: DEFAULT_MARKER,
  }).toHtml(input);
  const stack: Array<Partial<Effective>> = [];
  const result: Array<{ char: string; style: Effective }> = [];
  const tokens = html.match(/<\/?[a-z]+(?: style="[^"]*")?>|&[a-z]+;|[^<&]/g) ?? [];
  for (const token of tokens) {
    if (token.startsWith('</')) {
      stack.pop();
    } else if (token.startsWith('<')) {
      const frame: Partial<Effective> = {};
      const tag = /^<([a-z]+)/.exec(token)?.[1];
      if (tag === 'b') frame.bold = true;
      if (tag === 'i') frame.italic = true;
      if (tag === 'u') frame.underline = true;
      if (tag === 'strike') frame.strike = true;
      const fg = /(?:^|[";])color:([^;"]+)/.exec(token)?.[1];
      const bg = /background-color:([^;"]+)/.exec(token)?.[1];
      if (fg !== undefined) frame.fg = oracleColourName(fg);
      if (bg !== undefined) frame.bg = oracleColourName(bg);
      stack.push(frame);
    } else {
      const style: Effective = {
        fg: null,
        bg: null,
        bold: false,
        italic: false,
        underline: false,
        strike: false,
      };
      for (const frame of stack) Object.assign(style, frame);
      const char = token === '&lt;' ? '<' : token === '&gt;' ? '>' : token === '&amp;' ? '&' : token;
      result.push({ char, style });
    }
  }
  return result;
}

function ours(input: string): Array<{ char: string; style: Effective }> {
  const result: Array<{ char: string; style: Effective }> = [];
  new AnsiDecoder().feed(input, {
    text(text, style) {
      for (const char of text) {
        result.push({
          char,
          style: {
            fg: colourName(style.fg),
            bg: colourName(style.bg),
            bold: style.bold,
            italic: style.italic,
            underline: style.underline,
            strike: style.strike,
          },
        });
      }
    },
    lineFeed() {},
    carriageReturn() {},
    eraseLine() {},
  });
  return result;
}

function agree(input: string): void {
  assert.deepEqual(ours(input), oracle(input), JSON.stringify(input));
}

describe('ANSI decoder agrees with ansi-to-html', () => {
  test('on the 16 colours, foreground and background, normal and bright', () => {
    for (const code of [...range(30, 37), ...range(40, 47), ...range(90, 97), ...range(100, 107)]) {
      agree(`a\x1b[${code}mbc\x1b[0md`);
    }
  });

  test('on every 256-colour index, foreground and background', () => {
    for (const index of range(0, 255)) {
      agree(`\x1b[38;5;${index}mx\x1b[0m`);
      agree(`\x1b[48;5;${index}my\x1b[0m`);
    }
  });

  test('on truecolor, foreground and background', () => {
    for (const [r, g, b] of [
      [0, 0, 0],
      [255, 255, 255],
      [1, 2, 3],
      [250, 128, 7],
      [16, 160, 255],
    ]) {
      agree(`\x1b[38;2;${r};${g};${b}mt\x1b[0m`);
      agree(`\x1b[48;2;${r};${g};${b}mt\x1b[0m`);
    }
  });

  test('on bold, italic, underline and strike, alone and combined with colours', () => {
    for (const code of ['1', '3', '4', '9', '1;31', '3;4;42', '1;3;4;9;95'])
      agree(`\x1b[${code}mstyled\x1b[0m plain`);
  });

  test('on resets of colours (39, 49) and on escaped markup', () => {
    agree('\x1b[31;44mred on blue\x1b[39m default on blue\x1b[49m plain');
    agree('\x1b[32m<script>alert(1)</script> & more\x1b[0m');
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
