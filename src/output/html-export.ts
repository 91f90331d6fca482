// A process's log as one standalone HTML page, for `lucidlines logs --html`, the read API's `format=html` and the
// viewer's "Save as HTML".
//
// ansi-to-html does the markup, but it never sees the process's raw text: 0.7.2 has a super-linear SGR regex,
// re-scans the rest of its input after every token (quadratic on long inputs), keeps an unbounded stack of open
// tags, and lets a run of thousands of digits after `ESC[` through to its regexes. So the output is first decoded
// by the viewer's own decoder (src/ansi.ts), which bounds every escape sequence and drops everything that is not
// a colour or an attribute; lines are cut at the viewer's length cap; and each run of equally styled text is
// handed to ansi-to-html on its own, as a few short canonical SGR sequences followed by the text. Its work per
// call is therefore bounded by one run, and no style state is carried from one call to the next.

import Convert from 'ansi-to-html';
import { AnsiDecoder, type AnsiSink, type Color, type Style, sameStyle } from '../ansi.js';
import type { OutputStream } from '../protocol.js';

/** One piece of output, as the scrollback holds it; pieces of one stream join into what the process wrote. */
export interface LogPiece {
  text: string;
  /** Pieces of different streams are decoded separately, as an escape sequence never spans two pipes. */
  stream?: OutputStream;
}

export interface LogHtmlInput {
  /** The process name: the page's title. */
  name: string;
  chunks: readonly LogPiece[];
}

/** The viewer's own cap: a longer line is cut and continues on the next line, so no line is unbounded. */
export const MAX_EXPORT_LINE_CHARS = 8192;

// The viewer's dark theme (web/style.css), so the exported page looks like the tab it came from.
export const EXPORT_THEME = {
  background: '#0d1117',
  foreground: '#d4dae2',
  palette: [
    '#484f58',
    '#ff7b72',
    '#3fb950',
    '#d29922',
    '#58a6ff',
    '#bc8cff',
    '#39c5cf',
    '#b1bac4',
    '#6e7681',
    '#ffa198',
    '#56d364',
    '#e3b341',
    '#79c0ff',
    '#d2a8ff',
    '#56d4dd',
    '#f0f6fc',
  ],
} as const;

interface Run {
  text: string;
  style: Style;
}

/** Builds display lines the way the viewer's line model does: `\r` then text replaces the line. */
class LineCollector implements AnsiSink {
  readonly #lines: Run[][];
  #line: Run[] | null = null;
  #length = 0;
  #carriageReturn = false;

  constructor(lines: Run[][]) {
    this.#lines = lines;
  }

  text(text: string, style: Style): void {
    if (this.#carriageReturn) {
      this.#carriageReturn = false;
      this.#clear();
    }
    let rest = text;
    while (rest.length > 0) {
      const line = this.#current();
      const piece = rest.slice(0, MAX_EXPORT_LINE_CHARS - this.#length);
      rest = rest.slice(piece.length);
      const last = line[line.length - 1];
      if (last !== undefined && sameStyle(last.style, style)) last.text += piece;
      else line.push({ text: piece, style });
      this.#length += piece.length;
      if (rest.length > 0) this.#finish();
    }
  }

  lineFeed(): void {
    this.#carriageReturn = false;
    this.#current();
    this.#finish();
  }

  carriageReturn(): void {
    this.#carriageReturn = true;
  }

  eraseLine(mode: 0 | 1 | 2): void {
    if (mode === 2 || this.#carriageReturn) this.#clear();
  }

  #current(): Run[] {
    if (this.#line === null) {
      this.#line = [];
      this.#length = 0;
      this.#lines.push(this.#line);
    }
    return this.#line;
  }

  #clear(): void {
    if (this.#line === null) return;
    this.#line.length = 0;
    this.#length = 0;
  }

  #finish(): void {
    this.#line = null;
  }
}

function colorSgr(color: Color, background: boolean): string {
  if (color === null) return '';
  if (typeof color === 'string') {
    const rgb = [1, 3, 5].map((at) => Number.parseInt(color.slice(at, at + 2), 16));
    return `\x1b[${background ? 48 : 38};2;${rgb.join(';')}m`;
  }
  if (color < 8) return `\x1b[${(background ? 40 : 30) + color}m`;
  if (color < 16) return `\x1b[${(background ? 100 : 90) + color - 8}m`;
  return `\x1b[${background ? 48 : 38};5;${color}m`;
}

