// Assembles the decoded output of one stream of one process into display lines.
//
// A carriage return not followed by a line feed means the next text overwrites the line (progress bars).
// The whole line is replaced rather than overwritten column by column: progress output redraws the full
// line each time, and partial overwrites would need a terminal emulator. The style in force at the `\r`
// carries on, as it does from one line to the next: a colour opened on one line lasts until its reset.

import { AnsiDecoder, type AnsiSink, type Style, sameStyle } from '../src/ansi.js';
import type { OutputStream } from '../src/protocol.js';

export interface Segment {
  text: string;
  style: Style;
}

export interface Line {
  readonly name: string;
  readonly stream: OutputStream;
  /** Unix ms of the message that started the line. */
  readonly timestamp: number;
  segments: Segment[];
  /** The plain text of the segments, kept for search and copying. */
  text: string;
  /** Bumped on every change to an open line, so a view knows to redraw it. */
  revision: number;
  /** True until the line feed arrives (or the line is cut at the length cap). */
  open: boolean;
  /**
   * Set only on the separator drawn where a new run of the process begins (its number); that line is
   * lucidlines' own, never output of the process.
   */
  readonly run?: number;
}

/**
 * A line longer than this is cut and continues on the next line. It bounds the work of rendering and
 * searching one line whatever a process prints, e.g. a multi-megabyte minified bundle on one line.
 */
export const MAX_LINE_CHARS = 8192;

export interface LineEvents {
  /** A new line began; it may still be open. */
  added(line: Line): void;
  /** An open line that was already handed to `added` changed. */
  changed(line: Line): void;
}

export class LineAssembler implements AnsiSink {
  readonly #decoder = new AnsiDecoder();
  readonly #name: string;
  readonly #stream: OutputStream;
  #line: Line | null = null;
  #carriageReturn = false;
  #timestamp = 0;
  #events: LineEvents | null = null;
  /** The open line changed during the current feed and still has to be reported. */
  #dirty = false;
  /** The open line was added during the current feed, so `added` already covers its changes. */
  #lineIsNew = false;

  constructor(name: string, stream: OutputStream) {
    this.#name = name;
    this.#stream = stream;
  }

  feed(text: string, timestamp: number, events: LineEvents): void {
    this.#timestamp = timestamp;
    this.#events = events;
    this.#lineIsNew = false;
    this.#decoder.feed(text, this);
    if (this.#dirty && !this.#lineIsNew && this.#line !== null) events.changed(this.#line);
    this.#dirty = false;
    this.#events = null;
  }

  text(text: string, style: Style): void {
    let line = this.#current();
    if (this.#carriageReturn) {
      this.#carriageReturn = false;
      this.#clear(line);
    }
    let rest = text;
    while (rest.length > 0) {
      const room = MAX_LINE_CHARS - line.text.length;
      const piece = rest.length > room ? rest.slice(0, room) : rest;
      rest = rest.slice(piece.length);
      const last = line.segments[line.segments.length - 1];
      if (last !== undefined && sameStyle(last.style, style)) last.text += piece;
      else line.segments.push({ text: piece, style });
      line.text += piece;
      this.#touch(line);
      if (rest.length > 0) {
        this.#finish();
        line = this.#current();
      }
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
    const line = this.#line;
    if (line === null) return;
    // `ESC[K` erases from the cursor, which after a pending `\r` is the whole line; `ESC[2K` always is.
    if (mode === 2 || this.#carriageReturn) this.#clear(line);
  }

  #current(): Line {
    if (this.#line !== null) return this.#line;
    const line: Line = {
      name: this.#name,
      stream: this.#stream,
      timestamp: this.#timestamp,
      segments: [],
      text: '',
      revision: 0,
      open: true,
    };
    this.#line = line;
    this.#lineIsNew = true;
    this.#dirty = false;
    this.#events?.added(line);
    return line;
  }

  #clear(line: Line): void {
    if (line.text.length === 0) return;
    line.segments = [];
    line.text = '';
    this.#touch(line);
  }

  #touch(line: Line): void {
    line.revision++;
    this.#dirty = true;
  }

  #finish(): void {
    const line = this.#line;
    if (line === null) return;
    line.open = false;
    line.revision++;
    if (this.#dirty && !this.#lineIsNew) this.#events?.changed(line);
    this.#dirty = false;
    this.#line = null;
  }
}
