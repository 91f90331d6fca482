// The HTML export: colours through ansi-to-html, hostile output escaped, and the decoder's guards (digit runs in
// `ESC[`, huge lines, unbounded style state) applied before ansi-to-html sees anything.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Convert from 'ansi-to-html';
import { EXPORT_THEME, MAX_EXPORT_LINE_CHARS, renderLogHtml } from '../../src/output/html-export.js';

/** The content of the page's <pre>: the rendered log. */
function logOf(html: string): string {
  const match = /<pre>([\s\S]*)<\/pre>/.exec(html);
  assert.ok(match?.[1] !== undefined, 'the page has a <pre>');
  return match[1];
}

const render = (...texts: string[]) =>
  renderLogHtml({ name: 'web', chunks: texts.map((text) => ({ text })) });

describe('renderLogHtml', () => {
  it('renders 16-colour, 256-colour and truecolor output and attributes as styled spans', () => {
    const log = logOf(
      render(
        '\x1b[31mred\x1b[0m \x1b[38;5;196mpalette\x1b[0m \x1b[38;2;1;2;3mtrue\x1b[0m \x1b[1;4mbold\x1b[0m\n',
      ),
    );
    assert.match(log, /<span style="color:#ff7b72">red<\/span>/);
    assert.match(log, /<span style="color:#ff0000">palette<\/span>/);
    assert.match(log, /<span style="color:#010203">true<\/span>/);
    assert.match(log, /<b><u>bold<\/u><\/b>/);
  });

  it('shows inverse by swapping the colours, the defaults included', () => {
    const log = logOf(render('\x1b[7minverse\x1b[27m\n'));
    assert.match(log, /color:#0d1117/);
    assert.match(log, /background-color:#d4dae2/);
  });

  it('escapes markup in the output and in the name, so it stays text', () => {
    const html = renderLogHtml({
      name: '<b>web</b>',
      chunks: [{ text: '<script>alert(1)</script> <img src=x onerror="alert(2)"> & "quotes"\n' }],
    });
    assert.doesNotMatch(html, /<script|<img|<b>web/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /<title>&lt;b&gt;web&lt;\/b&gt;<\/title>/);
  });

  it('keeps no escape or control character, and a sequence split across chunks is still removed', () => {
    const log = logOf(render('\x1b[3', '2mgreen\x1b]0;title\x07 \x1b[2Jcleared\x07\x08\n'));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this assertion's job.
    assert.doesNotMatch(log, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.match(log, /<span style="color:#3fb950">green cleared<\/span>/);
  });

  it('decodes each stream on its own, as the viewer does', () => {
    const html = renderLogHtml({
      name: 'web',
      chunks: [
        { text: 'out \x1b[3', stream: 'stdout' },
        { text: 'err line\n', stream: 'stderr' },
        { text: '4mblue\n', stream: 'stdout' },
      ],
    });
    assert.match(logOf(html), /<span style="color:#58a6ff">blue<\/span>/);
    assert.match(logOf(html), /err line/);
  });

  it('lets a carriage return overwrite the line, like a progress bar in a terminal', () => {
    assert.equal(logOf(render('loading 10%\rloading 20%\rdone\n')), 'done');
  });

  it('holds a run of a million digits after ESC[ to the decoder bound and drops the sequence', () => {
    const log = logOf(render(`\x1b[${'1'.repeat(1_000_000)}mplain\n`));
    assert.equal(log, 'plain');
  });

  it('cuts a multi-megabyte line at the viewer cap, so every line passed to ansi-to-html is bounded', () => {
    const log = logOf(render(`${'x'.repeat(3 * 1024 * 1024)}\n`));
    const lines = log.split('\n');
    assert.equal(lines.length, Math.ceil((3 * 1024 * 1024) / MAX_EXPORT_LINE_CHARS));
    assert.ok(lines.every((line) => line.length <= MAX_EXPORT_LINE_CHARS));
  });

  it('keeps the markup of a style bounded however many sequences set it', () => {
    const log = logOf(render(`${'\x1b[1m\x1b[31m'.repeat(100_000)}x\x1b[0m\n`));
    assert.equal(log, '<span style="color:#ff7b72"><b>x</b></span>');
  });

  it('carries a colour across lines until its reset, as a terminal does', () => {
    const lines = logOf(render('\x1b[32mone\ntwo\x1b[0m\nthree\n')).split('\n');
    assert.deepEqual(lines, [
      '<span style="color:#3fb950">one</span>',
      '<span style="color:#3fb950">two</span>',
      'three',
    ]);
  });

  it('gives exactly what ansi-to-html gives for the same line, escaping included', () => {
    // Lines written the way the export writes a style (one sequence per colour or attribute, colours first),
    // so that ansi-to-html nests the tags the same way; it encodes non-ASCII as numeric references, the export
    // keeps UTF-8, so those are decoded before comparing.
    const lines = [
      'plain <script>alert("x")</script> & \'quotes\' ünïcödé ✓',
      '\x1b[31mred <b>\x1b[0m then \x1b[38;5;200m\x1b[48;5;17m\x1b[1m\x1b[3mpalette\x1b[0m',
      '\x1b[38;2;10;20;30m\x1b[4m\x1b[9mtrue & struck\x1b[0m',
      '\x1b[92m\x1b[104mbright\x1b[0m',
    ];
    const reference = new Convert({
      fg: EXPORT_THEME.foreground,
      bg: EXPORT_THEME.background,
      escapeXML: true,
      colors: [...EXPORT_THEME.palette],
    });
    const decodeNumeric = (html: string) =>
      html.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
    for (const line of lines) {
      assert.equal(logOf(render(`${line}\n`)), decodeNumeric(reference.toHtml(line)), JSON.stringify(line));
    }
  });
});