/**
 * The style as separate SGR sequences, one per colour or attribute, as ansi-to-html matches extended colours
 * only when each stands alone. Inverse is resolved here, since ansi-to-html 0.7.2 ignores it; dim has no
 * rendering in ansi-to-html and is left out.
 */
function canonicalSgr(style: Style): string {
  const fg = style.inverse ? (style.bg ?? EXPORT_THEME.background) : style.fg;
  const bg = style.inverse ? (style.fg ?? EXPORT_THEME.foreground) : style.bg;
  return (
    colorSgr(fg, false) +
    colorSgr(bg, true) +
    (style.bold ? '\x1b[1m' : '') +
    (style.italic ? '\x1b[3m' : '') +
    (style.underline ? '\x1b[4m' : '') +
    (style.strike ? '\x1b[9m' : '')
  );
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** What ansi-to-html's `escapeXML` does (the `entities` package's encodeXML), for text and the title. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character] ?? character);
}

/** Decodes the pieces into display lines, one decoder and one open line per stream, in the order written. */
function displayLines(chunks: readonly LogPiece[]): Run[][] {
  const lines: Run[][] = [];
  const streams = new Map<OutputStream, { decoder: AnsiDecoder; collector: LineCollector }>();
  for (const chunk of chunks) {
    const key = chunk.stream ?? 'stdout';
    let stream = streams.get(key);
    if (stream === undefined) {
      stream = { decoder: new AnsiDecoder(), collector: new LineCollector(lines) };
      streams.set(key, stream);
    }
    stream.decoder.feed(chunk.text, stream.collector);
  }
  return lines;
}

/** Distinct styles whose markup is remembered; a truecolor gradient cannot grow the memo beyond this. */
const STYLE_MEMO_LIMIT = 1024;

// The decoder never lets a control character through as text, so this marker cannot occur in the output.
const MARKER = '\u0001';

/**
 * ansi-to-html turns each distinct style into markup once: it is asked to render the style's canonical SGR
 * around a marker, and the markup on either side of the marker is what opens and closes that style. Calling it
 * for every run instead costs about 20 µs per run (it rebuilds its tokenizer per call and copies the rest of
 * its input after every token), over a second for a 10,000-line scrollback, and the server's event loop, which
 * also drains the children's pipes, would stall for that long. The text between the tags is escaped exactly
 * as its `escapeXML` does (test/unit/html-export.test.ts checks the two agree).
 */
function createStyleMarkup(): (style: Style) => readonly [string, string] {
  const converter = new Convert({
    fg: EXPORT_THEME.foreground,
    bg: EXPORT_THEME.background,
    escapeXML: true,
    colors: [...EXPORT_THEME.palette],
  });
  const memo = new Map<string, readonly [string, string]>();
  return (style) => {
    const sgr = canonicalSgr(style);
    let markup = memo.get(sgr);
    if (markup === undefined) {
      const probe = converter.toHtml(`${sgr}${MARKER}`);
      const at = probe.indexOf(MARKER);
      markup = [probe.slice(0, at), probe.slice(at + MARKER.length)];
      if (memo.size >= STYLE_MEMO_LIMIT) memo.clear();
      memo.set(sgr, markup);
    }
    return markup;
  };
}

/** The log's markup: one line of markup per display line, every tag closed on the line it opens. */
function renderLines(lines: readonly Run[][]): string {
  const styleMarkup = createStyleMarkup();
  return lines
    .map((line) =>
      line
        .map((run) => {
          const [open, close] = styleMarkup(run.style);
          return `${open}${escapeHtml(run.text)}${close}`;
        })
        .join(''),
    )
    .join('\n');
}

/** A standalone page (no scripts, no external resources) showing the log with its colours. */
export function renderLogHtml(input: LogHtmlInput): string {
  const body = renderLines(displayLines(input.chunks));
  const title = escapeHtml(input.name);
  // The page's own policy forbids every script and every load, so even markup that slipped past the escaping
  // could not run or fetch anything; inline styles are allowed because ansi-to-html colours with them.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="dark">
<title>${title}</title>
<style>
body { margin: 0; background: ${EXPORT_THEME.background}; color: ${EXPORT_THEME.foreground}; }
h1 { margin: 0; padding: 8px 12px; font: 600 14px system-ui, sans-serif; border-bottom: 1px solid #30363d; }
pre { margin: 0; padding: 8px 12px; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>${title}</h1>
<pre>${body}</pre>
</body>
</html>
`;
}
