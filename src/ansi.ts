// Terminal escape sequences → plain text plus a style state, for output that is text and never markup. Shared by
// the viewer (web/) and the server-side HTML export and log files (src/output/), so both apply the same guards.
//
// Why the viewer does not use ansi-to-html: the page runs under `style-src 'self'`, which makes Chromium drop every `style="…"`
// attribute coming from parsed HTML, and ansi-to-html renders colours only as such attributes (its class mode
// covers the 16 basic colours, not 256-colour or truecolor), and 0.7.2 ignores dim (SGR 2) and inverse (SGR 7),
// which the viewer must show. Its 0.7.2 release also has a super-linear SGR
// regex, recursion that overflows on multi-megabyte strings, and a `stream` mode that keeps style state
// without bound and splits escape sequences across chunks. This decoder is a single-pass state machine
// instead: it never builds HTML (the DOM layer uses textContent, and colours go through CSSOM, which the CSP
// allows), its work is linear in the input, and it keeps no more than MAX_CSI_PARAMS characters of an
// unfinished sequence between chunks, so a sequence split across chunks is completed by the next one.
// ansi-to-html stays the reference: test/unit/web-ansi-oracle.test.ts checks that this decoder agrees with it
// on every SGR code it understands.

/** A palette index (0–255) or a `#rrggbb` truecolor; null is the theme's default colour. */
export type Color = number | string | null;

export interface Style {
  readonly fg: Color;
  readonly bg: Color;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
  readonly strike: boolean;
}

export const DEFAULT_STYLE: Style = Object.freeze({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
  strike: false,
});

/** Receives the decoded stream: printable text in its style, and the line-control events. */
export interface AnsiSink {
  text(text: string, style: Style): void;
  lineFeed(): void;
  carriageReturn(): void;
  /** `ESC[K` (0: cursor to end), `ESC[1K` (start to cursor), `ESC[2K` (whole line). */
  eraseLine(mode: 0 | 1 | 2): void;
}

/**
 * A CSI parameter string longer than this is not a real SGR: the sequence is consumed and ignored, and only
 * this much of it is ever held. This is the guard against `ESC[` followed by thousands of digits.
 */
export const MAX_CSI_PARAMS = 64;

const ESC = 0x1b;
const BEL = 0x07;
const LF = 0x0a;
const CR = 0x0d;

enum State {
  Ground,
  Escape,
  EscapeIntermediate,
  Csi,
  /** OSC, DCS, SOS, PM, APC: a string running up to BEL or ST, never shown. */
  ControlString,
  ControlStringEscape,
}

/** C0 controls but tab, DEL and the C1 range: never shown, as they would appear as junk glyphs. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job.
const NON_PRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

export class AnsiDecoder {
  #state = State.Ground;
  #params = '';
  #paramsOverflow = false;
  #csiIntermediate = false;
  #style: Style = DEFAULT_STYLE;

  get style(): Style {
    return this.#style;
  }

  /** True between sequences: no escape sequence is waiting for the next chunk to complete it. */
  get idle(): boolean {
    return this.#state === State.Ground;
  }

  /** Decodes one chunk; an escape sequence left unfinished at its end is completed by the next chunk. */
  feed(chunk: string, sink: AnsiSink): void {
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      switch (this.#state) {
        case State.Ground: {
          // Runs of printable text are found by a native regex scan rather than character by character:
          // this loop sees every byte a process prints, at up to 10,000 lines per second.
          NON_PRINTABLE.lastIndex = i;
          const stop = NON_PRINTABLE.exec(chunk)?.index ?? chunk.length;
          if (stop > i) sink.text(chunk.slice(i, stop), this.#style);
          i = stop;
          const control = chunk.charCodeAt(stop);
          if (control === ESC) this.#state = State.Escape;
          else if (control === LF) sink.lineFeed();
          else if (control === CR) sink.carriageReturn();
          break;
        }
        case State.Escape:
          this.#escape(code);
          break;
        case State.EscapeIntermediate:
          if (code >= 0x30 && code <= 0x7e) this.#state = State.Ground;
          else if (code < 0x20 || code > 0x2f) i = this.#abort(i);
          break;
        case State.Csi:
          if (code >= 0x30 && code <= 0x3f) {
            if (this.#params.length < MAX_CSI_PARAMS) this.#params += chunk[i];
            else this.#paramsOverflow = true;
          } else if (code >= 0x20 && code <= 0x2f) {
            this.#csiIntermediate = true;
          } else if (code >= 0x40 && code <= 0x7e) {
            this.#finishCsi(code, sink);
          } else {
            i = this.#abort(i);
          }
          break;
        case State.ControlString:
          // A newline ends a control string that was never terminated, so one stray `ESC]` cannot swallow
          // the rest of the process's output.
          if (code === BEL) this.#state = State.Ground;
          else if (code === ESC) this.#state = State.ControlStringEscape;
          else if (code === LF) i = this.#abort(i);
          break;
        case State.ControlStringEscape:
          if (code === 0x5c) this.#state = State.Ground;
          else {
            this.#state = State.Escape;
            this.#escape(code);
          }
          break;
      }
    }
  }

  /** Forgets any unfinished sequence and the style, as a fresh process starts with none. */
  reset(): void {
    this.#state = State.Ground;
    this.#style = DEFAULT_STYLE;
  }

  /** Abandons a malformed sequence; the character that broke it is processed again from ground state. */
  #abort(i: number): number {
    this.#state = State.Ground;
    return i - 1;
  }

  #escape(code: number): void {
    if (code === 0x5b) {
      this.#state = State.Csi;
      this.#params = '';
      this.#paramsOverflow = false;
      this.#csiIntermediate = false;
    } else if (code === 0x5d || code === 0x50 || code === 0x58 || code === 0x5e || code === 0x5f) {
      this.#state = State.ControlString;
    } else if (code >= 0x20 && code <= 0x2f) {
      this.#state = State.EscapeIntermediate;
    } else if (code === ESC) {
      this.#state = State.Escape;
    } else {
      // Two-character escapes (ESC 7, ESC =, …) and anything malformed are dropped whole.
      this.#state = State.Ground;
    }
  }

  #finishCsi(final: number, sink: AnsiSink): void {
    this.#state = State.Ground;
    if (this.#paramsOverflow || this.#csiIntermediate) return;
    const params = this.#params;
    // A private marker (`?`, `<`, `=`, `>`) means a mode switch such as cursor hiding, not SGR.
    if (params.length > 0 && params.charCodeAt(0) >= 0x3c) return;
    if (final === 0x6d) this.#style = applySgr(this.#style, params);
    else if (final === 0x4b) {
      const mode = params === '' ? 0 : Number(params);
      if (mode === 0 || mode === 1 || mode === 2) sink.eraseLine(mode);
    }
    // Every other CSI (cursor movement, screen erase, scrolling) has no meaning in a log and is dropped.
  }
}

function parseNumber(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  return Number.isFinite(value) ? value : -1;
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.trunc(value)));
}

function hexByte(value: number): string {
  return clampByte(value).toString(16).padStart(2, '0');
}

/**
 * Reads an extended colour (`38;5;n`, `38;2;r;g;b`, or the colon forms `38:5:n`, `38:2::r:g:b`) starting at
 * `parts[index]`, the number after 38/48. Returns the colour and how many parts it used.
 */
function extendedColor(
  parts: string[],
  index: number,
  colonForm: string | null,
): [Color | undefined, number] {
  if (colonForm !== null) {
    const sub = colonForm.split(':').slice(1);
    const kind = parseNumber(sub[0]);
    if (kind === 5 && sub.length >= 2) return [clampByte(parseNumber(sub[1])), 0];
    if (kind === 2 && sub.length >= 4) {
      const rgb = sub.length >= 5 ? sub.slice(2, 5) : sub.slice(1, 4);
      return [`#${rgb.map((part) => hexByte(parseNumber(part))).join('')}`, 0];
    }
    return [undefined, 0];
  }
  const kind = parseNumber(parts[index]);
  if (kind === 5 && index + 1 < parts.length) return [clampByte(parseNumber(parts[index + 1])), 2];
  if (kind === 2 && index + 3 < parts.length) {
    const rgb = parts.slice(index + 1, index + 4).map((part) => hexByte(parseNumber(part)));
    return [`#${rgb.join('')}`, 4];
  }
  return [undefined, parts.length - index];
}

/** Bounds the memo of one style, so a truecolor gradient cannot grow it without limit. */
const SGR_MEMO_LIMIT = 256;
const sgrMemo = new WeakMap<Style, Map<string, Style>>();

/**
 * Applies an SGR parameter string (what sits between `ESC[` and `m`) to a style; styles are immutable.
 * Results are memoised per style: logs repeat the same few sequences on every line, parsing them each
 * time dominated the cost of decoding, and the memo also makes equal styles the same object.
 */
export function applySgr(style: Style, params: string): Style {
  let memo = sgrMemo.get(style);
  const known = memo?.get(params);
  if (known !== undefined) return known;
  const next = computeSgr(style, params);
  if (memo === undefined) {
    memo = new Map();
    sgrMemo.set(style, memo);
  }
  if (memo.size >= SGR_MEMO_LIMIT) memo.clear();
  memo.set(params, next);
  return next;
}

function computeSgr(style: Style, params: string): Style {
  const parts = params.split(';');
  let next: { -readonly [K in keyof Style]: Style[K] } = { ...style };
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const colon = part.includes(':') ? part : null;
    const code = parseNumber(colon === null ? part : part.slice(0, part.indexOf(':')));
    if (code === 0) next = { ...DEFAULT_STYLE };
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = colon === null || !colon.endsWith(':0');
    else if (code === 7) next.inverse = true;
    else if (code === 9) next.strike = true;
    else if (code === 21 || code === 22) {
      next.bold = false;
      next.dim = false;
    } else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code === 29) next.strike = false;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 39) next.fg = null;
    else if (code === 49) next.bg = null;
    else if (code === 38 || code === 48) {
      const [color, used] = extendedColor(parts, i + 1, colon);
      if (color !== undefined) {
        if (code === 38) next.fg = color;
        else next.bg = color;
      }
      i += used;
    }
  }
  // Returning the same object for an unchanged style lets the line model merge runs by identity.
  if (sameStyle(style, next)) return style;
  return sameStyle(next, DEFAULT_STYLE) ? DEFAULT_STYLE : Object.freeze(next);
}

export function sameStyle(a: Style, b: Style): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse &&
    a.strike === b.strike
  );
}

const CUBE_LEVELS = [0, 95, 135, 175, 215, 255];

/** The `#rrggbb` of a 256-colour palette entry from 16 up (0–15 come from the theme). */
export function paletteHex(index: number): string {
  if (index >= 232) {
    const level = 8 + (index - 232) * 10;
    return `#${hexByte(level).repeat(3)}`;
  }
  const cube = index - 16;
  const r = CUBE_LEVELS[Math.floor(cube / 36)] ?? 0;
  const g = CUBE_LEVELS[Math.floor(cube / 6) % 6] ?? 0;
  const b = CUBE_LEVELS[cube % 6] ?? 0;
  return `#${hexByte(r)}${hexByte(g)}${hexByte(b)}`;
}

/** How the DOM layer shows a style: classes for the theme colours and attributes, CSSOM values for the rest. */
export interface StyleRendering {
  className: string;
  color: string | null;
  background: string | null;
}

function colorRendering(color: Color, prefix: string, classes: string[]): string | null {
  if (color === null) return null;
  if (typeof color === 'string') return color;
  if (color < 16) {
    classes.push(`${prefix}${color}`);
    return null;
  }
  return paletteHex(color);
}

export function renderStyle(style: Style): StyleRendering {
  const classes: string[] = [];
  const fg = style.inverse ? style.bg : style.fg;
  const bg = style.inverse ? style.fg : style.bg;
  const color = colorRendering(fg, 'f', classes);
  const background = colorRendering(bg, 'k', classes);
  // Inverse with a default colour swaps in the theme's own background and foreground.
  if (style.inverse && fg === null) classes.push('inv-f');
  if (style.inverse && bg === null) classes.push('inv-k');
  if (style.bold) classes.push('sb');
  if (style.dim) classes.push('sd');
  if (style.italic) classes.push('si');
  if (style.underline) classes.push('su');
  if (style.strike) classes.push('ss');
  return { className: classes.join(' '), color, background };
}
